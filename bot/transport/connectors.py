"""Reuse of Bot Connector clients across turns.

botbuilder's CloudAdapter builds a new `ConnectorClient` and a new user-token client on every turn
(and on every proactive send); each construction builds msrest's `ClientRetryPolicy`, whose
constructor scans ~1,000 status codes against a ~500-element list. Measured on this project's
benchmark, that was most of a turn's CPU time.

`ReusingAuthentication` wraps the configured `BotFrameworkAuthentication` without changing what it
validates or sends: requests are authenticated by the wrapped object exactly as before; only the
connector factory it hands out keeps one client per (service URL, audience) for the bot's single
app identity, and the user-token client is created only when a turn actually asks for a token.
The clients keep their credentials object, whose tokens MSAL caches and refreshes as before. A
client is handed out without a token: the token is a concern of the send, not of the turn (a card
action answers in its HTTP response and needs none). Whoever sends asks bot/transport/authorizations.Authorizations
for the header first, off the loop and with a time limit; msrest's synchronous signing on the loop
then finds it kept (bot/transport/entra.py never calls Entra ID on the loop).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Awaitable, Callable

from botbuilder.schema import Activity

from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)

MAX_CLIENTS = 64
"""Service URLs are few (one per Teams region); the bound only guards against abuse."""


class _ClientCache:
    def __init__(self, size: int = MAX_CLIENTS) -> None:
        self._clients: OrderedDict[tuple[str, str | None], ConnectorClient] = OrderedDict()
        self._size = size

    async def get(self, key: tuple[str, str | None], create: Callable[[], Awaitable[ConnectorClient]]) -> ConnectorClient:
        client = self._clients.get(key)
        if client is None:
            client = await create()
            self._clients[key] = client
            if len(self._clients) > self._size:
                self._clients.popitem(last=False)
        else:
            self._clients.move_to_end(key)
        return client


class _ReusingConnectorFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, cache: _ClientCache) -> None:
        self._inner = inner
        self._cache = cache

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        return await self._cache.get((service_url, audience), lambda: self._inner.create(service_url, audience))


class _LazyUserTokenClient(UserTokenClient):
    """Creates the real user-token client on first use (this bot signs nobody in, so: never)."""

    def __init__(self, create: Callable[[], Awaitable[UserTokenClient]]) -> None:
        self._create = create
        self._client: UserTokenClient | None = None

    async def _real(self) -> UserTokenClient:
        if self._client is None:
            self._client = await self._create()
        return self._client

    async def get_user_token(self, *args: Any, **kwargs: Any):
        return await (await self._real()).get_user_token(*args, **kwargs)

    async def get_sign_in_resource(self, *args: Any, **kwargs: Any):
        return await (await self._real()).get_sign_in_resource(*args, **kwargs)

    async def sign_out_user(self, *args: Any, **kwargs: Any):
        return await (await self._real()).sign_out_user(*args, **kwargs)

    async def get_token_status(self, *args: Any, **kwargs: Any):
        return await (await self._real()).get_token_status(*args, **kwargs)

    async def get_aad_tokens(self, *args: Any, **kwargs: Any):
        return await (await self._real()).get_aad_tokens(*args, **kwargs)

    async def exchange_token(self, *args: Any, **kwargs: Any):
        return await (await self._real()).exchange_token(*args, **kwargs)


class ReusingAuthentication(BotFrameworkAuthentication):
    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self._cache = _ClientCache()

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = _ReusingConnectorFactory(result.connector_factory, self._cache)
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str) -> AuthenticateRequestResult:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return _ReusingConnectorFactory(self._inner.create_connector_factory(claims_identity), self._cache)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        return _LazyUserTokenClient(lambda: self._inner.create_user_token_client(claims_identity))

    def create_bot_framework_client(self):
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)
