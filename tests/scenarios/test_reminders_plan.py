"""A whole round's reminder plan, run in seconds on a fake clock, over the real app and a loopback
Bot Connector: who got what, when (Helsinki local time, across the March change to summer time),
only the organisations that have not submitted are reminded, people who cannot be reached are
recorded once, missed reminders after downtime are sent only while still relevant, and a restart
in the middle of the plan sends nothing twice."""

from __future__ import annotations

from datetime import datetime

import pytest

from app import SERVICES
from loopback.person import Person
from auxil.reminders import (
    BOARD_TEAM, FakeSleep, PlanDriver, install_board_team, local, write_round,
)
from loopback.server import BotServer
from loopback.teams import TeamsUser, conversation_id_for
from conftest import ANNA, LIISA, MAIJA, MATTI, SANNA, make_settings
from hyte.clock import FixedClock
from hyte.jobs import JobState, SkipReason
from hyte.responses import Actor, Change, ChangeAction, ResponseKey

PEKKA = TeamsUser("00000000-0000-0000-0000-0000000000a4", "Pekka Nieminen", upn="pekka.nieminen@example.fi")
JUHA = TeamsUser("00000000-0000-0000-0000-0000000000d2", "Juha Hämäläinen", upn="juha.hamalainen@example.fi")
HEIKKI = TeamsUser("00000000-0000-0000-0000-0000000000b2", "Heikki Koskinen", upn="heikki.koskinen@example.fi")
ROSTER = [MAIJA, MATTI, LIISA, ANNA, JUHA, SANNA, HEIKKI]
"""The board team's members. Pekka is not in the team: he cannot be reached."""
START = local("2024-02-01T08:00")
END = local("2024-12-31T00:00")


async def submit(services, organisation: str, at: datetime, action: ChangeAction = ChangeAction.SUBMIT) -> None:
    """The organisation saves a draft, and submits it unless `action` is SAVE."""
    key = ResponseKey(services.round.tenant_id, services.round.id, organisation)
    answers = {"goals_progress": "cannot_say"}
    actor = Actor("00000000-0000-0000-0000-0000000000ff", "Testaaja")
    await services.responses.apply(key, Change(answers, 0, ChangeAction.SAVE, ("goals_progress",)), actor, at)
    if action is ChangeAction.SUBMIT:
        await services.responses.apply(key, Change(answers, 1, ChangeAction.SUBMIT, ()), actor, at)


@pytest.fixture
def round_file(tmp_path):
    return write_round(tmp_path)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


async def start(url, round_file, clock) -> BotServer:
    server = BotServer(make_settings(url, round_file=round_file, HYTE_REMINDER_POLL_SECONDS=0), clock)
    await server.start()
    server.app[SERVICES].sender.outbound.sleep = FakeSleep()
    return server


async def prepare(server, client, connector, teams):
    """Maija and Sanna have talked to the bot (their 1:1 references are stored); the board team is
    installed; Juha's organisation has a draft; Liisa's organisation (Iisalmi) has submitted."""
    services = server.app[SERVICES]
    await Person(client, connector, teams, MAIJA).say("ohje")
    await Person(client, connector, teams, SANNA).say("ohje")
    await install_board_team(services, connector, teams, ROSTER, START)
    await submit(services, "jarjestoneuvosto", START, ChangeAction.SAVE)
    await submit(services, "iisalmi", START)


def texts_at(driver: PlanDriver, user: TeamsUser) -> list[tuple[str, str]]:
    return [(f"{s.at:%Y-%m-%d %H:%M %z}", s.text) for s in driver.to(conversation_id_for(user))]


