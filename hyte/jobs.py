"""Reminder jobs in plain Python: their states, why one was skipped or did not arrive, and the
policy that decides, when a job is due, whether it is still wanted and what it is (`what_to_send`)
and what becomes of it after the sending (`after_delivery`).

Reasons are enums, stored as such in the job's `reason`; the connector's own words go beside them
(`last_error`, the log), never onto a card.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Iterable, Protocol

from hyte.reminders import CHANNEL_TARGET, Audience, PlannedJob, ReminderId, find_person, is_manual, spec_of
from hyte.round import Representative, Round, TeamMember


class JobState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    """Claimed by one instance, which holds it until `lease_until`."""
    SENT = "sent"
    SKIPPED = "skipped"
    """Not sent on purpose; `reason` (a SkipReason) says why."""
    FAILED = "failed"
    """Gave up after `MAX_ATTEMPTS`, or a failure no retry can fix; `reason` says why, `last_error`
    in the connector's words."""
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


class SkipReason(StrEnum):
    """Why a due reminder was not sent on purpose (stored in the job's `reason`, like FailureReason;
    the two never share a value)."""

    EXPIRED = "expired"
    """Its moment has passed (the phase it is about has begun)."""
    NOT_IN_PLAN = "not_in_plan"
    """The reminder is no longer one of the plan's."""
    DISABLED = "disabled"
    """The round file turned it off."""
    NOT_CONFIGURED = "not_configured"
    """Its target is no longer one of the round's people (or no longer a representative)."""
    SUBMITTED = "submitted"
    """The representative's organisation has submitted its response meanwhile."""


Reason = FailureReason | SkipReason


def reason_of(value: str | None) -> Reason | None:
    """A stored reason read back; an unknown value (a newer version's) is an error."""
    if not value:
        return None
    for kind in (FailureReason, SkipReason):
        try:
            return kind(value)
        except ValueError:
            pass
    return FailureReason.ERROR


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
    reason: Reason | None = None
    """Why a failed or unreachable job did not reach its target (as people are told), or why a
    skipped one was not sent."""
    claim: str | None = None
    sent_at: datetime | None = None
    updated_at: datetime | None = None
    lease_until: datetime | None = None
    """While `sending`: when the claim's lease runs out (then another run takes the job over)."""


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
                     reason: Reason | None = None, conversation_id: str | None = None,
                     activity_id: str | None = None) -> bool: ...

    async def retry_later(self, job: Job, at: datetime, retry_at: datetime, error: str) -> bool: ...

    async def list(self, tenant_id: str, round_id: str) -> list[Job]: ...


def latest_per_target(jobs: Iterable[Job]) -> dict[str, Job]:
    """Each person's latest finished job: whether the bot reached them the last time it tried."""
    latest: dict[str, Job] = {}
    for job in jobs:
        if job.target == CHANNEL_TARGET or job.state not in (JobState.SENT, JobState.UNREACHABLE):
            continue
        kept = latest.get(job.target)
        if kept is None or (job.updated_at, job.id) > (kept.updated_at, kept.id):
            latest[job.target] = job
    return latest


# What a due job becomes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Skip:
    reason: SkipReason


@dataclass(frozen=True)
class Announce:
    """A post in the board team's General channel."""

    reminder: ReminderId


@dataclass(frozen=True)
class Nudge:
    """A non-respondent reminder, 1:1, unless the organisation has submitted by now (`needs_reminder`)."""

    person: Representative


@dataclass(frozen=True)
class RemindTeam:
    """A HYTE team reminder, 1:1."""

    person: Representative | TeamMember
    reminder: ReminderId


def what_to_send(job: Job, round_: Round, now: datetime) -> Skip | Announce | Nudge | RemindTeam:
    """Whether a due job is still wanted at `now`, and what it is."""
    if job.expires_at is not None and now >= job.expires_at:
        return Skip(SkipReason.EXPIRED)
    spec = spec_of(job.reminder)
    if spec is None and not is_manual(job.reminder):
        return Skip(SkipReason.NOT_IN_PLAN)
    if spec is not None and not getattr(round_.config.reminders, spec.id.value).enabled:
        return Skip(SkipReason.DISABLED)
    if job.target == CHANNEL_TARGET:
        return Announce(ReminderId(job.reminder))
    person = find_person(round_, job.target)
    if person is None:
        return Skip(SkipReason.NOT_CONFIGURED)
    if job.audience is Audience.NON_RESPONDENTS:
        return Nudge(person) if isinstance(person, Representative) else Skip(SkipReason.NOT_CONFIGURED)
    return RemindTeam(person, ReminderId(job.reminder))


class DeliveryOutcome(StrEnum):
    SENT = "sent"
    UNREACHABLE = "unreachable"
    """Not in the board's team, or has blocked the bot (403): do not try this person again."""
    RETRY = "retry"
    """A passing failure (throttled beyond the retries, 5xx, no token, no board team yet): try again later."""
    FAILED = "failed"
    """A failure no retry can fix (400, 401, …)."""


@dataclass(frozen=True)
class Delivery:
    """What sending one message did (bot/transport/sender.py)."""

    outcome: DeliveryOutcome
    detail: str | None = None
    """What happened, in the connector's words (for the log)."""
    status: int | None = None
    """The connector's HTTP status when it refused."""
    conversation_id: str | None = None
    activity_id: str | None = None
    retries: int = 0
    retry_after: float | None = None
    """Seconds Teams asked to wait, when it asked for longer than the sender waits."""
    failure: FailureReason | None = None
    """Why it did not arrive, as people are told (none when sent)."""


@dataclass(frozen=True)
class Verdict:
    """A job's next state: finished (with its reason and detail) or pending again until `retry_at`."""

    state: JobState
    reason: Reason | None = None
    detail: str | None = None
    retry_at: datetime | None = None


def after_delivery(job: Job, delivery: Delivery, now: datetime) -> Verdict:
    match delivery.outcome:
        case DeliveryOutcome.SENT:
            note = f"delivered after {delivery.retries} retries" if delivery.retries else None
            return Verdict(JobState.SENT, None, note)
        case DeliveryOutcome.UNREACHABLE:
            return Verdict(JobState.UNREACHABLE, delivery.failure or FailureReason.NOT_IN_TEAM,
                           delivery.detail or "unreachable")
        case DeliveryOutcome.FAILED:
            return Verdict(JobState.FAILED, delivery.failure or FailureReason.REFUSED, delivery.detail or "failed")
        case DeliveryOutcome.RETRY:
            return after_failure(job, now, delivery.detail or "retry", delivery.failure or FailureReason.UNAVAILABLE,
                                 delivery.retry_after)
    raise ValueError(delivery.outcome)


def after_failure(job: Job, now: datetime, detail: str, reason: FailureReason,
                  retry_after: float | None = None) -> Verdict:
    """A passing failure: try again later (`retry_delay`, or longer if Teams asked), or give up
    after MAX_ATTEMPTS."""
    if job.attempts >= MAX_ATTEMPTS:
        return Verdict(JobState.FAILED, reason, f"gave up after {job.attempts} attempts: {detail}")
    delay = retry_delay(job.attempts)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return Verdict(JobState.PENDING, reason, detail, now + delay)
