"""Reminders in Teams, beside the planned ones the scheduler sends (bot/services/scheduler.py):

- `muistuta` (HYTE team): who would get the non-respondent reminder, then a confirmation; the
  confirmed batch is queued as jobs (a second press of the same card queues nothing).
- "Aloita kysely" on the board channel's announcement opens the survey in the presser's 1:1 chat;
  the announcement itself stays as it was.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.connector import Proactive
from bot.identity import Identity
from bot.router import HYTE_TEAM, Routes
from bot.turn import Reply, Turn
from cards.catalogue import format_datetime, t
from cards.payloads import RemindCancel, ReminderSurvey, RemindPreview, RemindSend
from cards.timeline import PreviewLine, announcement_card, message_card, remind_preview_card
from hyte.jobs import FailureReason, JobRepository, JobState, latest_per_target
from hyte.reminders import ReminderId, non_respondents, person_key
from hyte.responses import ResponseRepository
from hyte.round import Representative, Round, SurveyWindow

logger = logging.getLogger(__name__)


class ManualReminders(Protocol):
    async def queue_manual(self, round_: Round, batch: str, recipients: list[Representative], now: datetime) -> int:
        """Queue a confirmed `muistuta` batch, due now; how many jobs are new."""
        ...


class SurveyCards(Protocol):
    async def open(self, person: Identity, round_: Round, now: datetime) -> dict[str, Any]:
        """The survey card as `kysely` opens it for this representative."""
        ...


@dataclass(frozen=True)
class ReminderServices:
    responses: ResponseRepository
    jobs: JobRepository
    reminders: ManualReminders
    sender: Proactive
    survey: SurveyCards


routes = Routes("reminders", ReminderServices)


@routes.command("muistuta", "muistuta vastaamattomia", swedish=("påminn", "paminn"), english=("remind",),
                description="command.remind",
                access=HYTE_TEAM)
async def remind(turn: Turn[ReminderServices]) -> Reply:
    return await remind_preview(turn)


@routes.action(RemindPreview, access=HYTE_TEAM)
async def remind_again(turn: Turn[ReminderServices], payload: RemindPreview) -> Reply:
    return await remind_preview(turn)


@routes.action(RemindSend, access=HYTE_TEAM)
async def remind_send(turn: Turn[ReminderServices], payload: RemindSend) -> Reply:
    services, now, round_ = turn.services, turn.now, turn.round
    refused = _not_open(round_, now)
    if refused:
        return Reply(card=message_card(round_, refused))
    responses = await services.responses.list_for_round(round_.tenant_id, round_.id)
    recipients = [r.representative for r in non_respondents(round_, responses)]
    if not recipients:
        return Reply(card=message_card(round_, t("remind.nobody")))
    added = await services.reminders.queue_manual(round_, payload.batch, recipients, now)
    if added == 0:
        return Reply(card=message_card(round_, t("remind.already")))
    logger.info("manual reminder confirmed: round=%s batch=%s by=%s", round_.id, payload.batch,
                turn.person.aad_object_id)
    return Reply(card=message_card(round_, t("remind.queued", count=added), color="good"))


@routes.action(RemindCancel, access=HYTE_TEAM)
async def remind_cancel(turn: Turn[ReminderServices], payload: RemindCancel) -> Reply:
    return Reply(card=message_card(turn.round, t("remind.cancelled")))


async def remind_preview(turn: Turn[ReminderServices]) -> Reply:
    services, now, round_ = turn.services, turn.now, turn.round
    refused = _not_open(round_, now)
    if refused:
        return Reply(card=message_card(round_, refused))
    responses = await services.responses.list_for_round(round_.tenant_id, round_.id)
    recipients = non_respondents(round_, responses)
    if not recipients:
        return Reply(card=message_card(round_, t("remind.nobody")))
    latest = latest_per_target(await services.jobs.list(round_.tenant_id, round_.id))
    lines = []
    for recipient in recipients:
        rep = recipient.representative
        last = latest.get(person_key(rep))
        unreachable = None
        if last is not None and last.state is JobState.UNREACHABLE:
            unreachable = last.reason if isinstance(last.reason, FailureReason) else FailureReason.NOT_IN_TEAM
        lines.append(PreviewLine(rep.name, round_.organisation(rep.organisation).name, recipient.state, unreachable))
    return Reply(card=remind_preview_card(round_, lines, uuid.uuid4().hex))


def _not_open(round_: Round, now: datetime) -> str | None:
    if round_.survey_state(now) is SurveyWindow.OPEN:
        return None
    return t("remind.not_open", opens=format_datetime(round_.timetable.survey_opens),
             closes=format_datetime(round_.timetable.survey_closes))


# "Aloita kysely" on the channel announcement ----------------------------------------------------------


@routes.action(ReminderSurvey)
async def survey_from_announcement(turn: Turn[ReminderServices], payload: ReminderSurvey) -> Reply:
    """A representative gets the survey in their 1:1 chat; the channel's card stays as it was."""
    services, person, round_ = turn.services, turn.person, turn.round
    unchanged = Reply(card=announcement_card(round_, ReminderId.SURVEY_OPEN, turn.now))
    if person.representative is None:
        return unchanged
    survey = await services.survey.open(person, round_, turn.now)
    if turn.personal:
        return Reply(card=survey)
    sender = services.sender
    delivery = await sender.to_person(round_.tenant_id, person.representative, survey, sender.roster(), turn.now)
    logger.info("survey sent to 1:1 from the announcement: outcome=%s detail=%s", delivery.outcome.value,
                delivery.detail)
    return unchanged
