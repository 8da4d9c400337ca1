"""The reminder plan, in plain Python.

Every reminder of the plan counts from one phase of the timetable (`SPECS`); the round file's
`reminders:` section (`hyte.round.RemindersConfig`) sets how many days from that phase's date and
at which local Europe/Helsinki time, with defaults. `plan()` turns the round and its effective
timetable (configured dates with the HYTE team's moves applied) into jobs: one per reminder and
target, each with its due time (UTC, computed from the local wall-clock time of that day, so that
09.00 stays 09.00 across the March and October changes) and the time after which sending it is
pointless (a survey-closing reminder after the close).

Whether a representative still needs a reminder is decided when the job is due (hyte/jobs.py,
`needs_reminder`), not when it is planned: organisations submit in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Iterable

from hyte.clock import HELSINKI, helsinki_instant
from hyte.responses import Response, ResponseState
from hyte.round import Phase, ReminderRule, Representative, Round, TeamMember, Timetable


class ReminderId(StrEnum):
    """The planned reminders; each is a field of the round file's `reminders:` section."""

    REVIEW_MEETING_AHEAD = "review_meeting_ahead"
    SURVEY_OPEN = "survey_open"
    SURVEY_CLOSING = "survey_closing"
    MEETING_TOMORROW = "meeting_tomorrow"
    SURVEY_SUMMARY_READY = "survey_summary_ready"
    NONRESPONDENTS_EARLY = "nonrespondents_early"
    NONRESPONDENTS_LAST_DAY = "nonrespondents_last_day"
    TEAM_FINISH_SUMMARY = "team_finish_summary"
    TEAM_SUMMARY_DUE = "team_summary_due"
    TEAM_RESULTS_DUE = "team_results_due"


class Audience(StrEnum):
    BOARD_CHANNEL = "board_channel"
    """The General channel of the advisory board's team."""
    NON_RESPONDENTS = "non_respondents"
    """1:1, each representative of an organisation that has not submitted its response."""
    HYTE_TEAM = "hyte_team"
    """1:1, each member of the HYTE team."""


@dataclass(frozen=True)
class ReminderSpec:
    id: ReminderId
    audience: Audience
    phase: Phase
    """The phase whose date the reminder counts from."""
    relevant_until: Phase
    """At this phase's time the reminder is pointless: a job not sent by then is skipped."""


SPECS: dict[ReminderId, ReminderSpec] = {
    spec.id: spec
    for spec in (
        ReminderSpec(ReminderId.REVIEW_MEETING_AHEAD, Audience.BOARD_CHANNEL, Phase.MATERIAL_REVIEW, Phase.MATERIAL_REVIEW),
        ReminderSpec(ReminderId.SURVEY_OPEN, Audience.BOARD_CHANNEL, Phase.SURVEY_OPENS, Phase.SURVEY_CLOSES),
        ReminderSpec(ReminderId.SURVEY_CLOSING, Audience.BOARD_CHANNEL, Phase.SURVEY_CLOSES, Phase.SURVEY_CLOSES),
        ReminderSpec(ReminderId.MEETING_TOMORROW, Audience.BOARD_CHANNEL, Phase.NEGOTIATION_MEETING, Phase.NEGOTIATION_MEETING),
        ReminderSpec(ReminderId.SURVEY_SUMMARY_READY, Audience.BOARD_CHANNEL, Phase.SURVEY_CLOSES, Phase.NEGOTIATION_MEETING),
        ReminderSpec(ReminderId.NONRESPONDENTS_EARLY, Audience.NON_RESPONDENTS, Phase.SURVEY_CLOSES, Phase.SURVEY_CLOSES),
        ReminderSpec(ReminderId.NONRESPONDENTS_LAST_DAY, Audience.NON_RESPONDENTS, Phase.SURVEY_CLOSES, Phase.SURVEY_CLOSES),
        ReminderSpec(ReminderId.TEAM_FINISH_SUMMARY, Audience.HYTE_TEAM, Phase.NEGOTIATION_MEETING, Phase.SUMMARY_TO_GOVERNMENT),
        ReminderSpec(ReminderId.TEAM_SUMMARY_DUE, Audience.HYTE_TEAM, Phase.SUMMARY_TO_GOVERNMENT, Phase.SUMMARY_TO_GOVERNMENT),
        ReminderSpec(ReminderId.TEAM_RESULTS_DUE, Audience.HYTE_TEAM, Phase.RESULTS_INTO_PLAN, Phase.RESULTS_INTO_PLAN),
    )
}

