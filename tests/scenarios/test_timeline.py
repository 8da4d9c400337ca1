"""`aikataulu`/`timeline` for each role, and the HYTE team moving dates from Teams: the move is
stored and recorded, every reader of the timetable (the survey's window included) sees it, the
pending reminders follow it (sent ones are not sent again), and bad input, a stale card or a
stranger's forged card change nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app import SERVICES
from loopback.http import BotClient
from cards.catalogue import t
from loopback.person import Person, actions, inputs, texts
from auxil.reminders import FakeSleep, PlanDriver, install_board_team, local, write_round
from loopback.server import BotServer
from loopback.teams import conversation_id_for
from conftest import ANNA, MAIJA, MATTI, OLLI, SANNA, make_settings
from hyte.clock import FixedClock
from hyte.jobs import JobState

MAIJA_EARLY = "aad:00000000-0000-0000-0000-0000000000a1"


@pytest.fixture
async def server(sqlite_url, clock):
    """The demo round (survey open 24.4.–15.5.2024 16.00, now 2.5.2024 10.00), reminders sent only
    when a test runs them."""
    bot = BotServer(make_settings(sqlite_url, HYTE_REMINDER_POLL_SECONDS=0), clock)
    await bot.start()
    yield bot
    await bot.stop()




def job(jobs, reminder, target):
    (found,) = [j for j in jobs if j.reminder == reminder and j.target == target]
    return found


async def jobs_of(server):
    services = server.app[SERVICES]
    return await services.jobs.list(services.round.tenant_id, services.round.id)


# The timetable per role -----------------------------------------------------------------------------


async def test_a_representative_sees_every_phase_its_state_and_what_to_do_now(maija: Person):
    card = await maija.open_card("aikataulu")
    shown = texts(card)
    assert "Neuvottelukierroksen aikataulu 2024" in shown
    rows = [[c["items"][0]["text"] for c in e["columns"]] for e in card["body"] if e.get("type") == "ColumnSet"]
    assert rows == [
        ["Perusaineiston esittely neuvottelukunnassa", "10.4.2024 klo 13.00", "✓ tehty"],
        ["Ennakkokysely avautuu", "24.4.2024 klo 08.00", "▶ nyt"],
        ["Ennakkokysely sulkeutuu", "15.5.2024 klo 16.00", "tulossa"],
        ["Neuvottelukokous", "22.5.2024 klo 09.00", "tulossa"],
        ["Yhteenveto aluehallitukselle", "19.6.2024 klo 12.00", "tulossa"],
        ["Tulokset HYTE-talous- ja toimintasuunnitelmaan", "29.8.2024 klo 12.00", "tulossa"],
    ]
    assert ("vastaa ennakkokyselyyn organisaatiosi (Kuopion kaupunki) puolesta 15.5.2024 klo 16.00 mennessä"
            in shown)
    assert "Muuta päivämääriä" not in actions(card) and "Tulevat muistutukset" not in shown
    survey = await maija.press(card, "Aloita kysely")
    assert "Osio 1/5" in texts(survey)


async def test_the_hyte_team_sees_progress_coming_reminders_and_its_buttons(sanna: Person, maija: Person):
    await maija.say("ohje")
    card = await sanna.open_card("timeline")
    shown = texts(card)
    assert "Seuraa vastauksia: 0/25 organisaatiota on lähettänyt vastauksen." in shown
    assert "Tulevat muistutukset" in shown
    assert "12.5.2024 klo 09.00: Kanavalle: kysely sulkeutuu pian (1 vastaanottaja)" in shown
    assert "12.5.2024 klo 09.00: Vastaamattomille: kysely sulkeutuu pian (6 vastaanottajaa)" in shown
    assert set(actions(card)) == {"Muuta päivämääriä", "Muistuta vastaamattomia"}


async def test_a_stranger_is_told_whom_the_timetable_is_for(client, connector, teams):
    olli = Person(client, connector, teams, OLLI)
    (reply,) = await olli.say("aikataulu")
    assert reply["text"] == "Aikataulu on HYTE-neuvottelukunnan edustajille ja HYTE-tiimille."


# Moving dates ------------------------------------------------------------------------------------


async def test_the_hyte_team_moves_the_closing_date_and_everything_follows(sanna: Person, maija: Person, server, clock):
    before = job(await jobs_of(server), "nonrespondents_early", MAIJA_EARLY)
    assert before.due_at == datetime(2024, 5, 12, 6, 0, tzinfo=UTC)  # 12.5. 09.00 summer time

    card = await sanna.open_card("aikataulu")
    form = await sanna.press(card, "Muuta päivämääriä")
    assert inputs(form)["t.survey_closes.date"] == "2024-05-15" and inputs(form)["t.survey_closes.time"] == "16:00"
    card = await sanna.press(form, "Tallenna aikataulu", {"t.survey_closes.date": "2024-05-20"})
    shown = texts(card)
    assert "Aikataulu on päivitetty (muutettuja vaiheita 1)." in shown
    assert "Ennakkokysely sulkeutuu: 20.5.2024 klo 16.00" in shown.replace("\n20.5", ": 20.5")
    assert "Sanna Laine: Ennakkokysely sulkeutuu 15.5.2024 klo 16.00 → 20.5.2024 klo 16.00" in shown

    # The reminders follow the new date.
    after = job(await jobs_of(server), "nonrespondents_early", MAIJA_EARLY)
    assert after.due_at == datetime(2024, 5, 17, 6, 0, tzinfo=UTC) and after.state is JobState.PENDING
    # Every reader of the timetable sees it: the status card, and the survey's window.
    status = texts(await maija.open_card("tila"))
    assert "Vastausaika päättyy 20.5.2024 klo 16.00." in status
    clock.set(local("2024-05-17T12:00"))  # after the configured close, before the moved one
    assert "Osio 1/5" in texts(await maija.open_card("kysely"))
    clock.set(local("2024-05-20T16:00"))
    assert "Ennakkokysely on suljettu" in texts(await maija.open_card("kysely"))


async def test_a_moved_date_survives_a_restart(sanna: Person, server, client, connector, teams):
    form = await sanna.press(await sanna.open_card("aikataulu"), "Muuta päivämääriä")
    await sanna.press(form, "Tallenna aikataulu", {"t.negotiation_meeting.date": "2024-05-23",
                                                  "t.negotiation_meeting.time": "12:30"})
    await server.restart()
    async with BotClient(server.url) as fresh:
        shown = texts(await Person(fresh, connector, teams, SANNA).open_card("aikataulu"))
    assert "23.5.2024 klo 12.30" in shown


async def test_dates_out_of_order_or_malformed_are_refused_and_nothing_is_stored(sanna: Person, server):
    form = await sanna.press(await sanna.open_card("aikataulu"), "Muuta päivämääriä")
    refused = await sanna.press(form, "Tallenna aikataulu", {"t.survey_closes.date": "2024-04-20",
                                                            "t.results_into_plan.time": "25:99"})
    shown = texts(refused)
    assert "Ei voi olla ennen vaihetta ”Ennakkokysely avautuu” (24.4.2024 klo 08.00)." in shown
    assert "Anna päivä (vvvv-kk-pp) ja kellonaika (tt:mm)." in shown
    assert inputs(refused)["t.survey_closes.date"] == "2024-04-20"  # what was typed stays
    services = server.app[SERVICES]
    assert await services.timetables.moves(services.round.tenant_id, services.round.id) == ({}, 0)

    unchanged = await sanna.press(form, "Tallenna aikataulu")
    assert "Et muuttanut yhtään päivämäärää." in texts(unchanged)


async def test_a_card_older_than_the_last_change_is_refused_with_who_changed_it(sanna: Person, server, client, connector, teams):
    first = await sanna.press(await sanna.open_card("aikataulu"), "Muuta päivämääriä")
    second = await sanna.press(await sanna.open_card("aikataulu"), "Muuta päivämääriä")
    await sanna.press(first, "Tallenna aikataulu", {"t.survey_closes.date": "2024-05-17"})
    stale = await sanna.press(second, "Tallenna aikataulu", {"t.survey_closes.date": "2024-05-21"})
    shown = texts(stale)
    assert "Sanna Laine muutti aikataulua 2.5.2024 klo 10.00" in shown
    assert inputs(stale)["t.survey_closes.date"] == "2024-05-17"  # the current dates, to redo the change
    services = server.app[SERVICES]
    moves, revision = await services.timetables.moves(services.round.tenant_id, services.round.id)
    assert revision == 1 and moves["survey_closes"].astimezone(UTC) == datetime(2024, 5, 17, 13, 0, tzinfo=UTC)


async def test_only_the_hyte_team_moves_dates(maija: Person, server):
    refused = await maija.invoke("timeline.save", {"verb": "timeline.save", "r": "pohjois-savo-demo", "v": 0,
                                                   "t.survey_closes.date": "2024-06-30",
                                                   "t.survey_closes.time": "16:00"})
    assert texts(refused) == "Tämä toiminto on vain HYTE-tiimin käytössä."
    refused = await maija.invoke("timeline.edit", {"verb": "timeline.edit", "r": "pohjois-savo-demo"})
    assert texts(refused) == "Tämä toiminto on vain HYTE-tiimin käytössä."
    services = server.app[SERVICES]
    assert await services.timetables.moves(services.round.tenant_id, services.round.id) == ({}, 0)


async def test_a_forged_date_card_is_not_understood(sanna: Person):
    refused = await sanna.invoke("timeline.save", {"verb": "timeline.save", "r": "pohjois-savo-demo", "v": -1})
    assert texts(refused) == t("card_not_understood")
    refused = await sanna.invoke("timeline.save", {"verb": "timeline.save", "r": "pohjois-savo-demo", "v": 0,
                                                   "t.survey_closes.date": "x" * 100})
    assert texts(refused) == t("card_not_understood")


# Moving dates across the change to summer time, mid-plan ----------------------------------------------------


async def test_reminders_follow_a_move_across_the_dst_change_and_sent_ones_stay_sent(tmp_path, sqlite_url, connector, teams):
    clock = FixedClock(local("2024-02-01T08:00"))
    server = BotServer(make_settings(sqlite_url, round_file=write_round(tmp_path), HYTE_REMINDER_POLL_SECONDS=0), clock)
    await server.start()
    try:
        services = server.app[SERVICES]
        services.sender.outbound.sleep = FakeSleep()
        await install_board_team(services, connector, teams, [MAIJA, MATTI, ANNA, SANNA], clock.now())
        driver = PlanDriver(clock, connector, lambda: [services.scheduler])
        await driver.run_until(local("2024-03-31T09:00"))  # "closes in 3 days" went out on 31.3.
        assert len(driver.to(conversation_id_for(ANNA))) == 1

        async with BotClient(server.url) as client:
            sanna = Person(client, connector, teams, SANNA)
            form = await sanna.press(await sanna.open_card("aikataulu"), "Muuta päivämääriä")
            await sanna.press(form, "Tallenna aikataulu", {"t.survey_closes.date": "2024-04-10"})
        jobs = await services.jobs.list(services.round.tenant_id, services.round.id)
        assert job(jobs, "nonrespondents_early", "upn:anna.makinen@example.fi").state is JobState.SENT
        last_day = job(jobs, "nonrespondents_last_day", "upn:anna.makinen@example.fi")
        assert last_day.due_at == datetime(2024, 4, 9, 6, 0, tzinfo=UTC)  # 9.4. 09.00 EEST

        await driver.run_until(local("2024-04-30T00:00"))
    finally:
        await server.stop()
    anna = [(f"{s.at:%d.%m. %H:%M %z}", s.text) for s in driver.to(conversation_id_for(ANNA))]
    assert [when for when, _ in anna] == ["31.03. 09:00 +0300", "09.04. 09:00 +0300"]
    assert "Kysely sulkeutuu huomenna, 10.4.2024 klo 16.00." in anna[1][1]
    channel = [f"{s.at:%d.%m. %H:%M}" for s in driver.to("19:hyte-neuvottelukunta@thread.tacv2")]
    assert channel == ["07.02. 09:00", "18.03. 08:00", "31.03. 09:00", "11.04. 09:00", "16.04. 09:00"]


async def test_moving_a_date_back_into_winter_time_keeps_nine_oclock_local(tmp_path, sqlite_url, connector, teams):
    clock = FixedClock(local("2024-02-01T08:00"))
    server = BotServer(make_settings(sqlite_url, round_file=write_round(tmp_path), HYTE_REMINDER_POLL_SECONDS=0), clock)
    await server.start()
    try:
        async with BotClient(server.url) as client:
            sanna = Person(client, connector, teams, SANNA)
            form = await sanna.press(await sanna.open_card("aikataulu"), "Muuta päivämääriä")
            await sanna.press(form, "Tallenna aikataulu", {"t.survey_closes.date": "2024-03-29"})
        jobs = await jobs_of(server)
    finally:
        await server.stop()
    assert job(jobs, "nonrespondents_early", MAIJA_EARLY).due_at == datetime(2024, 3, 26, 7, 0, tzinfo=UTC)  # EET
    assert job(jobs, "nonrespondents_last_day", MAIJA_EARLY).due_at == datetime(2024, 3, 28, 7, 0, tzinfo=UTC)


async def test_a_send_left_unfinished_is_shown_with_when_it_is_checked_and_overdue_reminders_apart(
        sanna: Person, server, clock):
    """An instance that died mid-send leaves its job `sending` until the lease runs out; the card
    says so. Reminders due earlier but not sent (no run yet) are not listed as upcoming."""
    from hyte.jobs import LEASE

    services = server.app[SERVICES]
    claimed = await services.jobs.claim(services.round.tenant_id, services.round.id, clock.now(), "dead-instance",
                                        clock.now() + LEASE)
    assert claimed is not None and claimed.state is JobState.SENDING
    shown = texts(await sanna.open_card("aikataulu"))
    assert "Keskeneräiset lähetykset" in shown
    assert "lähetys kesken, tarkistetaan klo 10.10" in shown  # the lease's end, Helsinki time
    upcoming = shown[shown.index("Tulevat muistutukset"):shown.index("Myöhässä olevat muistutukset")]
    overdue = shown[shown.index("Myöhässä olevat muistutukset"):shown.index("Keskeneräiset lähetykset")]
    assert "12.5.2024 klo 09.00" in upcoming and "4.2024" not in upcoming
    assert "ei vielä lähetetty" in overdue and "12.5.2024" not in overdue
