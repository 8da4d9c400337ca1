"""Replies that wait for Entra ID: a turn's reply that could not be sent because no token for the bot
could be had (bot/transport/replies.py) is stored (`queued_replies`) instead of lost, and sent once, when a
token can be had again, by whichever instance claims it first; after `max_age` (10 minutes) it is
dropped and logged as failed. The queue is in the database, so replies survive a restart and any
instance may send them.

A pass runs every `poll_seconds` while anything waits, and at once when a token has been fetched.
Exactly once: a reply is claimed (with a lease) before it is sent and deleted when the connector
has accepted it; only a crash between the two (or a send outliving its one-minute lease) could send
it twice, as with the reminders.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Awaitable, Callable

from bot.connector import SendFailed, TokenUnavailable
from bot.logs import short
from bot.transport.outbound import RETRYABLE, Outbound
from hyte.clock import Clock
from storage.queued import QueuedReply, SqlQueuedReplies

logger = logging.getLogger(__name__)

MAX_AGE = timedelta(minutes=10)
LEASE = timedelta(minutes=1)
RETRY_AFTER = timedelta(seconds=30)
"""After the connector failed for a while (5xx, throttled beyond the retries), when a reply is tried again."""


@dataclass
class QueueStats:
    queued: int = 0
    delivered: int = 0
    expired: int = 0
    refused: int = 0


class QueuedReplies:
    def __init__(
        self, store: SqlQueuedReplies, outbound: Outbound, credentials: Callable[[str], Awaitable[Any]], clock: Clock,
        *, poll_seconds: float = 5.0, max_age: timedelta = MAX_AGE,
    ) -> None:
        self._store = store
        self._outbound = outbound
        self._credentials = credentials
        self._clock = clock
        self.poll_seconds = poll_seconds
        self.max_age = max_age
        self.instance = uuid.uuid4().hex
        self.stats = QueueStats()
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        outbound.authorizations.on_token(self._wake.set)

    async def put(
        self, *, tenant_id: str, service_url: str, conversation_id: str, method: str, activity: dict[str, Any],
        reply_to_id: str | None = None, activity_id: str | None = None,
    ) -> None:
        now = self._clock.now()
        queued = await self._store.add(
            tenant_id=tenant_id, service_url=service_url, conversation_id=conversation_id, method=method,
            reply_to_id=reply_to_id, activity_id=activity_id, activity=activity, at=now, expires_at=now + self.max_age,
        )
        self.stats.queued += 1
        logger.warning("reply queued until a token can be had from Entra ID: queued=%d conversation=%s",
                       queued, short(conversation_id))

    async def deliver(self) -> int:
        """One pass: drop the replies too old to send, then send the others in the order they came,
        until none is left or no token can be had. How many were sent."""
        now = self._clock.now()
        for old in await self._store.expire(now):
            self.stats.expired += 1
            logger.error(
                "queued reply failed: not sent within %d minutes: queued=%d tenant=%s conversation=%s attempts=%d "
                "last_error=%s", self.max_age.total_seconds() // 60, old.id, old.tenant_id, short(old.conversation_id),
                old.attempts, old.last_error,
            )
        delivered = 0
        while (reply := await self._store.claim(now, self.instance, now + LEASE)) is not None:
            try:
                await self._send(reply)
            except TokenUnavailable as missing:
                await self._store.retry(reply, None, missing.error.reason)
                break  # no token now; the next pass tries again
            except SendFailed as failed:
                status = failed.error.status
                if status is None or status >= 500 or status in RETRYABLE:
                    await self._store.retry(reply, now + RETRY_AFTER, failed.error.reason)
                    continue
                await self._store.drop(reply)
                self.stats.refused += 1
                logger.error("queued reply failed: the connector refused it: queued=%d status=%s reason=%s",
                             reply.id, status, failed.error.reason)
                continue
            except Exception as exc:  # noqa: BLE001 - e.g. a connector client that could not be built
                logger.warning("queued reply not sent: queued=%d error=%s", reply.id, type(exc).__name__)
                await self._store.retry(reply, now + RETRY_AFTER, type(exc).__name__)
                continue
            if await self._store.sent(reply):
                delivered += 1
                self.stats.delivered += 1
                logger.info("queued reply sent: queued=%d attempts=%d", reply.id, reply.attempts)
            else:
                logger.warning("queued reply sent after its claim ran out: queued=%d", reply.id)
        return delivered

    async def _send(self, reply: QueuedReply) -> None:
        credentials = await self._credentials(reply.service_url)
        await self._outbound.authorizations.header(credentials)
        if reply.method == "PUT":
            await self._outbound.put_activity(
                reply.tenant_id, reply.service_url, reply.conversation_id, reply.activity_id or "", reply.activity,
                credentials,
            )
        else:
            await self._outbound.post_activity(
                reply.tenant_id, reply.service_url, reply.conversation_id, reply.activity, credentials,
                reply_to_id=reply.reply_to_id,
            )

    # The background pass ----------------------------------------------------------------------------

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="queued replies")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                if await self._store.waiting():
                    await self.deliver()
            except Exception:
                logger.exception("queued replies: a pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
