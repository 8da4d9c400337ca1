"""The negotiation meeting's workshop, in plain Python: its questions as data, and the notes the
breakout groups write in their Teams channels (their summary: hyte/workshop_summary.py).

* The questions (three in the seed, each with prompts) come from a versioned YAML file next to
  the round file (`workshop.yaml`), validated on load, in every language the round offers
  (`text: {fi: …, sv: …}`; `definition.in_language("sv")`, see `hyte.languages`).
* A note's text arrives clean (the transport removes Teams' HTML and the bot's @mention), and is
  kept to MAX_NOTE_CHARS.
* A top-level note names its question at the start ("1.", "1)", "#1", "Kysymys 1", "K1", in
  Swedish "Fråga 1", "F1"):
  `question_prefix` finds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Protocol, Sequence

from hyte.reads import DeferredRead

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hyte.languages import Multilingual, Text, load_in_languages
from hyte.configuration import read_yaml
from hyte.survey import Identifier

MAX_NOTE_CHARS = 8000
"""A note longer than this is stored cut (Teams allows ~28 KB per message; notes are short)."""

# The questions, as data -------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WorkshopQuestion(_Strict):
    id: Identifier
    number: int = Field(ge=1, le=99)
    text: Text = Field(min_length=1)
    prompts: tuple[Text, ...] = ()
    """The seed's bullets under the question ("Askelmerkit? Kenen kanssa? …"), verbatim."""


