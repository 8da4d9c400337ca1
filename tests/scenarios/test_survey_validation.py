"""Every validation rule of the survey, over HTTP: shown on the card, and nothing stored when refused.

Lenient checks (known options, numbers in range, lengths) apply to every move; required answers,
"Jokin muu, mikä" and its text, exclusive options and a method's evidence level only to "Seuraava"
and submit. A refused step shows the same section again with what was sent and stores nothing.
A "Jokin muu, mikä" text written without ticking the option chooses it (as Forms and Webropol do),
unless an exclusive option is chosen.
"""

from __future__ import annotations

import pytest

from app import SERVICES
from loopback.person import Person, inputs, texts
from cards.catalogue import t
from conftest import DEMO_TENANT
from hyte.responses import ResponseKey, ResponseState

ROUND = "pohjois-savo-demo"
KEY = ResponseKey(DEMO_TENANT, ROUND, "kuopio")
SECTIONS = ["goals_measures", "monitoring", "methods", "ngo_cooperation", "interfaces"]

VALID = {
    "goals_measures": {
        "q.goals_progress": "need_more_effort",
        "q.hyte_effectiveness": "Yhteiset tavoitteet kuntien ja järjestöjen kanssa.",
        "q.goals_to_strengthen": "g03,g14",
        "q.organisation_actions": "Järjestöfoorumi kahdesti vuodessa.",
    },
    "monitoring": {"q.annual_report_scale": "4", "q.annual_report_development": "Kuntakohtaiset tiedot."},
    "methods": {
        "q.methods.area_1.name": "Nuorten osallisuusryhmä",
        "q.methods.area_1.level": "good_practice",
    },
}

FIX_ERRORS = t("notice.fix_errors")
"""Tarkista alla merkityt kohdat. Tämän osion muutoksia ei ole tallennettu."""
NEXT, SAVE = "Seuraava", "Tallenna luonnos"



@pytest.fixture
def responses(server):
    return server.app[SERVICES].responses


async def at_section(maija: Person, section_id: str) -> dict:
    """The card of `section_id`, reached with valid answers in the sections before it."""
    card = await maija.open_card("kysely")
    for earlier in SECTIONS[: SECTIONS.index(section_id)]:
        card = await maija.press(card, NEXT, VALID[earlier])
    assert f"Osio {SECTIONS.index(section_id) + 1}/5" in texts(card)
    return card


async def stored(responses):
    return await responses.get(KEY), await responses.changes(KEY)


def section_1(**changes: str) -> dict[str, str]:
    return {**VALID["goals_measures"], **changes}


