"""SQLAlchemy tables. Every row that belongs to a county carries its Teams tenant id.

Times are stored in UTC (`UTCDateTime` gives them back aware, on SQLite too).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Json = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: Json}


class ResponseRow(Base):
    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("tenant_id", "round_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    round_id: Mapped[str] = mapped_column(String(64))
    organisation_id: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]]
    submitted_answers: Mapped[dict[str, Any] | None]
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    updated_by_aad: Mapped[str | None] = mapped_column(String(64))
    updated_by_name: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[datetime | None]
    submitted_by_aad: Mapped[str | None] = mapped_column(String(64))
    submitted_by_name: Mapped[str | None] = mapped_column(String(200))


class ResponseChangeRow(Base):
    """Who changed which questions of a response, and when (no answer texts)."""

    __tablename__ = "response_changes"
    __table_args__ = (Index("ix_response_changes_response", "response_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    questions: Mapped[dict[str, Any]]
    actor_aad: Mapped[str | None] = mapped_column(String(64))
    actor_name: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime]


class SurveyPositionRow(Base):
    __tablename__ = "survey_positions"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    round_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    aad_object_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    section_id: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]


class ConversationRow(Base):
    """A conversation reference, for proactive messages. Kept for configured people and teams."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("tenant_id", "conversation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[str] = mapped_column(String(512))
    conversation_type: Mapped[str] = mapped_column(String(32))
    aad_object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    service_url: Mapped[str] = mapped_column(String(512))
    reference: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]


class PersonRow(Base):
    """A configured person's Teams identity as seen in Teams (resolves UPN-only configuration)."""

    __tablename__ = "people"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    aad_object_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    upn: Mapped[str | None] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime]


class PersonLanguageRow(Base):
    """The language a person chose with `kieli` / `språk` (issue 19); without a row, their Teams
    client's locale or the round's first language."""

    __tablename__ = "person_languages"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    aad_object_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime]


class TeamRow(Base):
    """A Teams team the bot is installed in. One per tenant may be the advisory board's team."""

    __tablename__ = "teams"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(256))
    aad_group_id: Mapped[str | None] = mapped_column(String(64))
    service_url: Mapped[str] = mapped_column(String(512))
    is_board: Mapped[bool] = mapped_column(Boolean, default=False)
    installed_by_aad: Mapped[str | None] = mapped_column(String(64))
    installed_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]


class ChannelRow(Base):
    """A channel of an installed team. The General channel's id is the team's id."""

    __tablename__ = "channels"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(256), index=True)
    name: Mapped[str | None] = mapped_column(String(256))
    deleted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


# Workshop ------------------------------------------------------------------------------------------


class WorkshopRow(Base):
    """A round's workshop (one per round): running or stopped, in the board's team."""

    __tablename__ = "workshops"
    __table_args__ = (UniqueConstraint("tenant_id", "round_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    round_id: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[str] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    started_by_aad: Mapped[str | None] = mapped_column(String(64))
    stopped_at: Mapped[datetime | None]
    stopped_by_aad: Mapped[str | None] = mapped_column(String(64))


class WorkshopGroupRow(Base):
    """A channel that is one breakout group of a workshop."""

    __tablename__ = "workshop_groups"

    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(256))
    position: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime]