async def test_a_whole_round_reaches_the_right_people_at_helsinki_times(database_url, round_file, clock, connector, teams):
    from loopback.http import BotClient

    server = await start(database_url, round_file, clock)
    try:
        async with BotClient(server.url) as client:
            await prepare(server, client, connector, teams)
        services = server.app[SERVICES]
        driver = PlanDriver(clock, connector, lambda: [services.scheduler])

        await driver.run_until(local("2024-04-01T12:00"))
        await submit(services, "kuopio", clock.now())
        await driver.run_until(END)

        channel = [(f"{s.at:%Y-%m-%d %H:%M %z}", s.text.splitlines()[-1][:40]) for s in driver.to(BOARD_TEAM)]
        assert [when for when, _ in channel] == [
            "2024-02-07 09:00 +0200",  # material review meeting ahead (winter time)
            "2024-03-18 08:00 +0200",  # the survey opens, at its own time
            "2024-03-31 09:00 +0300",  # closing in 3 days: the first day of summer time
            "2024-04-04 09:00 +0300",  # the survey summary is ready
            "2024-04-16 09:00 +0300",  # the negotiation meeting tomorrow
        ]
        board = [s.text for s in driver.to(BOARD_TEAM)]
        assert "Neuvottelukunnan kokous 7 päivän kuluttua, 14.2.2024 klo 13.00." in board[0]
        assert "Ennakkokysely on avoinna 3.4.2024 klo 16.00 asti." in board[1]
        assert "Aloita kysely" in str(driver.to(BOARD_TEAM)[1].card)
        assert "Ennakkokysely sulkeutuu 3 päivän kuluttua, 3.4.2024 klo 16.00." in board[2]
        assert "1/25 organisaatiota" in board[2]  # Iisalmi had submitted
        assert "Ennakkokyselyn yhteenveto on valmis.** Vastauksen lähetti 2/25 organisaatiota." in board[3]
        assert "Neuvottelukokous huomenna, 17.4.2024 klo 09.00." in board[4]

        # 1:1 reminders before the close: only organisations that have not submitted.
        assert [w for w, _ in texts_at(driver, MAIJA)] == ["2024-03-31 09:00 +0300"]  # Kuopio submitted on 1.4.
        assert [w for w, _ in texts_at(driver, MATTI)] == ["2024-03-31 09:00 +0300"]
        assert texts_at(driver, LIISA) == []  # Iisalmi submitted before
        assert [w for w, _ in texts_at(driver, ANNA)] == ["2024-03-31 09:00 +0300", "2024-04-02 09:00 +0300"]
        juha = texts_at(driver, JUHA)
        assert [w for w, _ in juha] == ["2024-03-31 09:00 +0300", "2024-04-02 09:00 +0300"]
        assert "luonnos odottaa lähettämistä" in juha[0][1]
        assert "vastausta ei ole vielä aloitettu" in texts_at(driver, ANNA)[0][1]
        assert "Kysely sulkeutuu huomenna, 3.4.2024 klo 16.00." in texts_at(driver, ANNA)[1][1]

        # The HYTE team: finish the summary, the summary date, the results into the plan.
        for person in (SANNA, HEIKKI):
            assert [w for w, _ in texts_at(driver, person)] == [
                "2024-04-18 09:00 +0300", "2024-05-24 09:00 +0300", "2024-09-02 09:00 +0300",
            ]

        # Each job once: a sent job is never sent again, Pekka (not in the team) was recorded.
        jobs = await services.jobs.list(services.round.tenant_id, services.round.id)
        states = {(j.reminder, j.target): j.state for j in jobs}
        assert states[("nonrespondents_early", "aad:00000000-0000-0000-0000-0000000000a4")] is JobState.UNREACHABLE
        assert states[("nonrespondents_last_day", "aad:00000000-0000-0000-0000-0000000000a3")] is JobState.SKIPPED
        assert states[("nonrespondents_last_day", "aad:00000000-0000-0000-0000-0000000000a1")] is JobState.SKIPPED
        assert all(j.state in (JobState.SENT, JobState.SKIPPED, JobState.UNREACHABLE) for j in jobs)
        sends = [(s.conversation_id, s.text) for s in driver.sent]
        assert len(sends) == len(set(sends))
        pekka_calls = [c for c in connector.calls if c.kind == "create_conversation"
                       and c.body["members"][0]["id"] == PEKKA.id]
        assert pekka_calls == []  # never in the roster: no conversation is even attempted
        # What was learnt is stored: the UPN-only people's Entra ids and their new 1:1 conversations.
        assert await services.conversations.personal(services.round.tenant_id, JUHA.aad_object_id) is not None
        creations = [c for c in connector.calls if c.kind == "create_conversation"]
        assert len(creations) == len({c.body["members"][0]["id"] for c in creations})
        assert all(c.body["tenantId"] == teams.tenant_id and c.body["isGroup"] is False for c in creations)
    finally:
        await server.stop()


