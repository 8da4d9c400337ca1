"""An HTTP client that POSTs activities to the bot's /api/messages as Teams does."""

from __future__ import annotations

import json
from typing import Any, Self

import aiohttp

Body = dict[str, Any] | list[Any] | str | None


class BotClient:
    """POSTs to ``{base_url}{path}``; answers ``(status, body)``.

    ``body`` is the parsed JSON when the bot answered JSON (e.g. an invoke response),
    ``None`` when it answered nothing, the text otherwise.
    """

    def __init__(self, base_url: str, *, path: str = "/api/messages", timeout: float = 30.0) -> None:
        self.url = str(base_url).rstrip("/") + path
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
            text = await resp.text()
            if not text:
                return resp.status, None
            if resp.content_type == "application/json":
                try:
                    return resp.status, json.loads(text)
                except ValueError:
                    pass
            return resp.status, text