class WorkshopPostRow(Base):
    """The bot's post of one question in one group's channel. Claimed (message_id None) before it
    is posted, so that two confirmations at once post it once."""

    __tablename__ = "workshop_posts"
    __table_args__ = (
        UniqueConstraint("workshop_id", "channel_id", "question_id"),
        Index("ix_workshop_posts_message", "tenant_id", "channel_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(256))
    question_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(String(128))
    conversation_id: Mapped[str | None] = mapped_column(String(512))
    claimed_at: Mapped[datetime]


class WorkshopNoteRow(Base):
    """A breakout group's note: one Teams channel message, keyed by tenant, channel and message id
    (Teams message ids are unique within a channel), so a second delivery is not stored again."""

    __tablename__ = "workshop_notes"
    __table_args__ = (
        UniqueConstraint("tenant_id", "channel_id", "message_id"),
        Index("ix_workshop_notes_workshop", "workshop_id", "created_at"),
        Index("ix_workshop_notes_round", "tenant_id", "round_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    round_id: Mapped[str] = mapped_column(String(64))
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(256))
    message_id: Mapped[str] = mapped_column(String(128))
    thread_root_id: Mapped[str | None] = mapped_column(String(128))
    question_id: Mapped[str | None] = mapped_column(String(64))
    assignment: Mapped[str] = mapped_column(String(16))
    author_aad: Mapped[str | None] = mapped_column(String(64))
    author_name: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    late: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]


class WorkshopNoteVersionRow(Base):
    """A note's earlier text, kept when Teams reports an edit."""

    __tablename__ = "workshop_note_versions"
    __table_args__ = (UniqueConstraint("note_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    note_id: Mapped[int] = mapped_column(ForeignKey("workshop_notes.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    question_id: Mapped[str | None] = mapped_column(String(64))
    replaced_at: Mapped[datetime]


class WorkshopReactionRow(Base):
    """One person's reaction of one kind on a note; a HYTE team member's marks a highlight."""

    __tablename__ = "workshop_reactions"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    reactor_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    reaction: Mapped[str] = mapped_column(String(64), primary_key=True)
    reactor_aad: Mapped[str | None] = mapped_column(String(64))
    is_hyte: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime]


# Timetable and reminders ---------------------------------------------------------------------------


class TimetableMoveRow(Base):
    """A phase date the HYTE team moved in Teams; applied over the round file's timetable."""

    __tablename__ = "timetable_moves"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    round_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    phase: Mapped[str] = mapped_column(String(32), primary_key=True)
    at: Mapped[datetime]
    revision: Mapped[int] = mapped_column(Integer)
    moved_by_aad: Mapped[str | None] = mapped_column(String(64))
    moved_at: Mapped[datetime]


class TimetableChangeRow(Base):
    """One saved change of a round's timetable: who moved which dates, from what to what. The
    revision is unique, so of two changes made from the same card only the first is saved."""

    __tablename__ = "timetable_changes"
    __table_args__ = (UniqueConstraint("tenant_id", "round_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    round_id: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer)
    moves: Mapped[dict[str, Any]]
    by_aad: Mapped[str | None] = mapped_column(String(64))
    by_name: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime]


class ReminderJobRow(Base):
    """One reminder to one target (the board's channel or a person): sent once. Claimed by one
    instance at a time (`claim`, `lease_until`); its attempts and last error are kept."""

    __tablename__ = "reminder_jobs"
    __table_args__ = (
        UniqueConstraint("tenant_id", "round_id", "reminder", "target"),
        Index("ix_reminder_jobs_state_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    round_id: Mapped[str] = mapped_column(String(64))
    reminder: Mapped[str] = mapped_column(String(64))
    audience: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(400))
    organisation_id: Mapped[str | None] = mapped_column(String(64))
    due_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None]
    claim: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    reason: Mapped[str | None] = mapped_column(String(32))
    """Why a failed or unreachable job did not reach its target (hyte.reminders.FailureReason)."""
    conversation_id: Mapped[str | None] = mapped_column(String(512))
    activity_id: Mapped[str | None] = mapped_column(String(256))
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ProcessedActivityRow(Base):
    """An activity id Teams delivered, recorded before its turn runs, so that a re-sent activity
    is answered without repeating its effect. Kept for a couple of days (`SqlActivityLog.purge`)."""

    __tablename__ = "processed_activities"
    __table_args__ = (Index("ix_processed_activities_received_at", "received_at"),)

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    activity_id: Mapped[str] = mapped_column(String(256), primary_key=True)
    received_at: Mapped[datetime]
    completed: Mapped[bool] = mapped_column(Boolean, server_default=true())
    """False while its turn runs; a claim left unfinished by a killed process is released at start."""


class QueuedReplyRow(Base):
    """A reply of a turn that could not be sent because no token for the bot could be had from Entra
    ID: sent once a token can be had again, by whichever instance claims it, and deleted when sent or
    when it is too old (`expires_at`). Holds the message itself (a card may show answers) for those
    few minutes only."""

    __tablename__ = "queued_replies"
    __table_args__ = (Index("ix_queued_replies_expires_at", "expires_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(64))
    service_url: Mapped[str] = mapped_column(String(512))
    conversation_id: Mapped[str] = mapped_column(String(512))
    method: Mapped[str] = mapped_column(String(8))
    """POST (a new message; a reply when `reply_to_id` is set) or PUT (a card updated in place)."""
    reply_to_id: Mapped[str | None] = mapped_column(String(256))
    activity_id: Mapped[str | None] = mapped_column(String(256))
    """The message a PUT replaces."""
    activity: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    retry_at: Mapped[datetime | None]
    claim: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
