"""The timetable and the reminders in Teams: `aikataulu`/`timeline`, `muistuta`/`remind`, moving dates.

- `aikataulu`: every phase with its date and state, and what the person is expected to do now; for
  the HYTE team also the coming reminders, the people not reached, failed sends and the recorded
  changes, with buttons to move dates and to remind.
- Moving dates (HYTE team): a card with a date and a time per phase; the moves are stored (over the
  round file's timetable, which every reader sees through `Services.for_turn`), the change is
  recorded, and the pending reminders are re-planned to the new dates.
- `muistuta` (HYTE team): who would get the non-respondent reminder, then a confirmation; the
  confirmed batch is queued as jobs (a second press of the same card queues nothing).
- "Aloita kysely" on the board channel's announcement opens the survey in the presser's 1:1 chat;
  the announcement itself stays as it was.

`register(router)` adds the routes.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import datetime

from bot import guards
from bot.router import Router
from bot.turn import Reply, Turn
from cards.catalogue import format_datetime, t
from cards.payloads import (
    RemindCancel, ReminderSurvey, RemindPreview, RemindSend, TimelineEdit, TimelineSave, TimelineShow,
)
from cards.text import Config, Phrase, phrase
from cards.timeline import (
    PreviewLine, Role, TeamPanel, announcement_card, date_inputs, message_card, remind_preview_card,
    timeline_card, todo_text,
)
from dialogs.timeline_flow import DatesForm, EditDates, Moved, SaveDates, Unchanged, conflict, decide, render
from hyte.reminders import (
    CHANNEL_TARGET, SUBMITTED_STATES, FailureReason, Job, JobState, ReminderId, StaleTimetable, find_person, non_respondents,
    person_key,
)
from hyte.responses import ResponseKey, ResponseState
from hyte.round import SurveyWindow

logger = logging.getLogger(__name__)

TEAM_GUARDS = (guards.hyte_team,)
UPCOMING_SHOWN = 6
FAILED_SHOWN = 5


def board_member_or_team(turn: Turn) -> str | None:
    """Representatives and the HYTE team (anywhere); others are told whom the timetable is for."""
    return "timeline.for_whom" if turn.identity.is_stranger else None


def register(router: Router) -> None:
    @router.command("aikataulu", "näytä aikataulu", english=("timeline",), description="command.timeline",
                    guards=(board_member_or_team,))
    async def timeline(turn: Turn) -> Reply:
        return Reply(card=await timeline_view(turn))

    @router.command("muistuta", "muistuta vastaamattomia", english=("remind",), description="command.remind",
                    guards=TEAM_GUARDS, team_only=True)
    async def remind(turn: Turn) -> Reply:
        return await remind_preview(turn)

    @router.action(TimelineShow, guards=(board_member_or_team,))
    async def timeline_show(turn: Turn, payload: TimelineShow) -> Reply:
        return Reply(card=await timeline_view(turn))

    @router.action(TimelineEdit, guards=TEAM_GUARDS)
    async def timeline_edit(turn: Turn, payload: TimelineEdit) -> Reply:
        _, revision = await _moves(turn)
        form = decide(EditDates(), turn.services.round, revision)
        return Reply(card=render(form, turn.services.round) if isinstance(form, DatesForm) else None)

    @router.action(TimelineSave, guards=TEAM_GUARDS)
    async def timeline_save(turn: Turn, payload: TimelineSave) -> Reply:
        return await save_dates(turn, payload)

    @router.action(RemindPreview, guards=TEAM_GUARDS)
    async def remind_again(turn: Turn, payload: RemindPreview) -> Reply:
        return await remind_preview(turn)

    @router.action(RemindSend, guards=TEAM_GUARDS)
    async def remind_send(turn: Turn, payload: RemindSend) -> Reply:
        return await send_reminder(turn, payload.batch)

    @router.action(RemindCancel, guards=TEAM_GUARDS)
    async def remind_cancel(turn: Turn, payload: RemindCancel) -> Reply:
        return Reply(card=message_card(turn.services.round, t("remind.cancelled")))

    @router.action(ReminderSurvey)
    async def reminder_survey(turn: Turn, payload: ReminderSurvey) -> Reply:
        return await survey_from_announcement(turn)


# The timetable ------------------------------------------------------------------------------------


async def timeline_view(turn: Turn, notice: tuple[Phrase, str] | None = None) -> dict:
    services, identity, now = turn.services, turn.identity, turn.now
    round_ = services.round
    if identity.team_member is not None:
        responses = await services.responses.list_for_round(round_.tenant_id, round_.id)
        submitted = sum(1 for r in responses if r.state in SUBMITTED_STATES)
        todo = todo_text(round_, Role.HYTE_TEAM, now, submitted=submitted, total=len(round_.config.organisations))
        return timeline_card(round_, now, Role.HYTE_TEAM, todo, panel=await team_panel(turn), notice=notice)
    rep = identity.representative
    organisation = round_.organisation(rep.organisation)
    response = await services.responses.get(ResponseKey(round_.tenant_id, round_.id, rep.organisation))
    state = response.state if response is not None else ResponseState.NOT_STARTED
    todo = todo_text(round_, Role.REPRESENTATIVE, now, organisation=organisation, response_state=state)
    survey_action = None
    if turn.personal and round_.survey_state(now) is SurveyWindow.OPEN:
        survey_action = {ResponseState.NOT_STARTED: "action.start", ResponseState.DRAFT: "action.resume"}.get(
            state, "action.edit")
    return timeline_card(round_, now, Role.REPRESENTATIVE, todo, notice=notice, survey_action=survey_action)


async def team_panel(turn: Turn) -> TeamPanel:
    services = turn.services
    round_ = services.round
    jobs = await services.reminders.jobs.list(round_.tenant_id, round_.id)
    _, revision = await _moves(turn)
    changes = await services.timetables.changes(round_.tenant_id, round_.id)
    upcoming: dict[tuple[datetime, str], int] = {}
    for job in jobs:
        if job.state is JobState.PENDING and (job.expires_at is None or job.due_at < job.expires_at):
            upcoming[(job.due_at, job.reminder)] = upcoming.get((job.due_at, job.reminder), 0) + 1
    unreachable = [
        (name_of(turn, job.target), job.reason, job.updated_at or turn.now)
        for job in latest_per_target(jobs).values() if job.state is JobState.UNREACHABLE
    ]
    failed = [
        (job.reminder, name_of(turn, job.target), job.reason, job.updated_at or turn.now)
        for job in sorted((j for j in jobs if j.state is JobState.FAILED), key=lambda j: j.updated_at or turn.now,
                          reverse=True)[:FAILED_SHOWN]
    ]
    return TeamPanel(
        upcoming=[(due, reminder, count) for (due, reminder), count in sorted(upcoming.items())[:UPCOMING_SHOWN]],
        unreachable=unreachable, failed=failed, changes=changes, revision=revision,
    )


def latest_per_target(jobs: list[Job]) -> dict[str, Job]:
    """Each person's latest finished job: whether the bot reached them the last time it tried."""
    latest: dict[str, Job] = {}
    for job in jobs:
        if job.target == CHANNEL_TARGET or job.state not in (JobState.SENT, JobState.UNREACHABLE):
            continue
        kept = latest.get(job.target)
        if kept is None or (job.updated_at, job.id) > (kept.updated_at, kept.id):
            latest[job.target] = job
    return latest


