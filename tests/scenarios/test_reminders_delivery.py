"""Delivery of reminders through a loopback Bot Connector that throttles and fails on cue: 429 with
Retry-After then success (sent once), backoff on 502/504, 403 recorded and not retried, 5xx retried
later, a job given up with its reason; two app instances on one PostgreSQL database sending each
reminder once; and the scheduler's background task starting and stopping with the app."""

from __future__ import annotations

import asyncio

import pytest

from app import SERVICES
from loopback.http import BotClient
from loopback.person import Person, texts
from auxil.reminders import BOARD_TEAM, FakeSleep, PlanDriver, install_board_team, local, write_round
from loopback.server import BotServer
from loopback.teams import conversation_id_for
from conftest import LIISA, MAIJA, MATTI, SANNA, make_settings
from hyte.clock import FixedClock
from hyte.jobs import MAX_ATTEMPTS, JobState

BOARD_SENDS = r"^/v3/conversations/19:hyte-neuvottelukunta@thread\.tacv2/activities$"
SURVEY_OPENS = local("2024-03-18T08:00")
EARLY_REMINDER = local("2024-03-31T09:00")


@pytest.fixture
def round_file(tmp_path):
    return write_round(tmp_path)


async def start(url, round_file, clock, **settings) -> BotServer:
    server = BotServer(make_settings(url, round_file=round_file, HYTE_REMINDER_POLL_SECONDS=0, **settings), clock)
    await server.start()
    server.app[SERVICES].sender.outbound.sleep = FakeSleep()
    return server


@pytest.fixture
async def bot(sqlite_url, round_file, connector, teams):
    """The app at the survey's opening, with the board team installed and Maija's 1:1 chat known."""
    clock = FixedClock(SURVEY_OPENS)
    server = await start(sqlite_url, round_file, clock)
    services = server.app[SERVICES]
    async with BotClient(server.url) as client:
        await Person(client, connector, teams, MAIJA).say("ohje")
        await Person(client, connector, teams, SANNA).say("ohje")
    await install_board_team(services, connector, teams, [MAIJA, MATTI, LIISA, SANNA], clock.now())
    connector.clear()
    yield server, services, clock
    await server.stop()


def job(jobs, reminder, target="channel"):
    (found,) = [j for j in jobs if j.reminder == reminder and j.target == target]
    return found


async def jobs_of(services):
    return await services.jobs.list(services.round.tenant_id, services.round.id)


async def test_throttled_429_is_retried_after_retry_after_and_delivered_once(bot, connector):
    server, services, clock = bot
    connector.fail_next("POST", BOARD_SENDS, 429, headers={"Retry-After": "3"}, times=2)
    await services.scheduler.run_due(clock.now())

    attempts = [c for c in connector.calls if c.kind == "send" and c.conversation_id == BOARD_TEAM]
    assert [c.status for c in attempts] == [429, 429, 201]
    assert len(connector.sent(BOARD_TEAM)) == 1
    waits = services.sender.outbound.sleep.waits
    assert len(waits) == 2 and all(3.0 <= w <= 3.2 for w in waits)  # Retry-After honoured, a little jitter
    found = job(await jobs_of(services), "survey_open")
    assert (found.state, found.attempts, found.last_error) == (JobState.SENT, 1, "delivered after 2 retries")
    assert services.sender.outbound.stats.throttled == 2

    await services.scheduler.run_due(clock.now())  # nothing left to send
    assert len(connector.sent(BOARD_TEAM)) == 1


async def test_502_and_504_back_off_exponentially_with_jitter(bot, connector):
    server, services, clock = bot
    services.sender.outbound.backoff_base = 0.5
    connector.fail_next("POST", BOARD_SENDS, 502)
    connector.fail_next("POST", BOARD_SENDS, 504)
    connector.fail_next("POST", BOARD_SENDS, 412)
    await services.scheduler.run_due(clock.now())
    first, second, third = services.sender.outbound.sleep.waits
    assert 0.25 <= first <= 0.5 and 0.5 <= second <= 1.0 and 1.0 <= third <= 2.0  # base·2ⁿ, half random
    assert len(connector.sent(BOARD_TEAM)) == 1


