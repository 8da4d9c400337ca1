"""The Outbound's Authorization header: botbuilder's credentials sign it, off the event loop, and it
is kept for half the token's remaining lifetime, never past five minutes before it expires. When
Entra ID fails or hangs, callers hear it at once or after their wait (TokenUnavailable)."""

from __future__ import annotations

import threading

import pytest
from botframework.connector.auth import MicrosoftAppCredentials

from loopback.tokens import CountingCredentials
from bot.connector import TokenUnavailable
from bot.transport.authorizations import TOKEN_MARGIN, Authorizations


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


class FlakyCredentials(CountingCredentials):
    """Tokens as CountingCredentials, until told to fail or to hang."""

    def __init__(self, lifetime: float) -> None:
        super().__init__(lifetime)
        self.failing = False
        self.gate = threading.Event()
        self.gate.set()

    def get_access_token(self, force_refresh: bool = False) -> str:
        self.gate.wait(10)
        if self.failing:
            self.asked.append("failed")
            raise ConnectionError("Entra ID unreachable")
        return super().get_access_token(force_refresh)


async def test_no_token_is_told_at_once_and_not_asked_again_for_a_moment():
    clock = FakeMonotonic()
    authorizations = Authorizations(clock, failure_pause=2.0)
    credentials = FlakyCredentials(lifetime=3600)
    credentials.failing = True
    with pytest.raises(TokenUnavailable):
        await authorizations.header(credentials)
    with pytest.raises(TokenUnavailable):
        await authorizations.header(credentials)
    assert credentials.asked == ["failed"]  # the second caller was not made to wait for Entra ID
    clock.now += 2.5
    credentials.failing = False
    heard = []
    authorizations.on_token(lambda: heard.append(True))
    assert (await authorizations.header(credentials)).startswith("Bearer ")
    assert heard == [True]


async def test_a_caller_waits_only_so_long_and_the_token_is_kept_when_it_comes():
    authorizations = Authorizations(FakeMonotonic())
    credentials = FlakyCredentials(lifetime=3600)
    credentials.gate.clear()  # Entra ID hangs
    with pytest.raises(TokenUnavailable):
        await authorizations.header(credentials, wait=0.05)
    credentials.gate.set()
    header = await authorizations.header(credentials, wait=5)  # the same request, answered now
    assert header.startswith("Bearer ") and len(credentials.asked) == 1


async def test_a_token_past_its_half_life_is_still_sent_while_its_renewal_fails():
    clock = FakeMonotonic()
    authorizations = Authorizations(clock, failure_pause=0.0)
    credentials = FlakyCredentials(lifetime=3600)
    first = await authorizations.header(credentials)
    credentials.failing = True
    clock.now += 2000  # past half-life (1800 s), before TOKEN_MARGIN ahead of its expiry
    assert await authorizations.header(credentials) == first
    clock.now += 1400  # 3400 s: within TOKEN_MARGIN of its expiry: no longer sent
    with pytest.raises(TokenUnavailable):
        await authorizations.header(credentials)


async def test_credentials_without_an_app_id_are_never_asked():
    authorizations = Authorizations(FakeMonotonic())
    credentials = CountingCredentials(lifetime=3600)
    credentials.microsoft_app_id = ""  # local development: no header is sent
    authorizations.prefetch(credentials)
    assert await authorizations.header(credentials) is None
    assert credentials.asked == []
