"""No turn waits for Entra ID: the bot's own token is a concern of the send, not of the turn.

The app runs with an app id and its production credentials (bot/transport/entra.py: MSAL, with a timeout),
pointed at a loopback stand-in for Entra ID's token endpoint (loopback/entra.py) through
`ToChannelFromBotLoginUrl`; channel tokens come from the local token service as in
test_authentication.py. The stand-in is down (connections refused), held (no answer), and back.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta

import jwt
import pytest
from sqlalchemy import func, select

from app import QUEUED, SERVICES
from cli import person_command
from loopback.entra import SECRET, EntraStandIn
from loopback.person import CARD, texts
from auxil.reminders import install_board_team, local, write_round
from loopback.server import BotServer
from loopback.teams import card_action, conversation_id_for, personal_message
from loopback.tokens import APP_ID, TokenService
from conftest import DEMO_TENANT, LIISA, MAIJA, SANNA, make_settings
from hyte.clock import FixedClock
from hyte.jobs import JobState
from hyte.responses import ResponseKey
from scenarios.test_authentication import tokens  # noqa: F401 (fixture)
from scenarios.test_security import AuthClient
from storage.db import create_engine
from storage.models import QueuedReplyRow

ROUND = "pohjois-savo-demo"
KEY = ResponseKey(DEMO_TENANT, ROUND, "kuopio")
SURVEY_OPENS = local("2024-03-18T08:00")
"""When the fixed-date round (auxil/reminders.write_round) opens its survey: a reminder is due."""
SAVE = {"verb": "survey.step", "r": ROUND, "section": "goals_measures", "move": "save"}


@pytest.fixture
async def entra(tokens, monkeypatch):
    stand_in = await EntraStandIn(tokens).start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(stand_in.ca_file))  # MSAL's requests session trusts it
    yield stand_in
    await stand_in.close()


def entra_settings(database_url: str, tokens: TokenService, entra: EntraStandIn, **overrides):
    return make_settings(
        database_url, MicrosoftAppId=APP_ID, MicrosoftAppPassword=SECRET,
        ToBotFromChannelOpenIdMetadataUrl=tokens.metadata_url, ToChannelFromBotLoginUrl=entra.authority,
        HYTE_QUEUED_REPLY_POLL_SECONDS=0.2, HYTE_REMINDER_POLL_SECONDS=0, **overrides,
    )


@pytest.fixture
async def bot(database_url, clock, tokens, entra, teams):
    server = await BotServer(entra_settings(database_url, tokens, entra), clock).start()  # production credentials
    client = AuthClient(server.url, tokens, teams.service_url)
    yield server, client
    await client.close()
    await server.stop()


async def queued_rows(server: BotServer) -> int:
    engine = create_engine(server.settings.database_url)
    try:
        async with engine.connect() as connection:
            return await connection.scalar(select(func.count()).select_from(QueuedReplyRow))
    finally:
        await engine.dispose()


def replies_to(connector, user) -> list[dict]:
    return connector.sent(conversation_id_for(user))


async def settle_queue(server: BotServer, seconds: float = 1.0) -> None:
    """Several of the deliverer's passes (every 0.2 s here)."""
    await asyncio.sleep(seconds)


async def until(condition, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.05)


# Entra ID up ----------------------------------------------------------------------------------------


async def test_replies_carry_the_token_entra_gave_and_it_is_asked_for_once(bot, connector, teams, tokens, entra):
    server, client = bot
    for text in ("ohje", "kysely", "tila"):
        assert (await client.post(personal_message(teams, MAIJA, text)))[0] == 201
    sent = [c for c in connector.calls if c.kind in ("reply", "send")]
    assert len(sent) == 3 and entra.token_requests == 1
    for call in sent:
        token = call.headers["Authorization"].split(" ", 1)[1]
        claims = jwt.decode(token, tokens.keys[0].private.public_key(), algorithms=["RS256"],
                            audience="https://api.botframework.com")
        assert claims["appid"] == APP_ID


# Entra ID down, held, and back --------------------------------------------------------------------


