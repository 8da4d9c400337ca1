"""The bot's own credentials (bot/transport/entra.py) against the loopback token endpoint: never a call to
Entra ID on the event loop, a time limit on every call off it."""

from __future__ import annotations

import asyncio

import pytest

from loopback.entra import SECRET, EntraStandIn
from loopback.tokens import APP_ID, TokenService
from bot.transport.entra import EntraCredentials, default_authority
from bot.connector import TokenUnavailable


@pytest.fixture
async def entra(monkeypatch):
    tokens = await TokenService().start()
    stand_in = await EntraStandIn(tokens).start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(stand_in.ca_file))
    yield stand_in
    await stand_in.close()
    await tokens.close()


def credentials(entra: EntraStandIn, timeout: float = 5.0) -> EntraCredentials:
    return EntraCredentials(APP_ID, SECRET, authority=entra.authority, scope="https://api.botframework.com",
                            timeout=timeout, named_authority=True)


def test_the_authority_is_botbuilders_for_the_app_type():
    assert default_authority("MultiTenant", "") == "https://login.microsoftonline.com/botframework.com"
    assert default_authority("SingleTenant", "t-1") == "https://login.microsoftonline.com/t-1"


async def test_on_the_event_loop_only_a_token_already_fetched_is_given(entra):
    made = credentials(entra)
    with pytest.raises(TokenUnavailable):
        made.get_access_token()  # on the loop, nothing fetched: at once, no request
    assert entra.token_requests == 0
    token = await asyncio.to_thread(made.get_access_token)  # off the loop: Entra ID is asked
    assert entra.token_requests == 1
    assert made.get_access_token() == token  # on the loop now: the kept one


async def test_a_hanging_token_endpoint_is_given_up_after_the_timeout(entra):
    entra.hold()
    made = credentials(entra, timeout=0.5)
    with pytest.raises(Exception) as raised:  # without a timeout it would wait for the release, for ever
        await asyncio.to_thread(made.get_access_token)
    assert type(raised.value).__name__ == "ReadTimeout"
    entra.release()
    assert await asyncio.to_thread(made.get_access_token)


async def test_a_wrong_secret_is_refused_with_entras_error_not_a_token(entra):
    wrong = EntraCredentials(APP_ID, "not-the-secret", authority=entra.authority,
                             scope="https://api.botframework.com", timeout=5, named_authority=True)
    with pytest.raises(PermissionError, match="invalid_client"):
        await asyncio.to_thread(wrong.get_access_token)
