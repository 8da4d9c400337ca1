"""Every call the bot makes to the Bot Connector goes through one `Outbound`: replies in a turn,
card updates, proactive messages, conversation creation and roster pages.

Each call waits for the shared `RateLimiter` (Teams' limits: per conversation 7 per second and 60
per 30 seconds; per app and tenant about 50 per second) and is retried on 429, 412, 502 and 504
with exponential backoff and jitter, honouring Retry-After. A call that still fails raises
`SendFailed` with the status and reason: botbuilder never retries and its `continue_conversation`
returns normally when the send inside it failed, so nothing here goes through those paths.

Activities are posted as JSON with aiohttp (`post_activity`, `put_activity`) instead of through
msrest's `ConnectorClient`, whose serialiser walks every key of a card (most of a reply turn's CPU
time). What goes over the wire is what the ConnectorClient sends: the same URL, the same JSON
(camelCase activity, None fields left out), and the same Authorization header, taken from the very
credentials object botbuilder made for the turn (`credentials.signed_session`, which asks MSAL's
cache). The header is fetched off the event loop (MSAL's call to Entra ID is a blocking HTTP
request), kept, and renewed at half its lifetime; when none can be had, the call fails with
`TokenUnavailable` (bot/transport/authorizations.py).

Every connector call of the bot goes through here: replies and posts as JSON, and the msrest
calls (member look-ups, the team's channels and roster, conversation creation) through
`with_retries`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Awaitable, Callable, TypeVar
from urllib.parse import quote

import aiohttp
import orjson
from yarl import URL

from bot.connector import SendError, SendFailed
from bot.transport.authorizations import Authorizations

logger = logging.getLogger(__name__)

RETRYABLE = frozenset({412, 429, 502, 504})
"""Retried after the backoff."""
REQUEST_TIMEOUT = 30.0

T = TypeVar("T")


# Rate limiting ------------------------------------------------------------------------------------


class RateLimiter:
    """Sliding-window limits shared by every outgoing call of this process: per conversation
    (7 per 1 s and 60 per 30 s by default) and per app and tenant (`tenant_per_second`).
    `acquire` waits until a call fits every window, then counts it. Each window is `guard`
    seconds longer than Teams' own, so that the jitter between our clock and the moment a request
    reaches Teams cannot push one of Teams' windows over its limit.

    Background calls (reminders, their conversations and roster pages: `background=True`) may
    fill only `background_share` of a tenant's window; the rest is kept for the replies of turns,
    so that a person's answer does not queue behind a burst of her county's reminders."""

    def __init__(
        self, *, tenant_per_second: float = 50, per_conversation: tuple[tuple[int, float], ...] = ((7, 1.0), (60, 30.0)),
        guard: float = 0.05, monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep, background_share: float = 0.8,
    ) -> None:
        self.tenant_per_second = tenant_per_second
        self._tenant_windows = ((max(1, int(tenant_per_second)), 1.0 + guard),)
        self._background_windows = ((max(1, int(tenant_per_second * background_share)), 1.0 + guard),)
        self._conversation_windows = tuple((limit, period + guard) for limit, period in per_conversation)
        self._monotonic = monotonic
        self._sleep = sleep
        self._calls: dict[tuple[str, str], deque[float]] = {}
        self.waited = 0.0

    async def acquire(self, tenant_id: str, conversation_id: str | None, *, background: bool = False) -> float:
        keys = [(("tenant", tenant_id), self._background_windows if background else self._tenant_windows)]
        if conversation_id:
            keys.append((("conversation", conversation_id), self._conversation_windows))
        waited = 0.0
        while True:
            now = self._monotonic()
            wait = max(self._wait(key, windows, now) for key, windows in keys)
            if wait <= 0:
                for key, _ in keys:
                    self._calls.setdefault(key, deque()).append(now)
                self.waited += waited
                return waited
            await self._sleep(wait)
            waited += wait

    def _wait(self, key: tuple[str, str], windows: tuple[tuple[int, float], ...], now: float) -> float:
        calls = self._calls.get(key)
        if not calls:
            return 0.0
        keep = max(period for _, period in windows)
        while calls and calls[0] <= now - keep:
            calls.popleft()
        if not calls:
            del self._calls[key]
            return 0.0
        wait = 0.0
        stamps = list(calls)
        for limit, period in windows:
            recent = len(stamps) - bisect_right(stamps, now - period)
            if recent >= limit:
                wait = max(wait, stamps[len(stamps) - limit] + period - now)
        return wait


# Errors -------------------------------------------------------------------------------------------


def send_error(exc: BaseException) -> SendError:
    """The status, error code and Retry-After of an msrest connector call's exception."""
    if isinstance(exc, SendError):
        return exc
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    code = getattr(getattr(getattr(exc, "error", None), "error", None), "code", None)
    headers = getattr(response, "headers", None)
    retry_after = retry_after_seconds(headers.get("Retry-After")) if headers is not None else None
    if status is None:
        return SendError(None, f"{type(exc).__name__}")
    return SendError(int(status), f"{status} {code or ''}".strip(), retry_after)


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


@dataclass
class OutboundStats:
    calls: int = 0
    """HTTP calls made (sends, updates, creations, roster pages), retries included."""
    retries: int = 0
    throttled: int = 0
    """429 answers."""
    retry_wait: float = 0.0
    """Seconds waited before retries."""
    failed: int = 0
    """Calls given up on."""
    by_status: dict[int, int] = field(default_factory=dict)


# The outbound channel -------------------------------------------------------------------------------