MANUAL_PREFIX = "manual-"
"""Reminder ids of `muistuta` batches: "manual-<batch>"."""
CHANNEL_TARGET = "channel"

SUBMITTED_STATES = frozenset({ResponseState.SUBMITTED, ResponseState.SUBMITTED_WITH_CHANGES})
"""An organisation in one of these has answered; its representatives get no reminder."""


# The plan -----------------------------------------------------------------------------------------


def due_time(phase_at: datetime, rule: ReminderRule) -> datetime:
    """When a reminder counted from `phase_at` is due: `rule.days` days from the phase's local date,
    at `rule.at` local time (or the phase's own time of day)."""
    local = phase_at.astimezone(HELSINKI)
    clock = rule.at if rule.at is not None else local.time()
    return helsinki_instant(local.date() + timedelta(days=rule.days), clock)


def person_key(person: Representative | TeamMember) -> str:
    """A configured person's stable target key: the Entra object id, else the UPN."""
    if person.aad_object_id:
        return f"aad:{person.aad_object_id.lower()}"
    return f"upn:{(person.upn or '').lower()}"


def find_person(round_: Round, key: str) -> Representative | TeamMember | None:
    for person in (*round_.config.representatives, *round_.config.hyte_team):
        if person_key(person) == key:
            return person
    return None


@dataclass(frozen=True)
class PlannedJob:
    reminder: str
    audience: Audience
    target: str
    """`channel`, or a person's key (`aad:…` / `upn:…`)."""
    organisation_id: str | None
    due_at: datetime
    expires_at: datetime | None


def plan(round_: Round, timetable: Timetable) -> list[PlannedJob]:
    """Every enabled reminder of the round, for every target, with its due and expiry times."""
    jobs: list[PlannedJob] = []
    for spec in SPECS.values():
        rule: ReminderRule = getattr(round_.config.reminders, spec.id.value)
        if not rule.enabled:
            continue
        due = due_time(timetable.at(spec.phase), rule)
        expires = timetable.at(spec.relevant_until).astimezone(UTC)
        for target, organisation in _targets(round_, spec.audience):
            jobs.append(PlannedJob(spec.id.value, spec.audience, target, organisation, due, expires))
    return jobs


def _targets(round_: Round, audience: Audience) -> list[tuple[str, str | None]]:
    match audience:
        case Audience.BOARD_CHANNEL:
            return [(CHANNEL_TARGET, None)]
        case Audience.NON_RESPONDENTS:
            return [(person_key(rep), rep.organisation) for rep in round_.config.representatives]
        case Audience.HYTE_TEAM:
            return [(person_key(member), None) for member in round_.config.hyte_team]
    raise ValueError(audience)


def manual_jobs(
    round_: Round, timetable: Timetable, batch: str, recipients: Iterable[Representative], now: datetime
) -> list[PlannedJob]:
    """The HYTE team's `muistuta`, confirmed: due now, pointless after the survey closes."""
    closes = timetable.survey_closes.astimezone(UTC)
    return [
        PlannedJob(f"{MANUAL_PREFIX}{batch}", Audience.NON_RESPONDENTS, person_key(rep), rep.organisation,
                   now.astimezone(UTC), closes)
        for rep in recipients
    ]


def spec_of(reminder: str) -> ReminderSpec | None:
    try:
        return SPECS[ReminderId(reminder)]
    except ValueError:
        return None


def is_manual(reminder: str) -> bool:
    return reminder.startswith(MANUAL_PREFIX)


# Who still needs a reminder -----------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    representative: Representative
    state: ResponseState
    response: Response | None


def non_respondents(round_: Round, responses: Iterable[Response]) -> list[Recipient]:
    """The representatives of organisations that have not submitted, in the configuration's order."""
    by_organisation = {r.key.organisation_id: r for r in responses}
    recipients = []
    for rep in round_.config.representatives:
        response = by_organisation.get(rep.organisation)
        state = response.state if response is not None else ResponseState.NOT_STARTED
        if state not in SUBMITTED_STATES:
            recipients.append(Recipient(rep, state, response))
    return recipients


def needs_reminder(response: Response | None) -> bool:
    return response is None or response.state not in SUBMITTED_STATES
