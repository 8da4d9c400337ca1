"""The Outbound's Authorization header: botbuilder's credentials sign it, off the event loop, and it
is kept until five minutes before the token expires (MSAL is asked again then)."""

from __future__ import annotations

import base64
import json
import threading
import time

from botframework.connector.auth import AppCredentials, MicrosoftAppCredentials

from bot.outbound import TOKEN_MARGIN, _Authorizations


def jwt_with_exp(exp: float) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256'})}.{part({'exp': int(exp), 'appid': 'bot'})}.c2lnbmF0dXJl"


class CountingCredentials(AppCredentials):
    def __init__(self, lifetime: float) -> None:
        super().__init__(channel_auth_tenant=None, oauth_scope="https://api.botframework.com")
        self.microsoft_app_id = "bot"
        self.lifetime = lifetime
        self.asked: list[str] = []

    def get_access_token(self, force_refresh: bool = False) -> str:
        self.asked.append(threading.current_thread().name)
        return jwt_with_exp(time.time() + self.lifetime)


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_the_header_is_kept_until_shortly_before_the_token_expires():
    clock = FakeMonotonic()
    authorizations = _Authorizations(clock)
    credentials = CountingCredentials(lifetime=3600)
    first = await authorizations.header(credentials)
    assert first.startswith("Bearer ") and first.split(" ", 1)[1].count(".") == 2
    for _ in range(5):
        assert await authorizations.header(credentials) == first
    assert len(credentials.asked) == 1
    assert credentials.asked[0] != threading.main_thread().name  # MSAL may block: not on the loop

    clock.now += 3600 - TOKEN_MARGIN + 1
    await authorizations.header(credentials)
    assert len(credentials.asked) == 2


async def test_a_short_lived_token_is_asked_for_every_time_and_no_app_id_means_no_header():
    authorizations = _Authorizations(FakeMonotonic())
    credentials = CountingCredentials(lifetime=TOKEN_MARGIN - 10)
    await authorizations.header(credentials)
    await authorizations.header(credentials)
    assert len(credentials.asked) == 2
    assert await authorizations.header(MicrosoftAppCredentials("", "")) is None
    assert await authorizations.header(None) is None