class Outbound:
    def __init__(
        self, limiter: RateLimiter, *, backoff_base: float = 1.0, max_retries: int = 5, max_wait: float = 60.0,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep, rand: Callable[[], float] = random.random,
        monotonic: Callable[[], float] = time.monotonic, authorizations: Authorizations | None = None,
    ) -> None:
        self.limiter = limiter
        self.backoff_base = backoff_base
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.sleep = sleep
        self._rand = rand
        self._monotonic = monotonic
        self.stats = OutboundStats()
        self.authorizations = authorizations or Authorizations(monotonic)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # Activities --------------------------------------------------------------------------------------

    async def post_activity(
        self, tenant_id: str, service_url: str, conversation_id: str, activity: dict[str, Any], credentials: Any,
        *, reply_to_id: str | None = None, deadline: float | None = None, background: bool = False,
    ) -> tuple[str | None, int]:
        """A new activity in a conversation (a reply when `reply_to_id` is given): its id, and the
        retries it took. `background`: a proactive message (see RateLimiter)."""
        path = f"/v3/conversations/{_segment(conversation_id)}/activities"
        if reply_to_id:
            path += f"/{_segment(reply_to_id)}"
        return await self._activity_call("POST", tenant_id, service_url, path, conversation_id, activity, background,
                                         credentials, deadline)

    async def put_activity(
        self, tenant_id: str, service_url: str, conversation_id: str, activity_id: str, activity: dict[str, Any],
        credentials: Any, *, deadline: float | None = None,
    ) -> tuple[str | None, int]:
        """Replace an activity the bot sent (a card updated in place)."""
        path = f"/v3/conversations/{_segment(conversation_id)}/activities/{_segment(activity_id)}"
        return await self._activity_call("PUT", tenant_id, service_url, path, conversation_id,
                                         {**activity, "id": activity_id}, False, credentials, deadline)

    async def _activity_call(
        self, method: str, tenant_id: str, service_url: str, path: str, conversation_id: str,
        activity: dict[str, Any], background: bool, credentials: Any, deadline: float | None,
    ) -> tuple[str | None, int]:
        url = URL(service_url.rstrip("/") + path, encoded=True)
        data = orjson.dumps(_without_none(activity))

        async def call() -> str | None:
            answer = await self._request(method, url, data, credentials)
            return answer.get("id") if isinstance(answer, dict) else None

        return await self.with_retries(tenant_id, conversation_id, call, deadline=deadline, background=background)

    async def _request(self, method: str, url: URL, data: bytes, credentials: Any) -> Any:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        authorization = await self.authorizations.header(credentials)
        if authorization:
            headers["Authorization"] = authorization
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT))
        try:
            async with self._session.request(method, url, data=data, headers=headers) as response:
                body = await response.read()
                if response.status >= 400:
                    raise SendError(response.status, f"{response.status} {_error_code(body)}".strip(),
                                    retry_after_seconds(response.headers.get("Retry-After")))
                return orjson.loads(body) if body else None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SendError(None, type(exc).__name__) from exc

    # Retries ---------------------------------------------------------------------------------------

    async def with_retries(
        self, tenant_id: str, conversation_id: str | None, call: Callable[[], Awaitable[T]],
        *, deadline: float | None = None, background: bool = False,
    ) -> tuple[T, int]:
        """`call`'s result and the retries it took; SendFailed when it failed for good. `deadline`
        (monotonic seconds): give up rather than wait past it (a reply in a turn must not keep
        Teams waiting until it sends the activity again)."""
        retries = 0
        while True:
            await self.limiter.acquire(tenant_id, conversation_id, background=background)
            self.stats.calls += 1
            try:
                return await call(), retries
            except SendError as error:
                failure = self._count(error)
                if failure is None and retries >= self.max_retries:
                    failure = error
                wait = 0.0
                if failure is None:
                    wait = self.backoff(retries, error.retry_after)
                    if wait > self.max_wait or (deadline is not None and self._monotonic() + wait > deadline):
                        failure = SendError(error.status, error.reason, wait)
                if failure is not None:
                    self.stats.failed += 1
                    logger.warning("connector call failed: status=%s reason=%s retries=%d",
                                   failure.status, failure.reason, retries)
                    raise SendFailed(failure, retries) from None
                retries += 1
                self.stats.retries += 1
                self.stats.retry_wait += wait
                logger.info("connector call retried: status=%s attempt=%d wait=%.2f", error.status, retries, wait)
                await self.sleep(wait)

    def _count(self, error: SendError) -> SendError | None:
        """Count the answer; the error itself when it is not worth retrying."""
        if error.status is not None:
            self.stats.by_status[error.status] = self.stats.by_status.get(error.status, 0) + 1
        if error.status == 429:
            self.stats.throttled += 1
        return None if error.status in RETRYABLE else error

    def backoff(self, retries: int, retry_after: float | None) -> float:
        """Retry-After when Teams gives one (plus a little jitter, so that waiting senders do not
        return together); otherwise exponential: base·2ⁿ, half of it random ("equal jitter")."""
        if retry_after is not None:
            return retry_after + self._rand() * self.backoff_base * 0.1
        step = self.backoff_base * 2 ** retries
        return step / 2 + self._rand() * step / 2


def _segment(value: str) -> str:
    """A path segment quoted as msrest quotes it (nothing left unescaped)."""
    return quote(value, safe="")


def _without_none(value: Any) -> Any:
    """msrest leaves None fields out of what it sends; so do we (card contents are sent as given)."""
    if isinstance(value, dict):
        return {k: (v if k in ("content", "value", "channelData") else _without_none(v))
                for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def _error_code(body: bytes) -> str:
    try:
        answer = orjson.loads(body)
    except orjson.JSONDecodeError:
        return ""
    error = answer.get("error") if isinstance(answer, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else ""