def name_of(turn: Turn, target: str) -> Config | str:
    """A job's target as the card names it: the person's configured name, or the board's channel."""
    if target == CHANNEL_TARGET:
        return t("timeline.board_channel")
    person = find_person(turn.services.round, target)
    return Config(person.name if person is not None else target)


async def _moves(turn: Turn):
    round_ = turn.services.round
    return await turn.services.timetables.moves(round_.tenant_id, round_.id)


# Moving dates -------------------------------------------------------------------------------------


async def save_dates(turn: Turn, payload: TimelineSave) -> Reply:
    services, identity = turn.services, turn.identity
    round_ = services.round
    _, revision = await _moves(turn)
    outcome = decide(SaveDates(date_inputs(payload.inputs), payload.revision), round_, revision)
    match outcome:
        case DatesForm():
            return Reply(card=render(outcome, round_))
        case Unchanged():
            return Reply(card=await timeline_view(turn, (phrase("dates.unchanged"), "accent")))
        case Moved(moves=moves, revision=card_revision):
            try:
                await services.timetables.move(round_.tenant_id, round_.id, card_revision, moves,
                                               identity.aad_object_id, identity.name, turn.now)
            except StaleTimetable:
                current = await services.reminders.effective_round()
                latest = (await services.timetables.changes(round_.tenant_id, round_.id, limit=1) or [None])[0]
                stale = conflict(latest.revision if latest else 0, latest.by_name if latest else None,
                                 latest.at if latest else None)
                return Reply(card=render(stale, current))
            logger.info("timetable moved: round=%s phases=%s by=%s", round_.id,
                        ",".join(p.value for p in moves), identity.aad_object_id)
            await services.reminders.plan(turn.now)
            moved = Turn(turn.context, identity, replace(services, round=await services.reminders.effective_round()),
                         turn.now)
            return Reply(card=await timeline_view(moved, (phrase("dates.saved", count=len(moves)), "good")))
    raise TypeError(outcome)


