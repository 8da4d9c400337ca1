"""Replies in a turn go through the one retrying Outbound (bot/transport/outbound.py, bot/transport/replies.py).

What goes over the wire is what botbuilder's own `TurnContext.send_activity` sends for the same
incoming activity (path and JSON body compared with the SDK's, posted to the same stand-in; the
conversation keeps Teams' tenantId, which botbuilder-schema 4.17 drops);
429/412/502/504 are retried honouring Retry-After; a reply that fails for good is reported as a
failure (logged with its status) and not followed by a second attempt to apologise.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity

from loopback.http import BotClient
from loopback.person import CARD
from loopback.server import BotServer
from loopback.teams import personal_message
from conftest import MAIJA, make_settings


@pytest.fixture
async def quick(sqlite_url, clock):
    """The bot with a short first backoff, so that retried replies do not slow the suite."""
    server = BotServer(make_settings(sqlite_url, HYTE_SEND_BACKOFF_SECONDS=0.02), clock)
    await server.start()
    async with BotClient(server.url) as client:
        yield server, client
    await server.stop()


async def sdk_send(incoming: dict, message: Activity) -> None:
    """Send `message` in answer to `incoming` the botbuilder way (CloudAdapter, TurnContext)."""
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(
        SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")))

    async def logic(context: TurnContext) -> None:
        await context.send_activity(message)

    await adapter.process_activity("", Activity().deserialize(incoming), logic)


async def test_a_text_and_a_card_reply_are_what_botbuilder_sends(client, teams, connector):
    for text in ("ohje", "kysely"):
        incoming = personal_message(teams, MAIJA, text)
        connector.clear()
        assert (await client.post(incoming))[0] == 201
        (ours,) = connector.calls
        sent = ours.body
        if sent.get("attachments"):
            message = MessageFactory.attachment(CardFactory.adaptive_card(sent["attachments"][0]["content"]))
        else:
            message = MessageFactory.text(sent["text"])
        connector.clear()
        await sdk_send(incoming, message)
        (theirs,) = connector.calls
        assert (ours.method, ours.raw_path) == (theirs.method, theirs.raw_path)
        # The one difference: botbuilder-schema 4.17 drops the conversation's tenantId (it maps it
        # to "tenantID"); ours passes on what Teams sent.
        assert ours.body["conversation"].pop("tenantId") == incoming["conversation"]["tenantId"]
        assert ours.body == theirs.body


async def test_a_throttled_reply_is_sent_again_after_retry_after(quick, teams, connector):
    _server, client = quick
    connector.fail_next("POST", r"/activities/", 429, headers={"Retry-After": "0.3"})
    assert (await client.post(personal_message(teams, MAIJA, "ohje")))[0] == 201
    first, second = connector.calls
    assert (first.status, second.status) == (429, 201)
    assert second.body == first.body
    assert second.body["attachments"] or second.body["text"]


async def test_bad_gateways_are_retried_and_a_card_update_too(quick, teams, connector):
    _server, client = quick
    connector.fail_next("POST", r"/activities/", 502, times=2)
    assert (await client.post(personal_message(teams, MAIJA, "kysely")))[0] == 201
    assert [c.status for c in connector.calls] == [502, 502, 201]
    card_id = connector.calls[-1].result_id

    # An older client's Action.Submit: the card message is replaced (PUT), here after a 412.
    card = connector.calls[-1].body["attachments"][0]["content"]
    save = next(a for a in card["actions"] if a.get("verb") == "survey.step" or a.get("data", {}).get("move"))
    connector.clear()
    connector.fail_next("PUT", r"/activities/", 412)
    submit = personal_message(teams, MAIJA, None, value=dict(save["data"]), reply_to_id=card_id)
    assert (await client.post(submit))[0] == 201
    assert [(c.method, c.status) for c in connector.calls] == [("PUT", 412), ("PUT", 200)]
    assert connector.calls[-1].body["attachments"][0]["contentType"] == CARD


async def test_a_reply_that_fails_for_good_is_reported_and_not_attempted_again(client, teams, connector, caplog):
    connector.fail_next("POST", r"/activities/", 403)
    with caplog.at_level(logging.WARNING):
        assert (await client.post(personal_message(teams, MAIJA, "ohje")))[0] == 201
    assert [c.status for c in connector.calls] == [403]  # no apology sent into the same refusal
    failures = [r for r in caplog.records if "could not be sent" in r.getMessage()]
    assert len(failures) == 1 and failures[0].levelno == logging.ERROR
    assert "status=403" in failures[0].getMessage()


async def test_a_retry_after_longer_than_a_turn_can_wait_is_a_failure_at_once(client, teams, connector, caplog):
    connector.fail_next("POST", r"/activities/", 429, headers={"Retry-After": "60"})
    with caplog.at_level(logging.WARNING):
        assert (await client.post(personal_message(teams, MAIJA, "ohje")))[0] == 201
    assert [c.status for c in connector.calls] == [429]
    assert any("status=429" in r.getMessage() and "could not be sent" in r.getMessage() for r in caplog.records)