class WorkshopDefinition(_Strict, Multilingual):
    id: Identifier
    version: int = Field(ge=1)
    language: str = "fi"
    """The language of the file's plain texts; of a loaded version, the language of its texts."""
    title: Text = Field(min_length=1)
    group_prefixes: tuple[str, ...] = ("Ryhmä", "Group")
    """Channels whose name starts with one of these are preselected as groups (one list for every
    language: the groups' channels are the same whichever language a person reads)."""
    questions: tuple[WorkshopQuestion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> WorkshopDefinition:
        for what, values in (("id", [q.id for q in self.questions]), ("number", [q.number for q in self.questions])):
            duplicates = sorted({str(v) for v in values if values.count(v) > 1})
            if duplicates:
                raise ValueError(f"duplicate question {what}s: {duplicates}")
        return self

    def question(self, question_id: str) -> WorkshopQuestion:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def by_number(self, number: int) -> WorkshopQuestion | None:
        for question in self.questions:
            if question.number == number:
                return question
        return None

    def looks_like_group(self, channel_name: str | None) -> bool:
        name = (channel_name or "").strip().casefold()
        return any(name.startswith(prefix.casefold()) for prefix in self.group_prefixes)


def load_workshop(path: Path, languages: Sequence[str] | None = None) -> WorkshopDefinition:
    """The workshop questions in the first of `languages` (the round's; None: the file's own),
    every other as `in_language(...)`; a missing translation names the file and the field."""
    return load_in_languages(WorkshopDefinition, path, read_yaml(path), languages)


# The question a note names ----------------------------------------------------------------------

_PREFIX = re.compile(
    r"""^\s*(?:
        (?:kysymys|fråga|fraga|question|k|f|q)\s*(?P<named>\d{1,2})(?!\d)   # "Kysymys 1", "Fråga 1", "K1", "F1", "Q 2"
      | \#\s*(?P<hash>\d{1,2})(?!\d)                          # "#1"
      | (?P<plain>\d{1,2})\s*[.)](?!\d)                       # "1." or "1)", not "1.5."
    )\s*[:.)\-\u2013\u2014]?\s*""",
    re.IGNORECASE | re.VERBOSE,
)


def question_prefix(definition: WorkshopDefinition, text: str) -> tuple[WorkshopQuestion | None, str]:
    """The question the text names at its start, and the text after that prefix; a number that is
    not a question's leaves the text unassigned and untouched."""
    match = _PREFIX.match(text)
    if match is None:
        return None, text
    number = int(match["named"] or match["hash"] or match["plain"])
    question = definition.by_number(number)
    if question is None:
        return None, text
    return question, text[match.end():].strip()


# Notes, as stored ----------------------------------------------------------------------------------


class WorkshopStatus(StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"


class Assignment(StrEnum):
    """How a note got its question."""

    THREAD = "thread"
    """A reply under the bot's post of the question."""
    PREFIX = "prefix"
    """Its text names the question at the start."""
    ROOT_NOTE = "root_note"
    """A reply under a note that has a question."""
    NONE = "none"


@dataclass(frozen=True)
class Group:
    channel_id: str
    name: str
    position: int


@dataclass(frozen=True)
class WorkshopRun:
    """A round's workshop: running or stopped, and the channels that are its groups."""

    tenant_id: str
    round_id: str
    team_id: str
    status: WorkshopStatus
    started_at: datetime
    stopped_at: datetime | None
    groups: tuple[Group, ...] = ()

    @property
    def running(self) -> bool:
        return self.status is WorkshopStatus.RUNNING

    def group(self, channel_id: str) -> Group | None:
        for group in self.groups:
            if group.channel_id == channel_id:
                return group
        return None


@dataclass(frozen=True)
class Note:
    channel_id: str
    message_id: str
    question_id: str | None
    assignment: Assignment
    author_aad: str | None
    author_name: str | None
    text: str
    created_at: datetime
    updated_at: datetime
    late: bool = False
    deleted: bool = False
    version: int = 1
    reactions: int = 0
    highlight: bool = False
    """A HYTE team member reacted to it: raise it in the joint discussion."""
    thread_root_id: str | None = None

    @property
    def key(self) -> str:
        return f"{self.channel_id}|{self.message_id}"


@dataclass(frozen=True)
class QuestionPost:
    """The bot's post of a question in a group's channel; replies under it are its notes."""

    channel_id: str
    question_id: str
    message_id: str | None
    conversation_id: str | None = None


@dataclass(frozen=True)
class MessageContext:
    """What a channel message lands in: the round's workshop, the group its channel is, and the
    question of the post (or of the note) it replies under."""

    run: WorkshopRun | None
    group: Group | None
    post_question_id: str | None = None
    root_note_question_id: str | None = None


class WorkshopRepository(Protocol):
    """Workshops, their groups, the questions' posts, notes and reactions (storage/workshop.py)."""

    async def get(self, tenant_id: str, round_id: str) -> WorkshopRun | None: ...

    def stored_notes(self, tenant_id: str, round_id: str) -> DeferredRead[list[Note]]:
        """`notes` as a read done where the notes are used (the CPU pool's worker)."""
        ...

    async def start(
        self, tenant_id: str, round_id: str, team_id: str, groups: Sequence[tuple[str, str]], by_aad: str | None,
        at: datetime,
    ) -> WorkshopRun: ...

    async def stop(self, tenant_id: str, round_id: str, by_aad: str | None, at: datetime) -> WorkshopRun | None:
        """None when it was not running (stopped meanwhile by someone else)."""
        ...

    async def rename_group(self, tenant_id: str, channel_id: str, name: str) -> None: ...

    async def claim_post(self, tenant_id: str, round_id: str, channel_id: str, question_id: str, at: datetime) -> bool:
        """Whether this caller may post the question in the channel (not posted, nor being posted)."""
        ...

    async def record_post(
        self, tenant_id: str, round_id: str, channel_id: str, question_id: str, message_id: str,
        conversation_id: str | None,
    ) -> None: ...

    async def release_post(self, tenant_id: str, round_id: str, channel_id: str, question_id: str) -> None: ...

    async def message_context(self, tenant_id: str, round_id: str, channel_id: str, root_id: str | None) -> MessageContext: ...

    async def add_note(self, tenant_id: str, round_id: str, note: Note) -> bool:
        """Store a note once (False: the same message was stored already)."""
        ...

    async def note(self, tenant_id: str, channel_id: str, message_id: str) -> Note | None: ...

    async def edit_note(
        self, tenant_id: str, channel_id: str, message_id: str, text: str, question_id: str | None,
        assignment: Assignment, at: datetime,
    ) -> bool: ...

    async def set_deleted(self, tenant_id: str, channel_id: str, message_id: str, deleted: bool, at: datetime) -> bool: ...

    async def react(
        self, tenant_id: str, channel_id: str, message_id: str, reactor_id: str, reactor_aad: str | None,
        is_hyte: bool, added: Sequence[str], removed: Sequence[str], at: datetime,
    ) -> bool: ...

    async def notes(self, tenant_id: str, round_id: str) -> list[Note]: ...


DEFAULT_WORKSHOP_FILE = "workshop.yaml"


def load_round_workshop(
    round_file: Path, workshop_file: str | None, languages: Sequence[str] | None = None
) -> WorkshopDefinition | None:
    """The round's workshop questions in the round's `languages`: the file the round names (it
    must exist), or else `workshop.yaml` beside the round file when there is one (None: the round
    has no workshop)."""
    if workshop_file is None:
        default = round_file.parent / DEFAULT_WORKSHOP_FILE
        return load_workshop(default, languages) if default.is_file() else None
    return load_workshop((round_file.parent / workshop_file).resolve(), languages)
