"""Teams re-sends an activity when the bot is slow (15 s) and may deliver a submit several times,
not always with the same activity id: each activity's effect happens at most once."""

from __future__ import annotations

import copy


from app import SERVICES
from loopback.person import CARD, Person, actions, texts
from loopback.teams import card_action, personal_install, personal_message
from conftest import DEMO_TENANT, MAIJA
from hyte.responses import ResponseKey
from loopback.survey import ANSWERS

KEY = ResponseKey(DEMO_TENANT, "pohjois-savo-demo", "kuopio")



async def test_the_same_message_delivered_twice_is_answered_once(maija: Person, client, connector, teams):
    activity = personal_message(teams, MAIJA, "kysely")
    first = await client.post(activity)
    replies = len(connector.sent(maija.conversation_id))
    second = await client.post(copy.deepcopy(activity))

    assert first[0] in (200, 201) and second[0] in (200, 201)
    assert replies == 1
    assert len(connector.sent(maija.conversation_id)) == 1

    # Another message with the same text is a new activity: it is answered.
    await maija.say("kysely")
    assert len(connector.sent(maija.conversation_id)) == 2


async def test_the_same_submit_delivered_three_times_stores_one_submission(maija: Person, client, teams, server):
    card = await maija.open_card("kysely")
    for section_id, values in ANSWERS.items():
        card = await maija.press(card, "Tarkista vastaukset" if section_id == "interfaces" else "Seuraava", values)
    submit = actions(card)["Lähetä vastaukset"]
    activity = card_action(teams, MAIJA, submit["verb"], dict(submit["data"]))

    answers = [
        await client.post(activity),  # the first delivery
        await client.post(copy.deepcopy(activity)),  # re-sent with the same id
        await client.post(card_action(teams, MAIJA, submit["verb"], dict(submit["data"]))),  # a new id
    ]

    for status, body in answers:
        assert status == 200
        assert body["statusCode"] == 200 and body["type"] == CARD
        assert "Vastauksen lähetti Maija Meikäläinen 2.5.2024 klo 10.00." in texts(body["value"])
    assert "Kiitos! Organisaatiosi vastaus on lähetetty." in texts(answers[0][1]["value"])
    assert all("Organisaatiosi vastaus on lähetetty." in texts(body["value"]) for _, body in answers[1:])  # answered as submitted
    responses = server.app[SERVICES].responses
    changes = await responses.changes(KEY)
    assert [c["action"] for c in changes].count("submit") == 1
    stored = await responses.get(KEY)
    assert stored.submitted_at is not None and stored.version == changes[-1]["version"]


async def test_a_repeated_install_greets_once(maija: Person, client, connector, teams):
    activity = personal_install(teams, MAIJA)
    assert (await client.post(activity))[0] in (200, 201)
    assert (await client.post(copy.deepcopy(activity)))[0] in (200, 201)
    assert len(connector.sent(maija.conversation_id)) == 1
