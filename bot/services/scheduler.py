"""The reminder scheduler: plans the round's reminders into the database and sends the due ones.

Nothing is kept in memory between runs. `plan` writes one job per (round, reminder, target) from
the effective timetable (re-run at start and whenever the HYTE team moves a date: pending jobs
follow the new dates, sent ones stay sent). `run_due(now)` claims due jobs one at a time from the
shared queue (`storage.reminders.SqlJobRepository.claim`: `FOR UPDATE SKIP LOCKED` on PostgreSQL),
decides at that moment whether the reminder is still wanted (hyte/jobs.py `what_to_send`: the
moment has not passed, the reminder is still in the plan and enabled, its target still one of the
round's people, the organisation has not submitted), sends it through the proactive sender
(bot/transport/sender.py), and records what hyte/jobs.py `after_delivery` makes of the result:
sent, skipped, unreachable or failed (each with its typed reason), or back to pending with a later
retry time. Several instances may run it at once against one PostgreSQL database; each job is sent
by one of them.

Every county's current round is planned and run; each round's due jobs have workers of their own
(`concurrency` shared out between the rounds, at least one each), so that a county's reminders
never wait for another county's: Teams' limits are per tenant, and so is the limiter every send
waits for (bot/transport/outbound.py). Sharing them out keeps the instance's own turns answered:
with a worker pool per round, 22 counties' 176 workers took the database's connections from the
turns (`bench.national`).

The background task (`start`/`stop`, from the app's cleanup_ctx) runs `run_due` every
`poll_seconds` on the injected clock; tests call `run_due` with a fake clock instead.

No send holds another: a job's delivery is given `send_timeout` seconds at most (then it is tried
again later, as after any passing failure), and a run still waiting for a slow send does not keep
the next one from starting: when woken (a confirmed `muistuta`) or at the next poll a new run
starts beside it (at most `MAX_RUNS` at once), claiming only jobs no run holds. Before, one Teams
call hanging for 25 s held back a `muistuta`'s 22 reminders until it returned.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from bot import logs
from bot.connector import Proactive, Roster
from bot.rounds import Rounds
from cards.language import in_languages
from cards.timeline import announcement_card, nudge_card, team_reminder_card
from hyte.clock import Clock
from hyte.languages import LanguageChoices
from hyte.jobs import (
    LEASE, Announce, FailureReason, Job, JobRepository, JobState, Nudge, RemindTeam, Skip, SkipReason, Verdict,
    after_delivery, after_failure, what_to_send,
)
from hyte.reminders import SUBMITTED_STATES, manual_jobs, needs_reminder, plan
from hyte.responses import ResponseKey, ResponseRepository
from hyte.round import Representative, Round

logger = logging.getLogger(__name__)

SEND_TIMEOUT = 60.0
"""The most a job's delivery may take (retries included): then a passing failure, tried later."""
MAX_RUNS = 3
"""Runs at once: a new one starts beside runs still waiting for slow sends."""


@dataclass
class RunReport:
    outcomes: Counter = field(default_factory=Counter)
    """JobState value -> how many jobs ended this run in it (pending: to be retried)."""
    jobs: list[tuple[int, str]] = field(default_factory=list)

    def add(self, job: Job, state: JobState) -> None:
        self.outcomes[state.value] += 1
        self.jobs.append((job.id, state.value))


