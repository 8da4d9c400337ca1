"""The timetable in Teams: `aikataulu`/`timeline`, and the HYTE team moving dates.

- `aikataulu`: every phase with its date and state, and what the person is expected to do now; for
  the HYTE team also the coming reminders, the people not reached, failed sends and the recorded
  changes, with buttons to move dates and to remind.
- Moving dates (HYTE team): a card with a date and a time per phase (dialogs/timeline_flow.py); the
  moves are stored over the round file's timetable (every turn's round has them applied,
  bot/rounds.py), the change is recorded, and the pending reminders are re-planned to the new dates.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.rounds import Rounds
from bot.router import HYTE_TEAM, Access, Audience, Routes
from bot.turn import Reply, Turn
from cards.catalogue import t
from cards.payloads import TimelineEdit, TimelineSave, TimelineShow
from cards.text import Config, Phrase, phrase
from cards.timeline import Role, TeamPanel, date_inputs, timeline_card, todo_text
from dialogs.flow import carry_out
from dialogs.timeline_flow import (
    DatesForm, EditDates, MoveDates, SaveDates, Saved, Stale, TimelineState, Unchanged, decide,
)
from dialogs.timeline_render import render
from hyte.jobs import JobRepository, JobState, latest_per_target
from hyte.reminders import CHANNEL_TARGET, SUBMITTED_STATES, find_person
from hyte.responses import ResponseKey, ResponseRepository, ResponseState
from hyte.round import Round, SurveyWindow
from hyte.timetable import StaleTimetable, TimetableRepository

logger = logging.getLogger(__name__)

UPCOMING_SHOWN = 6
FAILED_SHOWN = 5


class Planner(Protocol):
    async def plan(self, now: datetime | None = None, round_: Round | None = None) -> int:
        """Re-plan the round's reminders to its (moved) dates."""
        ...


@dataclass(frozen=True)
class TimelineServices:
    responses: ResponseRepository
    timetables: TimetableRepository
    jobs: JobRepository
    planner: Planner
    rounds: Rounds


routes = Routes("timeline", TimelineServices)
FOR_THE_ROUNDS_PEOPLE = (Access(Audience.PEOPLE, refusal="timeline.for_whom"),)


@routes.command("aikataulu", "näytä aikataulu", swedish=("tidtabell", "visa tidtabell"), english=("timeline",),
                description="command.timeline",
                access=FOR_THE_ROUNDS_PEOPLE)
async def timeline(turn: Turn[TimelineServices]) -> Reply:
    return Reply(card=await timeline_view(turn, turn.round))


@routes.action(TimelineShow, access=FOR_THE_ROUNDS_PEOPLE)
async def timeline_show(turn: Turn[TimelineServices], payload: TimelineShow) -> Reply:
    return Reply(card=await timeline_view(turn, turn.round))


@routes.action(TimelineEdit, access=HYTE_TEAM)
async def timeline_edit(turn: Turn[TimelineServices], payload: TimelineEdit) -> Reply:
    _, revision = await turn.services.timetables.moves(turn.round.tenant_id, turn.round.id)
    form = decide(TimelineState(turn.round, revision), EditDates()).view
    assert isinstance(form, DatesForm)
    return Reply(card=render(form, turn.round))


@routes.action(TimelineSave, access=HYTE_TEAM)
async def timeline_save(turn: Turn[TimelineServices], payload: TimelineSave) -> Reply:
    services, person, round_ = turn.services, turn.person, turn.round
    _, revision = await services.timetables.moves(round_.tenant_id, round_.id)

    async def move(effect: MoveDates) -> None:
        await services.timetables.move(round_.tenant_id, round_.id, effect.revision, effect.moves,
                                       person.aad_object_id, person.name, turn.now)
        logger.info("timetable moved: round=%s phases=%s by=%s", round_.id,
                    ",".join(p.value for p in effect.moves), person.aad_object_id)
        await services.planner.plan(turn.now, round_)

    try:
        view = await carry_out(decide(TimelineState(round_, revision), SaveDates(date_inputs(payload.inputs),
                                                                                 payload.revision)), {MoveDates: move})
    except StaleTimetable:
        current = await services.rounds.find(round_.tenant_id, round_.id) or round_
        latest = (await services.timetables.changes(round_.tenant_id, round_.id, limit=1) or [None])[0]
        stale = Stale(latest.revision if latest else 0, latest.by_name if latest else None, latest.at if latest else None)
        form = decide(TimelineState(current, revision), stale).view
        assert isinstance(form, DatesForm)
        return Reply(card=render(form, current))
    match view:
        case DatesForm():
            return Reply(card=render(view, round_))
        case Unchanged():
            return Reply(card=await timeline_view(turn, round_, (phrase("dates.unchanged"), "accent")))
        case Saved(count=count):
            moved = await services.rounds.find(round_.tenant_id, round_.id) or round_
            return Reply(card=await timeline_view(turn, moved, (phrase("dates.saved", count=count), "good")))
    raise TypeError(view)


