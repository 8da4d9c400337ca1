"""The workshop as decisions over plain objects: `(event, state) -> outcome`. No SDK, no database.

State: the round's workshop (none, running, stopped) with its groups, and where a channel message
lands (`MessageContext`). Events: start (the HYTE member's choice of channels), stop, a channel
message, an edit. The bot reads the state, asks here, and carries the outcome out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from hyte.teams import Channel, Team
from hyte.workshop import (
    Assignment, MessageContext, Note, WorkshopDefinition, WorkshopRun, question_prefix,
)


# Starting and stopping ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Refuse:
    """Nothing happens; the person is told why (a catalogue key)."""

    message_key: str


@dataclass(frozen=True)
class Choose:
    """Show the channel choice: every channel but General, groups-by-name preselected."""

    channels: tuple[Channel, ...]
    preselected: tuple[str, ...]
    running: WorkshopRun | None = None


@dataclass(frozen=True)
class Start:
    """Start (or go on with) the workshop in these channels: (channel id, name)."""

    team: Team
    groups: tuple[tuple[str, str], ...]


def on_start_command(definition: WorkshopDefinition | None, team: Team | None, run: WorkshopRun | None) -> Refuse | Choose:
    if definition is None:
        return Refuse("workshop.not_configured")
    if team is None:
        return Refuse("workshop.no_board_team")
    channels = tuple(c for c in team.channels if not c.is_general)
    if not channels:
        return Refuse("workshop.no_channels")
    already = {g.channel_id for g in run.groups} if run is not None and run.running else set()
    preselected = tuple(
        c.channel_id for c in channels if c.channel_id in already or (not already and definition.looks_like_group(c.name))
    )
    return Choose(channels, preselected, run if run is not None and run.running else None)


def on_start_confirmed(
    definition: WorkshopDefinition | None, team: Team | None, chosen: Sequence[str]
) -> Refuse | Start:
    if definition is None:
        return Refuse("workshop.not_configured")
    if team is None:
        return Refuse("workshop.no_board_team")
    by_id = {c.channel_id: c for c in team.channels if not c.is_general}
    wanted = list(dict.fromkeys(c for c in chosen if c))
    if not wanted:
        return Refuse("workshop.no_groups_chosen")
    if any(c not in by_id for c in wanted):
        return Refuse("workshop.unknown_channel")
    return Start(team, tuple((c, by_id[c].name or c) for c in wanted))


def on_stop_command(run: WorkshopRun | None) -> Refuse | None:
    """None: stop it."""
    if run is None or not run.running:
        return Refuse("workshop.not_running")
    return None


# Channel messages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelMessage:
    channel_id: str
    message_id: str
    root_id: str | None
    """The thread's root post when the message is a reply, else None."""
    text: str
    """Clean text (see hyte.workshop.clean_teams_html)."""
    author_aad: str | None
    author_name: str | None
    from_bot: bool
    at: datetime


@dataclass(frozen=True)
class NotANote:
    reason: str
    """For the log: from_bot, no_workshop, not_a_group, empty."""


@dataclass(frozen=True)
class StoreNote:
    note: Note


def classify(definition: WorkshopDefinition, text: str, context: MessageContext) -> tuple[str | None, Assignment]:
    """The question a message is a note for: the question post it replies under; else the
    question its text names at the start; else that of the note it replies under; else none."""
    if context.post_question_id is not None:
        return context.post_question_id, Assignment.THREAD
    question, _ = question_prefix(definition, text)
    if question is not None:
        return question.id, Assignment.PREFIX
    if context.root_note_question_id is not None:
        return context.root_note_question_id, Assignment.ROOT_NOTE
    return None, Assignment.NONE


def on_channel_message(
    definition: WorkshopDefinition | None, message: ChannelMessage, context: MessageContext
) -> NotANote | StoreNote:
    if message.from_bot:
        return NotANote("from_bot")
    if definition is None or context.run is None:
        return NotANote("no_workshop")
    if context.group is None:
        return NotANote("not_a_group")
    if not message.text:
        return NotANote("empty")
    question_id, assignment = classify(definition, message.text, context)
    note = Note(
        channel_id=message.channel_id, message_id=message.message_id, question_id=question_id,
        assignment=assignment, author_aad=message.author_aad, author_name=message.author_name, text=message.text,
        created_at=message.at, updated_at=message.at, late=not context.run.running, thread_root_id=message.root_id,
    )
    return StoreNote(note)


@dataclass(frozen=True)
class EditNote:
    text: str
    question_id: str | None
    assignment: Assignment


def on_edit(definition: WorkshopDefinition | None, note: Note | None, text: str, context: MessageContext) -> EditNote | NotANote:
    """An edit in Teams replaces the note's text; a top-level note may now name another question."""
    if note is None or definition is None:
        return NotANote("not_a_note")
    question_id, assignment = classify(definition, text, context)
    return EditNote(text, question_id, assignment)
