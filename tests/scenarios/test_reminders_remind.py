"""`muistuta`/`remind`: the HYTE team sees who would get the non-respondent reminder, confirms, and
each of them gets it once; others are refused; and "Aloita kysely" on the board channel's
announcement opens the survey in the representative's own 1:1 chat."""

from __future__ import annotations

import pytest

from app import SERVICES
from loopback.person import Person, actions, texts
from auxil.reminders import BOARD_TEAM, FakeSleep, card_of, channel_card_action, install_board_team, local
from loopback.server import BotServer
from loopback.teams import conversation_id_for
from conftest import ANNA, LIISA, MAIJA, MATTI, OLLI, SANNA, make_settings
from hyte.jobs import JobState
from hyte.reminders import is_manual
from hyte.responses import Actor, Change, ChangeAction, ResponseKey

REMINDED = ["Maija Meikäläinen", "Matti Virtanen", "Pekka Nieminen", "Anna Mäkinen", "Juha Hämäläinen"]
"""The demo's representatives whose organisations have not submitted (Liisa's Iisalmi has)."""


@pytest.fixture
async def server(sqlite_url, clock, connector, teams):
    bot = BotServer(make_settings(sqlite_url, HYTE_REMINDER_POLL_SECONDS=0), clock)
    await bot.start()
    services = bot.app[SERVICES]
    services.sender.outbound.sleep = FakeSleep()
    await install_board_team(services, connector, teams, [MAIJA, MATTI, LIISA, ANNA, SANNA], clock.now())
    key = ResponseKey(services.round.tenant_id, services.round.id, "iisalmi")
    actor = Actor(LIISA.aad_object_id, LIISA.name)
    await services.responses.apply(key, Change({"goals_progress": "cannot_say"}, 0, ChangeAction.SAVE, ()), actor, clock.now())
    await services.responses.apply(key, Change({"goals_progress": "cannot_say"}, 1, ChangeAction.SUBMIT, ()), actor, clock.now())
    yield bot
    await bot.stop()



async def manual_jobs(server):
    services = server.app[SERVICES]
    jobs = await services.jobs.list(services.round.tenant_id, services.round.id)
    return [j for j in jobs if is_manual(j.reminder)]


async def test_the_hyte_team_confirms_and_each_non_respondent_is_reminded_once(sanna: Person, server, connector):
    preview = await sanna.open_card("muistuta")
    shown = texts(preview)
    assert "Lähetän muistutuksen näille 5 edustajalle" in shown
    for name in REMINDED:
        assert name in shown
    assert "Liisa Korhonen" not in shown
    assert "Maija Meikäläinen, Kuopion kaupunki: ei aloitettu" in shown
    assert await manual_jobs(server) == []  # nothing before the confirmation

    queued = await sanna.press(preview, "Lähetä muistutus")
    assert "Lähetän muistutuksen 5 edustajalle." in texts(queued)
    again = await sanna.press(preview, "Lähetä muistutus")  # the same card pressed twice
    assert texts(again) == "Olen jo lähettänyt tämän muistutuksen, enkä lähetä sitä uudelleen."

    services = server.app[SERVICES]
    await services.scheduler.run_due(services.clock.now())
    await services.scheduler.run_due(services.clock.now())
    for person in (MAIJA, MATTI, ANNA):
        (message,) = connector.sent(conversation_id_for(person))
        assert "Muistutus: HYTE-neuvottelujen ennakkokysely" in texts(card_of(message))
    assert connector.sent(conversation_id_for(LIISA)) == []
    states = {j.target: j.state for j in await manual_jobs(server)}
    assert len(states) == 5
    assert states["aad:00000000-0000-0000-0000-0000000000a4"] is JobState.UNREACHABLE  # Pekka: not in the team


async def test_cancel_sends_nothing(sanna: Person, server):
    preview = await sanna.open_card("remind")
    cancelled = await sanna.press(preview, "Peruuta")
    assert "Selvä, en lähettänyt muistutusta." in texts(cancelled)
    assert await manual_jobs(server) == []


async def test_representatives_cannot_remind(client, connector, teams, server):
    maija = Person(client, connector, teams, MAIJA)
    (reply,) = await maija.say("muistuta")
    assert reply["text"] == "Tämä toiminto on vain HYTE-tiimin käytössä."
    forged = await maija.invoke("remind.send", {"verb": "remind.send", "r": "pohjois-savo-demo", "batch": "a" * 32})
    assert texts(forged) == "Tämä toiminto on vain HYTE-tiimin käytössä."
    assert await manual_jobs(server) == []


async def test_no_reminder_while_the_survey_is_not_open(sanna: Person, server, clock):
    preview = await sanna.open_card("muistuta")
    clock.set(local("2024-05-15T16:00"))  # the survey closed
    refused = await sanna.press(preview, "Lähetä muistutus")
    assert "Ennakkokysely ei ole nyt avoinna (24.4.2024 klo 08.00–15.5.2024 klo 16.00)" in texts(refused)
    assert await manual_jobs(server) == []
    assert "Ennakkokysely ei ole nyt avoinna" in texts(await sanna.open_card("muistuta"))


async def test_the_survey_button_on_the_channel_announcement_opens_the_survey_in_1_1(server, client, connector, teams, clock):
    services = server.app[SERVICES]
    await services.scheduler.run_due(clock.now())  # the "survey open" announcement goes to the channel
    (announcement,) = connector.sent(BOARD_TEAM)
    card = card_of(announcement)
    button = actions(card)["Aloita kysely"]

    status, body = await client.post(channel_card_action(teams, MATTI, button["verb"], button["data"], announcement["id"]))
    assert status == 200
    assert texts(body["value"]) == texts(card)  # the channel's card stays as it was, for everyone
    (survey,) = connector.sent(conversation_id_for(MATTI))  # a new 1:1 chat, through the team's roster
    assert "Osio 1/5" in texts(card_of(survey))

    status, body = await client.post(channel_card_action(teams, OLLI, button["verb"], button["data"], announcement["id"]))
    assert status == 200 and texts(body["value"]) == texts(card)
    assert connector.sent(conversation_id_for(OLLI)) == []
