"""The member and the deputy of one organisation share one response: both see and edit it, every
edit is audited, a stale card never overwrites the other's change, and edits after submit stay
apart from what was submitted until submitted again."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from app import SERVICES
from loopback.person import Person, inputs, texts
from loopback.survey import ANSWERS
from cards.catalogue import t
from conftest import DEMO_TENANT, MAIJA, MATTI
from hyte.responses import ResponseKey, ResponseState

ROUND = "pohjois-savo-demo"
KEY = ResponseKey(DEMO_TENANT, ROUND, "kuopio")
NEXT, SAVE = "Seuraava", "Tallenna luonnos"




@pytest.fixture
def matti(client, connector, teams) -> Person:
    return Person(client, connector, teams, MATTI)


@pytest.fixture
def responses(server):
    return server.app[SERVICES].responses


def conflict_notice(by: str, at: str) -> str:
    return t("notice.conflict", by=by, at=at)


async def answer_all(person: Person) -> dict:
    """Answer every section with ANSWERS; return the review card."""
    card = await person.open_card("kysely")
    for section_id, values in ANSWERS.items():
        title = "Tarkista vastaukset" if section_id == "interfaces" else NEXT
        card = await person.press(card, title, values)
    assert t("survey.review_title") in texts(card)
    return card


async def test_deputy_sees_the_members_answers_and_both_edits_are_audited(
    maija: Person, matti: Person, responses, server
):
    card = await maija.open_card("kysely")
    await maija.press(card, SAVE, {"q.goals_progress": "need_more_effort", "q.hyte_effectiveness": "Maijan ehdotus."})

    server.clock.advance(timedelta(hours=1))
    card = await matti.open_card("kysely")

    assert "Osio 1/5" in texts(card)
    assert inputs(card)["q.goals_progress"] == "need_more_effort"
    assert inputs(card)["q.hyte_effectiveness"] == "Maijan ehdotus."
    assert "Viimeisin muutos 2.5.2024 klo 10.00 (Maija Meikäläinen)." in texts(card)

    card = await matti.press(card, NEXT, {
        "q.goals_progress": "very_well",
        "q.goals_to_strengthen": "g03",
        "q.organisation_actions": "Matin lisäys.",
    })
    assert "Osio 2/5" in texts(card)

    changes = await responses.changes(KEY)
    assert [(c["version"], c["action"], c["by"], c["by_name"], c["questions"]) for c in changes] == [
        (1, "save", MAIJA.aad_object_id, "Maija Meikäläinen", ["goals_progress", "hyte_effectiveness"]),
        (2, "save", MATTI.aad_object_id, "Matti Virtanen",
         ["goals_progress", "goals_to_strengthen", "organisation_actions"]),
    ]
    assert changes[1]["at"] - changes[0]["at"] == timedelta(hours=1)
    response = await responses.get(KEY)
    assert response.answers["hyte_effectiveness"] == "Maijan ehdotus."  # Maija's answer kept
    assert response.updated_by == "Matti Virtanen"

    status = texts(await maija.open_card("tila"))
    assert "Tila: luonnos, viimeksi tallennettu 2.5.2024 klo 11.00 (Matti Virtanen)" in status


async def test_stale_card_with_a_change_is_refused_and_shows_what_is_stored(
    maija: Person, matti: Person, responses, server
):
    maija_card = await maija.open_card("kysely")
    matti_card = await matti.open_card("kysely")
    assert inputs(maija_card) == inputs(matti_card)

    server.clock.advance(timedelta(minutes=5))
    await maija.press(maija_card, SAVE, ANSWERS["goals_measures"])
    stored = await responses.get(KEY)
    assert stored.version == 1

    server.clock.advance(timedelta(minutes=5))
    refused = await matti.press(matti_card, NEXT, {
        **ANSWERS["goals_measures"], "q.hyte_effectiveness": "Matin oma ehdotus.",
    })

    shown = texts(refused)
    assert "Osio 1/5" in shown
    assert conflict_notice("Maija Meikäläinen", "2.5.2024 klo 10.05") in shown
    assert inputs(refused)["q.hyte_effectiveness"] == ANSWERS["goals_measures"]["q.hyte_effectiveness"]
    assert await responses.get(KEY) == stored  # Matti's change is not stored
    assert len(await responses.changes(KEY)) == 1

    again = await matti.press(refused, NEXT, {"q.hyte_effectiveness": "Matin oma ehdotus."})

    assert "Osio 2/5" in texts(again)
    after = await responses.get(KEY)
    assert after.version == 2
    assert after.answers["hyte_effectiveness"] == "Matin oma ehdotus."
    assert after.answers["goals_progress"] == "need_more_effort"
    assert [(c["by_name"], c["questions"]) for c in await responses.changes(KEY)][1] == (
        "Matti Virtanen", ["hyte_effectiveness"],
    )


async def test_stale_card_unchanged_by_the_presser_proceeds_without_conflict(
    maija: Person, matti: Person, responses
):
    card = await maija.open_card("kysely")
    maija_card = await maija.press(card, NEXT, ANSWERS["goals_measures"])  # now at section 2
    matti_card = await matti.open_card("kysely")  # section 1 at version 1
    await maija.press(maija_card, NEXT, ANSWERS["monitoring"])  # version 2, another section
    stored = await responses.get(KEY)
    assert stored.version == 2

    card = await matti.press(matti_card, NEXT)  # nothing changed on his card

    shown = texts(card)
    assert "Osio 2/5: Seuranta" in shown
    assert "muutti vastausta" not in shown
    assert inputs(card)["q.annual_report_scale"] == "4"  # Maija's answers of section 2
    assert await responses.get(KEY) == stored
    assert len(await responses.changes(KEY)) == 2


async def test_stale_card_never_reverts_the_others_change_in_the_same_section(
    maija: Person, matti: Person, responses
):
    card = await maija.open_card("kysely")
    await maija.press(card, SAVE, ANSWERS["goals_measures"])
    maija_card = await maija.open_card("kysely")
    matti_card = await matti.open_card("kysely")
    await maija.press(maija_card, SAVE, {"q.goals_progress": "very_well"})

    # Matti's card still shows "need_more_effort"; pressing it as it is would undo Maija's change.
    refused = await matti.press(matti_card, NEXT)

    assert "Maija Meikäläinen muutti vastausta" in texts(refused)
    assert inputs(refused)["q.goals_progress"] == "very_well"
    response = await responses.get(KEY)
    assert (response.version, response.answers["goals_progress"]) == (2, "very_well")


@pytest.mark.parametrize("stored_first", [False, True], ids=["first-write-insert", "later-write-update"])
async def test_simultaneous_presses_from_one_version_store_one_and_tell_the_other(
    maija: Person, matti: Person, responses, monkeypatch, stored_first: bool
):
    if stored_first:
        await maija.press(await maija.open_card("kysely"), SAVE, {"q.hyte_effectiveness": "Alku."})
    version = 1 if stored_first else 0
    maija_card = await maija.open_card("kysely")
    matti_card = await matti.open_card("kysely")

    # Hold both writes until both turns have read the response and decided: a true race, which the
    # repository settles (one write wins, the other raises VersionConflict).
    arrived, both = [], asyncio.Event()
    real_apply = responses.apply

    async def apply_together(*args, **kwargs):
        arrived.append(args[2].name)
        if len(arrived) == 2:
            both.set()
        await asyncio.wait_for(both.wait(), 5)
        return await real_apply(*args, **kwargs)

    monkeypatch.setattr(responses, "apply", apply_together)
    cards = await asyncio.gather(
        maija.press(maija_card, SAVE, {"q.goals_progress": "very_well"}),
        matti.press(matti_card, SAVE, {"q.goals_progress": "cannot_say"}),
    )

    assert sorted(arrived) == ["Maija Meikäläinen", "Matti Virtanen"]
    response = await responses.get(KEY)
    assert response.version == version + 1
    winner = {"very_well": "Maija Meikäläinen", "cannot_say": "Matti Virtanen"}[response.answers["goals_progress"]]
    told = [c for c in cards if "muutti vastausta" in texts(c)]
    assert len(told) == 1
    assert f"{winner} muutti vastausta" in texts(told[0])
    assert inputs(told[0])["q.goals_progress"] == response.answers["goals_progress"]
    assert len(await responses.changes(KEY)) == version + 1


async def test_edit_after_submit_is_kept_apart_until_resubmitted(maija: Person, responses, server):
    review = await answer_all(maija)
    submitted = await maija.press(review, "Lähetä vastaukset")
    assert t("survey.submitted_title") in texts(submitted)

    server.clock.advance(timedelta(hours=1))
    card = await maija.press(submitted, "Muokkaa vastauksia")
    assert "Osio 1/5" in texts(card)
    assert inputs(card)["q.goals_progress"] == "need_more_effort"
    card = await maija.press(card, SAVE, {"q.goals_progress": "very_well"})

    response = await responses.get(KEY)
    assert response.state is ResponseState.SUBMITTED_WITH_CHANGES
    assert response.answers["goals_progress"] == "very_well"
    assert response.submitted_answers["goals_progress"] == "need_more_effort"
    status = texts(await maija.open_card("tila"))
    assert (
        "Tila: lähetetty 2.5.2024 klo 10.00 (Maija Meikäläinen); sen jälkeen tehtyjä muutoksia ei ole lähetetty"
        in status
    )

    server.clock.advance(timedelta(hours=1))
    for _ in range(4):
        card = await maija.press(card, NEXT)
    review = await maija.press(card, "Tarkista vastaukset")
    assert "etenevät erittäin hyvin" in texts(review)
    resubmitted = await maija.press(review, "Lähetä vastaukset")

    assert "Vastauksen lähetti Maija Meikäläinen 2.5.2024 klo 12.00." in texts(resubmitted)
    response = await responses.get(KEY)
    assert response.state is ResponseState.SUBMITTED
    assert response.submitted_answers == response.answers
    assert response.submitted_answers["goals_progress"] == "very_well"
    changes = await responses.changes(KEY)
    assert [c["action"] for c in changes] == ["save"] * 5 + ["submit", "save", "submit"]
    assert changes[-1]["questions"] == ["goals_progress"]
    assert texts(await maija.open_card("tila")).count("Tila: lähetetty 2.5.2024 klo 12.00 (Maija Meikäläinen)") == 1