REFUSED = [
    pytest.param(
        "goals_measures", NEXT, {},
        [t("error.required")] * 4,
        id="required-answers-missing-on-next",
    ),
    pytest.param(
        "goals_measures", NEXT,
        section_1(**{"q.goals_to_strengthen": "g03,other", "q.goals_to_strengthen.other": ""}),
        ["Kirjoita tekstikenttään, mitä tarkoitat vaihtoehdolla ”Jokin muu, mikä”."],
        id="other-chosen-without-text",
    ),
    pytest.param(
        "goals_measures", NEXT,
        section_1(**{"q.goals_to_strengthen": "cannot_say", "q.goals_to_strengthen.other": "Ikäihmisten digituki"}),
        ["Valitsit vaihtoehdon ”Emme osaa sanoa”, jota ei voi yhdistää muihin. Tyhjennä kohdan "
         "”Jokin muu, mikä” tekstikenttä tai poista valinta."],
        id="other-text-with-an-exclusive-option",
    ),
    pytest.param(
        "goals_measures", NEXT, section_1(**{"q.goals_to_strengthen": "g03,cannot_say"}),
        ["Vaihtoehtoa ”Emme osaa sanoa” ei voi valita yhdessä muiden vaihtoehtojen kanssa."],
        id="cannot-say-with-goals",
    ),
    pytest.param(
        "goals_measures", NEXT, section_1(**{"q.goals_to_strengthen": "all_equal,g03,g14"}),
        ["Vaihtoehtoa ”Kaikki hyvinvointitavoitteet ovat yhtä tärkeitä” ei voi valita yhdessä muiden "
         "vaihtoehtojen kanssa."],
        id="all-equal-with-goals",
    ),
    pytest.param(
        "goals_measures", SAVE, {"q.hyte_effectiveness": "x" * 2001},
        ["Vastaus on liian pitkä. Enimmäispituus on 2000 merkkiä."],
        id="text-over-max-length-even-on-save",
    ),
    pytest.param(
        "goals_measures", NEXT, section_1(**{"q.hyte_effectiveness": "x" * 2001}),
        ["Vastaus on liian pitkä. Enimmäispituus on 2000 merkkiä."],
        id="text-over-max-length-on-next",
    ),
    pytest.param(
        "goals_measures", SAVE, {"q.goals_progress": "hacked"},
        ["Valinta ei ole kysymyksen vaihtoehto."],
        id="forged-option-even-on-save",
    ),
    pytest.param(
        "goals_measures", NEXT, section_1(**{"q.goals_progress": "hacked"}),
        ["Valinta ei ole kysymyksen vaihtoehto."],
        id="forged-option-on-next",
    ),
    pytest.param(
        "goals_measures", SAVE, {"q.goals_to_strengthen": "g03,g99"},
        ["Valinta ei ole kysymyksen vaihtoehto."],
        id="forged-multi-choice-option-even-on-save",
    ),
    pytest.param(
        "monitoring", NEXT, {**VALID["monitoring"], "q.annual_report_scale": "9"},
        ["Valitse arvo väliltä 1–5."],
        id="scale-out-of-range-on-next",
    ),
    pytest.param(
        "monitoring", SAVE, {"q.annual_report_scale": "9"},
        ["Valitse arvo väliltä 1–5."],
        id="scale-out-of-range-even-on-save",
    ),
    pytest.param(
        "monitoring", SAVE, {"q.annual_report_scale": "neljä"},
        ["Vastaus ei ole oikeassa muodossa."],
        id="scale-not-a-number-even-on-save",
    ),
    pytest.param(
        "methods", NEXT, {"q.methods.area_2.name": "Perhevalmennus"},
        ["Painopiste II: valitse näytön taso."],
        id="method-without-evidence-level-on-next",
    ),
    pytest.param(
        "methods", NEXT, {"q.methods.area_2.level": "pilot"},
        ["Painopiste II: anna menetelmän nimi."],
        id="method-without-name-on-next",
    ),
    pytest.param(
        "methods", NEXT, {**VALID["methods"], "q.methods.none": "true"},
        ["Anna joko menetelmäehdotuksia tai valitse kohta VII, ei molempia."],
        id="methods-none-toggled-with-a-method",
    ),
    pytest.param(
        "methods", SAVE, {"q.methods.area_1.level": "best_ever"},
        ["Valinta ei ole kysymyksen vaihtoehto."],
        id="forged-evidence-level-even-on-save",
    ),
]


@pytest.mark.parametrize("section_id, button, fill, errors", REFUSED)
async def test_refused_step_shows_errors_on_the_same_section_and_stores_nothing(
    maija: Person, responses, section_id: str, button: str, fill: dict, errors: list[str]
):
    card = await at_section(maija, section_id)
    before = await stored(responses)

    refused = await maija.press(card, button, fill)

    shown = texts(refused)
    index = SECTIONS.index(section_id) + 1
    assert f"Osio {index}/5" in shown
    assert FIX_ERRORS in shown
    for error in set(errors):
        assert shown.count(error) == errors.count(error), (error, shown)
    assert await stored(responses) == before
    if section_id == "goals_measures":
        assert before == (None, [])  # not even a response row


