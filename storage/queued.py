"""Replies waiting for a token from Entra ID (bot/transport/queued.py sends them).

Like the reminder jobs (storage/reminders.py), a reply is claimed in one short write transaction,
`SELECT … FOR UPDATE SKIP LOCKED LIMIT 1` on PostgreSQL, so that any number of instances share the
queue and each reply goes to one of them; a claim is held until `lease_until`, and a reply whose
sender died is taken over after that. A sent reply is deleted; so is one past `expires_at`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update

from storage.db import Database
from storage.models import QueuedReplyRow


@dataclass(frozen=True)
class QueuedReply:
    id: int
    tenant_id: str
    service_url: str
    conversation_id: str
    method: str
    reply_to_id: str | None
    activity_id: str | None
    activity: dict[str, Any]
    created_at: datetime
    attempts: int
    claim: str | None


@dataclass(frozen=True)
class ExpiredReply:
    id: int
    tenant_id: str
    conversation_id: str
    created_at: datetime
    attempts: int
    last_error: str | None


def _reply(row: QueuedReplyRow) -> QueuedReply:
    return QueuedReply(row.id, row.tenant_id, row.service_url, row.conversation_id, row.method, row.reply_to_id,
                       row.activity_id, row.activity, row.created_at, row.attempts, row.claim)


class SqlQueuedReplies:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(
        self, *, tenant_id: str, service_url: str, conversation_id: str, method: str, reply_to_id: str | None,
        activity_id: str | None, activity: dict[str, Any], at: datetime, expires_at: datetime,
    ) -> int:
        async with self._db.write() as session:
            row = QueuedReplyRow(
                tenant_id=tenant_id, service_url=service_url, conversation_id=conversation_id, method=method,
                reply_to_id=reply_to_id, activity_id=activity_id, activity=activity, created_at=at,
                expires_at=expires_at, attempts=0,
            )
            session.add(row)
            await session.flush()
            return row.id

    async def waiting(self) -> int:
        async with self._db.sessions() as session:
            return await session.scalar(select(func.count()).select_from(QueuedReplyRow)) or 0

    async def claim(self, now: datetime, claim: str, lease_until: datetime) -> QueuedReply | None:
        """The oldest reply that is due (not waiting for a retry) and not held by a live claim."""
        due = and_(
            QueuedReplyRow.expires_at > now,
            or_(QueuedReplyRow.retry_at.is_(None), QueuedReplyRow.retry_at <= now),
            or_(QueuedReplyRow.claim.is_(None), QueuedReplyRow.lease_until < now),
        )
        async with self._db.write() as session:
            row = await session.scalar(
                select(QueuedReplyRow).where(due).order_by(QueuedReplyRow.id).limit(1).with_for_update(skip_locked=True)
            )
            if row is None:
                return None
            row.claim, row.lease_until, row.attempts = claim, lease_until, row.attempts + 1
            await session.flush()
            return _reply(row)

    async def sent(self, reply: QueuedReply) -> bool:
        """Delete a sent reply; False if its claim was lost (another instance took it over)."""
        async with self._db.write() as session:
            result = await session.execute(
                delete(QueuedReplyRow).where(QueuedReplyRow.id == reply.id, QueuedReplyRow.claim == reply.claim))
            return bool(result.rowcount)

    async def retry(self, reply: QueuedReply, retry_at: datetime | None, error: str) -> None:
        """Give a claimed reply back, to be tried again from `retry_at` (None: at the next pass)."""
        async with self._db.write() as session:
            await session.execute(
                update(QueuedReplyRow).where(QueuedReplyRow.id == reply.id, QueuedReplyRow.claim == reply.claim)
                .values(claim=None, lease_until=None, retry_at=retry_at, last_error=error[:500]))

    async def drop(self, reply: QueuedReply) -> None:
        """Delete a reply that cannot be sent (the connector refused it for good)."""
        async with self._db.write() as session:
            await session.execute(delete(QueuedReplyRow).where(QueuedReplyRow.id == reply.id))

    async def expire(self, now: datetime) -> list[ExpiredReply]:
        """Delete the replies past their time (unless being sent right now), and tell which."""
        old = and_(QueuedReplyRow.expires_at <= now,
                   or_(QueuedReplyRow.claim.is_(None), QueuedReplyRow.lease_until < now))
        async with self._db.write() as session:
            rows = (await session.scalars(select(QueuedReplyRow).where(old).with_for_update(skip_locked=True))).all()
            expired = [ExpiredReply(r.id, r.tenant_id, r.conversation_id, r.created_at, r.attempts, r.last_error)
                       for r in rows]
            if rows:
                await session.execute(delete(QueuedReplyRow).where(QueuedReplyRow.id.in_([r.id for r in rows])))
            return expired
