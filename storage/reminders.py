"""Repositories of the timetable's moved dates and of the reminder jobs.

The jobs table is the scheduler's queue. A due job is claimed in one short write transaction:
`SELECT … FOR UPDATE SKIP LOCKED LIMIT 1` on PostgreSQL, so that any number of instances share the
queue and each job goes to one of them; SQLite has no row locks (the clause is not rendered) and
its single writer serialises the same statement. A claim is held until `lease_until`; a job whose
holder died is taken over after that.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any, Callable, Mapping

from pydantic import ValidationError
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from hyte.jobs import Job, JobState, Reason, reason_of
from hyte.reminders import Audience, PlannedJob
from hyte.timetable import StaleTimetable, TimetableChange, apply_moves, with_timetable
from hyte.round import Phase, Round
from storage.db import Database, dialect_insert, upsert
from storage.models import PersonRow, ReminderJobRow, TimetableChangeRow, TimetableMoveRow

logger = logging.getLogger(__name__)

_PHASES = frozenset(phase.value for phase in Phase)


EFFECTIVE_SECONDS = 2.0
"""How long `effective` keeps a round's timetable. Every turn reads it; a move made through this
instance applies at once, one made through another instance within this time."""


class SqlTimetableRepository:
    """The HYTE team's moved dates, and the one place that gives the round's effective timetable."""

    def __init__(self, database: Database, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._db = database
        self._sessions = database.sessions
        self._monotonic = monotonic
        self._effective: dict[tuple[str, str], tuple[Round, Round, float]] = {}
        self._generation = 0
        """Counts this instance's moves: a read that overlapped a move is not kept."""

    async def moves(self, tenant_id: str, round_id: str) -> tuple[dict[Phase, datetime], int]:
        async with self._sessions() as session:
            rows = (await session.execute(
                select(TimetableMoveRow.phase, TimetableMoveRow.at, TimetableMoveRow.revision).where(
                    TimetableMoveRow.tenant_id == tenant_id, TimetableMoveRow.round_id == round_id
                )
            )).all()
        moves = {Phase(phase): at for phase, at, _ in rows if phase in _PHASES}
        return moves, max((revision for *_, revision in rows), default=0)

    async def effective(self, round_: Round) -> Round:
        """The round with its moved dates applied over the configured timetable (kept for
        EFFECTIVE_SECONDS). Moves that no longer fit the configuration (it changed since) are
        ignored, with a warning."""
        key = (round_.tenant_id, round_.id)
        kept = self._effective.get(key)
        if kept is not None and kept[0] is round_ and kept[2] > self._monotonic():
            return kept[1]
        started, generation = self._monotonic(), self._generation
        effective = await self._effective_now(round_)
        if generation == self._generation:
            self._effective[key] = (round_, effective, started + EFFECTIVE_SECONDS)
        return effective

    async def _effective_now(self, round_: Round) -> Round:
        moves, revision = await self.moves(round_.tenant_id, round_.id)
        if not moves:
            return round_
        try:
            return with_timetable(round_, apply_moves(round_.timetable, moves))
        except ValidationError:
            logger.warning("timetable moves ignored: out of order with the configuration round=%s revision=%d",
                           round_.id, revision)
            return round_

    async def move(
        self, tenant_id: str, round_id: str, expected_revision: int,
        moves: Mapping[Phase, tuple[datetime, datetime]], by_aad: str | None, by_name: str | None, at: datetime,
    ) -> int:
        revision = expected_revision + 1
        self._generation += 1
        self._effective.pop((tenant_id, round_id), None)
        try:
            async with self._db.write() as session:
                latest = await session.scalar(
                    select(func.max(TimetableChangeRow.revision)).where(
                        TimetableChangeRow.tenant_id == tenant_id, TimetableChangeRow.round_id == round_id
                    )
                )
                if (latest or 0) != expected_revision:
                    raise StaleTimetable()
                session.add(TimetableChangeRow(
                    tenant_id=tenant_id, round_id=round_id, revision=revision, by_aad=by_aad, by_name=by_name, at=at,
                    moves={p.value: {"from": old.isoformat(), "to": new.isoformat()} for p, (old, new) in moves.items()},
                ))
                await session.flush()
                for phase, (_old, new) in moves.items():
                    values = {"tenant_id": tenant_id, "round_id": round_id, "phase": phase.value, "at": new,
                              "revision": revision, "moved_by_aad": by_aad, "moved_at": at}
                    await upsert(session, TimetableMoveRow, values, ("tenant_id", "round_id", "phase"))
        except IntegrityError:
            raise StaleTimetable() from None
        finally:
            self._generation += 1
            self._effective.pop((tenant_id, round_id), None)
        return revision

    async def changes(self, tenant_id: str, round_id: str, limit: int = 5) -> list[TimetableChange]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(TimetableChangeRow)
                .where(TimetableChangeRow.tenant_id == tenant_id, TimetableChangeRow.round_id == round_id)
                .order_by(TimetableChangeRow.revision.desc())
                .limit(limit)
            )
            return [
                TimetableChange(
                    revision=row.revision, at=row.at, by_aad=row.by_aad, by_name=row.by_name,
                    moves={
                        Phase(phase): (datetime.fromisoformat(m["from"]), datetime.fromisoformat(m["to"]))
                        for phase, m in row.moves.items() if phase in _PHASES
                    },
                )
                for row in rows
            ]


