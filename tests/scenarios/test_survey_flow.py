"""A representative answers the whole pre-survey in 1:1 chat, over HTTP, the way Teams drives it."""

from __future__ import annotations

from loopback.person import Person, inputs, texts
from loopback.survey import ANSWERS
from app import SERVICES




async def test_install_greets_the_representative_with_organisation_state_and_deadline(maija: Person):
    replies = await maija.install()
    assert len(replies) == 1
    card = replies[0]["attachments"][0]["content"]
    shown = texts(card)
    assert "Kuopion kaupunki" in shown and "varsinainen jäsen" in shown
    assert "**Tila:** ei aloitettu" in shown
    assert "Vastausaika päättyy 15.5.2024 klo 16.00." in shown
    assert "Aloita kysely" in str(card)


async def test_full_survey_from_install_to_submit(maija: Person, server):
    greeting = (await maija.install())[0]["attachments"][0]["content"]
    card = await maija.press(greeting, "Aloita kysely")
    assert "Osio 1/5: Tavoitteet ja toimenpiteet" in texts(card)

    card = await maija.press(card, "Seuraava", ANSWERS["goals_measures"])
    assert "Osio 2/5: Seuranta" in texts(card)
    card = await maija.press(card, "Seuraava", ANSWERS["monitoring"])
    assert "Osio 3/5" in texts(card)
    card = await maija.press(card, "Seuraava", ANSWERS["methods"])
    card = await maija.press(card, "Seuraava", ANSWERS["ngo_cooperation"])
    assert "Osio 5/5: Yhdyspinnat" in texts(card)
    card = await maija.press(card, "Tarkista vastaukset", ANSWERS["interfaces"])

    review = texts(card)
    assert "Tarkista vastaukset ennen lähettämistä" in review
    assert "vaativat vielä paljon tehostamista" in review
    assert "Jokin muu, mikä: Ikäihmisten digituki" in review
    assert "Nuorten osallisuusryhmä" in review and "Toimiva käytäntö" in review

    card = await maija.press(card, "Lähetä vastaukset")
    shown = texts(card)
    assert "Kiitos! Organisaatiosi vastaus on lähetetty." in shown
    assert "Vastauksen lähetti Maija Meikäläinen 2.5.2024 klo 10.00." in shown

    responses = server.app[SERVICES].responses
    stored = await responses.list_for_round(MAIJA_TENANT, "pohjois-savo-demo")
    assert [r.key.organisation_id for r in stored] == ["kuopio"]
    assert stored[0].submitted_answers["goals_to_strengthen"] == {"selected": ["g03", "g14", "other"], "other": "Ikäihmisten digituki"}
    assert stored[0].submitted_answers["annual_report_scale"] == 4
    assert stored[0].submitted_by == "Maija Meikäläinen"


async def test_back_keeps_answers_and_shows_them(maija: Person):
    card = await maija.open_card("kysely")
    card = await maija.press(card, "Seuraava", ANSWERS["goals_measures"])
    card = await maija.press(card, "Edellinen", {"q.annual_report_scale": "2"})
    assert "Osio 1/5" in texts(card)
    assert inputs(card)["q.goals_to_strengthen"] == "g03,g14,other"
    card = await maija.press(card, "Seuraava")
    assert inputs(card)["q.annual_report_scale"] == "2"


MAIJA_TENANT = "00000000-0000-0000-0000-0000000000001"
