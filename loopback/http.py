"""An HTTP client that POSTs activities to the bot's /api/messages as Teams does."""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, Self

import aiohttp

from loopback.tokens import TokenService

Body = dict[str, Any] | list[Any] | str | None


class BotClient:
    """POSTs to ``{base_url}{path}``; answers ``(status, body)``.

    ``body`` is the parsed JSON when the bot answered JSON (e.g. an invoke response),
    ``None`` when it answered nothing, the text otherwise.
    """

    def __init__(
        self, base_url: str, *, path: str = "/api/messages", timeout: float = 30.0,
        settle: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.url = str(base_url).rstrip("/") + path
        self.settle = settle
        """Awaited after every answer: the bot's work left for after the turn (summaries, exports),
        so that a test sees what the person sees once it is done."""
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, Body]:
        """POST ``activity`` as JSON."""
        body = json.dumps(activity, ensure_ascii=False).encode()
        return await self.post_raw(body, "application/json; charset=utf-8", headers)

    async def post_raw(
        self, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> tuple[int, Body]:
        """POST arbitrary bytes (for malformed-request tests)."""
        all_headers = {"Content-Type": content_type, **(headers or {})}
        async with self._client().post(self.url, data=body, headers=all_headers) as resp:
            status, content_type, text = resp.status, resp.content_type, await resp.text()
        if self.settle is not None:
            await self.settle()
        if not text:
            return status, None
        if content_type == "application/json":
            try:
                return status, json.loads(text)
            except ValueError:
                pass
        return status, text


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class AuthClient(BotClient):
    """A BotClient whose requests carry a valid channel token unless headers are given."""

    def __init__(self, base_url: str, tokens: TokenService, service_url: str) -> None:
        super().__init__(base_url)
        self.tokens, self.service_url = tokens, service_url

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None):
        if headers is None:
            headers = bearer(self.tokens.token(self.service_url))
        return await super().post(activity, headers)

    async def post_raw(self, body: bytes, content_type: str, headers: dict[str, str] | None = None):
        if headers is None:
            headers = bearer(self.tokens.token(self.service_url))
        return await super().post_raw(body, content_type, headers)