async def test_a_500_is_recorded_and_the_job_tried_again_later_once(bot, connector):
    server, services, clock = bot
    connector.fail_next("POST", BOARD_SENDS, 500)
    await services.scheduler.run_due(clock.now())
    found = job(await jobs_of(services), "survey_open")
    assert (found.state, found.last_error) == (JobState.PENDING, "500 InternalServerError")
    assert connector.sent(BOARD_TEAM) == []
    assert await services.jobs.next_due(services.round.tenant_id, services.round.id) == local("2024-03-18T08:01")  # one minute later

    await services.scheduler.run_due(clock.now())  # not yet
    assert connector.sent(BOARD_TEAM) == []
    clock.set(local("2024-03-18T08:01"))
    await services.scheduler.run_due(clock.now())
    await services.scheduler.run_due(clock.now())
    assert len(connector.sent(BOARD_TEAM)) == 1
    found = job(await jobs_of(services), "survey_open")
    assert (found.state, found.attempts) == (JobState.SENT, 2)


async def test_a_job_that_keeps_failing_is_given_up_with_its_reason_and_listed(bot, connector, teams):
    server, services, clock = bot
    connector.fail_next("POST", BOARD_SENDS, 503, times=100)
    driver = PlanDriver(clock, connector, lambda: [services.scheduler])
    await driver.run_until(local("2024-03-30T00:00"))
    found = job(await jobs_of(services), "survey_open")
    assert found.state is JobState.FAILED and found.attempts == MAX_ATTEMPTS
    assert found.last_error == f"gave up after {MAX_ATTEMPTS} attempts: 503 ServiceUnavailable"
    assert len([c for c in connector.calls if c.conversation_id == BOARD_TEAM]) == MAX_ATTEMPTS

    async with BotClient(server.url) as client:
        card = await Person(client, connector, teams, SANNA).open_card("aikataulu")
    shown = texts(card)
    assert "Epäonnistuneet lähetykset" in shown
    assert "Kanavalle: ennakkokysely on avoinna, neuvottelukunnan kanava: Teams ei ollut tavoitettavissa" in shown
    assert "gave up" not in shown and "503" not in shown  # the connector's words stay in the log


async def test_a_person_who_blocked_the_bot_is_recorded_once_and_listed(bot, connector, teams):
    server, services, clock = bot
    maija_chat = conversation_id_for(MAIJA)
    connector.fail_next("POST", rf"^/v3/conversations/{maija_chat}/activities$", 403,
                        body={"error": {"code": "ConversationBlockedByUser", "message": "User blocked the conversation with the bot."}})
    clock.set(EARLY_REMINDER)
    await services.scheduler.run_due(clock.now())
    found = job(await jobs_of(services), "nonrespondents_early", "aad:00000000-0000-0000-0000-0000000000a1")
    assert (found.state, found.attempts) == (JobState.UNREACHABLE, 1)
    assert found.last_error == "blocked: 403 ConversationBlockedByUser"
    calls_to_maija = [c for c in connector.calls if c.conversation_id == maija_chat]
    assert [c.status for c in calls_to_maija] == [403]  # not retried at once

    clock.set(local("2024-04-01T12:00"))  # later runs leave the job alone
    await services.scheduler.run_due(clock.now())
    assert [c.status for c in connector.calls if c.conversation_id == maija_chat] == [403]
    assert len(connector.sent(conversation_id_for(MATTI))) == 1  # Kuopio's deputy was reminded

    async with BotClient(server.url) as client:
        sanna = Person(client, connector, teams, SANNA)
        timeline = texts(await sanna.open_card("aikataulu"))
        preview = texts(await sanna.open_card("muistuta"))
    assert "En tavoittanut näitä henkilöitä" in timeline
    assert "Maija Meikäläinen: on estänyt minut tai poistanut minut käytöstä" in timeline
    assert "Maija Meikäläinen, Kuopion kaupunki: ei aloitettu (viimeksi en tavoittanut: on estänyt minut" in preview
    assert "403" not in timeline + preview