# The timetable card --------------------------------------------------------------------------------


async def timeline_view(turn: Turn[TimelineServices], round_: Round, notice: tuple[Phrase, str] | None = None) -> dict:
    """The timetable of `round_` (the turn's, or with dates just moved) as this person sees it."""
    services, person, now = turn.services, turn.person, turn.now
    if person.team_member is not None:
        responses = await services.responses.list_for_round(round_.tenant_id, round_.id)
        submitted = sum(1 for r in responses if r.state in SUBMITTED_STATES)
        todo = todo_text(round_, Role.HYTE_TEAM, now, submitted=submitted, total=len(round_.config.organisations))
        return timeline_card(round_, now, Role.HYTE_TEAM, todo, panel=await team_panel(turn, round_), notice=notice)
    rep = person.representative
    assert rep is not None
    organisation = round_.organisation(rep.organisation)
    response = await services.responses.get(ResponseKey(round_.tenant_id, round_.id, rep.organisation))
    state = response.state if response is not None else ResponseState.NOT_STARTED
    todo = todo_text(round_, Role.REPRESENTATIVE, now, organisation=organisation, response_state=state)
    survey_action = None
    if turn.personal and round_.survey_state(now) is SurveyWindow.OPEN:
        survey_action = {ResponseState.NOT_STARTED: "action.start", ResponseState.DRAFT: "action.resume"}.get(
            state, "action.edit")
    return timeline_card(round_, now, Role.REPRESENTATIVE, todo, notice=notice, survey_action=survey_action)


async def team_panel(turn: Turn[TimelineServices], round_: Round) -> TeamPanel:
    services = turn.services
    jobs = await services.jobs.list(round_.tenant_id, round_.id)
    _, revision = await services.timetables.moves(round_.tenant_id, round_.id)
    changes = await services.timetables.changes(round_.tenant_id, round_.id)
    upcoming: dict[tuple[datetime, str], int] = {}
    overdue: dict[tuple[datetime, str], int] = {}
    for job in jobs:
        if job.state is JobState.PENDING and (job.expires_at is None or job.due_at < job.expires_at):
            counts = upcoming if job.due_at >= turn.now else overdue
            counts[(job.due_at, job.reminder)] = counts.get((job.due_at, job.reminder), 0) + 1
    sending = [
        (job.reminder, name_of(round_, job.target), job.lease_until)
        for job in sorted(jobs, key=lambda j: (j.lease_until or turn.now, j.id))
        if job.state is JobState.SENDING and job.lease_until is not None
    ]
    unreachable = [
        (name_of(round_, job.target), job.reason, job.updated_at or turn.now)
        for job in latest_per_target(jobs).values() if job.state is JobState.UNREACHABLE
    ]
    failed = [
        (job.reminder, name_of(round_, job.target), job.reason, job.updated_at or turn.now)
        for job in sorted((j for j in jobs if j.state is JobState.FAILED), key=lambda j: j.updated_at or turn.now,
                          reverse=True)[:FAILED_SHOWN]
    ]
    return TeamPanel(
        upcoming=[(due, reminder, count) for (due, reminder), count in sorted(upcoming.items())[:UPCOMING_SHOWN]],
        overdue=[(due, reminder, count) for (due, reminder), count in sorted(overdue.items())[:UPCOMING_SHOWN]],
        sending=sending[:FAILED_SHOWN],
        unreachable=unreachable, failed=failed, changes=changes, revision=revision,
    )


def name_of(round_: Round, target: str) -> Config | str:
    """A job's target as the card names it: the person's configured name, or the board's channel."""
    if target == CHANNEL_TARGET:
        return t("timeline.board_channel")
    person = find_person(round_, target)
    return Config(person.name if person is not None else target)
