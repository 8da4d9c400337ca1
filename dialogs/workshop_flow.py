"""The workshop as a state machine: `decide(state, event) -> Outcome(view, effects)`. No SDK, no database.

State: the round's workshop definition, the board's team, the workshop (none, running, stopped)
with its groups, and for a channel message where it lands (`MessageContext`) and the note it
edits. Events: the HYTE member's `työpaja aloita` and choice of channels, `työpaja lopeta`, a
channel message, an edit. The bot reads the state, asks here, carries the effects out (start,
stop, store or edit a note) and renders the view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Sequence

from dialogs.flow import Outcome
from hyte.teams import Channel, Team
from hyte.workshop import (
    MAX_NOTE_CHARS, Assignment, MessageContext, Note, WorkshopDefinition, WorkshopRun, question_prefix,
)


@dataclass(frozen=True)
class WorkshopState:
    definition: WorkshopDefinition | None
    """None: the round has no workshop."""
    team: Team | None = None
    """The board's team, if the bot is in it."""
    run: WorkshopRun | None = None
    context: MessageContext | None = None
    """Where a channel message lands (for `ChannelMessage` and `Edit`)."""
    note: Note | None = None
    """The note an `Edit` changes, if the message is one."""


# Events -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartCommand:
    """`työpaja aloita`: show the channel choice."""


@dataclass(frozen=True)
class StartConfirmed:
    chosen: Sequence[str]
    """The channel ids the HYTE member chose."""


@dataclass(frozen=True)
class StopCommand:
    """`työpaja lopeta`."""


@dataclass(frozen=True)
class ChannelMessage:
    channel_id: str
    message_id: str
    root_id: str | None
    """The thread's root post when the message is a reply, else None."""
    text: str
    """Clean text (the transport removed Teams' HTML and the bot's mention)."""
    author_aad: str | None
    author_name: str | None
    from_bot: bool
    at: datetime


@dataclass(frozen=True)
class Edit:
    """The message was edited in Teams: its new clean text."""

    text: str


Event = StartCommand | StartConfirmed | StopCommand | ChannelMessage | Edit


# Views --------------------------------------------------------------------------------------------


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
class Started:
    """The workshop runs in the chosen channels; their questions are being posted (`Start`)."""


@dataclass(frozen=True)
class Stopped:
    """The workshop has stopped (`Stop`)."""


class NoteSkip(StrEnum):
    """Why a channel message is not a note (for the log and for whether the message was the bot's concern)."""

    FROM_BOT = "from_bot"
    NO_WORKSHOP = "no_workshop"
    NOT_A_GROUP = "not_a_group"
    EMPTY = "empty"
    NOT_A_NOTE = "not_a_note"


@dataclass(frozen=True)
class NotANote:
    reason: NoteSkip


@dataclass(frozen=True)
class Noted:
    """Stored (`StoreNote`), or edited (`EditNote`)."""


View = Refuse | Choose | Started | Stopped | NotANote | Noted


# Effects ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    """Start (or go on with) the workshop in these channels: (channel id, name); post the questions."""

    team: Team
    groups: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Stop:
    pass


@dataclass(frozen=True)
class StoreNote:
    note: Note


@dataclass(frozen=True)
class EditNote:
    text: str
    question_id: str | None
    assignment: Assignment


def decide(state: WorkshopState, event: Event) -> Outcome[View]:
    match event:
        case StartCommand():
            return Outcome(_choose(state))
        case StartConfirmed(chosen=chosen):
            return _start(state, chosen)
        case StopCommand():
            if state.run is None or not state.run.running:
                return Outcome(Refuse("workshop.not_running"))
            return Outcome(Stopped(), (Stop(),))
        case ChannelMessage():
            return _channel_message(state, event)
        case Edit(text=text):
            if state.note is None or state.definition is None or state.context is None:
                return Outcome(NotANote(NoteSkip.NOT_A_NOTE))
            text = text[:MAX_NOTE_CHARS]
            question_id, assignment = classify(state.definition, text, state.context)
            return Outcome(Noted(), (EditNote(text, question_id, assignment),))
    raise TypeError(event)


# Starting and stopping ----------------------------------------------------------------------------


def _refusal(state: WorkshopState) -> Refuse | None:
    if state.definition is None:
        return Refuse("workshop.not_configured")
    if state.team is None:
        return Refuse("workshop.no_board_team")
    return None


def _choose(state: WorkshopState) -> Refuse | Choose:
    refused = _refusal(state)
    if refused is not None:
        return refused
    assert state.team is not None and state.definition is not None
    channels = tuple(c for c in state.team.channels if not c.is_general)
    if not channels:
        return Refuse("workshop.no_channels")
    run = state.run if state.run is not None and state.run.running else None
    already = {g.channel_id for g in run.groups} if run is not None else set()
    preselected = tuple(
        c.channel_id for c in channels
        if c.channel_id in already or (not already and state.definition.looks_like_group(c.name))
    )
    return Choose(channels, preselected, run)


def _start(state: WorkshopState, chosen: Sequence[str]) -> Outcome[View]:
    refused = _refusal(state)
    if refused is not None:
        return Outcome(refused)
    assert state.team is not None
    by_id = {c.channel_id: c for c in state.team.channels if not c.is_general}
    wanted = list(dict.fromkeys(c for c in chosen if c))
    if not wanted:
        return Outcome(Refuse("workshop.no_groups_chosen"))
    if any(c not in by_id for c in wanted):
        return Outcome(Refuse("workshop.unknown_channel"))
    return Outcome(Started(), (Start(state.team, tuple((c, by_id[c].name or c) for c in wanted)),))


# Channel messages ----------------------------------------------------------------------------------


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


def _channel_message(state: WorkshopState, message: ChannelMessage) -> Outcome[View]:
    if message.from_bot:
        return Outcome(NotANote(NoteSkip.FROM_BOT))
    context, definition = state.context, state.definition
    if definition is None or context is None or context.run is None:
        return Outcome(NotANote(NoteSkip.NO_WORKSHOP))
    if context.group is None:
        return Outcome(NotANote(NoteSkip.NOT_A_GROUP))
    text = message.text[:MAX_NOTE_CHARS]
    if not text:
        return Outcome(NotANote(NoteSkip.EMPTY))
    question_id, assignment = classify(definition, text, context)
    note = Note(
        channel_id=message.channel_id, message_id=message.message_id, question_id=question_id,
        assignment=assignment, author_aad=message.author_aad, author_name=message.author_name, text=text,
        created_at=message.at, updated_at=message.at, late=not context.run.running, thread_root_id=message.root_id,
    )
    return Outcome(Noted(), (StoreNote(note),))
