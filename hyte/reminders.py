"""The round's timetable as people see it, moved dates, and the reminder plan, in plain Python.

Every reminder of the plan counts from one phase of the timetable (`SPECS`); the round file's
`reminders:` section (`hyte.round.RemindersConfig`) sets how many days from that phase's date and
at which local Europe/Helsinki time, with defaults. `plan()` turns the round and its effective
timetable (configured dates with the HYTE team's moves applied) into jobs: one per reminder and
target, each with its due time (UTC, computed from the local wall-clock time of that day, so that
09.00 stays 09.00 across the March and October changes) and the time after which sending it is
pointless (a survey-closing reminder after the close).

Whether a representative still needs a reminder is decided when the job is sent (`needs_reminder`),
not when it is planned: organisations submit in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Iterable, Mapping, Protocol

from hyte.responses import Response, ResponseState
from hyte.round import (
    HELSINKI,
    Phase,
    ReminderRule,
    Representative,
    Round,
    TeamMember,
    Timetable,
)


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


# Local times --------------------------------------------------------------------------------------


def helsinki_instant(day: date, clock: time) -> datetime:
    """The UTC instant of a Helsinki wall-clock time on a day. The offset is that day's (EET in
    winter, EEST in summer). A time that does not exist (the spring-forward hour, 03.00–04.00 on
    the last Sunday of March) comes out an hour later; a repeated one (October) is its first."""
    return datetime.combine(day, clock.replace(tzinfo=None), HELSINKI).astimezone(UTC)


def due_time(phase_at: datetime, rule: ReminderRule) -> datetime:
    """When a reminder counted from `phase_at` is due: `rule.days` days from the phase's local date,
    at `rule.at` local time (or the phase's own time of day)."""
    local = phase_at.astimezone(HELSINKI)
    clock = rule.at if rule.at is not None else local.time()
    return helsinki_instant(local.date() + timedelta(days=rule.days), clock)


def local_days_between(earlier: datetime, later: datetime) -> int:
    """Calendar days in Helsinki from one instant to another (tomorrow is 1, whatever the hour)."""
    return (later.astimezone(HELSINKI).date() - earlier.astimezone(HELSINKI).date()).days


# The plan -----------------------------------------------------------------------------------------


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


# The timetable as people see it -------------------------------------------------------------------


class PhaseState(StrEnum):
    DONE = "done"
    CURRENT = "current"
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class PhaseRow:
    phase: Phase
    at: datetime
    state: PhaseState


def phase_rows(timetable: Timetable, now: datetime) -> list[PhaseRow]:
    """Every phase with its date: passed ones are done, the latest passed is current (until the
    next begins), later ones upcoming. After the last phase the round is over: all done."""
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


def current_phase(timetable: Timetable, now: datetime) -> Phase | None:
    """The phase the round is in, None before the first (preparation) and after the last (over)."""
    phases = list(Phase)
    if now >= timetable.at(phases[-1]):
        return None
    passed = [p for p in phases if timetable.at(p) <= now]
    return passed[-1] if passed else None


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
        return Stage.PREPARATION if now < timetable.at(Phase.MATERIAL_REVIEW) else Stage.OVER
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


# Jobs ---------------------------------------------------------------------------------------------


class JobState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    """Claimed by one instance, which holds it until `lease_until`."""
    SENT = "sent"
    SKIPPED = "skipped"
    """Not sent on purpose: the organisation had answered, the moment had passed, or the reminder
    left the plan. `last_error` says which."""
    FAILED = "failed"
    """Gave up after `MAX_ATTEMPTS`, or a failure no retry can fix; `last_error` says why."""
    UNREACHABLE = "unreachable"
    """The person cannot be reached (not in the board's team, or has blocked the bot)."""


class FailureReason(StrEnum):
    """Why a reminder did not reach its target, as the HYTE team is told (catalogue "reach.<value>").
    The connector's own words stay in the log and in `Job.last_error`, never on a card."""

    NOT_IN_TEAM = "not_in_team"
    """Not a member of the board's team, and no conversation with the bot to write into."""
    BLOCKED = "blocked"
    """Teams refused with 403: the person blocked or removed the bot."""
    NO_BOARD_TEAM = "no_board_team"
    """The bot is not in the board's team yet, so it cannot reach anyone through it."""
    REFUSED = "refused"
    """Teams refused the message for good (a 4xx no retry fixes)."""
    UNAVAILABLE = "unavailable"
    """Teams kept failing (throttling, 5xx) until the attempts ran out."""
    ERROR = "error"
    """The bot itself failed while sending."""


FINAL_STATES = frozenset({JobState.SENT, JobState.SKIPPED, JobState.FAILED, JobState.UNREACHABLE})
MAX_ATTEMPTS = 6
LEASE = timedelta(minutes=10)
"""How long a claimed job is held before another instance may take it over (a crashed sender)."""


def retry_delay(attempts: int) -> timedelta:
    """The wait before a job that failed `attempts` times is tried again: 1, 5, 15, 60, 180 min."""
    steps = (1, 5, 15, 60, 180)
    return timedelta(minutes=steps[min(max(attempts, 1), len(steps)) - 1])


@dataclass(frozen=True)
class Job:
    id: int
    tenant_id: str
    round_id: str
    reminder: str
    audience: Audience
    target: str
    organisation_id: str | None
    due_at: datetime
    expires_at: datetime | None
    state: JobState
    attempts: int
    last_error: str | None = None
    """What went wrong, in the connector's or the code's words: for the log and the operator."""
    reason: FailureReason | None = None
    """Why a failed or unreachable job did not reach its target, as people are told."""
    claim: str | None = None
    sent_at: datetime | None = None
    updated_at: datetime | None = None


class JobRepository(Protocol):
    async def schedule(self, tenant_id: str, round_id: str, jobs: list[PlannedJob], at: datetime) -> int:
        """Add missing jobs; move pending ones to their planned times; leave finished ones."""
        ...

    async def add(self, tenant_id: str, round_id: str, jobs: list[PlannedJob], at: datetime) -> int:
        """Add the jobs that do not exist yet; return how many were added."""
        ...

    async def claim(self, tenant_id: str, round_id: str, now: datetime, claim: str, lease_until: datetime) -> Job | None:
        """Take one due job (or one whose lease ran out) for `claim`, atomically."""
        ...

    async def finish(self, job: Job, state: JobState, at: datetime, *, error: str | None = None,
                     reason: FailureReason | None = None, conversation_id: str | None = None,
                     activity_id: str | None = None) -> bool: ...

    async def retry_later(self, job: Job, at: datetime, retry_at: datetime, error: str) -> bool: ...

    async def list(self, tenant_id: str, round_id: str) -> list[Job]: ...

    async def next_due(self, tenant_id: str, round_id: str) -> datetime | None: ...
