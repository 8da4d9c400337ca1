"""Who may talk to the bot and what it accepts: strangers, UPN-only people, tenants, forged card
payloads, another round's card, an older client's message-with-value submit, unknown commands."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.identity import STRANGER_MEMORY
from sqlalchemy import func, select

from app import SERVICES
from loopback.http import BotClient
from loopback.person import CARD, Person, actions, inputs, only_card, plain, texts
from loopback.teams import TeamsEnv, card_action, conversation_id_for, member, personal_message
from cards.catalogue import t
from conftest import ANNA, DEMO_TENANT, MAIJA, OLLI, SANNA
from hyte.responses import ResponseKey
from storage.db import create_engine
from storage.models import ConversationRow, PersonRow, ResponseChangeRow, ResponseRow, SurveyPositionRow

ROUND = "pohjois-savo-demo"
KEY = ResponseKey(DEMO_TENANT, ROUND, "kuopio")
OTHER_TENANT = "11111111-2222-3333-4444-555555555555"
STRANGER_TEXT = t("greeting.stranger", county="Pohjois-Savon hyvinvointialue")



@pytest.fixture
def olli(client, connector, teams) -> Person:
    return Person(client, connector, teams, OLLI)


async def row_counts(server) -> dict[str, int]:
    """Rows per table, read straight from the SQLite file."""
    engine = create_engine(server.settings.database_url)
    try:
        async with engine.connect() as connection:
            return {
                model.__tablename__: await connection.scalar(select(func.count()).select_from(model))
                for model in (ConversationRow, PersonRow, ResponseRow, ResponseChangeRow, SurveyPositionRow)
            }
    finally:
        await engine.dispose()


def only_text(replies: list[dict]) -> str:
    assert len(replies) == 1, replies
    assert not replies[0].get("attachments"), replies
    return replies[0]["text"]


def member_lookups(connector) -> list:
    return [c for c in connector.calls if c.kind == "member"]


# Strangers -------------------------------------------------------------------------------------


async def test_stranger_installing_gets_the_stranger_text_and_leaves_nothing_behind(olli: Person, server, connector):
    replies = await olli.install()

    assert texts(only_card(replies)) == STRANGER_TEXT
    assert "Et ole tämän neuvottelukierroksen edustajien joukossa, joten ennakkokysely ei ole sinulle." in STRANGER_TEXT
    lookups = member_lookups(connector)
    assert [(c.status, c.conversation_id) for c in lookups] == [(404, conversation_id_for(OLLI))]
    assert await row_counts(server) == dict.fromkeys(
        ["conversations", "people", "responses", "response_changes", "survey_positions"], 0
    )


async def test_stranger_writing_kysely_is_refused_politely_and_leaves_nothing_behind(olli: Person, server):
    assert only_text(await olli.say("kysely")) == t("not_for_you")
    assert texts(only_card(await olli.say("ohje"))) == STRANGER_TEXT
    assert await row_counts(server) == dict.fromkeys(
        ["conversations", "people", "responses", "response_changes", "survey_positions"], 0
    )


async def test_stranger_pressing_a_survey_card_is_refused(olli: Person, server):
    card = await olli.invoke("survey.open", {"verb": "survey.open", "r": ROUND})
    assert texts(card) == t("not_for_you")
    assert (await row_counts(server))["conversations"] == 0


async def test_hyte_team_member_writing_kysely_is_refused_politely(client, connector, teams, server):
    sanna = Person(client, connector, teams, SANNA)

    assert only_text(await sanna.say("kysely")) == t("not_for_you")
    greeting = await sanna.open_card("ohje")
    assert "Hei Sanna Laine! Olet HYTE-tiimin jäsen vuoden 2024 HYTE-neuvotteluissa (Pohjois-Savon hyvinvointialue)." \
        in texts(greeting)  # the county and year, not the round's internal id
    assert await server.app[SERVICES].responses.list_for_round(DEMO_TENANT, ROUND) == []


# A representative configured by UPN only ---------------------------------------------------------


async def test_upn_only_representative_is_recognised_and_remembered(client, connector, teams, server):
    connector.add_member(member(teams, ANNA))  # userPrincipalName anna.makinen@example.fi
    anna = Person(client, connector, teams, ANNA)

    greeting = (await anna.install())[0]["attachments"][0]["content"]

    assert texts(greeting).splitlines()[0] == (
        "Hei Anna Mäkinen! Edustat HYTE-neuvottelukunnassa organisaatiota Savonia-ammattikorkeakoulu "
        "(varsinainen jäsen)."
    )
    assert len(member_lookups(connector)) == 1
    assert (await row_counts(server))["people"] == 1
    assert await server.app[SERVICES].conversations.person_upn(DEMO_TENANT, ANNA.aad_object_id) == ANNA.upn

    card = await anna.open_card("kysely")
    assert "Osio 1/5" in texts(card)
    assert len(member_lookups(connector)) == 1  # her aad id was remembered: no second look-up
    await anna.press(card, "Tallenna luonnos", {"q.goals_progress": "cannot_say"})
    stored = await server.app[SERVICES].responses.get(ResponseKey(DEMO_TENANT, ROUND, "savonia"))
    assert stored.answers == {"goals_progress": "cannot_say"}


async def test_upn_only_representative_unknown_to_the_connector_is_a_stranger_until_it_knows_her(
    client, connector, teams, server
):
    anna = Person(client, connector, teams, ANNA)

    assert texts(only_card(await anna.say("ohje"))) == STRANGER_TEXT  # the look-up answered 404
    assert [c.status for c in member_lookups(connector)] == [404]
    assert (await row_counts(server))["people"] == 0

    connector.add_member(member(teams, ANNA))
    assert texts(only_card(await anna.say("ohje"))) == STRANGER_TEXT  # "not configured" is remembered a while
    assert len(member_lookups(connector)) == 1  # so a stranger's messages do not each cost a look-up

    server.clock.advance(STRANGER_MEMORY + timedelta(seconds=1))
    card = await anna.open_card("tila")  # then she is looked up again, and found
    assert "Organisaatiosi vastaus: Savonia-ammattikorkeakoulu" in texts(card)
    assert len(member_lookups(connector)) == 2


async def test_upn_only_representative_is_remembered_across_a_restart(client, connector, teams, server):
    connector.add_member(member(teams, ANNA))
    await Person(client, connector, teams, ANNA).say("ohje")
    connector.directory.clear()  # the connector would no longer know her: only the database does

    await server.restart()
    async with BotClient(server.url) as fresh:
        card = await Person(fresh, connector, teams, ANNA).open_card("tila")
    assert "Organisaatiosi vastaus: Savonia-ammattikorkeakoulu" in texts(card)
    assert len(member_lookups(connector)) == 1


# Tenants ---------------------------------------------------------------------------------------


def _without_conversation_tenant(activity: dict) -> dict:
    del activity["conversation"]["tenantId"]
    return activity


def _without_channel_data_tenant(activity: dict) -> dict:
    activity["channelData"] = {}
    return activity


@pytest.mark.parametrize("shape", [
    pytest.param(lambda a: a, id="channelData-and-conversation"),
    pytest.param(_without_conversation_tenant, id="channelData-only"),
    pytest.param(_without_channel_data_tenant, id="conversation-tenantId-only"),
])
async def test_tenant_is_read_from_what_teams_sends(client, connector, teams, shape):
    activity = shape(personal_message(teams, MAIJA, "ohje"))
    assert "tenant" not in activity and "tenantID" not in activity["conversation"]

    status, _ = await client.post(activity)

    assert status == 201
    (reply,) = connector.sent(conversation_id_for(MAIJA))
    assert texts(reply["attachments"][0]["content"]).startswith("Hei Maija Meikäläinen! Edustat")


@pytest.mark.parametrize("conversation_tenant", [OTHER_TENANT, DEMO_TENANT], ids=["both-other", "channelData-other"])
async def test_activity_from_another_tenant_is_refused_before_any_handler(client, connector, teams, server, conversation_tenant):
    other = TeamsEnv(service_url=teams.service_url, tenant_id=OTHER_TENANT)
    activity = personal_message(other, MAIJA, "kysely")
    activity["conversation"]["tenantId"] = conversation_tenant

    status, _ = await client.post(activity)

    assert status == 403
    assert connector.calls == []  # no answer, no member look-up
    assert set((await row_counts(server)).values()) == {0}  # nothing stored


# Forged and foreign card payloads ----------------------------------------------------------------


STEP = {"verb": "survey.step", "r": ROUND, "section": "goals_measures", "v": 0, "move": "save"}


@pytest.mark.parametrize("verb, data", [
    pytest.param("survey.delete", {"verb": "survey.delete", "r": ROUND}, id="unknown-verb"),
    pytest.param("survey.step", {k: v for k, v in STEP.items() if k != "v"}, id="missing-v"),
    pytest.param("survey.step", {**STEP, "admin": True}, id="extra-field"),
    pytest.param("survey.step", {**STEP, "v": "x"}, id="v-wrong-type"),
    pytest.param("survey.step", {**STEP, "v": -1}, id="v-negative"),
    pytest.param("survey.step", {**STEP, "move": "delete"}, id="unknown-move"),
    pytest.param("survey.step", {**STEP, "section": "../../etc"}, id="section-not-an-id"),
    pytest.param("survey.step", {**STEP, "q.hyte_effectiveness": "x" * 30_000}, id="input-30000-chars"),
    pytest.param("survey.step", {**STEP, "q.goals_progress": ["very_well"]}, id="input-wrong-type"),
    pytest.param("survey.submit", {"verb": "survey.submit", "v": 0}, id="missing-round"),
    pytest.param("", {}, id="empty"),
])
async def test_forged_card_payload_is_refused_cleanly(maija: Person, server, verb: str, data: dict):
    card = await maija.open_card("kysely")
    await maija.press(card, "Tallenna luonnos", {"q.goals_progress": "very_well"})
    before = await server.app[SERVICES].responses.get(KEY), await server.app[SERVICES].responses.changes(KEY)

    answer = await maija.invoke(verb, data)  # asserts HTTP 200 and a card

    assert texts(answer) == t("card_not_understood")
    assert texts(answer).startswith("En pystynyt lukemaan kortin tietoja")
    assert (await server.app[SERVICES].responses.get(KEY), await server.app[SERVICES].responses.changes(KEY)) == before


async def test_card_of_another_round_gets_the_stale_round_text(maija: Person, server):
    answer = await maija.invoke("survey.step", {**STEP, "r": "other-round", "q.goals_progress": "very_well"})

    assert texts(answer) == t("survey.stale_round")
    assert await server.app[SERVICES].responses.get(KEY) is None


async def test_invoke_without_a_value_is_refused_cleanly(maija: Person, client, teams):
    activity = card_action(teams, MAIJA, "survey.open", {})
    activity["value"] = None

    status, body = await client.post(activity)

    assert status == 200
    assert body["value"]["body"][0]["text"] == t("card_not_understood")


# An older client's message-with-value submit -----------------------------------------------------


async def test_message_with_value_submit_is_handled_and_updates_the_card_in_place(
    maija: Person, client, connector, teams, server
):
    (message,) = await maija.say("kysely")
    card = message["attachments"][0]["content"]
    button = actions(card)["Seuraava"]
    value = {**button["data"], **{k: v for k, v in inputs(card).items() if v is not None}, **{
        "q.goals_progress": "need_more_effort",
        "q.hyte_effectiveness": "Yhteiset tavoitteet.",
        "q.goals_to_strengthen": "g03",
        "q.organisation_actions": "Järjestöfoorumi.",
    }}
    sent_before = len(connector.sent())

    status, body = await client.post(personal_message(teams, MAIJA, None, value=value, reply_to_id=message["id"]))

    assert (status, body) == (201, None)
    assert len(connector.sent()) == sent_before  # nothing new posted
    (put,) = [c for c in connector.calls if c.kind == "update"]
    assert (put.method, put.conversation_id, put.activity_id) == ("PUT", conversation_id_for(MAIJA), message["id"])
    (attachment,) = put.body["attachments"]
    assert attachment["contentType"] == CARD
    assert "Osio 2/5: Seuranta" in texts(attachment["content"])
    stored = await server.app[SERVICES].responses.get(KEY)
    assert (stored.version, stored.answers["goals_to_strengthen"]) == (1, {"selected": ["g03"], "other": None})


# Unknown commands --------------------------------------------------------------------------------


@pytest.mark.parametrize("said, echo", [
    ("hei", "hei"),
    ("<p>*lihava* [linkki](http://x)</p>", "\u2217lihava\u2217 [linkki]\u2060(http\u2060://x)"),
])
async def test_unknown_command_is_echoed_as_typed_and_neutralised(maija: Person, said: str, echo: str):
    card = only_card(await maija.say(said))

    (block,) = card["body"]
    assert block["type"] == "RichTextBlock"  # what the person wrote is never read as Markdown
    assert texts(card) == f"En tunnistanut komentoa ”{echo}”. Kirjoita ohje, niin näet komennot."
    assert texts(card) == plain(t("unknown_command", text=echo))
    assert [run["text"] for run in block["inlines"] if run.get("weight") == "Bolder"] == ["ohje"]