# Reminding non-respondents now ----------------------------------------------------------------------


async def remind_preview(turn: Turn) -> Reply:
    services, now = turn.services, turn.now
    round_ = services.round
    refused = _not_open(round_, now)
    if refused:
        return Reply(card=message_card(round_, refused))
    responses = await services.responses.list_for_round(round_.tenant_id, round_.id)
    recipients = non_respondents(round_, responses)
    if not recipients:
        return Reply(card=message_card(round_, t("remind.nobody")))
    latest = latest_per_target(await services.reminders.jobs.list(round_.tenant_id, round_.id))
    lines = []
    for recipient in recipients:
        rep = recipient.representative
        last = latest.get(person_key(rep))
        unreachable = None
        if last is not None and last.state is JobState.UNREACHABLE:
            unreachable = last.reason or FailureReason.NOT_IN_TEAM
        lines.append(PreviewLine(rep.name, round_.organisation(rep.organisation).name, recipient.state, unreachable))
    return Reply(card=remind_preview_card(round_, lines, uuid.uuid4().hex))


async def send_reminder(turn: Turn, batch: str) -> Reply:
    services, now = turn.services, turn.now
    round_ = services.round
    refused = _not_open(round_, now)
    if refused:
        return Reply(card=message_card(round_, refused))
    responses = await services.responses.list_for_round(round_.tenant_id, round_.id)
    recipients = [r.representative for r in non_respondents(round_, responses)]
    if not recipients:
        return Reply(card=message_card(round_, t("remind.nobody")))
    added = await services.reminders.queue_manual(round_, batch, recipients, now)
    if added == 0:
        return Reply(card=message_card(round_, t("remind.already")))
    logger.info("manual reminder confirmed: round=%s batch=%s by=%s", round_.id, batch, turn.identity.aad_object_id)
    return Reply(card=message_card(round_, t("remind.queued", count=added), color="good"))


def _not_open(round_, now: datetime) -> str | None:
    if round_.survey_state(now) is SurveyWindow.OPEN:
        return None
    return t("remind.not_open", opens=format_datetime(round_.timetable.survey_opens),
             closes=format_datetime(round_.timetable.survey_closes))


# "Aloita kysely" on the channel announcement ----------------------------------------------------------


async def survey_from_announcement(turn: Turn) -> Reply:
    """A representative gets the survey in their 1:1 chat; the channel's card stays as it was."""
    services, identity = turn.services, turn.identity
    round_ = services.round
    unchanged = Reply(card=announcement_card(round_, ReminderId.SURVEY_OPEN, turn.now))
    if identity.representative is None:
        return unchanged
    from bot.routes import run_survey  # bot.routes registers this module's routes
    from dialogs.survey_flow import Open

    if turn.personal:
        return await run_survey(turn, Open())
    survey = await run_survey(turn, Open())
    sender = services.reminders.sender
    delivery = await sender.to_person(round_.tenant_id, identity.representative, survey.card, sender.roster(), turn.now)
    logger.info("survey sent to 1:1 from the announcement: outcome=%s reason=%s", delivery.outcome.value,
                delivery.reason)
    return unchanged
