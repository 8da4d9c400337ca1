"""The Outbound's Authorization header: botbuilder's credentials sign it, off the event loop, and it
is kept for half the token's remaining lifetime, never past five minutes before it expires."""

from __future__ import annotations

import threading

from botframework.connector.auth import MicrosoftAppCredentials

from auxil.tokens import CountingCredentials
from bot.outbound import TOKEN_MARGIN, Authorizations


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_the_header_is_kept_for_half_the_tokens_lifetime():
    clock = FakeMonotonic()
    authorizations = Authorizations(clock)
    credentials = CountingCredentials(lifetime=3600)
    first = await authorizations.header(credentials)
    assert first.startswith("Bearer ") and first.split(" ", 1)[1].count(".") == 2
    for _ in range(5):
        assert await authorizations.header(credentials) == first
    assert len(credentials.asked) == 1
    assert credentials.asked[0] != threading.main_thread().name  # MSAL may block: not on the loop

    clock.now += 1790
    await authorizations.header(credentials)
    assert len(credentials.asked) == 1
    clock.now += 20
    await authorizations.header(credentials)
    assert len(credentials.asked) == 2


async def test_a_short_lived_token_is_asked_for_every_time_and_no_app_id_means_no_header():
    authorizations = Authorizations(FakeMonotonic())
    credentials = CountingCredentials(lifetime=TOKEN_MARGIN - 10)
    await authorizations.header(credentials)
    await authorizations.header(credentials)
    assert len(credentials.asked) == 2
    assert await authorizations.header(MicrosoftAppCredentials("", "")) is None
    assert await authorizations.header(None) is None