class Scheduler:
    def __init__(
        self, *, rounds: Rounds, jobs: JobRepository, responses: ResponseRepository, sender: Proactive,
        clock: Clock, poll_seconds: float = 30.0, concurrency: int = 8, languages: LanguageChoices | None = None,
        send_timeout: float = SEND_TIMEOUT,
    ) -> None:
        self._rounds = rounds
        self._languages = languages
        self.jobs = jobs
        self._responses = responses
        self.sender = sender
        self._clock = clock
        self.poll_seconds = poll_seconds
        self.concurrency = concurrency
        self.send_timeout = send_timeout
        self._runs: set[asyncio.Task] = set()
        self._task: asyncio.Task | None = None
        self._wake = asyncio.Event()
        self._stopping = False

    @property
    def round(self) -> Round:
        """The first county's current round, as configured (a one-file folder's only round)."""
        return self._rounds.configured

    async def current_rounds(self) -> list[Round]:
        """Every county's current round, with its moved dates."""
        return [await self._rounds.effective(r) for r in self._rounds.catalogue.current_rounds()]

    # Planning -----------------------------------------------------------------------------------

    async def plan(self, now: datetime | None = None, round_: Round | None = None) -> int:
        """Write the plan of `round_`, or of every county's current round, with the dates as moved
        now: missing jobs are added, pending ones move to their due times."""
        now = now or self._clock.now()
        planned_jobs = 0
        rounds = [await self._rounds.find(round_.tenant_id, round_.id) or round_] if round_ is not None \
            else await self.current_rounds()
        for current in rounds:
            planned = plan(current, current.timetable)
            await self.jobs.schedule(current.tenant_id, current.id, planned, now)
            logger.info("reminders planned: round=%s jobs=%d", current.id, len(planned))
            planned_jobs += len(planned)
        return planned_jobs

    async def queue_manual(self, round_: Round, batch: str, recipients: list[Representative], now: datetime) -> int:
        """A confirmed `muistuta`: one job per recipient, due now. Returns how many are new."""
        added = await self.jobs.add(round_.tenant_id, round_.id,
                                    manual_jobs(round_, round_.timetable, batch, recipients, now), now)
        logger.info("manual reminder queued: round=%s batch=%s jobs=%d", round_.id, batch, added)
        self.wake()
        return added

    # Sending ------------------------------------------------------------------------------------

    async def run_due(self, now: datetime | None = None) -> RunReport:
        """Send every job due at `now` of every county's current round, the rounds side by side."""
        now = now or self._clock.now()
        report = RunReport()
        rounds = await self.current_rounds()
        workers = max(1, self.concurrency // max(1, len(rounds)))
        for part in await asyncio.gather(*(self._run_round(r, now, workers) for r in rounds)):
            report.outcomes.update(part.outcomes)
            report.jobs += part.jobs
        return report

    async def _run_round(self, round_: Round, now: datetime, workers: int) -> RunReport:
        """Send the round's due jobs (claimed one at a time by `workers` of its own)."""
        logs.current_round.set(round_.id)  # this task's log lines name the round
        run = _Run(round_, now, self.sender.roster())
        report = RunReport()

        async def worker() -> None:
            while not self._stopping:
                job = await self.jobs.claim(round_.tenant_id, round_.id, now, uuid.uuid4().hex, now + LEASE)
                if job is None:
                    return
                try:
                    async with asyncio.timeout(self.send_timeout):
                        verdict = await self._process(job, run)
                except TimeoutError:
                    logger.warning("reminder job timed out: job=%d reminder=%s after %.0f s",
                                   job.id, job.reminder, self.send_timeout)
                    verdict = after_failure(job, now, f"no answer in {self.send_timeout:.0f} s", FailureReason.UNAVAILABLE)
                    await self._record(job, verdict, now)
                except Exception as exc:  # noqa: BLE001 - recorded on the job, never lost
                    logger.exception("reminder job failed: job=%d reminder=%s", job.id, job.reminder)
                    verdict = after_failure(job, now, f"error: {type(exc).__name__}", FailureReason.ERROR)
                    await self._record(job, verdict, now)
                report.add(job, verdict.state)

        await asyncio.gather(*(worker() for _ in range(workers)))
        if report.jobs:
            logger.info("reminders run: round=%s %s", round_.id,
                        " ".join(f"{k}={v}" for k, v in sorted(report.outcomes.items())))
        return report

    async def _languages_of(self, round_: Round, aad_object_id: str | None) -> tuple[str, ...]:
        """The languages of a reminder to one person: the one they chose with `kieli` / `språk`,
        else every language the round offers, one after the other (their Teams client's locale is
        not known outside a turn)."""
        if len(round_.languages) > 1 and self._languages is not None and aad_object_id:
            chosen = await self._languages.chosen(round_.tenant_id, aad_object_id)
            if chosen in round_.languages:
                return (chosen,)
        return round_.languages

    async def _process(self, job: Job, run: _Run) -> Verdict:
        round_, now = run.round, run.now
        match what_to_send(job, round_, now):
            case Skip(reason=reason):
                return await self._record(job, Verdict(JobState.SKIPPED, reason), now)
            case Announce(reminder=reminder):
                submitted, total = await run.counts(self._responses)
                card = in_languages(round_.languages, lambda code: announcement_card(
                    round_.in_language(code), reminder, now, submitted=submitted, total=total))
                delivery = await self.sender.to_channel(round_.tenant_id, card)
            case Nudge(person=person):
                response = await self._responses.get(ResponseKey(round_.tenant_id, round_.id, person.organisation))
                if not needs_reminder(response):
                    return await self._record(job, Verdict(JobState.SKIPPED, SkipReason.SUBMITTED), now)
                card = in_languages(await self._languages_of(round_, person.aad_object_id), lambda code: nudge_card(
                    round_.in_language(code), round_.organisation(person.organisation), response, now))
                delivery = await self.sender.to_person(round_.tenant_id, person, card, run.roster, now)
            case RemindTeam(person=person, reminder=reminder):
                card = in_languages(await self._languages_of(round_, person.aad_object_id),
                                    lambda code: team_reminder_card(round_.in_language(code), reminder, now))
                delivery = await self.sender.to_person(round_.tenant_id, person, card, run.roster, now)
        verdict = after_delivery(job, delivery, now)
        return await self._record(job, verdict, now, delivery.conversation_id, delivery.activity_id)

    async def _record(self, job: Job, verdict: Verdict, now: datetime, conversation_id: str | None = None,
                      activity_id: str | None = None) -> Verdict:
        if verdict.state is JobState.PENDING:
            assert verdict.retry_at is not None
            await self.jobs.retry_later(job, now, verdict.retry_at, verdict.detail or "")
            return verdict
        if verdict.state in (JobState.FAILED, JobState.UNREACHABLE):
            logger.warning("reminder not delivered: job=%d reminder=%s state=%s reason=%s detail=%s",
                           job.id, job.reminder, verdict.state.value, verdict.reason, verdict.detail)
        kept = await self.jobs.finish(job, verdict.state, now, error=verdict.detail, reason=verdict.reason,
                                      conversation_id=conversation_id, activity_id=activity_id)
        if not kept:
            logger.warning("reminder job claim lost: job=%d", job.id)
        return verdict

    # The background task --------------------------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Run due jobs every `poll_seconds` (or when woken) until `stop`."""
        self._stopping = False
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._loop(), name="reminder-scheduler")

    async def stop(self, timeout: float = 20.0) -> None:
        """Let the current run finish its jobs in hand (claiming no more), then end."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - shutting down
                pass
        self._task = None

    async def _loop(self) -> None:
        """Every `poll_seconds` (the first time one interval after start, so that a starting
        instance first serves its turns), or at once when woken: send what is due."""
        logger.info("reminder scheduler started: rounds=%s poll=%.1fs",
                    ",".join(r.id for r in self._rounds.catalogue.current_rounds()), self.poll_seconds)
        while not self._stopping:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()
            if self._stopping:
                break
            if len(self._runs) >= MAX_RUNS:
                logger.warning("reminder run not started: %d runs still sending", len(self._runs))
                continue
            run = asyncio.create_task(self._one_run(), name="reminder-run")
            self._runs.add(run)
            run.add_done_callback(self._runs.discard)
        if self._runs:  # the runs in hand finish their jobs in hand (claiming no more)
            await asyncio.gather(*list(self._runs), return_exceptions=True)
        logger.info("reminder scheduler stopped")

    async def _one_run(self) -> None:
        try:
            await self.run_due(self._clock.now())
        except Exception:  # noqa: BLE001 - the next poll tries again
            logger.exception("reminder run failed")


class _Run:
    """What one run shares between its workers: the effective round, its time, the roster cache,
    and the response counts for announcements (read once)."""

    def __init__(self, round_: Round, now: datetime, roster: Roster) -> None:
        self.round = round_
        self.now = now
        self.roster = roster
        self._counts: tuple[int, int] | None = None
        self._lock = asyncio.Lock()

    async def counts(self, responses: ResponseRepository) -> tuple[int, int]:
        async with self._lock:
            if self._counts is None:
                listed = await responses.list_for_round(self.round.tenant_id, self.round.id)
                submitted = sum(1 for r in listed if r.state in SUBMITTED_STATES)
                self._counts = (submitted, len(self.round.config.organisations))
            return self._counts
