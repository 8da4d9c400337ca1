"""The HYTE team curates a question's themes in Teams, over HTTP: merge, rename, hide, the
representative quote; the card updated in place; stored with who and when; applied to the summary
cards and both exports; holding when an answer arrives later. A representative's forged payload
is refused and changes nothing."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from app import SERVICES
from auxil import realistic_round
from auxil.cards import walk
from cards.catalogue import t
from conftest import DEMO_TENANT, NOW, SANNA
from hyte.responses import Actor, Change, ChangeAction, ResponseKey
from loopback.channel import cards_of
from loopback.person import Person, texts
from storage.db import Database
from storage.models import ThemeCurationRow

ROUND_ID = "pohjois-savo-demo"
QUESTION = "ngo_good_practices"


async def submit(server, org: str, answers: dict) -> None:
    responses = server.app[SERVICES].responses
    key = ResponseKey(DEMO_TENANT, ROUND_ID, org)
    actor = Actor(str(uuid.uuid4()), "Edustaja")
    await responses.apply(key, Change(answers, 0, ChangeAction.SAVE, tuple(answers)), actor, NOW - timedelta(hours=2))
    await responses.apply(key, Change(answers, 1, ChangeAction.SUBMIT, tuple(answers)), actor, NOW - timedelta(hours=1))


@pytest.fixture
async def answered(server):
    round_ = server.app[SERVICES].round
    made = realistic_round.responses(round_)
    for response in made:
        if response.submitted_answers is not None and response.key.organisation_id != "apteekit":
            await submit(server, response.key.organisation_id, response.submitted_answers)
    return made




def curate_button(card: dict) -> dict | None:
    return next((e for e in walk(card) if e.get("type") == "Action.Execute" and e.get("verb") == "curation.open"
                 and e["data"]["question"] == QUESTION), None)


def choices(card: dict, input_id: str) -> dict[str, str]:
    element = next(e for e in walk(card) if e.get("id") == input_id)
    return {c["title"]: c["value"] for c in element["choices"]}


def theme_lines(card: dict) -> list[str]:
    return [line for line in texts(card).splitlines() if line.startswith("• ")]


async def rows(sqlite_url: str) -> list[ThemeCurationRow]:
    database = Database.connect(sqlite_url)
    try:
        async with database.sessions() as session:
            return list(await session.scalars(select(ThemeCurationRow).order_by(ThemeCurationRow.id)))
    finally:
        await database.dispose()


async def open_curation(sanna: Person) -> tuple[dict, dict]:
    cards = cards_of(await sanna.say("kyselyn yhteenveto"))
    holder = next(c for c in cards if curate_button(c))
    card = await sanna.invoke("curation.open", curate_button(holder)["data"])
    return holder, card


async def test_merge_rename_hide_and_quote_update_the_card_and_hold_everywhere(server, answered, sanna, sqlite_url):
    holder, card = await open_curation(sanna)
    assert texts(card).splitlines()[0] == "Teemojen muokkaus"
    assert theme_lines(card)[:3] == ["• järjestöfoorumit: 4 organisaatiota",
                                     "• yhteiset tapahtumat ja tilaisuudet: 3 organisaatiota",
                                     "• yhteyshenkilöt: 3 organisaatiota"]
    themes = choices(card, "cur.theme")

    card = await sanna.press(card, "Yhdistä", {"cur.theme": themes["yhteyshenkilöt"], "cur.target": themes["järjestöfoorumit"]})
    assert "Yhdistin teemat." in texts(card)
    assert theme_lines(card)[0] == "• järjestöfoorumit: 7 organisaatiota"
    assert not any("yhteyshenkilöt" in line for line in theme_lines(card))

    card = await sanna.press(card, "Nimeä uudelleen", {"cur.theme": themes["järjestöfoorumit"],
                                                        "cur.label": "Foorumit ja yhteyshenkilöt"})
    assert theme_lines(card)[0] == "• Foorumit ja yhteyshenkilöt: 7 organisaatiota"

    card = await sanna.press(card, "Piilota", {"cur.theme": themes["koulut ja oppilaitokset"]})
    assert "Piilotin teeman." in texts(card) and "Piilotetut teemat: koulut ja oppilaitokset" in texts(card)
    assert not any("koulut" in line for line in theme_lines(card))

    quotes = choices(card, "cur.quote")
    chosen_org = "kuopio"  # its answer names the events ("yhteiset tapahtumat, kuten hyvinvointipäivät")
    assert chosen_org in quotes.values()
    card = await sanna.press(card, "Valitse lainaus", {"cur.theme": themes["yhteiset tapahtumat ja tilaisuudet"],
                                                        "cur.quote": chosen_org})
    assert "Valitsin teemaa edustavan vastauksen." in texts(card)
    lines = texts(card).splitlines()
    events = lines.index("• yhteiset tapahtumat ja tilaisuudet: 3 organisaatiota")
    assert "hyvinvointipäivät" in lines[events + 1]
    assert "Viimeisin muutos: Sanna Laine," in texts(card)

    stored = await rows(sqlite_url)
    assert [(r.action, r.by_name, r.by_aad, r.at) for r in stored] == [
        (action, "Sanna Laine", SANNA.aad_object_id, NOW) for action in ("merge", "rename", "hide", "quote")]

    # Back to the summary: the card that held the button, curated.
    summary_card = await sanna.press(card, "Takaisin yhteenvetoon")
    shown = texts(summary_card)
    assert "Foorumit ja yhteyshenkilöt: 7 organisaatiota" in shown.replace("**", "")
    assert curate_button(summary_card) is not None
    # The card put back is the one it replaced: the comparison's part of it too (here: none to compare).
    assert (t("comparison.none", year=server.app[SERVICES].round.year) in texts(holder)
            and t("comparison.none", year=server.app[SERVICES].round.year) in shown)

    # Both exports read the same curation.
    exports = server.app[SERVICES].exports
    document = Document(io.BytesIO((await exports.build(server.app[SERVICES].round, "docx", NOW)).data))
    paragraphs = [p.text for p in document.paragraphs]
    assert any(p.startswith("Foorumit ja yhteyshenkilöt: 7 organisaatiota") for p in paragraphs)
    assert not any(p.startswith("koulut ja oppilaitokset:") for p in paragraphs)
    book = load_workbook(io.BytesIO((await exports.build(server.app[SERVICES].round, "xlsx", NOW)).data))
    themes_sheet = list(book["Avointen vastausten teemat"].iter_rows(min_row=2, values_only=True))
    mine = [row for row in themes_sheet if row[0].startswith("Järjestöyhteistyö, kysymys 1")]
    assert mine[0][1:3] == ("Foorumit ja yhteyshenkilöt", 7)
    assert "hyvinvointipäivät" in next(row for row in mine if row[1] == "yhteiset tapahtumat ja tilaisuudet")[4]
    assert not any(row[1] == "koulut ja oppilaitokset" for row in mine)

    # An answer arriving later joins the curated theme it matches (a contact person: merged in).
    later = dict(next(r for r in answered if r.key.organisation_id == "apteekit").submitted_answers)
    later[QUESTION] = "Apteekilla on nimetty yhteyshenkilö järjestöjen suuntaan."
    await submit(server, "apteekit", later)
    _holder, card = await open_curation(sanna)
    assert theme_lines(card)[0] == "• Foorumit ja yhteyshenkilöt: 8 organisaatiota"


async def test_incomplete_or_stale_edits_are_refused_and_nothing_is_stored(server, answered, sanna, sqlite_url):
    _holder, card = await open_curation(sanna)
    themes = choices(card, "cur.theme")
    card = await sanna.press(card, "Yhdistä", {"cur.theme": themes["järjestöfoorumit"]})
    assert "Valitse toinen teema, johon tämä yhdistetään." in texts(card)
    card = await sanna.press(card, "Nimeä uudelleen", {"cur.theme": themes["järjestöfoorumit"], "cur.label": "  "})
    assert "Kirjoita teemalle uusi nimi (enintään 80 merkkiä)." in texts(card)
    card = await sanna.press(card, "Piilota", {"cur.theme": "ei-ole-teema"})
    assert "Teemaa ei enää ole yhteenvedossa." in texts(card)
    card = await sanna.press(card, "Piilota", {"cur.theme": ""})
    assert "Valitse ensin teema." in texts(card)
    assert await rows(sqlite_url) == []


async def test_a_representative_never_sees_the_controls_and_a_forged_payload_is_refused(server, answered, maija, sqlite_url):
    for verb, data in (
        ("curation.apply", {"verb": "curation.apply", "r": ROUND_ID, "question": QUESTION, "action": "hide",
                            "cur.theme": "järjestöfoorumi"}),
        ("curation.open", {"verb": "curation.open", "r": ROUND_ID, "question": QUESTION}),
        ("curation.done", {"verb": "curation.done", "r": ROUND_ID, "question": QUESTION}),
    ):
        card = await maija.invoke(verb, data)
        assert texts(card) == "Tämä toiminto on vain HYTE-tiimin käytössä."
    assert await rows(sqlite_url) == []
    status = await maija.open_card("tila")
    assert not any(e.get("verb", "").startswith("curation.") for e in walk(status))


async def test_the_meetings_evidence_is_the_survey_as_curated(server, answered, sanna):
    """The conclusions' evidence picker offers the themes under the names the HYTE team gave them,
    and not the ones it hid."""
    _holder, card = await open_curation(sanna)
    themes = choices(card, "cur.theme")
    card = await sanna.press(card, "Nimeä uudelleen", {"cur.theme": themes["järjestöfoorumit"], "cur.label": "Foorumit"})
    card = await sanna.press(card, "Piilota", {"cur.theme": themes["koulut ja oppilaitokset"]})

    evidence = " | ".join(choices(await sanna.open_card("uusi kirjaus"), "m.evidence"))
    assert "Foorumit" in evidence and "järjestöfoorumit" not in evidence
    assert "koulut ja oppilaitokset" not in evidence
