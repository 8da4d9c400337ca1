"""The reminder jobs and the moved dates on SQLite and PostgreSQL: planning is idempotent and moves
pending jobs only, a due job is claimed by one claimer (concurrent claimers, and on PostgreSQL two
engines, take different jobs), a dead holder's lease is taken over and its late result ignored,
and a timetable change made from a stale card is refused."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from hyte.jobs import JobState, SkipReason
from hyte.reminders import Audience, PlannedJob
from hyte.timetable import StaleTimetable
from hyte.round import Phase
from storage.db import Database, migrate
from storage.reminders import SqlJobRepository, SqlPeopleDirectory, SqlTimetableRepository
from storage.repositories import SqlConversationRepository

T0 = datetime(2024, 3, 31, 6, 0, tzinfo=UTC)
TENANT, ROUND = "tenant-1", "round-1"
LEASE = timedelta(minutes=10)


def planned(reminder: str, target: str, due: datetime = T0, expires: datetime | None = None) -> PlannedJob:
    return PlannedJob(reminder, Audience.NON_RESPONDENTS, target, "kuopio", due, expires or due + timedelta(days=3))


@pytest.fixture
def jobs(database) -> SqlJobRepository:
    return SqlJobRepository(database)


async def test_planning_twice_adds_nothing_and_moves_only_pending_jobs(jobs):
    plan = [planned("early", f"aad:{n}") for n in range(3)]
    await jobs.schedule(TENANT, ROUND, plan, T0)
    await jobs.schedule(TENANT, ROUND, plan, T0)
    assert len(await jobs.list(TENANT, ROUND)) == 3
    first = await jobs.claim(TENANT, ROUND, T0, "c1", T0 + LEASE)
    await jobs.finish(first, JobState.SENT, T0, conversation_id="a:1", activity_id="1:x")

    later = T0 + timedelta(days=2)
    await jobs.schedule(TENANT, ROUND, [planned("early", f"aad:{n}", later) for n in range(3)], T0)
    listed = {j.target: j for j in await jobs.list(TENANT, ROUND)}
    assert listed[first.target].due_at == T0 and listed[first.target].state is JobState.SENT
    assert {j.due_at for t, j in listed.items() if t != first.target} == {later}
    assert listed[first.target].sent_at == T0 and listed[first.target].due_at.tzinfo is not None


async def test_due_jobs_are_claimed_earliest_first_one_claimer_each(jobs):
    await jobs.schedule(TENANT, ROUND, [planned("late", "aad:1", T0 + timedelta(hours=1)), planned("early", "aad:1")], T0)
    assert (await jobs.claim(TENANT, ROUND, T0 - timedelta(seconds=1), "c0", T0 + LEASE)) is None  # nothing due yet
    now = T0 + timedelta(hours=2)
    first = await jobs.claim(TENANT, ROUND, now, "c1", now + LEASE)
    second = await jobs.claim(TENANT, ROUND, now, "c2", now + LEASE)
    assert (first.reminder, second.reminder) == ("early", "late")
    assert (first.state, first.attempts, first.claim) == (JobState.SENDING, 1, "c1")
    assert await jobs.claim(TENANT, ROUND, now, "c3", now + LEASE) is None
    assert await jobs.claim("other-tenant", ROUND, now, "c4", now + LEASE) is None


async def test_concurrent_claimers_never_take_the_same_job(jobs):
    await jobs.schedule(TENANT, ROUND, [planned("early", f"aad:{n}") for n in range(12)], T0)

    async def claimer(name: str) -> list[int]:
        taken = []
        while (job := await jobs.claim(TENANT, ROUND, T0, name, T0 + LEASE)) is not None:
            taken.append(job.id)
            await jobs.finish(job, JobState.SENT, T0)
        return taken

    results = await asyncio.gather(*(claimer(f"c{n}") for n in range(6)))
    taken = [job_id for result in results for job_id in result]
    assert len(taken) == 12 and len(set(taken)) == 12


@pytest.mark.postgres
async def test_two_engines_on_postgresql_skip_each_others_locked_jobs(postgres_url):
    first, second = Database.connect(postgres_url), Database.connect(postgres_url)
    try:
        await migrate(first.engine)
        a, b = SqlJobRepository(first), SqlJobRepository(second)
        await a.schedule(TENANT, ROUND, [planned("early", f"aad:{n}") for n in range(40)], T0)

        async def claimer(repo: SqlJobRepository, name: str) -> list[int]:
            taken = []
            while (job := await repo.claim(TENANT, ROUND, T0, name, T0 + LEASE)) is not None:
                taken.append(job.id)
                await asyncio.sleep(0)
                assert await repo.finish(job, JobState.SENT, T0)
            return taken

        results = await asyncio.gather(*(claimer(repo, f"{i}") for i in range(4) for repo in (a, b)))
        taken = [job_id for result in results for job_id in result]
        assert sorted(taken) == sorted(set(taken)) and len(taken) == 40
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_dead_holders_job_is_taken_over_after_its_lease_and_its_late_result_ignored(jobs):
    await jobs.schedule(TENANT, ROUND, [planned("early", "aad:1")], T0)
    held = await jobs.claim(TENANT, ROUND, T0, "dead", T0 + LEASE)
    assert await jobs.claim(TENANT, ROUND, T0 + timedelta(minutes=5), "c2", T0 + LEASE) is None
    assert await jobs.next_due(TENANT, ROUND) == T0 + LEASE
    taken = await jobs.claim(TENANT, ROUND, T0 + LEASE + timedelta(seconds=1), "alive", T0 + 2 * LEASE)
    assert (taken.id, taken.attempts, taken.last_error) == (held.id, 2, "lease expired: the previous sender stopped")
    assert not await jobs.finish(held, JobState.SENT, T0)  # the old claim no longer counts
    assert await jobs.finish(taken, JobState.SENT, T0)


async def test_retry_later_keeps_the_reason_and_waits(jobs):
    await jobs.schedule(TENANT, ROUND, [planned("early", "aad:1")], T0)
    job = await jobs.claim(TENANT, ROUND, T0, "c1", T0 + LEASE)
    assert await jobs.retry_later(job, T0, T0 + timedelta(minutes=1), "500 InternalServerError")
    assert await jobs.claim(TENANT, ROUND, T0 + timedelta(seconds=30), "c2", T0 + LEASE) is None
    assert await jobs.next_due(TENANT, ROUND) == T0 + timedelta(minutes=1)
    again = await jobs.claim(TENANT, ROUND, T0 + timedelta(minutes=1), "c3", T0 + LEASE)
    assert (again.attempts, again.last_error) == (2, "500 InternalServerError")


async def test_a_manual_batch_is_added_once(jobs):
    batch = [planned("manual-" + "a" * 32, f"aad:{n}") for n in range(3)]
    assert await jobs.add(TENANT, ROUND, batch, T0) == 3
    assert await jobs.add(TENANT, ROUND, batch, T0) == 0
    assert len(await jobs.list(TENANT, ROUND)) == 3


async def test_moved_dates_are_recorded_and_a_stale_change_is_refused(database):
    timetables = SqlTimetableRepository(database)
    assert await timetables.moves(TENANT, ROUND) == ({}, 0)
    old, new = datetime(2024, 5, 15, 13, 0, tzinfo=UTC), datetime(2024, 5, 20, 13, 0, tzinfo=UTC)
    assert await timetables.move(TENANT, ROUND, 0, {Phase.SURVEY_CLOSES: (old, new)}, "aad-sanna", "Sanna", T0) == 1
    with pytest.raises(StaleTimetable):
        await timetables.move(TENANT, ROUND, 0, {Phase.SURVEY_CLOSES: (old, old)}, "aad-heikki", "Heikki", T0)
    with pytest.raises(StaleTimetable):
        await timetables.move(TENANT, ROUND, 5, {Phase.SURVEY_CLOSES: (old, old)}, "aad-heikki", "Heikki", T0)
    assert await timetables.move(TENANT, ROUND, 1, {Phase.NEGOTIATION_MEETING: (old, new)}, "aad-sanna", "Sanna", T0) == 2
    moves, revision = await timetables.moves(TENANT, ROUND)
    assert moves == {Phase.SURVEY_CLOSES: new, Phase.NEGOTIATION_MEETING: new} and revision == 2
    changes = await timetables.changes(TENANT, ROUND)
    assert [(c.revision, c.by_name, list(c.moves)) for c in changes] == [
        (2, "Sanna", [Phase.NEGOTIATION_MEETING]), (1, "Sanna", [Phase.SURVEY_CLOSES])]
    assert changes[1].moves[Phase.SURVEY_CLOSES] == (old, new)


async def test_a_upn_only_persons_entra_id_is_found_once_learnt(database):
    people = SqlPeopleDirectory(database)
    assert await people.aad_for_upn(TENANT, "anna.makinen@example.fi") is None
    await SqlConversationRepository(database).remember_person(TENANT, "aad-anna", "Anna.Makinen@example.fi", "Anna", T0)
    assert await people.aad_for_upn(TENANT, "anna.makinen@example.fi") == "aad-anna"


async def test_the_effective_timetable_is_kept_briefly_and_a_move_here_applies_at_once(database):
    from conftest import DEMO_ROUND, TODAY
    from hyte.round import load_round
    from storage.reminders import EFFECTIVE_SECONDS

    round_ = load_round(DEMO_ROUND, today=TODAY)
    clock = [100.0]
    here = SqlTimetableRepository(database, monotonic=lambda: clock[0])
    elsewhere = SqlTimetableRepository(database)  # another instance on the same database
    closes = round_.timetable.survey_closes
    assert (await here.effective(round_)).timetable.survey_closes == closes

    later = closes + timedelta(days=3)
    await elsewhere.move(round_.tenant_id, round_.id, 0, {Phase.SURVEY_CLOSES: (closes, later)}, "aad-a", "A", T0)
    assert (await here.effective(round_)).timetable.survey_closes == closes  # kept
    clock[0] += EFFECTIVE_SECONDS + 0.1
    assert (await here.effective(round_)).timetable.survey_closes == later

    latest = later + timedelta(days=1)
    await here.move(round_.tenant_id, round_.id, 1, {Phase.SURVEY_CLOSES: (later, latest)}, "aad-a", "A", T0)
    assert (await here.effective(round_)).timetable.survey_closes == latest  # no wait


async def test_a_skip_is_kept_as_its_reason_and_the_old_skips_get_theirs(database_url: str):
    database = Database.connect(database_url)
    try:
        await migrate(database.engine, "0009")
        jobs = SqlJobRepository(database)
        await jobs.schedule(TENANT, ROUND, [planned("early", "aad:old"), planned("early", "aad:new")], T0)
        old = await jobs.claim(TENANT, ROUND, T0, "c1", T0 + LEASE)
        await jobs.finish(old, JobState.SKIPPED, T0, error="expired: its phase has passed")  # as it was stored
        await migrate(database.engine)
        new = await jobs.claim(TENANT, ROUND, T0, "c2", T0 + LEASE)
        await jobs.finish(new, JobState.SKIPPED, T0, reason=SkipReason.SUBMITTED)
        listed = {j.target: j for j in await jobs.list(TENANT, ROUND)}
        assert (listed["aad:old"].reason, listed["aad:old"].last_error) == (SkipReason.EXPIRED, None)
        assert (listed["aad:new"].reason, listed["aad:new"].last_error) == (SkipReason.SUBMITTED, None)
    finally:
        await database.dispose()
