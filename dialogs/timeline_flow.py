"""Moving the round's dates from Teams, as a state machine: `decide(state, event) -> Outcome(view, effects)`.

Pure: the state is the effective round (configured dates with earlier moves applied) and the
timetable's revision; `decide` reads the card's date and time inputs (Helsinki wall-clock time),
refuses what is malformed or out of order with an error under the phase, and otherwise says which
dates moved (the effect `MoveDates`). The bot stores the moves and re-plans the pending reminders;
the repository refuses them if the timetable changed meanwhile, and the flow is asked again with a
`Stale` event. The views are rendered by timeline_render.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Mapping

from cards.catalogue import format_datetime
from cards.timeline import phase_label
from dialogs.flow import Outcome
from hyte.clock import HELSINKI
from hyte.round import Phase, Round

Typed = Mapping[Phase, tuple[str | None, str | None]]


# Events -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EditDates:
    """"Muuta päivämääriä": the card with the current dates."""


@dataclass(frozen=True)
class SaveDates:
    typed: Typed
    revision: int


@dataclass(frozen=True)
class Stale:
    """The repository refused the moves: another change was saved since the card was built."""

    revision: int
    by: str | None
    at: datetime | None


Event = EditDates | SaveDates | Stale


@dataclass(frozen=True)
class TimelineState:
    round: Round
    """With the dates moved so far."""
    revision: int
    """How many changes of the dates are stored (0: none)."""


# Views and effects --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatesForm:
    revision: int
    typed: Typed | None = None
    errors: dict[Phase, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    """phase -> (catalogue key, parameters)"""
    stale_by: str | None = None
    stale_at: datetime | None = None


@dataclass(frozen=True)
class Saved:
    """The timetable with the moves stored: `count` dates moved."""

    count: int


@dataclass(frozen=True)
class Unchanged:
    pass


View = DatesForm | Saved | Unchanged


@dataclass(frozen=True)
class MoveDates:
    """Store the moves as the change after `revision`, and re-plan the pending reminders."""

    moves: dict[Phase, tuple[datetime, datetime]]
    """phase -> (from, to)"""
    revision: int


def decide(state: TimelineState, event: Event) -> Outcome[View]:
    match event:
        case EditDates():
            return Outcome(DatesForm(state.revision))
        case SaveDates(typed=typed, revision=card_revision):
            return _save(state.round, typed, card_revision)
        case Stale(revision=revision, by=by, at=at):
            return Outcome(DatesForm(revision, stale_by=by, stale_at=at))
    raise TypeError(event)


def _save(round_: Round, typed: Typed, revision: int) -> Outcome[View]:
    timetable = round_.timetable
    errors: dict[Phase, tuple[str, dict[str, Any]]] = {}
    wanted: dict[Phase, datetime] = {}
    for phase in Phase:
        day, clock = typed.get(phase, (None, None))
        at = _parse(day, clock)
        if at is None:
            errors[phase] = ("dates.error.invalid", {})
        else:
            wanted[phase] = at
    previous: Phase | None = None
    for phase in Phase:
        if phase not in wanted:
            previous = None
            continue
        if previous is not None and wanted[phase] < wanted[previous]:
            errors[phase] = ("dates.error.order", {"previous": phase_label(previous),
                                                   "at": format_datetime(wanted[previous])})
        previous = phase
    if errors:
        return Outcome(DatesForm(revision, typed=typed, errors=errors))
    moves = {phase: (timetable.at(phase), at) for phase, at in wanted.items() if at != timetable.at(phase)}
    if not moves:
        return Outcome(Unchanged())
    return Outcome(Saved(len(moves)), (MoveDates(moves, revision),))


def _parse(day: str | None, clock: str | None) -> datetime | None:
    """A Helsinki wall-clock time from Teams' Input.Date ("2024-05-15") and Input.Time ("16:00")."""
    if not day or not clock:
        return None
    try:
        parsed_day = date.fromisoformat(day)
        parsed_time = time.fromisoformat(clock)
    except ValueError:
        return None
    if parsed_time.tzinfo is not None or not 2000 <= parsed_day.year <= 2100:
        return None
    return datetime.combine(parsed_day, parsed_time.replace(second=0, microsecond=0), HELSINKI)
