"""The round's timetable as people see it (the phase the round is in, each phase's state), and
the dates the HYTE team moves in Teams, in plain Python.

One notion of "where the round is" serves `tila` and `aikataulu` alike (`current_phase`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Mapping, Protocol

from hyte.round import Phase, Round, Timetable

LAST_PHASE = list(Phase)[-1]


class PhaseState(StrEnum):
    DONE = "done"
    CURRENT = "current"
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class PhaseRow:
    phase: Phase
    at: datetime
    state: PhaseState


def current_phase(timetable: Timetable, now: datetime) -> Phase | None:
    """The phase the round is in: the latest that has begun, until the next begins. None before the
    first (preparation) and from the last on (the round is over: the last phase is a deadline,
    the results written into the plan)."""
    if is_over(timetable, now):
        return None
    begun = [phase for phase in Phase if timetable.at(phase) <= now]
    return begun[-1] if begun else None


def is_over(timetable: Timetable, now: datetime) -> bool:
    return now >= timetable.at(LAST_PHASE)


def phase_rows(timetable: Timetable, now: datetime) -> list[PhaseRow]:
    """Every phase with its date: passed ones are done, the current one (`current_phase`) is
    current, later ones upcoming. After the last phase the round is over: all done."""
    current = current_phase(timetable, now)
    rows = []
    for phase in Phase:
        at = timetable.at(phase)
        if phase == current:
            state = PhaseState.CURRENT
        elif at <= now:
            state = PhaseState.DONE
        else:
            state = PhaseState.UPCOMING
        rows.append(PhaseRow(phase, at, state))
    return rows


class Stage(StrEnum):
    """Where the round is, for "what should I do now"."""

    PREPARATION = "preparation"
    MATERIAL_REVIEW = "material_review"
    SURVEY_OPEN = "survey_open"
    SURVEY_CLOSED = "survey_closed"
    AFTER_MEETING = "after_meeting"
    SUMMARY_DELIVERED = "summary_delivered"
    OVER = "over"


def stage(timetable: Timetable, now: datetime) -> Stage:
    phase = current_phase(timetable, now)
    if phase is None:
        return Stage.OVER if is_over(timetable, now) else Stage.PREPARATION
    return {
        Phase.MATERIAL_REVIEW: Stage.MATERIAL_REVIEW,
        Phase.SURVEY_OPENS: Stage.SURVEY_OPEN,
        Phase.SURVEY_CLOSES: Stage.SURVEY_CLOSED,
        Phase.NEGOTIATION_MEETING: Stage.AFTER_MEETING,
        Phase.SUMMARY_TO_GOVERNMENT: Stage.SUMMARY_DELIVERED,
    }[phase]


# Moved dates --------------------------------------------------------------------------------------


def apply_moves(timetable: Timetable, moves: Mapping[Phase, datetime]) -> Timetable:
    """The timetable with moved dates; raises pydantic's ValidationError when the phases would be
    out of order."""
    values = {phase.value: timetable.at(phase) for phase in Phase}
    values |= {phase.value: at for phase, at in moves.items()}
    return Timetable.model_validate(values)


def with_timetable(round_: Round, timetable: Timetable) -> Round:
    """The round with another (already validated) timetable."""
    if timetable == round_.timetable:
        return round_
    config = round_.config.model_copy(update={"timetable": timetable})
    return round_.model_copy(update={"config": config})


@dataclass(frozen=True)
class TimetableChange:
    revision: int
    at: datetime
    by_aad: str | None
    by_name: str | None
    moves: dict[Phase, tuple[datetime, datetime]]
    """phase -> (from, to)"""


class TimetableRepository(Protocol):
    """The HYTE team's moved dates (storage/reminders.py)."""

    async def effective(self, round_: Round) -> Round:
        """The round with its moved dates applied over the configured timetable."""
        ...

    async def moves(self, tenant_id: str, round_id: str) -> tuple[dict[Phase, datetime], int]:
        """The moved dates and the revision (number of saved changes; 0: none)."""
        ...

    async def move(
        self, tenant_id: str, round_id: str, expected_revision: int, moves: Mapping[Phase, tuple[datetime, datetime]],
        by_aad: str | None, by_name: str | None, at: datetime,
    ) -> int:
        """Store the moves and record the change as revision `expected_revision + 1`; raise
        StaleTimetable if another change was saved since `expected_revision`."""
        ...

    async def changes(self, tenant_id: str, round_id: str, limit: int = 5) -> list[TimetableChange]: ...


class StaleTimetable(Exception):
    """The timetable changed since the card that tried to move it was built."""
