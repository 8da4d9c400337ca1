"""The workshop's repository: workshops, their groups and question posts, notes, edits, reactions.

A note is keyed by (tenant, channel, Teams message id) and inserted with insert-or-ignore, so the
same message delivered twice, even at the same moment to two instances, is stored once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import Integer, and_, delete, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from hyte.workshop import (
    Assignment, Group, MessageContext, Note, QuestionPost, WorkshopRun, WorkshopStatus,
)
from storage.db import Database, StoredRead, dialect_insert
from storage.models import (
    WorkshopGroupRow, WorkshopNoteRow, WorkshopNoteVersionRow, WorkshopPostRow, WorkshopReactionRow, WorkshopRow,
)


def _note(row: WorkshopNoteRow, reactions: int = 0, highlight: bool = False) -> Note:
    return Note(
        channel_id=row.channel_id,
        message_id=row.message_id,
        question_id=row.question_id,
        assignment=Assignment(row.assignment),
        author_aad=row.author_aad,
        author_name=row.author_name,
        text=row.text,
        created_at=row.created_at,
        updated_at=row.updated_at,
        late=row.late,
        deleted=row.deleted_at is not None,
        version=row.version,
        reactions=reactions,
        highlight=highlight,
        thread_root_id=row.thread_root_id,
    )


class SqlWorkshopRepository:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._sessions = database.sessions

    # The workshop ------------------------------------------------------------------------------

    async def get(self, tenant_id: str, round_id: str) -> WorkshopRun | None:
        async with self._sessions() as session:
            return await self._run(session, tenant_id, round_id)

    @staticmethod
    async def _workshop_row(session: AsyncSession, tenant_id: str, round_id: str) -> WorkshopRow | None:
        return await session.scalar(
            select(WorkshopRow).where(WorkshopRow.tenant_id == tenant_id, WorkshopRow.round_id == round_id)
        )

    async def _run(self, session: AsyncSession, tenant_id: str, round_id: str) -> WorkshopRun | None:
        row = await self._workshop_row(session, tenant_id, round_id)
        if row is None:
            return None
        groups = await session.scalars(
            select(WorkshopGroupRow).where(WorkshopGroupRow.workshop_id == row.id).order_by(WorkshopGroupRow.position)
        )
        return WorkshopRun(
            tenant_id=row.tenant_id, round_id=row.round_id, team_id=row.team_id, status=WorkshopStatus(row.status),
            started_at=row.started_at, stopped_at=row.stopped_at,
            groups=tuple(Group(g.channel_id, g.name, g.position) for g in groups),
        )

    async def start(
        self, tenant_id: str, round_id: str, team_id: str, groups: Sequence[tuple[str, str]], by_aad: str | None,
        at: datetime,
    ) -> WorkshopRun:
        """Start the round's workshop (or run it again after a stop) with these (channel id, name)
        groups added to those it has."""
        async with self._db.write() as session:
            row = await self._workshop_row(session, tenant_id, round_id)
            if row is None:
                row = WorkshopRow(tenant_id=tenant_id, round_id=round_id, started_at=at)
                session.add(row)
            row.team_id = team_id
            row.status = WorkshopStatus.RUNNING.value
            row.started_by_aad = by_aad
            row.stopped_at = None
            row.stopped_by_aad = None
            await session.flush()
            last = await session.scalar(
                select(func.max(WorkshopGroupRow.position)).where(WorkshopGroupRow.workshop_id == row.id)
            )
            position = (last or 0) + 1
            for channel_id, name in groups:
                result = await session.execute(
                    dialect_insert(session, WorkshopGroupRow)
                    .values(workshop_id=row.id, channel_id=channel_id, tenant_id=tenant_id, name=name,
                            position=position, added_at=at)
                    .on_conflict_do_nothing(index_elements=["workshop_id", "channel_id"])
                )
                position += result.rowcount
            run = await self._run(session, tenant_id, round_id)
        assert run is not None
        return run

    async def stop(self, tenant_id: str, round_id: str, by_aad: str | None, at: datetime) -> WorkshopRun | None:
        """Stop a running workshop; None if there is none running."""
        async with self._db.write() as session:
            result = await session.execute(
                update(WorkshopRow)
                .where(WorkshopRow.tenant_id == tenant_id, WorkshopRow.round_id == round_id,
                       WorkshopRow.status == WorkshopStatus.RUNNING.value)
                .values(status=WorkshopStatus.STOPPED.value, stopped_at=at, stopped_by_aad=by_aad)
            )
            if result.rowcount == 0:
                return None
            return await self._run(session, tenant_id, round_id)

    async def rename_group(self, tenant_id: str, channel_id: str, name: str) -> None:
        async with self._db.write() as session:
            await session.execute(
                update(WorkshopGroupRow)
                .where(WorkshopGroupRow.tenant_id == tenant_id, WorkshopGroupRow.channel_id == channel_id)
                .values(name=name)
            )

    # Question posts ----------------------------------------------------------------------------------

    async def claim_post(self, tenant_id: str, round_id: str, channel_id: str, question_id: str, at: datetime) -> bool:
        """Reserve the post of a question in a channel; False if it is posted or being posted."""
        async with self._db.write() as session:
            workshop = await self._workshop_row(session, tenant_id, round_id)
            if workshop is None:
                return False
            result = await session.execute(
                dialect_insert(session, WorkshopPostRow)
                .values(tenant_id=tenant_id, workshop_id=workshop.id, channel_id=channel_id, question_id=question_id,
                        message_id=None, conversation_id=None, claimed_at=at)
                .on_conflict_do_nothing(index_elements=["workshop_id", "channel_id", "question_id"])
            )
            return result.rowcount == 1

    async def record_post(
        self, tenant_id: str, round_id: str, channel_id: str, question_id: str, message_id: str,
        conversation_id: str | None,
    ) -> None:
        async with self._db.write() as session:
            await session.execute(
                update(WorkshopPostRow)
                .where(*self._post_filter(tenant_id, round_id, channel_id, question_id))
                .values(message_id=message_id, conversation_id=conversation_id)
            )

    async def release_post(self, tenant_id: str, round_id: str, channel_id: str, question_id: str) -> None:
        """Forget a claim whose post failed, so that a later start posts it again."""
        async with self._db.write() as session:
            await session.execute(
                delete(WorkshopPostRow).where(
                    *self._post_filter(tenant_id, round_id, channel_id, question_id), WorkshopPostRow.message_id.is_(None)
                )
            )

    @staticmethod
    def _post_filter(tenant_id: str, round_id: str, channel_id: str, question_id: str) -> tuple[Any, ...]:
        workshop = select(WorkshopRow.id).where(WorkshopRow.tenant_id == tenant_id, WorkshopRow.round_id == round_id)
        return (
            WorkshopPostRow.workshop_id == workshop.scalar_subquery(),
            WorkshopPostRow.channel_id == channel_id,
            WorkshopPostRow.question_id == question_id,
        )

    async def posts(self, tenant_id: str, round_id: str) -> list[QuestionPost]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(WorkshopPostRow)
                .join(WorkshopRow, WorkshopRow.id == WorkshopPostRow.workshop_id)
                .where(WorkshopRow.tenant_id == tenant_id, WorkshopRow.round_id == round_id)
                .order_by(WorkshopPostRow.id)
            )
            return [QuestionPost(r.channel_id, r.question_id, r.message_id, r.conversation_id) for r in rows]

    # Notes ---------------------------------------------------------------------------------------------

    async def message_context(
        self, tenant_id: str, round_id: str, channel_id: str, root_id: str | None
    ) -> MessageContext:
        """Where a channel message lands (see MessageContext); reads only."""
        async with self._sessions() as session:
            found = (await session.execute(
                select(WorkshopRow, WorkshopGroupRow)
                .outerjoin(WorkshopGroupRow, and_(WorkshopGroupRow.workshop_id == WorkshopRow.id,
                                                  WorkshopGroupRow.channel_id == channel_id))
                .where(WorkshopRow.tenant_id == tenant_id, WorkshopRow.round_id == round_id)
            )).first()
            if found is None:
                return MessageContext(None, None)
            workshop, group_row = found
            if group_row is None:
                return MessageContext(await self._run(session, tenant_id, round_id), None)
            run = WorkshopRun(
                tenant_id=workshop.tenant_id, round_id=workshop.round_id, team_id=workshop.team_id,
                status=WorkshopStatus(workshop.status), started_at=workshop.started_at, stopped_at=workshop.stopped_at,
            )
            group = Group(group_row.channel_id, group_row.name, group_row.position)
            post_question = root_question = None
            if root_id:
                post_question = await session.scalar(
                    select(WorkshopPostRow.question_id).where(
                        WorkshopPostRow.workshop_id == workshop.id, WorkshopPostRow.channel_id == channel_id,
                        WorkshopPostRow.message_id == root_id,
                    )
                )
                if post_question is None:
                    root_question = await session.scalar(
                        select(WorkshopNoteRow.question_id).where(
                            WorkshopNoteRow.tenant_id == tenant_id, WorkshopNoteRow.channel_id == channel_id,
                            WorkshopNoteRow.message_id == root_id, WorkshopNoteRow.deleted_at.is_(None),
                        )
                    )
            return MessageContext(run, group, post_question, root_question)

    async def add_note(self, tenant_id: str, round_id: str, note: Note) -> bool:
        """Store a note unless its message is stored already (True: stored now)."""
        async with self._db.write() as session:
            workshop = await self._workshop_row(session, tenant_id, round_id)
            if workshop is None:
                return False
            # Core execution with the values as parameters: the statement's compiled form is cached.
            connection = await session.connection()
            result = await connection.execute(
                dialect_insert(session, WorkshopNoteRow).on_conflict_do_nothing(
                    index_elements=["tenant_id", "channel_id", "message_id"]
                ),
                {
                    "tenant_id": tenant_id, "round_id": round_id, "workshop_id": workshop.id,
                    "channel_id": note.channel_id, "message_id": note.message_id, "thread_root_id": note.thread_root_id,
                    "question_id": note.question_id, "assignment": note.assignment.value,
                    "author_aad": note.author_aad, "author_name": note.author_name, "text": note.text,
                    "late": note.late, "version": 1, "created_at": note.created_at, "updated_at": note.updated_at,
                    "deleted_at": None,
                },
            )
            return result.rowcount == 1

    async def note(self, tenant_id: str, channel_id: str, message_id: str) -> Note | None:
        async with self._sessions() as session:
            row = await session.scalar(self._note_query(tenant_id, channel_id, message_id))
            return _note(row) if row else None

    @staticmethod
    def _note_query(tenant_id: str, channel_id: str, message_id: str):
        return select(WorkshopNoteRow).where(
            WorkshopNoteRow.tenant_id == tenant_id, WorkshopNoteRow.channel_id == channel_id,
            WorkshopNoteRow.message_id == message_id,
        )

    async def edit_note(
        self, tenant_id: str, channel_id: str, message_id: str, text: str, question_id: str | None,
        assignment: Assignment, at: datetime,
    ) -> bool:
        """Replace a note's text (and question), keeping the text it had as a version."""
        async with self._db.write() as session:
            row = await session.scalar(self._note_query(tenant_id, channel_id, message_id).with_for_update())
            if row is None:
                return False
            if row.text == text and row.question_id == question_id:
                return True
            session.add(WorkshopNoteVersionRow(
                tenant_id=tenant_id, note_id=row.id, version=row.version, text=row.text, question_id=row.question_id,
                replaced_at=at,
            ))
            row.text, row.question_id, row.assignment = text, question_id, assignment.value
            row.version += 1
            row.updated_at = at
            return True

    async def set_deleted(self, tenant_id: str, channel_id: str, message_id: str, deleted: bool, at: datetime) -> bool:
        async with self._db.write() as session:
            result = await session.execute(
                update(WorkshopNoteRow)
                .where(WorkshopNoteRow.tenant_id == tenant_id, WorkshopNoteRow.channel_id == channel_id,
                       WorkshopNoteRow.message_id == message_id)
                .values(deleted_at=at if deleted else None, updated_at=at)
            )
            return result.rowcount > 0

    async def history(self, tenant_id: str, channel_id: str, message_id: str) -> list[str]:
        """A note's earlier texts, oldest first."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(WorkshopNoteVersionRow.text)
                .join(WorkshopNoteRow, WorkshopNoteRow.id == WorkshopNoteVersionRow.note_id)
                .where(WorkshopNoteRow.tenant_id == tenant_id, WorkshopNoteRow.channel_id == channel_id,
                       WorkshopNoteRow.message_id == message_id)
                .order_by(WorkshopNoteVersionRow.version)
            )
            return list(rows)

    async def react(
        self, tenant_id: str, channel_id: str, message_id: str, reactor_id: str, reactor_aad: str | None,
        is_hyte: bool, added: Sequence[str], removed: Sequence[str], at: datetime,
    ) -> bool:
        """Record reactions added and removed on a note; False if the message is not a note."""
        async with self._db.write() as session:
            exists = await session.scalar(select(WorkshopNoteRow.id).where(
                WorkshopNoteRow.tenant_id == tenant_id, WorkshopNoteRow.channel_id == channel_id,
                WorkshopNoteRow.message_id == message_id,
            ))
            if exists is None:
                return False
            key = (WorkshopReactionRow.tenant_id == tenant_id, WorkshopReactionRow.channel_id == channel_id,
                   WorkshopReactionRow.message_id == message_id, WorkshopReactionRow.reactor_id == reactor_id)
            if removed:
                await session.execute(delete(WorkshopReactionRow).where(*key, WorkshopReactionRow.reaction.in_(removed)))
            for reaction in added:
                await session.execute(
                    dialect_insert(session, WorkshopReactionRow)
                    .values(tenant_id=tenant_id, channel_id=channel_id, message_id=message_id, reactor_id=reactor_id,
                            reaction=reaction, reactor_aad=reactor_aad, is_hyte=is_hyte, at=at)
                    .on_conflict_do_nothing(
                        index_elements=["tenant_id", "channel_id", "message_id", "reactor_id", "reaction"]
                    )
                )
            return True

    async def notes(self, tenant_id: str, round_id: str) -> list[Note]:
        """Every note of the round's workshop (deleted ones too, marked), with reaction counts (a
        large read: `Database.bulk`, off the loop on SQLite)."""
        return await self.stored_notes(tenant_id, round_id).load()

    def stored_notes(self, tenant_id: str, round_id: str) -> StoredRead[list[Note]]:
        """`notes` as a read to be done where the notes are used (the CPU pool's worker)."""
        return self._db.stored(_notes, tenant_id, round_id)


def _notes(connection: Connection, tenant_id: str, round_id: str) -> list[Note]:
    with Session(connection) as session:
        rows = list(session.scalars(
            select(WorkshopNoteRow)
            .where(WorkshopNoteRow.tenant_id == tenant_id, WorkshopNoteRow.round_id == round_id)
            .order_by(WorkshopNoteRow.created_at, WorkshopNoteRow.id)
        ))
        counts = session.execute(
            select(
                WorkshopReactionRow.channel_id, WorkshopReactionRow.message_id, func.count(),
                func.max(WorkshopReactionRow.is_hyte.cast(Integer)),
            )
            .join(WorkshopNoteRow, and_(
                WorkshopNoteRow.tenant_id == WorkshopReactionRow.tenant_id,
                WorkshopNoteRow.channel_id == WorkshopReactionRow.channel_id,
                WorkshopNoteRow.message_id == WorkshopReactionRow.message_id,
            ))
            .where(WorkshopNoteRow.tenant_id == tenant_id, WorkshopNoteRow.round_id == round_id)
            .group_by(WorkshopReactionRow.channel_id, WorkshopReactionRow.message_id)
        )
        reactions = {(c, m): (n, bool(h)) for c, m, n, h in counts}
        return [_note(r, *reactions.get((r.channel_id, r.message_id), (0, False))) for r in rows]