async def test_with_entra_down_card_actions_are_answered_and_saved_and_queued_replies_arrive_once_when_it_is_back(
    bot, connector, teams, entra, database_url
):
    server, client = bot
    await entra.down()

    # A message: answered at once; its reply (the survey card) waits for a token.
    status, _ = await client.post(personal_message(teams, MAIJA, "kysely"))
    assert status == 201 and replies_to(connector, MAIJA) == []
    # Card actions: their answer is the HTTP response, which needs no token.
    status, body = await client.post(card_action(teams, MAIJA, "survey.open", {"verb": "survey.open", "r": ROUND}))
    assert status == 200 and body["type"] == CARD and "Osio 1/5" in texts(body["value"])
    status, body = await client.post(card_action(
        teams, MAIJA, "survey.step", {**SAVE, "v": 0, "q.goals_progress": "very_well", "q.hyte_effectiveness": "Koulut."}))
    assert status == 200 and "Luonnos on tallennettu" in texts(body["value"])
    stored = await server.app[SERVICES].responses.get(KEY)
    assert stored.answers == {"goals_progress": "very_well", "hyte_effectiveness": "Koulut."}
    # An old client's Action.Submit is a message whose answer replaces the card: queued too (a PUT).
    status, _ = await client.post(personal_message(
        teams, LIISA, None, value={**SAVE, "v": 0, "q.goals_progress": "cannot_say"}, reply_to_id="1:card"))
    assert status == 201
    await settle_queue(server, 0.5)  # passes run while Entra is down: nothing is lost, nothing goes out
    assert replies_to(connector, MAIJA) == [] and await queued_rows(server) == 2

    await entra.up()
    (card,) = await connector.wait_for_sent(1, 10, conversation_id=conversation_id_for(MAIJA))
    assert "Osio 1/5" in texts(card["attachments"][0]["content"])
    await until(lambda: [c for c in connector.calls if c.kind == "update"])
    (update,) = [c for c in connector.calls if c.kind == "update"]
    assert update.activity_id == "1:card" and update.conversation_id == conversation_id_for(LIISA)
    assert "Luonnos on tallennettu" in texts(update.body["attachments"][0]["content"])
    await settle_queue(server)
    assert len(replies_to(connector, MAIJA)) == 1 and len([c for c in connector.calls if c.kind == "update"]) == 1
    assert await queued_rows(server) == 0
    assert server.app[QUEUED].stats.delivered == 2


async def test_a_card_action_does_not_wait_for_a_token_request_that_hangs(bot, connector, teams, entra):
    server, client = bot
    entra.hold()  # Entra ID accepts the connection and does not answer
    # A message starts the token request; its reply waits a moment, then is queued.
    assert (await client.post(personal_message(teams, MAIJA, "ohje")))[0] == 201
    assert entra.pending == 1
    for _ in range(3):
        status, body = await client.post(card_action(teams, MAIJA, "survey.open", {"verb": "survey.open", "r": ROUND}))
        assert status == 200 and "Osio 1/5" in texts(body["value"])
        assert entra.pending == 1 and entra.token_requests == 0  # answered while the token request hangs
    entra.release()
    (greeting,) = await connector.wait_for_sent(1, 10, conversation_id=conversation_id_for(MAIJA))
    assert "Maija" in texts(greeting["attachments"][0]["content"])
    assert entra.token_requests == 1


async def test_queued_replies_survive_a_restart_and_are_sent_once(bot, connector, teams, entra):
    server, client = bot
    await entra.down()
    for text in ("ohje", "tila"):
        assert (await client.post(personal_message(teams, MAIJA, text)))[0] == 201
    assert await queued_rows(server) == 2
    await server.restart()  # a new process: nothing in memory, the queue in the database
    await entra.up()
    sent = await connector.wait_for_sent(2, 10, conversation_id=conversation_id_for(MAIJA))
    await settle_queue(server)
    assert len(replies_to(connector, MAIJA)) == len(sent) == 2 and await queued_rows(server) == 0


