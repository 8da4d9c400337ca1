"""SQLAlchemy tables. Every row that belongs to a county carries its Teams tenant id.

Times are stored in UTC (`UTCDateTime` gives them back aware, on SQLite too).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, MetaData, String, UniqueConstraint
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
