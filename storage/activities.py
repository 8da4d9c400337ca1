"""Processed activity ids: Teams re-sends an activity when the bot is slow to answer (15 s) and
may deliver one several times; the first delivery claims its id, a repeat finds it taken."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from sqlalchemy import bindparam, delete, insert, text, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import ProcessedActivityRow

MAX_ACTIVITY_ID = 256
_ACTIVITIES = ProcessedActivityRow.__table__
_CLAIM = insert(_ACTIVITIES)
_COMPLETE = update(_ACTIVITIES).where(
    _ACTIVITIES.c.tenant_id == bindparam("w_tenant"), _ACTIVITIES.c.activity_id == bindparam("w_activity")
)
"""Built once: these run on every message."""
_COMPLETE_PG = text(
    "UPDATE processed_activities AS p SET completed = true"
    " FROM unnest(CAST(:tenants AS VARCHAR[]), CAST(:activities AS VARCHAR[])) AS done(tenant_id, activity_id)"
    " WHERE p.tenant_id = done.tenant_id AND p.activity_id = done.activity_id"
    " AND (SELECT set_config('synchronous_commit', 'off', true)) IS NOT NULL"
)
"""On PostgreSQL, turns' marks in one statement (one round trip however many), which does not wait
for its commit to reach the disk (the setting is local to this statement's own transaction): the
one write of a turn that is a hint, not a record. If the database server crashed within a fraction of a second of it, the claim would
come back as unfinished, which is what a turn killed mid-way leaves too: a repeat of that activity
is treated as one still running, and at the next start the claim is released (the flows are
idempotent on their business keys). Answers, claims and everything else commit durably."""


class SqlActivityLog:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def claim(self, tenant_id: str, activity_id: str, at: datetime) -> bool:
        """Record the id; False when it was recorded already (a repeat). One INSERT, refused by the
        primary key for a second delivery, so two concurrent deliveries cannot both claim it. (Not
        INSERT … ON CONFLICT DO NOTHING: SQLAlchemy compiles that anew for every message.)"""
        try:
            async with self._db.statement() as connection:
                await connection.execute(_CLAIM, {
                    "tenant_id": tenant_id, "activity_id": activity_id[:MAX_ACTIVITY_ID], "received_at": at,
                    "completed": False,
                })
        except IntegrityError:
            return False
        return True

    async def complete_all(self, marks: Sequence[tuple[str, str]]) -> None:
        """The claimed activities (tenant id, activity id) whose turns have finished: their claims
        are kept at the next start (`release_unfinished`). One statement on PostgreSQL."""
        ids = [(tenant_id, activity_id[:MAX_ACTIVITY_ID]) for tenant_id, activity_id in marks]
        async with self._db.statement() as connection:
            if self._db.postgresql:
                await connection.execute(_COMPLETE_PG, {"tenants": [t for t, _ in ids], "activities": [a for _, a in ids]})
                return
            await connection.execute(
                _COMPLETE, [{"w_tenant": tenant_id, "w_activity": activity_id, "completed": True} for tenant_id, activity_id in ids]
            )

    async def release_unfinished(self) -> int:
        """At start: forget claims whose turn a killed process never finished, so that Teams'
        re-send runs them. (With several instances a concurrent repeat may then run twice; the
        flows are idempotent on their business keys, so it repeats no effect.)"""
        async with self._db.write() as session:
            result = await session.execute(delete(ProcessedActivityRow).where(ProcessedActivityRow.completed.is_(False)))
            return result.rowcount or 0

    async def release(self, tenant_id: str, activity_id: str) -> None:
        """Forget a claim whose turn did not run, so that Teams' next delivery runs it."""
        async with self._db.write() as session:
            await session.execute(
                delete(ProcessedActivityRow).where(
                    ProcessedActivityRow.tenant_id == tenant_id,
                    ProcessedActivityRow.activity_id == activity_id[:MAX_ACTIVITY_ID],
                )
            )

    async def purge(self, before: datetime) -> int:
        """Delete the ids received before `before`; how many were deleted."""
        async with self._db.write() as session:
            result = await session.execute(delete(ProcessedActivityRow).where(ProcessedActivityRow.received_at < before))
            return result.rowcount or 0
