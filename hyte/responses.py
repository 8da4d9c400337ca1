"""An organisation's response to the pre-survey, and the repository protocol that keeps it.

One response per organisation per round, shared by its member and deputy. `answers` is the
working copy (a draft, or edits after submit); `submitted_answers` is what was last submitted and
is what the summaries count. `version` grows with every change of answers, so a card built from an
older version can be recognised as stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from hyte.reads import DeferredRead


class ResponseState(StrEnum):
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SUBMITTED_WITH_CHANGES = "submitted_with_changes"
    """Submitted once, then edited; the edits are not submitted yet."""


class ChangeAction(StrEnum):
    SAVE = "save"
    SUBMIT = "submit"


@dataclass(frozen=True)
class Actor:
    """Who acts: taken from the authenticated activity, never from card data."""

    aad_object_id: str
    name: str


@dataclass(frozen=True)
class ResponseKey:
    tenant_id: str
    round_id: str
    organisation_id: str


@dataclass(frozen=True)
class Response:
    key: ResponseKey
    answers: dict[str, Any] = field(default_factory=dict)
    submitted_answers: dict[str, Any] | None = None
    version: int = 0
    updated_at: datetime | None = None
    updated_by: str | None = None
    submitted_at: datetime | None = None
    submitted_by: str | None = None

    @property
    def state(self) -> ResponseState:
        if self.submitted_answers is not None:
            if self.answers != self.submitted_answers:
                return ResponseState.SUBMITTED_WITH_CHANGES
            return ResponseState.SUBMITTED
        if self.version == 0:
            return ResponseState.NOT_STARTED
        return ResponseState.DRAFT

    @classmethod
    def empty(cls, key: ResponseKey) -> Response:
        return cls(key=key)


@dataclass(frozen=True)
class Change:
    """A write the survey flow asks for; the repository applies it atomically."""

    answers: dict[str, Any]
    expected_version: int
    action: ChangeAction
    changed_questions: tuple[str, ...]


class VersionConflict(Exception):
    """The response changed since the card was built; `current` is what is stored now."""

    def __init__(self, current: Response) -> None:
        super().__init__(f"response {current.key} is at version {current.version}")
        self.current = current


class ResponseRepository(Protocol):
    """What keeps the responses (storage/repositories.py); the survey flow's changes go through it."""

    async def get(self, key: ResponseKey) -> Response | None: ...

    def stored_for_round(self, tenant_id: str, round_id: str) -> DeferredRead[list[Response]]:
        """`list_for_round` as a read done where the responses are used (the CPU pool's worker)."""
        ...

    async def get_with_position(self, key: ResponseKey, aad_object_id: str) -> tuple[Response | None, str | None]:
        """The response and the person's survey position, read together (one statement)."""
        ...

    def recent(self, key: ResponseKey, version: int) -> Response | None:
        """The response as this process last read or wrote it, if that was at `version`, without
        reading it (None otherwise). Only for deciding a change: `apply` writes a change made from
        it only if the stored response is still that one at that version."""
        ...

    async def apply(
        self, key: ResponseKey, change: Change | None, actor: Actor, at: datetime, *, position: str | None = None
    ) -> Response | None:
        """Write the change (if any) and the actor's survey position (if given) in one transaction.
        The change is written only if the stored version is `change.expected_version`; otherwise
        raise VersionConflict with what is stored now, and write nothing."""
        ...

    async def list_for_round(self, tenant_id: str, round_id: str) -> list[Response]: ...


class PositionRepository(Protocol):
    """Where each person was in the survey, so that `kysely` resumes there."""

    async def get(self, tenant_id: str, round_id: str, aad_object_id: str) -> str | None: ...

    async def set(self, tenant_id: str, round_id: str, aad_object_id: str, section_id: str, at: datetime) -> None: ...