def _job(row: ReminderJobRow) -> Job:
    return Job(
        id=row.id, tenant_id=row.tenant_id, round_id=row.round_id, reminder=row.reminder,
        audience=Audience(row.audience), target=row.target, organisation_id=row.organisation_id,
        due_at=row.due_at, expires_at=row.expires_at, state=JobState(row.state), attempts=row.attempts,
        last_error=row.last_error, reason=reason_of(row.reason), claim=row.claim, sent_at=row.sent_at,
        updated_at=row.updated_at, lease_until=row.lease_until,
    )


class SqlJobRepository:
    """Reminder jobs: one row per (round, reminder, target), sent once."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._sessions = database.sessions

    async def schedule(self, tenant_id: str, round_id: str, jobs: list[PlannedJob], at: datetime) -> int:
        """Add the planned jobs that are missing, and move the pending ones to their (new) due
        times. Jobs already sent, skipped or given up stay as they are. Returns the plan's size."""
        if not jobs:
            return 0
        rows = [_values(tenant_id, round_id, job, at) for job in jobs]
        async with self._db.write() as session:
            statement = dialect_insert(session, ReminderJobRow)
            statement = statement.on_conflict_do_update(
                index_elements=["tenant_id", "round_id", "reminder", "target"],
                set_={
                    "due_at": statement.excluded.due_at,
                    "expires_at": statement.excluded.expires_at,
                    "organisation_id": statement.excluded.organisation_id,
                    "updated_at": statement.excluded.updated_at,
                },
                where=and_(
                    ReminderJobRow.state == JobState.PENDING.value,
                    or_(
                        ReminderJobRow.due_at != statement.excluded.due_at,
                        ReminderJobRow.expires_at.is_distinct_from(statement.excluded.expires_at),
                        ReminderJobRow.organisation_id.is_distinct_from(statement.excluded.organisation_id),
                    ),
                ),
            )
            await session.execute(statement, rows)
        return len(rows)

    async def add(self, tenant_id: str, round_id: str, jobs: list[PlannedJob], at: datetime) -> int:
        """Add jobs that do not exist yet (a `muistuta` batch pressed twice adds nothing the second
        time). Returns how many were added."""
        if not jobs:
            return 0
        rows = [_values(tenant_id, round_id, job, at) for job in jobs]
        async with self._db.write() as session:
            statement = dialect_insert(session, ReminderJobRow).on_conflict_do_nothing(
                index_elements=["tenant_id", "round_id", "reminder", "target"]
            ).returning(ReminderJobRow.id)
            result = await session.execute(statement, rows)
            return len(result.all())

    async def claim(self, tenant_id: str, round_id: str, now: datetime, claim: str, lease_until: datetime) -> Job | None:
        """Take one due job (the earliest), or one whose holder's lease ran out, for this claim."""
        due = or_(
            and_(
                ReminderJobRow.state == JobState.PENDING.value,
                ReminderJobRow.due_at <= now,
                or_(ReminderJobRow.retry_at.is_(None), ReminderJobRow.retry_at <= now),
            ),
            and_(ReminderJobRow.state == JobState.SENDING.value, ReminderJobRow.lease_until < now),
        )
        async with self._db.write() as session:
            row = await session.scalar(
                select(ReminderJobRow)
                .where(ReminderJobRow.tenant_id == tenant_id, ReminderJobRow.round_id == round_id, due)
                .order_by(ReminderJobRow.due_at, ReminderJobRow.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if row is None:
                return None
            if row.state == JobState.SENDING.value:
                row.last_error = "lease expired: the previous sender stopped"
            row.state = JobState.SENDING.value
            row.claim = claim
            row.lease_until = lease_until
            row.attempts += 1
            row.updated_at = now
            await session.flush()
            return _job(row)

    async def finish(
        self, job: Job, state: JobState, at: datetime, *, error: str | None = None,
        reason: Reason | None = None, conversation_id: str | None = None, activity_id: str | None = None,
    ) -> bool:
        """Record a claimed job's end; False if the claim was lost (another instance took over)."""
        values: dict[str, Any] = {"state": state.value, "claim": None, "lease_until": None, "retry_at": None,
                                  "reason": reason.value if reason is not None else None, "updated_at": at}
        if error is not None:
            values["last_error"] = error[:500]
        if state is JobState.SENT:
            values |= {"sent_at": at, "conversation_id": conversation_id, "activity_id": activity_id}
        return await self._update_claimed(job, values)

    async def retry_later(self, job: Job, at: datetime, retry_at: datetime, error: str) -> bool:
        values = {"state": JobState.PENDING.value, "claim": None, "lease_until": None, "retry_at": retry_at,
                  "last_error": error[:500], "updated_at": at}
        return await self._update_claimed(job, values)

    async def _update_claimed(self, job: Job, values: dict[str, Any]) -> bool:
        async with self._db.write() as session:
            result = await session.execute(
                update(ReminderJobRow)
                .where(ReminderJobRow.id == job.id, ReminderJobRow.claim == job.claim,
                       ReminderJobRow.state == JobState.SENDING.value)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            return result.rowcount == 1

    async def list(self, tenant_id: str, round_id: str) -> list[Job]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ReminderJobRow)
                .where(ReminderJobRow.tenant_id == tenant_id, ReminderJobRow.round_id == round_id)
                .order_by(ReminderJobRow.due_at, ReminderJobRow.id)
            )
            return [_job(row) for row in rows]

    async def next_due(self, tenant_id: str, round_id: str) -> datetime | None:
        """When the next job becomes claimable (a pending one's due or retry time, or a held one's
        lease end); None when nothing is left to do."""
        async with self._sessions() as session:
            rows = (await session.execute(
                select(ReminderJobRow.state, ReminderJobRow.due_at, ReminderJobRow.retry_at, ReminderJobRow.lease_until)
                .where(ReminderJobRow.tenant_id == tenant_id, ReminderJobRow.round_id == round_id,
                       ReminderJobRow.state.in_((JobState.PENDING.value, JobState.SENDING.value)))
            )).all()
        times = []
        for state, due_at, retry_at, lease_until in rows:
            if state == JobState.SENDING.value:
                if lease_until is not None:
                    times.append(lease_until)
            else:
                times.append(max(due_at, retry_at) if retry_at is not None else due_at)
        return min(times, default=None)


def _values(tenant_id: str, round_id: str, job: PlannedJob, at: datetime) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id, "round_id": round_id, "reminder": job.reminder, "audience": job.audience.value,
        "target": job.target, "organisation_id": job.organisation_id, "due_at": job.due_at,
        "expires_at": job.expires_at, "state": JobState.PENDING.value, "attempts": 0, "created_at": at,
        "updated_at": at,
    }


class SqlPeopleDirectory:
    """What the bot has learnt about configured people (the `people` table): a UPN-only person's
    Entra object id, once Teams has shown it."""

    def __init__(self, database: Database) -> None:
        self._sessions = database.sessions

    async def aad_for_upn(self, tenant_id: str, upn: str) -> str | None:
        async with self._sessions() as session:
            return await session.scalar(
                select(PersonRow.aad_object_id)
                .where(PersonRow.tenant_id == tenant_id, func.lower(PersonRow.upn) == upn.lower())
                .order_by(PersonRow.updated_at.desc())
                .limit(1)
            )
