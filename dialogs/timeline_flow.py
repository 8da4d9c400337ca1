"""Moving the round's dates from Teams, as a state machine: `decide(event, round, revision) -> Outcome`.

Pure: the bot gives the effective round (configured dates with earlier moves applied) and the
timetable's revision; `decide` reads the card's date and time inputs (Helsinki wall-clock time),
refuses what is malformed or out of order with an error under the phase, and otherwise says which
dates moved. The bot stores the moves (the repository refuses them if the timetable changed
meanwhile), re-plans the pending reminders and renders the outcome with `render`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Mapping

from cards.catalogue import format_datetime, t
from cards.text import User, phrase
from cards.timeline import dates_card, phase_label
from hyte.round import HELSINKI, Phase, Round

Typed = Mapping[Phase, tuple[str | None, str | None]]


# Events -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EditDates:
    """"Muuta päivämääriä": the card with the current dates."""


@dataclass(frozen=True)
class SaveDates:
    typed: Typed
    revision: int


Event = EditDates | SaveDates


# Outcomes -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatesForm:
    revision: int
    typed: Typed | None = None
    errors: dict[Phase, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    """phase -> (catalogue key, parameters)"""
    stale_by: str | None = None
    stale_at: datetime | None = None


@dataclass(frozen=True)
class Moved:
    moves: dict[Phase, tuple[datetime, datetime]]
    """phase -> (from, to)"""
    revision: int


@dataclass(frozen=True)
class Unchanged:
    pass


Outcome = DatesForm | Moved | Unchanged


def decide(event: Event, round_: Round, revision: int) -> Outcome:
    match event:
        case EditDates():
            return DatesForm(revision)
        case SaveDates(typed=typed, revision=card_revision):
            return _save(round_, typed, card_revision)
    raise TypeError(event)


def _save(round_: Round, typed: Typed, revision: int) -> Outcome:
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
        return DatesForm(revision, typed=typed, errors=errors)
    moves = {phase: (timetable.at(phase), at) for phase, at in wanted.items() if at != timetable.at(phase)}
    if not moves:
        return Unchanged()
    return Moved(moves, revision)


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


def conflict(revision: int, by: str | None, at: datetime | None) -> DatesForm:
    """The timetable changed since the card was built: show the current dates, say who changed them."""
    return DatesForm(revision, stale_by=by, stale_at=at)


def render(outcome: DatesForm, round_: Round) -> dict[str, Any]:
    errors = {phase: phrase(key, **params) for phase, (key, params) in outcome.errors.items()}
    notice = None
    if outcome.stale_at is not None:
        by = User(outcome.stale_by) if outcome.stale_by else t("timeline.someone")
        notice = (phrase("dates.stale", by=by, at=format_datetime(outcome.stale_at)), "warning")
    return dates_card(round_, outcome.revision, values=outcome.typed, errors=errors, notice=notice)
