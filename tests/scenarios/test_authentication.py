"""With an app id, only requests with a valid channel token are served, and only for allowed tenants.

Tokens are signed with the tests' own RS256 keys; the bot fetches the OpenID metadata and key set
from a loopback token service, as a sovereign-cloud deployment points it elsewhere
(ToBotFromChannelOpenIdMetadataUrl). The bot's replies carry a locally signed bearer token too.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import func, select

from app import AUTHENTICATOR
from loopback.http import BotClient
from loopback.server import BotServer
from loopback.teams import TeamsEnv, personal_message
from loopback.tokens import APP_ID, ISSUER, LocalCredentialsFactory, SigningKey, TokenService
from conftest import MAIJA, make_settings
from storage.db import create_engine
from storage.models import ConversationRow, ResponseRow


@pytest.fixture
async def tokens():
    service = await TokenService().start()
    yield service
    await service.close()


@pytest.fixture
async def secured(sqlite_url, clock, tokens):
    settings = make_settings(
        sqlite_url, MicrosoftAppId=APP_ID, MicrosoftAppPassword="not-used",
        ToBotFromChannelOpenIdMetadataUrl=tokens.metadata_url,
    )
    server = BotServer(settings, clock, credentials_factory=LocalCredentialsFactory(tokens))
    await server.start()
    async with BotClient(server.url) as client:
        yield server, client
    await server.stop()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_valid_channel_token_is_served_and_the_reply_is_signed(secured, tokens, teams, connector):
    _server, client = secured
    status, _ = await client.post(personal_message(teams, MAIJA, "ohje"), bearer(tokens.token(teams.service_url)))
    assert status == 201
    (reply,) = [c for c in connector.calls if c.kind in ("reply", "send")]
    sent = reply.headers["Authorization"].split(" ", 1)[1]
    claims = jwt.decode(sent, tokens.keys[0].private.public_key(), algorithms=["RS256"], audience="https://api.botframework.com")
    assert claims["appid"] == APP_ID


def _forged(tokens: TokenService, url: str) -> dict[str, str]:
    now = int(time.time())
    stranger = SigningKey()
    public_pem = tokens.keys[0].private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    unsigned = jwt.encode({"iss": ISSUER, "aud": APP_ID, "exp": now + 3600, "serviceurl": url}, None, algorithm="none",
                          headers={"kid": tokens.keys[0].kid})
    return {
        "wrong audience": bearer(tokens.token(url, aud="someone-else")),
        "wrong issuer": bearer(tokens.token(url, iss="https://sts.windows.net/x/")),
        "expired an hour ago": bearer(tokens.token(url, exp=now - 3600, nbf=now - 7200)),
        "not yet valid": bearer(tokens.token(url, nbf=now + 3600, exp=now + 7200)),
        "no exp": bearer(tokens.token(url, drop=("exp",))),
        "bad signature": bearer(tokens.token(url)[:-6] + "AAAAAA"),
        "unknown key": bearer(tokens.token(url, key=stranger)),
        "alg none": bearer(unsigned),
        "HS256 with the public key": bearer(
            _hs256(public_pem, tokens.keys[0].kid, {"iss": ISSUER, "aud": APP_ID, "exp": now + 3600, "serviceurl": url})
        ),
        "wrong serviceUrl": bearer(tokens.token("https://smba.trafficmanager.net/evil/")),
        "missing serviceUrl": bearer(tokens.token(url, drop=("serviceurl",))),
        "emulator token": bearer(tokens.token(url, iss="https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/", appid=APP_ID, ver="1.0")),
        "no header": {},
        "Basic header": {"Authorization": "Basic dXNlcjpwYXNz"},
        "garbage": bearer("not.a.token"),
    }


def _hs256(secret: bytes, kid: str, claims: dict) -> str:
    """An HS256 token keyed with the RSA public key (the classic algorithm-confusion forgery)."""
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    payload = b64(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


FORGERIES = [
    "wrong audience", "wrong issuer", "expired an hour ago", "not yet valid", "no exp", "bad signature",
    "unknown key", "alg none", "HS256 with the public key", "wrong serviceUrl", "missing serviceUrl",
    "emulator token", "no header", "Basic header", "garbage",
]


async def _counts(server: BotServer) -> tuple[int, int]:
    engine = create_engine(server.settings.database_url)
    async with engine.connect() as connection:
        responses = await connection.scalar(select(func.count()).select_from(ResponseRow))
        conversations = await connection.scalar(select(func.count()).select_from(ConversationRow))
    await engine.dispose()
    return responses, conversations


@pytest.mark.parametrize("forgery", FORGERIES)
async def test_every_bad_token_is_401_and_reaches_no_handler(secured, tokens, teams, connector, forgery):
    server, client = secured
    headers = _forged(tokens, teams.service_url)[forgery]
    status, _ = await client.post(personal_message(teams, MAIJA, "kysely"), headers)
    assert status == 401
    assert connector.calls == []
    assert await _counts(server) == (0, 0)


async def test_another_tenant_gets_no_answer_even_with_a_valid_token(secured, tokens, teams, connector):
    server, client = secured
    other = TeamsEnv(service_url=teams.service_url, tenant_id="99999999-0000-0000-0000-000000000000")
    status, _ = await client.post(personal_message(other, MAIJA, "kysely"), bearer(tokens.token(teams.service_url)))
    assert status == 403
    assert connector.calls == [] and await _counts(server) == (0, 0)


async def test_a_rotated_key_is_picked_up_without_waiting_a_day(secured, tokens, teams):
    _server, client = secured
    assert (await client.post(personal_message(teams, MAIJA, "ohje"), bearer(tokens.token(teams.service_url))))[0] == 201
    fetched = tokens.metadata_requests
    new_key = tokens.rotate()
    status, _ = await client.post(personal_message(teams, MAIJA, "ohje"), bearer(tokens.token(teams.service_url, key=new_key)))
    assert status == 201 and tokens.metadata_requests == fetched + 1
    # a flood of unknown key ids does not make the bot hammer the metadata endpoint
    for _ in range(5):
        forged = tokens.token(teams.service_url, key=SigningKey())
        assert (await client.post(personal_message(teams, MAIJA, "ohje"), bearer(forged)))[0] == 401
    assert tokens.metadata_requests == fetched + 1


async def test_a_key_that_does_not_endorse_teams_is_refused(secured, tokens, teams):
    _server, client = secured
    tokens.endorsements = ("webchat",)
    new_key = tokens.rotate()
    status, _ = await client.post(personal_message(teams, MAIJA, "ohje"), bearer(tokens.token(teams.service_url, key=new_key)))
    assert status == 401


async def test_without_an_app_id_only_teams_activities_are_served(client, server, teams, connector):
    for channel in ("webchat", "directline", "emulator", None):
        activity = personal_message(teams, MAIJA, "kysely")
        if channel is None:
            del activity["channelId"]
        else:
            activity["channelId"] = channel
        status, _ = await client.post(activity)
        assert status == 401, channel
    assert connector.calls == [] and await _counts(server) == (0, 0)
    assert (await client.post(personal_message(teams, MAIJA, "ohje")))[0] == 201


async def test_stale_keys_and_forged_key_ids_never_delay_a_request_with_a_known_key(secured, tokens, teams):
    server, client = secured
    ok = personal_message(teams, MAIJA, "ohje")
    assert (await client.post(ok, bearer(tokens.token(teams.service_url))))[0] == 201
    keys = server.app[AUTHENTICATOR].keys
    keys._fetched_at -= 25 * 3600  # the keys are a day old: due for their daily refresh
    fetched = tokens.metadata_requests
    tokens.held = asyncio.Event()  # the metadata endpoint hangs
    forged = asyncio.create_task(
        client.post(personal_message(teams, MAIJA, "ohje"), bearer(tokens.token(teams.service_url, key=SigningKey())))
    )
    await _until(lambda: tokens.metadata_requests > fetched)  # the forced refresh hangs; the daily one waits for it
    assert not forged.done()
    for _ in range(3):  # answered while the refreshes hang
        status, _ = await asyncio.wait_for(client.post(ok, bearer(tokens.token(teams.service_url))), 5)
        assert status == 201
    tokens.held.set()
    assert (await forged)[0] == 401
    status, _ = await client.post(ok, bearer(tokens.token(teams.service_url)))
    assert status == 201 and tokens.metadata_requests == fetched + 1  # the forced refresh was the daily one too


async def _until(condition, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)