async def test_a_person_not_in_the_board_team_is_unreachable_and_no_conversation_is_attempted(bot, connector, teams):
    server, services, clock = bot
    clock.set(EARLY_REMINDER)
    await services.scheduler.run_due(clock.now())
    jobs = await jobs_of(services)
    anna = job(jobs, "nonrespondents_early", "upn:anna.makinen@example.fi")  # not in this roster
    assert (anna.state, anna.last_error) == (JobState.UNREACHABLE, "not_in_team")
    assert [c.kind for c in connector.calls if c.kind == "paged_members"] == ["paged_members"]  # one roster read per run


async def test_two_instances_on_one_postgresql_database_send_each_reminder_once(postgres_url, round_file, connector, teams):
    clock = FixedClock(local("2024-02-01T08:00"))
    first = await start(postgres_url, round_file, clock)
    second = await start(postgres_url, round_file, clock)
    try:
        async with BotClient(first.url) as client:
            await Person(client, connector, teams, MAIJA).say("ohje")
        await install_board_team(first.app[SERVICES], connector, teams, [MAIJA, MATTI, LIISA, SANNA], clock.now())
        instances = [first.app[SERVICES].scheduler, second.app[SERVICES].scheduler]
        driver = PlanDriver(clock, connector, lambda: instances)
        await driver.run_until(local("2024-12-31T00:00"), together=True)
    finally:
        await first.stop()
        await second.stop()
    sends = [(s.conversation_id, s.text) for s in driver.sent]
    assert len(sends) == len(set(sends))
    assert len(driver.to(BOARD_TEAM)) == 5
    assert len(driver.to(conversation_id_for(MAIJA))) == 2  # nobody submitted: both 1:1 reminders
    assert len(driver.to(conversation_id_for(SANNA))) == 3
    assert all(instance.sender.outbound.stats.calls > 0 for instance in instances)  # both did part of the work
    jobs = await instances[0].jobs.list(instances[0].round.tenant_id, instances[0].round.id)
    assert all(j.state is not JobState.PENDING and j.attempts == 1 for j in jobs if j.state is JobState.SENT)


async def test_the_background_task_starts_and_stops_with_the_app(sqlite_url, round_file, connector, teams):
    clock = FixedClock(local("2024-03-18T07:00"))
    server = BotServer(make_settings(sqlite_url, round_file=round_file, HYTE_REMINDER_POLL_SECONDS=0.05), clock)
    await server.start()
    scheduler = server.app[SERVICES].scheduler
    try:
        assert scheduler.running
        await install_board_team(server.app[SERVICES], connector, teams, [SANNA], clock.now())
        clock.set(SURVEY_OPENS)  # the survey opens: its announcement is due
        for _ in range(200):
            if connector.sent(BOARD_TEAM):
                break
            await asyncio.sleep(0.05)
        assert len(connector.sent(BOARD_TEAM)) == 1
    finally:
        await server.stop()
    assert not scheduler.running
    await asyncio.sleep(0.2)
    assert len(connector.sent(BOARD_TEAM)) == 1


async def test_without_a_poll_interval_the_instance_plans_but_sends_nothing(sqlite_url, round_file, connector):
    clock = FixedClock(SURVEY_OPENS)
    server = await start(sqlite_url, round_file, clock)
    try:
        scheduler = server.app[SERVICES].scheduler
        assert not scheduler.running
        assert await server.app[SERVICES].jobs.next_due(scheduler.round.tenant_id, scheduler.round.id) is not None
    finally:
        await server.stop()
