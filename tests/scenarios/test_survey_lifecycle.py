"""The survey over time: resuming after a restart, the survey window (not yet open, closed), and the
`tila`/`status` and `ohje`/`help` commands."""

from __future__ import annotations

from datetime import datetime

import pytest

from app import SERVICES
from loopback.http import BotClient
from loopback.person import Person, actions, inputs, texts
from cards.catalogue import t
from conftest import DEMO_TENANT, MAIJA
from hyte.responses import ResponseKey
from hyte.round import HELSINKI

ROUND = "pohjois-savo-demo"
KEY = ResponseKey(DEMO_TENANT, ROUND, "kuopio")
NEXT, SAVE = "Seuraava", "Tallenna luonnos"
CLOSED_AT = "15.5.2024 klo 16.00"
AFTER_CLOSING = datetime(2024, 5, 15, 16, 1, tzinfo=HELSINKI)
BEFORE_OPENING = datetime(2024, 4, 1, 12, 0, tzinfo=HELSINKI)

ANSWERS = {
    "goals_measures": {
        "q.goals_progress": "need_more_effort",
        "q.hyte_effectiveness": "Yhteiset tavoitteet.",
        "q.goals_to_strengthen": "g03",
        "q.organisation_actions": "Järjestöfoorumi.",
    },
    "monitoring": {"q.annual_report_scale": "4", "q.annual_report_development": "Kuntakohtaiset tiedot."},
    "methods": {"q.methods.none": "true"},
    "ngo_cooperation": {
        "q.ngo_good_practices": "Avustukset.",
        "q.ngo_at_its_best": "Yhteistyötä.",
        "q.ngo_discussion_needs": "Tilat.",
    },
    "interfaces": {
        "q.interfaces_strategy_goal": "Selkeät roolit.",
        "q.partners_found": "yes",
        "q.roles_clear": "no",
        "q.more_cooperation": "Koulut.",
    },
}



async def snapshot(server):
    services = server.app[SERVICES]
    return (
        await services.responses.get(KEY),
        await services.responses.changes(KEY),
        await services.positions.get(DEMO_TENANT, ROUND, MAIJA.aad_object_id),
    )


async def answer_all(person: Person) -> dict:
    card = await person.open_card("kysely")
    for section_id, values in ANSWERS.items():
        card = await person.press(card, "Tarkista vastaukset" if section_id == "interfaces" else NEXT, values)
    return card


# Resume ----------------------------------------------------------------------------------------


async def test_kysely_resumes_at_the_saved_section_after_a_restart(maija: Person, server, connector, teams):
    card = await maija.open_card("kysely")
    card = await maija.press(card, NEXT, ANSWERS["goals_measures"])
    await maija.press(card, SAVE, {"q.annual_report_scale": "2"})

    await server.restart()
    async with BotClient(server.url) as client:
        card = await Person(client, connector, teams, MAIJA).open_card("kysely")

    shown = texts(card)
    assert "Osio 2/5: Seuranta" in shown
    assert t("notice.resumed", at="2.5.2024 klo 10.00", by="Maija Meikäläinen") in shown
    assert inputs(card)["q.annual_report_scale"] == "2"
    assert inputs(card)["q.annual_report_development"] is None


async def test_kysely_without_a_saved_position_starts_at_section_1_without_a_notice(maija: Person):
    card = await maija.open_card("kysely")
    assert "Osio 1/5" in texts(card)
    assert "Jatkat siitä" not in texts(card)


# Survey window -----------------------------------------------------------------------------------


CLOSED_ACTIONS = ["kysely", "start-button", "step-save", "step-next", "submit", "goto"]


@pytest.mark.parametrize("action", CLOSED_ACTIONS)
async def test_closed_survey_answers_every_action_with_the_closed_card(maija: Person, server, action: str):
    greeting = (await maija.install())[0]["attachments"][0]["content"]
    review = await answer_all(maija)
    section = await maija.press(review, "Muokkaa osiota")  # the last section, open for editing
    before = await snapshot(server)

    server.clock.set(AFTER_CLOSING)
    match action:
        case "kysely":
            card = await maija.open_card("kysely")
        case "start-button":
            card = await maija.press(greeting, "Aloita kysely")
        case "step-save":
            card = await maija.press(section, SAVE, {"q.more_cooperation": "Myöhästynyt muutos."})
        case "step-next":
            card = await maija.press(section, "Tarkista vastaukset", {"q.roles_clear": "yes"})
        case "submit":
            card = await maija.press(review, "Lähetä vastaukset")
        case "goto":
            card = await maija.press(review, "Muokkaa osiota")

    shown = texts(card)
    assert shown == "\n".join([t("survey.closed_title"), t("survey.closed_body", at=CLOSED_AT)])
    assert "Ennakkokysely sulkeutui 15.5.2024 klo 16.00. Vastauksia ei voi enää muuttaa." in shown
    assert actions(card) == {}
    assert await snapshot(server) == before
    assert before[0].submitted_answers is None