EXPECTED = {
    # conversation -> Helsinki times of what it received over the whole round
    "board": ["2024-02-07 09:00 +0200", "2024-03-18 08:00 +0200", "2024-03-31 09:00 +0300", "2024-04-04 09:00 +0300",
              "2024-04-16 09:00 +0300"],
    "maija": ["2024-03-31 09:00 +0300"],
    "anna": ["2024-03-31 09:00 +0300", "2024-04-02 09:00 +0300"],
    "sanna": ["2024-04-18 09:00 +0300", "2024-05-24 09:00 +0300", "2024-09-02 09:00 +0300"],
}


def received(driver: PlanDriver) -> dict[str, list[str]]:
    where = {"board": BOARD_TEAM, "maija": conversation_id_for(MAIJA), "anna": conversation_id_for(ANNA),
             "sanna": conversation_id_for(SANNA)}
    return {name: [f"{s.at:%Y-%m-%d %H:%M %z}" for s in driver.to(conversation)] for name, conversation in where.items()}


async def test_a_restart_in_the_middle_of_the_plan_sends_nothing_twice(database_url, round_file, clock, connector, teams):
    from loopback.http import BotClient

    server = await start(database_url, round_file, clock)
    try:
        async with BotClient(server.url) as client:
            await prepare(server, client, connector, teams)
        driver = PlanDriver(clock, connector, lambda: [server.app[SERVICES].scheduler])
        await driver.run_until(local("2024-03-31T09:00"))  # stops right after the 31.3. batch
        assert received(driver)["board"][-1] == "2024-03-31 09:00 +0300"

        await server.restart()  # a new process in all but name: nothing is remembered in memory
        server.app[SERVICES].sender.outbound.sleep = FakeSleep()
        await submit(server.app[SERVICES], "kuopio", local("2024-04-01T12:00"))
        await driver.run_until(END)
    finally:
        await server.stop()
    assert received(driver) == EXPECTED
    sends = [(s.conversation_id, s.text) for s in driver.sent]
    assert len(sends) == len(set(sends))


async def test_after_downtime_missed_reminders_go_out_only_while_still_relevant(database_url, round_file, connector, teams):
    """The bot was down from February until 5.4. (after the survey closed, before the meeting)."""
    from loopback.http import BotClient

    clock = FixedClock(local("2024-04-05T10:00"))
    server = await start(database_url, round_file, clock)
    try:
        async with BotClient(server.url) as client:
            await prepare(server, client, connector, teams)
        services = server.app[SERVICES]
        driver = PlanDriver(clock, connector, lambda: [services.scheduler])
        await services.scheduler.run_due(clock.now())
        driver.collect()
        jobs = await services.jobs.list(services.round.tenant_id, services.round.id)
    finally:
        await server.stop()
    [announcement] = driver.to(BOARD_TEAM)
    assert "Ennakkokyselyn yhteenveto on valmis." in announcement.text  # due 4.4., relevant until the meeting
    assert [s.conversation_id for s in driver.sent] == [BOARD_TEAM]
    skipped = {j.reminder for j in jobs if j.state is JobState.SKIPPED}
    assert skipped == {"review_meeting_ahead", "survey_open", "survey_closing", "nonrespondents_early",
                       "nonrespondents_last_day"}
    assert {j.reason for j in jobs if j.state is JobState.SKIPPED} == {SkipReason.EXPIRED}
    pending = {j.reminder for j in jobs if j.state is JobState.PENDING}
    assert pending == {"meeting_tomorrow", "team_finish_summary", "team_summary_due", "team_results_due"}
