"""The bot's Authorization headers for its calls to the Bot Connector, fetched off the event loop.

MSAL asks Entra ID with a blocking HTTP request, so a header is fetched in a thread, kept, and
renewed at half its lifetime; a turn only starts the fetch (`prefetch`) and a send waits for it at
most a few seconds. When none can be had, the send fails with `TokenUnavailable` (a reply in a turn
is queued instead: bot/transport/queued.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, Callable

import jwt

from bot.connector import TokenUnavailable

logger = logging.getLogger(__name__)

TOKEN_MARGIN = 300.0
"""Seconds before a token's expiry when a new one is asked for."""
UNKNOWN_TOKEN_LIFETIME = 600.0
"""How long a token whose expiry cannot be read is kept."""



class _HeaderHolder:
    """What `AppCredentials.signed_session` writes the Authorization header into."""

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}


def _signed_header(credentials: Any) -> str | None:
    holder = _HeaderHolder()
    credentials.signed_session(holder)
    return holder.headers.get("Authorization")


def _lifetimes(header: str | None) -> tuple[float, float]:
    """Seconds until a header is asked for again (half its token's remaining lifetime, never past
    TOKEN_MARGIN before its `exp`), and until it may no longer be sent (TOKEN_MARGIN before `exp`).
    No header (no app id): for good. Asking again at half-life lets MSAL renew the token here, off
    the loop, long before it runs out."""
    if header is None:
        return float("inf"), float("inf")
    try:
        claims = jwt.decode(header.split(" ", 1)[1], options={"verify_signature": False})
        remaining = float(claims["exp"]) - time.time()
    except (IndexError, KeyError, TypeError, ValueError, jwt.InvalidTokenError):
        return UNKNOWN_TOKEN_LIFETIME, UNKNOWN_TOKEN_LIFETIME
    usable = max(0.0, remaining - TOKEN_MARGIN)
    return min(usable, remaining / 2), usable


@dataclass
class _Kept:
    header: str | None
    refresh_at: float
    usable_until: float


class Authorizations:
    """The Authorization headers of the bot's credentials, fetched off the event loop (MSAL calls
    Entra ID with a blocking HTTP request) and kept. Shared by the Outbound (which sends the header
    itself), bot/transport/replies.py (which queues a reply when no header can be had in time) and the
    callers of msrest clients (bot/transport/replies.py, sender.py), which must have it before msrest
    signs a request on the loop. A turn starts the fetch (`prefetch`) but never waits for it.

    One fetch per credentials runs at a time, in a thread; callers wait for it at most `wait`
    seconds (default `fetch_wait`) and get TokenUnavailable after that, while the fetch goes on and
    keeps its header when it comes. After a failed fetch, none is tried for `failure_pause` seconds.
    A header past its half-life is renewed, and still sent while the renewal fails, until
    TOKEN_MARGIN before it expires. `on_token` listeners hear of every header fetched."""

    def __init__(
        self, monotonic: Callable[[], float] = time.monotonic, *, fetch_wait: float = 15.0,
        failure_pause: float = 2.0,
    ) -> None:
        self._monotonic = monotonic
        self.fetch_wait = fetch_wait
        self.failure_pause = failure_pause
        self._kept: dict[Any, _Kept] = {}
        self._fetches: dict[Any, asyncio.Task] = {}
        self._failed_at: dict[Any, float] = {}
        self._listeners: list[Callable[[], None]] = []

    def on_token(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def prefetch(self, credentials: Any) -> None:
        """Start fetching the header if it may be needed soon and is not at hand; do not wait."""
        if self._due(credentials) and not self._pausing(credentials):
            self._fetch_task(credentials)

    async def header(self, credentials: Any, *, wait: float | None = None) -> str | None:
        if not self._due(credentials):
            kept = self._kept.get(credentials)
            return kept.header if kept is not None else None
        kept = self._kept.get(credentials)
        if self._pausing(credentials):
            if kept is not None and self._monotonic() < kept.usable_until:
                return kept.header
            raise TokenUnavailable("failed a moment ago")
        fetch = self._fetch_task(credentials)
        try:
            fetched = await asyncio.wait_for(asyncio.shield(fetch), self.fetch_wait if wait is None else wait)
        except TimeoutError:
            fetched = "timed out"
        if isinstance(fetched, _Kept):
            return fetched.header
        kept = self._kept.get(credentials)
        if kept is not None and self._monotonic() < kept.usable_until:
            return kept.header
        raise TokenUnavailable(fetched)

    def _due(self, credentials: Any) -> bool:
        """Whether a (new) header must be asked for: not for credentials without an app id (no
        header is ever sent), nor while the kept one is before its half-life."""
        if credentials is None or not getattr(credentials, "microsoft_app_id", None):
            return False
        kept = self._kept.get(credentials)
        return kept is None or self._monotonic() >= kept.refresh_at

    def _pausing(self, credentials: Any) -> bool:
        return self._monotonic() < self._failed_at.get(credentials, float("-inf")) + self.failure_pause

    def _fetch_task(self, credentials: Any) -> asyncio.Task:
        fetch = self._fetches.get(credentials)
        if fetch is None or fetch.done():
            fetch = self._fetches[credentials] = asyncio.create_task(self._fetch(credentials))
        return fetch

    async def _fetch(self, credentials: Any) -> _Kept | str:
        """The new header, kept; or why there is none (never raises: nobody may be waiting)."""
        try:
            header = await asyncio.to_thread(_signed_header, credentials)
        except Exception as exc:  # noqa: BLE001 - MSAL, requests and msrest raise all kinds
            self._failed_at[credentials] = self._monotonic()
            logger.warning("bot token not obtained from Entra ID: %s", type(exc).__name__)
            return type(exc).__name__
        now = self._monotonic()
        refresh, usable = _lifetimes(header)
        kept = self._kept[credentials] = _Kept(header, now + refresh, now + usable)
        if self._failed_at.pop(credentials, None) is not None:
            logger.info("bot token obtained from Entra ID again")
        for listener in self._listeners:
            listener()
        return kept