async def test_a_reply_not_sent_within_ten_minutes_is_dropped_and_logged_as_failed(bot, connector, teams, entra, caplog):
    server, client = bot
    await entra.down()
    assert (await client.post(personal_message(teams, MAIJA, "ohje")))[0] == 201
    server.clock.advance(timedelta(minutes=10, seconds=1))
    await entra.up()
    with caplog.at_level(logging.ERROR, logger="bot.queued"):
        async with asyncio.timeout(10):
            while await queued_rows(server):
                await asyncio.sleep(0.1)
        await settle_queue(server, 0.5)
    assert replies_to(connector, MAIJA) == []
    assert any("not sent within 10 minutes" in r.getMessage() for r in caplog.records)
    assert server.app[QUEUED].stats.expired == 1


@pytest.mark.postgres
async def test_two_instances_share_the_queue_and_send_each_reply_once(postgres_url, clock, tokens, entra, connector, teams):
    first = await BotServer(entra_settings(postgres_url, tokens, entra), clock).start()
    second = await BotServer(entra_settings(postgres_url, tokens, entra, HYTE_MIGRATE_ON_START=False), clock).start()
    try:
        await entra.down()
        people = [(MAIJA, "ohje"), (MAIJA, "tila"), (LIISA, "ohje"), (LIISA, "kysely"), (MAIJA, "aikataulu")]
        for index, (user, text) in enumerate(people):
            async with AuthClient((first, second)[index % 2].url, tokens, teams.service_url) as client:
                assert (await client.post(personal_message(teams, user, text)))[0] == 201
        assert await queued_rows(first) == len(people)
        await entra.up()
        await connector.wait_for_sent(len(people), 10)
        await asyncio.sleep(1.0)  # both instances keep passing over the (now empty) queue
        sent = connector.sent()
        assert len(sent) == len(people), json.dumps([s.get("text") for s in sent], ensure_ascii=False)
        assert await queued_rows(first) == 0
        assert first.app[QUEUED].stats.delivered + second.app[QUEUED].stats.delivered == len(people)
    finally:
        await first.stop()
        await second.stop()


async def test_a_queued_reply_is_in_the_persons_export_and_goes_with_her_erasure(bot, connector, teams, entra, capsys):
    server, client = bot
    await entra.down()
    assert (await client.post(personal_message(teams, MAIJA, "ohje")))[0] == 201

    async def person(*args: str) -> dict:
        assert await asyncio.to_thread(person_command, server.settings, list(args)) == 0
        return json.loads(capsys.readouterr().out)

    exported = await person("export", "--aad", MAIJA.aad_object_id)
    assert [(r["conversation_id"], r["method"]) for r in exported["queued_replies"]] == [(conversation_id_for(MAIJA), "POST")]
    assert (await person("erase", "--aad", MAIJA.aad_object_id))["rows"]["queued_replies"] == 1
    await entra.up()
    await settle_queue(server)
    assert replies_to(connector, MAIJA) == [] and await queued_rows(server) == 0


async def test_a_reminder_without_a_token_is_tried_again_and_sent_once_when_entra_is_back(
    sqlite_url, tokens, entra, connector, teams, tmp_path
):
    clock = FixedClock(SURVEY_OPENS)
    server = await BotServer(entra_settings(sqlite_url, tokens, entra, HYTE_ROUND_FILE=write_round(tmp_path)),
                             clock).start()
    try:
        services = server.app[SERVICES]
        await install_board_team(services, connector, teams, [MAIJA, SANNA], clock.now())
        await entra.down()
        await services.scheduler.run_due(SURVEY_OPENS)
        opened = [j for j in await services.jobs.list(DEMO_TENANT, services.round.id)
                  if j.reminder == "survey_open"]
        assert [j.state for j in opened] == [JobState.PENDING] and "no_token" in (opened[0].last_error or "")
        assert connector.sent() == []
        await entra.up()
        await asyncio.sleep(services.sender.outbound.authorizations.failure_pause)  # no asking in between
        clock.set(await services.jobs.next_due(services.round.tenant_id, services.round.id))
        await services.scheduler.run_due(clock.now())
        await services.scheduler.run_due(clock.now())
        (posted,) = connector.sent()
        assert "Aloita kysely" in json.dumps(posted, ensure_ascii=False)
        (sent,) = [j for j in await services.jobs.list(DEMO_TENANT, services.round.id)
                   if j.reminder == "survey_open"]
        assert sent.state is JobState.SENT
    finally:
        await server.stop()