async def test_closed_survey_greeting_and_status_show_no_start_button(maija: Person, server):
    server.clock.set(AFTER_CLOSING)
    greeting = (await maija.install())[0]["attachments"][0]["content"]
    status = await maija.open_card("tila")

    for card in (greeting, status):
        assert f"Ennakkokysely sulkeutui {CLOSED_AT}." in texts(card)
        assert actions(card) == {}


async def test_survey_not_yet_open_refuses_and_stores_nothing(maija: Person, server):
    server.clock.set(BEFORE_OPENING)
    greeting = (await maija.install())[0]["attachments"][0]["content"]
    assert "Ennakkokysely avautuu 24.4.2024 klo 08.00." in texts(greeting)
    assert actions(greeting) == {}

    card = await maija.open_card("kysely")
    assert texts(card) == "\n".join(
        [t("survey.not_yet_open_title"), "Ennakkokysely avautuu 24.4.2024 klo 08.00."]
    )
    assert "Ennakkokysely ei ole vielä avoinna" in texts(card)

    forged = await maija.invoke("survey.step", {
        "verb": "survey.step", "r": ROUND, "section": "goals_measures", "v": 0, "move": "save",
        "q.goals_progress": "very_well",
    })
    assert t("survey.not_yet_open_title") in texts(forged)
    assert await snapshot(server) == (None, [], None)


# Status and help ---------------------------------------------------------------------------------


async def _not_started(maija: Person) -> None:
    pass


async def _draft(maija: Person) -> None:
    card = await maija.open_card("kysely")
    await maija.press(card, SAVE, {"q.goals_progress": "very_well"})


async def _submitted(maija: Person) -> None:
    await maija.press(await answer_all(maija), "Lähetä vastaukset")


@pytest.mark.parametrize("prepare, state", [
    pytest.param(_not_started, "**Tila:** ei aloitettu", id="not-started"),
    pytest.param(_draft, "Tila: luonnos, viimeksi tallennettu 2.5.2024 klo 10.00 (Maija Meikäläinen)", id="draft"),
    pytest.param(_submitted, "Tila: lähetetty 2.5.2024 klo 10.00 (Maija Meikäläinen)", id="submitted"),
])
async def test_tila_shows_state_and_deadline(maija: Person, prepare, state: str):
    await prepare(maija)

    tila = await maija.open_card("tila")
    status = await maija.open_card("status")

    assert tila == status
    assert texts(tila).splitlines() == [
        "Organisaatiosi vastaus: Kuopion kaupunki",
        state,
        "Vastausaika päättyy 15.5.2024 klo 16.00.",
    ]
    if state.endswith("ei aloitettu"):
        button = "Aloita kysely"
    elif "lähetetty" in state:
        button = "Näytä lähetetty vastaus"
    else:
        button = "Jatka kyselyä"
    assert list(actions(tila)) == [button]


async def test_ohje_and_help_answer_the_same(maija: Person):
    ohje = await maija.open_card("ohje")
    help_ = await maija.open_card("help")
    capitals = await maija.open_card("  OHJE ")

    assert ohje == help_ == capitals
    shown = texts(ohje)
    assert t("help.title") in shown
    assert ("**kysely** (myös **avaa kysely**, **aloita kysely** tai **jatka kyselyä**): avaa organisaatiosi "
            "ennakkokyselyn tai keskeneräisen vastauksen") in shown
    assert "**tila** (myös **vastaustilanne** tai **näytä tila**): kertoo organisaatiosi vastauksen tilan" in shown
    assert "**ohje** (myös **komennot**): näyttää tämän ohjeen" in shown
    assert "help" not in shown and "survey" not in shown  # the English aliases work, but are not shown
    assert "HYTE-tiimi" not in shown.split(t("help.title"))[1]  # a representative is not offered the team's commands