async def test_refused_card_keeps_what_was_typed(maija: Person, responses):
    card = await maija.open_card("kysely")
    typed = section_1(**{"q.goals_to_strengthen": "g03,other", "q.goals_to_strengthen.other": ""})

    refused = await maija.press(card, NEXT, typed)

    shown = inputs(refused)
    assert shown["q.goals_progress"] == "need_more_effort"
    assert shown["q.hyte_effectiveness"] == typed["q.hyte_effectiveness"]
    assert shown["q.goals_to_strengthen"] == "g03,other"
    assert await responses.get(KEY) is None

    fixed = await maija.press(refused, NEXT, {"q.goals_to_strengthen.other": "Ikäihmisten digituki"})
    assert "Osio 2/5: Seuranta" in texts(fixed)
    assert (await responses.get(KEY)).answers["goals_to_strengthen"] == {
        "selected": ["g03", "other"], "other": "Ikäihmisten digituki",
    }


@pytest.mark.parametrize("selected", ["g03", ""])
async def test_an_other_text_without_the_tick_chooses_jokin_muu_and_the_review_shows_it(
    maija: Person, responses, selected: str
):
    card = await maija.open_card("kysely")
    typed = section_1(**{"q.goals_to_strengthen": selected, "q.goals_to_strengthen.other": "Ikäihmisten digituki"})

    accepted = await maija.press(card, NEXT, typed)

    assert "Osio 2/5: Seuranta" in texts(accepted)
    chosen = ["g03", "other"] if selected else ["other"]
    answer = (await responses.get(KEY)).answers["goals_to_strengthen"]
    assert answer == {"selected": chosen, "other": "Ikäihmisten digituki"}
    again = await maija.press(accepted, "Edellinen")
    assert inputs(again)["q.goals_to_strengthen"] == ",".join(chosen)  # the box is now ticked
    version = (await responses.get(KEY)).version
    review = await maija.invoke("survey.submit", {"verb": "survey.submit", "r": ROUND, "v": version})
    assert t("survey.review_title") in texts(review)  # (refused: the later sections are not answered yet)
    assert "Jokin muu, mikä: Ikäihmisten digituki" in texts(review)


async def test_save_draft_with_required_answers_missing_is_accepted(maija: Person, responses):
    card = await maija.open_card("kysely")

    saved = await maija.press(card, SAVE, {"q.goals_progress": "very_well"})

    shown = texts(saved)
    assert "Osio 1/5" in shown
    assert "Luonnos on tallennettu 2.5.2024 klo 10.00." in shown
    assert t("error.required") not in shown
    response = await responses.get(KEY)
    assert response.version == 1
    assert response.answers == {"goals_progress": "very_well"}
    assert response.state is ResponseState.DRAFT
    assert response.submitted_answers is None
    assert [(c["action"], c["questions"]) for c in await responses.changes(KEY)] == [("save", ["goals_progress"])]

    # Required answers are enforced on "Seuraava": the draft is kept as it was.
    refused = await maija.press(saved, NEXT)
    assert texts(refused).count(t("error.required")) == 3
    assert (await responses.get(KEY)).version == 1


async def test_submit_with_incomplete_sections_shows_their_errors_and_submits_nothing(maija: Person, responses):
    card = await maija.open_card("kysely")
    await maija.press(card, SAVE, VALID["goals_measures"])  # only section 1, as a draft
    before = await stored(responses)
    assert before[0].version == 1

    # The data of the review card's "Lähetä vastaukset" at this version (cards.survey.review_card):
    # a review card from earlier in the chat carries exactly this.
    review = await maija.invoke("survey.submit", {"verb": "survey.submit", "r": ROUND, "v": 1})

    shown = texts(review)
    assert t("survey.review_title") in shown
    assert t("notice.fix_sections") in shown
    assert shown.count(t("error.section_has_errors")) == 4  # sections 2–5; section 1 is complete
    assert shown.count(t("error.required")) == 2 + 1 + 3 + 4  # per section: 2, 1, 3, 4 questions
    assert "Kiitos" not in shown
    assert await stored(responses) == before
    assert (await responses.get(KEY)).submitted_answers is None

    # The review card it answers is a real one: its own submit button is refused the same way.
    again = await maija.press(review, "Lähetä vastaukset")
    assert texts(again).count(t("error.section_has_errors")) == 4
    assert await stored(responses) == before
