"""The negotiation meeting's repository: conclusions with optimistic versions and their history,
the finished summary versions, the cards kept up to date in place, and the points groups raised.

A raised point is not a row of its own: it is a note with a RAISE_REACTION from someone outside the
HYTE team (workshop_reactions), so that removing the reaction in Teams takes it back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from hyte.meeting import (
    RAISE_REACTION, Author, ChangeKind, Conclusion, ConclusionChange, ConclusionConflict, Draft, MeetingPost, MeetingState,
    SummaryVersion, parse_refs,
)
from hyte.survey import LegalTopic
from storage.db import Database, upsert
from storage.models import Base, Json, WorkshopNoteRow, WorkshopReactionRow


class ConclusionRow(Base):
    """A conclusion ("kirjaus") of the joint discussion, under one legal topic; `version` grows with
    every change, and an edit names the version it was made on."""

    __tablename__ = "meeting_conclusions"
    __table_args__ = (Index("ix_meeting_conclusions_round", "tenant_id", "round_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    round_id: Mapped[str] = mapped_column(String(64))
    topic: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    evidence: Mapped[Any] = mapped_column(Json)
    version: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(200))
    created_by_aad: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_by_aad: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]


class ConclusionChangeRow(Base):
    """Who changed a conclusion, when, and what it said before."""

    __tablename__ = "meeting_conclusion_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    conclusion_id: Mapped[int] = mapped_column(ForeignKey("meeting_conclusions.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    by_name: Mapped[str] = mapped_column(String(200))
    by_aad: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime]
    old_text: Mapped[str | None] = mapped_column(Text)
    old_topic: Mapped[str | None] = mapped_column(String(16))
    old_evidence: Mapped[Any | None] = mapped_column(Json)


class SummaryVersionRow(Base):
    """A finished summary: its number, who finished it and when, and its conclusions frozen."""

    __tablename__ = "meeting_summaries"
    __table_args__ = (UniqueConstraint("tenant_id", "round_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    round_id: Mapped[str] = mapped_column(String(64))
    number: Mapped[int] = mapped_column(Integer)
    finished_by: Mapped[str] = mapped_column(String(200))
    finished_by_aad: Mapped[str | None] = mapped_column(String(64))
    finished_at: Mapped[datetime]
    conclusions: Mapped[Any] = mapped_column(Json)


class MeetingPostRow(Base):
    """A card the bot updates in place (the joint discussion's, the conclusions')."""

    __tablename__ = "meeting_posts"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    round_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    service_url: Mapped[str] = mapped_column(String(512))
    channel_id: Mapped[str] = mapped_column(String(256))
    message_id: Mapped[str] = mapped_column(String(128))


def _conclusion(row: ConclusionRow) -> Conclusion:
    return Conclusion(
        id=row.id, topic=LegalTopic(row.topic), position=row.position, text=row.text,
        evidence=parse_refs(row.evidence or []), version=row.version, created_by=row.created_by,
        created_at=row.created_at, updated_by=row.updated_by, updated_at=row.updated_at,
        updated_by_aad=row.updated_by_aad,
    )


def _version(row: SummaryVersionRow) -> SummaryVersion:
    return SummaryVersion(row.number, row.finished_by, row.finished_at, tuple(row.conclusions or ()))


class SqlMeetingRepository:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._sessions = database.sessions

    # Conclusions ---------------------------------------------------------------------------------

    @staticmethod
    def _live(tenant_id: str, round_id: str):
        return select(ConclusionRow).where(
            ConclusionRow.tenant_id == tenant_id, ConclusionRow.round_id == round_id, ConclusionRow.deleted_at.is_(None)
        )

    async def conclusions(self, tenant_id: str, round_id: str) -> list[Conclusion]:
        async with self._sessions() as session:
            rows = await session.scalars(self._live(tenant_id, round_id).order_by(ConclusionRow.position, ConclusionRow.id))
            return [_conclusion(r) for r in rows]

    async def add(self, tenant_id: str, round_id: str, draft: Draft, by: str | Author, at: datetime) -> Conclusion:
        author = Author.of(by)
        async with self._db.write() as session:
            row = ConclusionRow(
                tenant_id=tenant_id, round_id=round_id, topic=draft.topic.value,
                position=await self._next_position(session, tenant_id, round_id, draft.topic.value),
                text=draft.text.strip(), evidence=[str(r) for r in draft.evidence], version=1,
                created_by=author.name, created_by_aad=author.aad, created_at=at, updated_by=author.name,
                updated_by_aad=author.aad, updated_at=at, deleted_at=None,
            )
            session.add(row)
            await session.flush()
            session.add(ConclusionChangeRow(tenant_id=tenant_id, conclusion_id=row.id, version=1,
                                            kind=ChangeKind.CREATED.value, by_name=author.name, by_aad=author.aad,
                                            at=at))
            return _conclusion(row)

    @staticmethod
    async def _next_position(session: AsyncSession, tenant_id: str, round_id: str, topic: str) -> int:
        """The position after the last live conclusion under `topic`."""
        last = await session.scalar(select(func.max(ConclusionRow.position)).where(
            ConclusionRow.tenant_id == tenant_id, ConclusionRow.round_id == round_id,
            ConclusionRow.topic == topic, ConclusionRow.deleted_at.is_(None)))
        return (last or 0) + 1

    async def _claim(self, session: AsyncSession, tenant_id: str, round_id: str, conclusion_id: int,
                     version: int) -> ConclusionRow:
        """The conclusion at `version`, locked; ConclusionConflict with what is stored otherwise."""
        row = await session.scalar(
            select(ConclusionRow).where(ConclusionRow.tenant_id == tenant_id, ConclusionRow.round_id == round_id,
                                        ConclusionRow.id == conclusion_id).with_for_update()
        )
        if row is None or row.deleted_at is not None:
            raise ConclusionConflict(None)
        if row.version != version:
            raise ConclusionConflict(_conclusion(row))
        return row

    @staticmethod
    def _history(row: ConclusionRow, kind: ChangeKind, by: Author, at: datetime) -> ConclusionChangeRow:
        """The change's row (the conclusion as it was), and the row marked as the author's now."""
        change = ConclusionChangeRow(
            tenant_id=row.tenant_id, conclusion_id=row.id, version=row.version, kind=kind.value, by_name=by.name,
            by_aad=by.aad, at=at,
            old_text=row.text, old_topic=row.topic, old_evidence=list(row.evidence or []),
        )
        row.updated_by, row.updated_by_aad, row.updated_at = by.name, by.aad, at
        return change

    async def edit(
        self, tenant_id: str, round_id: str, conclusion_id: int, version: int, draft: Draft, by: str | Author,
        at: datetime,
    ) -> Conclusion:
        by = Author.of(by)
        async with self._db.write() as session:
            row = await self._claim(session, tenant_id, round_id, conclusion_id, version)
            session.add(self._history(row, ChangeKind.EDITED, by, at))
            if row.topic != draft.topic.value:
                row.position = await self._next_position(session, tenant_id, round_id, draft.topic.value)
            row.topic, row.text = draft.topic.value, draft.text.strip()
            row.evidence = [str(r) for r in draft.evidence]
            row.version += 1
            return _conclusion(row)

    async def move(
        self, tenant_id: str, round_id: str, conclusion_id: int, version: int, step: int, by: str | Author,
        at: datetime,
    ) -> Conclusion:
        """Swap the conclusion with its neighbour above (step -1) or below (+1) under its topic."""
        by = Author.of(by)
        async with self._db.write() as session:
            row = await self._claim(session, tenant_id, round_id, conclusion_id, version)
            siblings = list(await session.scalars(
                self._live(tenant_id, round_id).where(ConclusionRow.topic == row.topic)
                .order_by(ConclusionRow.position, ConclusionRow.id).with_for_update()
            ))
            index = next(i for i, s in enumerate(siblings) if s.id == row.id)
            other = index + (1 if step > 0 else -1)
            if 0 <= other < len(siblings):
                for position, sibling in enumerate(siblings, start=1):
                    sibling.position = position
                neighbour = siblings[other]
                row.position, neighbour.position = neighbour.position, row.position
                session.add(self._history(row, ChangeKind.MOVED, by, at))
                row.version += 1
            return _conclusion(row)

    async def delete(
        self, tenant_id: str, round_id: str, conclusion_id: int, version: int, by: str | Author,
        at: datetime,
    ) -> None:
        by = Author.of(by)
        async with self._db.write() as session:
            row = await self._claim(session, tenant_id, round_id, conclusion_id, version)
            session.add(self._history(row, ChangeKind.DELETED, by, at))
            row.version += 1
            row.deleted_at = at

    async def history(self, tenant_id: str, round_id: str) -> list[ConclusionChange]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ConclusionChangeRow)
                .join(ConclusionRow, ConclusionRow.id == ConclusionChangeRow.conclusion_id)
                .where(ConclusionRow.tenant_id == tenant_id, ConclusionRow.round_id == round_id)
                .order_by(ConclusionChangeRow.id)
            )
            return [
                ConclusionChange(r.conclusion_id, r.version, ChangeKind(r.kind), r.by_name, r.at, r.old_text,
                                 LegalTopic(r.old_topic) if r.old_topic else None)
                for r in rows
            ]

    # Finished versions ------------------------------------------------------------------------------

    async def finish(self, tenant_id: str, round_id: str, by: str | Author, at: datetime) -> SummaryVersion | None:
        by = Author.of(by)
        async with self._db.write() as session:
            rows = list(await session.scalars(
                self._live(tenant_id, round_id).order_by(ConclusionRow.position, ConclusionRow.id)
            ))
            latest = await session.scalar(
                select(SummaryVersionRow).where(SummaryVersionRow.tenant_id == tenant_id,
                                                SummaryVersionRow.round_id == round_id)
                .order_by(SummaryVersionRow.number.desc()).limit(1).with_for_update()
            )
            state = MeetingState([_conclusion(r) for r in rows], [_version(latest)] if latest else [])
            if not state.changed_since_latest():
                return None
            row = SummaryVersionRow(
                tenant_id=tenant_id, round_id=round_id, number=(latest.number if latest else 0) + 1,
                finished_by=by.name, finished_by_aad=by.aad, finished_at=at,
                conclusions=[c.frozen() for c in state.conclusions],
            )
            session.add(row)
            await session.flush()
            return _version(row)

    async def versions(self, tenant_id: str, round_id: str) -> list[SummaryVersion]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(SummaryVersionRow).where(SummaryVersionRow.tenant_id == tenant_id,
                                                SummaryVersionRow.round_id == round_id)
                .order_by(SummaryVersionRow.number)
            )
            return [_version(r) for r in rows]

    # Raised points and cards kept in place ---------------------------------------------------------------

    async def raised(self, tenant_id: str, round_id: str) -> set[str]:
        async with self._sessions() as session:
            rows = await session.execute(
                select(WorkshopReactionRow.channel_id, WorkshopReactionRow.message_id).distinct()
                .join(WorkshopNoteRow, and_(
                    WorkshopNoteRow.tenant_id == WorkshopReactionRow.tenant_id,
                    WorkshopNoteRow.channel_id == WorkshopReactionRow.channel_id,
                    WorkshopNoteRow.message_id == WorkshopReactionRow.message_id,
                ))
                .where(WorkshopNoteRow.tenant_id == tenant_id, WorkshopNoteRow.round_id == round_id,
                       WorkshopReactionRow.reaction == RAISE_REACTION, WorkshopReactionRow.is_hyte.is_(False))
            )
            return {f"{c}|{m}" for c, m in rows}

    async def post(self, tenant_id: str, round_id: str, kind: str) -> MeetingPost | None:
        async with self._sessions() as session:
            row = await session.get(MeetingPostRow, (tenant_id, round_id, kind))
            return MeetingPost(row.kind, row.service_url, row.channel_id, row.message_id) if row else None

    async def keep_post(self, tenant_id: str, round_id: str, post: MeetingPost) -> None:
        async with self._db.write() as session:
            await upsert(session, MeetingPostRow, {
                "tenant_id": tenant_id, "round_id": round_id, "kind": post.kind, "service_url": post.service_url,
                "channel_id": post.channel_id, "message_id": post.message_id,
            }, ("tenant_id", "round_id", "kind"))

