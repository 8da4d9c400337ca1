"""The stand-ins of loopback/ (Bot Connector, Teams people), exercised with botbuilder's real clients over loopback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse, ChannelAccount, ConversationParameters
from botbuilder.schema import ErrorResponseException
from botbuilder.schema.teams import TeamsChannelAccount, TeamsChannelData
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials
from botframework.connector.teams import TeamsConnectorClient
from msrest.exceptions import HttpOperationError

from loopback.connector import ConnectorStandIn
from loopback.http import BotClient
from loopback.teams import (
    TeamsEnv,
    TeamsUser,
    card_action,
    conversation_id_for,
    installation_update,
    member,
    personal_install,
    personal_message,
)

TENANT = "3f1c2a7e-0000-4000-8000-000000000001"
ANNA = TeamsUser("a1b2c3d4-0000-4000-8000-00000000000a", "Anna Virtanen")
CHANNEL_CONV = "19:abc@thread.tacv2"
REPLY_CONV = "a:1x2y;messageid=123"


@pytest.fixture
async def standin() -> AsyncIterator[ConnectorStandIn]:
    async with ConnectorStandIn() as s:
        yield s


@pytest.fixture
async def client(standin: ConnectorStandIn) -> AsyncIterator[ConnectorClient]:
    async with ConnectorClient(MicrosoftAppCredentials.empty(), base_url=standin.service_url) as c:
        yield c


def env_for(standin: ConnectorStandIn) -> TeamsEnv:
    return TeamsEnv(standin.service_url, TENANT)


def message(text: str) -> Activity:
    return Activity(type="message", text=text)


async def test_service_url_is_loopback_with_trailing_slash(standin: ConnectorStandIn) -> None:
    assert standin.service_url.startswith("http://127.0.0.1:")
    assert standin.service_url.endswith("/")


async def test_send_to_conversation_percent_encodes_the_id(
    standin: ConnectorStandIn, client: ConnectorClient
) -> None:
    response = await client.conversations.send_to_conversation(REPLY_CONV, message("hei"))

    (call,) = standin.calls
    assert (call.method, call.kind, call.status) == ("POST", "send", 201)
    assert call.raw_path == "/v3/conversations/a%3A1x2y%3Bmessageid%3D123/activities"
    assert call.path == "/v3/conversations/a:1x2y;messageid=123/activities"
    assert call.conversation_id == REPLY_CONV
    assert call.activity_id is None
    assert call.body == {"type": "message", "text": "hei"}
    assert "Authorization" not in call.headers  # empty credentials send no token
    assert response.id == call.result_id
    assert standin.sent() == [{"type": "message", "text": "hei", "id": response.id}]


async def test_reply_update_delete(standin: ConnectorStandIn, client: ConnectorClient) -> None:
    reply = await client.conversations.reply_to_activity(
        CHANNEL_CONV, "1:incoming", Activity(type="message", text="vastaus", reply_to_id="1:incoming")
    )
    updated = Activity(type="message", id=reply.id, text="muokattu")
    update = await client.conversations.update_activity(CHANNEL_CONV, reply.id, updated)
    await client.conversations.delete_activity(CHANNEL_CONV, reply.id)

    post, put, delete = standin.calls
    assert (post.kind, post.status, post.activity_id) == ("reply", 201, "1:incoming")
    assert post.raw_path == "/v3/conversations/19%3Aabc%40thread.tacv2/activities/1%3Aincoming"
    assert post.headers["x-ms-conversation-id"] == CHANNEL_CONV
    assert (put.method, put.kind, put.status, put.activity_id) == ("PUT", "update", 200, reply.id)
    assert update.id == reply.id
    assert (delete.method, delete.kind, delete.status) == ("DELETE", "delete", 200)

    assert [a["text"] for a in standin.sent(CHANNEL_CONV)] == ["vastaus"]
    assert standin.sent("a:other") == []
    assert [u["text"] for u in standin.updates()] == ["muokattu"]
    assert standin.deleted(CHANNEL_CONV) == [reply.id]


async def test_get_member_found_and_not_found(standin: ConnectorStandIn, client: ConnectorClient) -> None:
    env = env_for(standin)
    conv = conversation_id_for(ANNA)
    standin.add_member(member(env, ANNA), conv)

    found = await client.conversations.get_conversation_member(conv, ANNA.id)
    # TeamsInfo turns the ChannelAccount into a TeamsChannelAccount the same way.
    teams_member = TeamsChannelAccount().deserialize(dict(found.serialize(), **found.additional_properties))
    assert teams_member.aad_object_id == ANNA.aad_object_id
    assert teams_member.user_principal_name == ANNA.upn
    assert teams_member.tenant_id == TENANT
    assert teams_member.user_role == "user"

    by_aad = await client.conversations.get_conversation_member(conv, ANNA.aad_object_id)
    assert by_aad.id == ANNA.id

    with pytest.raises(ErrorResponseException) as exc_info:
        await client.conversations.get_conversation_member(conv, "29:stranger")
    assert exc_info.value.response.status_code == 404
    assert exc_info.value.error.error.code == "MemberNotFoundInConversation"
    assert standin.calls[-1].status == 404


async def test_members_directory_and_paging(standin: ConnectorStandIn, client: ConnectorClient) -> None:
    env = env_for(standin)
    users = [TeamsUser(f"0000000{i}-0000-4000-8000-000000000000", f"Käyttäjä {i}") for i in range(3)]
    for user in users:
        standin.add_member(member(env, user))  # global: every unlisted conversation has them

    members = await client.conversations.get_conversation_members("a:any")
    assert [m.id for m in members] == [u.id for u in users]

    first = await client.conversations.get_teams_conversation_paged_members(CHANNEL_CONV, page_size=2)
    second = await client.conversations.get_teams_conversation_paged_members(
        CHANNEL_CONV, page_size=2, continuation_token=first.continuation_token
    )
    assert [m.id for m in first.members + second.members] == [u.id for u in users]
    assert second.continuation_token is None
    assert standin.calls[-1].query == {"pageSize": "2", "continuationToken": "2"}


async def test_create_conversation_returns_the_personal_conversation(
    standin: ConnectorStandIn, client: ConnectorClient
) -> None:
    env = env_for(standin)
    params = ConversationParameters(
        is_group=False,
        bot=ChannelAccount(id=env.bot_id),
        members=[ChannelAccount(id=ANNA.id)],
        tenant_id=TENANT,
        channel_data={"tenant": {"id": TENANT}},
        activity=message("muistutus"),
    )
    created = await client.conversations.create_conversation(params)

    assert created.id == conversation_id_for(ANNA)
    call = standin.calls[-1]
    assert (call.kind, call.status, call.conversation_id) == ("create_conversation", 201, created.id)
    assert standin.sent(created.id) == [{"type": "message", "text": "muistutus", "id": created.activity_id}]


async def test_teams_connector_client_channels_and_details(standin: ConnectorStandIn) -> None:
    standin.add_team(CHANNEL_CONV, "HYTE-tiimi", [("19:hyte@thread.tacv2", "Neuvottelut")])
    teams_client = TeamsConnectorClient(MicrosoftAppCredentials.empty(), standin.service_url)

    # Synchronous client (requests): it blocks this loop; the stand-in's own thread still answers.
    channels = teams_client.teams.get_teams_channels(CHANNEL_CONV)
    details = teams_client.teams.get_team_details(CHANNEL_CONV)

    assert [(c.id, c.name) for c in channels.conversations] == [
        (CHANNEL_CONV, None),  # General: the team's own id, no name
        ("19:hyte@thread.tacv2", "Neuvottelut"),
    ]
    assert (details.id, details.name, details.channel_count) == (CHANNEL_CONV, "HYTE-tiimi", 2)
    assert [c.raw_path for c in standin.calls] == [
        "/v3/teams/19%3Aabc%40thread.tacv2/conversations",
        "/v3/teams/19%3Aabc%40thread.tacv2",
    ]
    with pytest.raises(HttpOperationError):
        teams_client.teams.get_team_details("19:unknown@thread.tacv2")


async def test_fail_next_429_then_success(standin: ConnectorStandIn, client: ConnectorClient) -> None:
    standin.fail_next("POST", r"/activities$", 429, headers={"Retry-After": "2"})

    with pytest.raises(ErrorResponseException) as exc_info:
        await client.conversations.send_to_conversation(REPLY_CONV, message("eka"))
    assert exc_info.value.response.status_code == 429
    assert exc_info.value.response.headers["Retry-After"] == "2"
    assert exc_info.value.error.error.code == "Throttled"

    await client.conversations.send_to_conversation(REPLY_CONV, message("toka"))
    assert [c.status for c in standin.calls] == [429, 201]
    assert [a["text"] for a in standin.sent()] == ["toka"]  # failed posts are not "sent"


async def test_get_is_retried_by_the_client_post_is_not(
    standin: ConnectorStandIn, client: ConnectorClient
) -> None:
    """msrest's urllib3 Retry re-sends GET/PUT/DELETE on 5xx (and 429 with Retry-After), never POST."""
    conv = conversation_id_for(ANNA)
    standin.add_member(member(env_for(standin), ANNA), conv)
    standin.fail_next("GET", r"/members/", 503)

    found = await client.conversations.get_conversation_member(conv, ANNA.id)

    assert found.id == ANNA.id
    assert [c.status for c in standin.calls] == [503, 200]

    standin.fail_next("POST", r"/activities$", 503, times=2)  # a retry would meet the 2nd 503
    with pytest.raises(ErrorResponseException):
        await client.conversations.send_to_conversation(conv, message("x"))
    assert [c.status for c in standin.calls][2:] == [503]


async def test_fail_next_custom_body_and_times(standin: ConnectorStandIn, client: ConnectorClient) -> None:
    body = {"error": {"code": "BotNotInConversationRoster", "message": "The bot is not part of the roster."}}
    standin.fail_next("POST", r"^/v3/conversations/a:1x2y", 403, body=body, times=2)

    for _ in range(2):
        with pytest.raises(ErrorResponseException) as exc_info:
            await client.conversations.send_to_conversation(REPLY_CONV, message("x"))
        assert exc_info.value.error.error.code == "BotNotInConversationRoster"
    await client.conversations.send_to_conversation(REPLY_CONV, message("x"))
    assert [c.status for c in standin.calls] == [403, 403, 201]

    standin.clear()
    assert standin.calls == [] and standin.sent() == []


async def test_wait_for_sent(standin: ConnectorStandIn, client: ConnectorClient) -> None:
    async def later() -> None:
        for text in ("yksi", "kaksi"):
            await asyncio.sleep(0.05)
            await client.conversations.send_to_conversation(REPLY_CONV, message(text))

    task = asyncio.create_task(later())
    sent = await standin.wait_for_sent(2, timeout=5)
    await task
    assert [a["text"] for a in sent] == ["yksi", "kaksi"]
    assert standin.sent(activity_type="typing") == []

    started = time.monotonic()
    with pytest.raises(AssertionError, match="expected 3 sent activities"):
        await standin.wait_for_sent(3, timeout=0.2)
    assert time.monotonic() - started < 2


def test_activity_builders_are_teams_shaped() -> None:
    env = TeamsEnv("https://smba.trafficmanager.net/emea/", TENANT)
    first, second = personal_message(env, ANNA, "moi"), personal_message(env, ANNA, "moi")

    assert first["id"] != second["id"] and first["id"].startswith("1:")
    assert first["channelId"] == "msteams"
    assert first["from"] == {"id": ANNA.id, "name": ANNA.name, "aadObjectId": ANNA.aad_object_id}
    assert ANNA.id.startswith("29:") and ANNA.id == TeamsUser(ANNA.aad_object_id, "x").id
    assert first["recipient"] == {"id": "28:hyte-bot", "name": "HYTE-botti"}
    assert first["conversation"] == {
        "conversationType": "personal", "tenantId": TENANT, "id": conversation_id_for(ANNA)
    }
    assert first["conversation"]["id"].startswith("a:")
    assert first["timestamp"].endswith("Z")
    assert first["locale"] == "fi-FI"

    parsed = Activity().deserialize(first)
    assert parsed.text == "moi" and parsed.service_url == env.service_url
    assert parsed.from_property.aad_object_id == ANNA.aad_object_id
    assert parsed.local_timestamp is not None and parsed.local_timestamp.utcoffset() is not None
    assert TeamsChannelData().deserialize(parsed.channel_data).tenant.id == TENANT

    submit = personal_message(env, ANNA, None, value={"vastaus": "kyllä"}, reply_to_id="1:card")
    assert "text" not in submit and submit["value"] == {"vastaus": "kyllä"}
    assert submit["replyToId"] == "1:card"

    invoke = card_action(env, ANNA, "vastaa", {"q": 1}, reply_to_id="1:card")
    assert (invoke["type"], invoke["name"], invoke["replyToId"]) == ("invoke", "adaptiveCard/action", "1:card")
    assert invoke["value"] == {
        "action": {"type": "Action.Execute", "verb": "vastaa", "data": {"q": 1}}, "trigger": "manual"
    }

    install = personal_install(env, ANNA)
    assert install["type"] == "conversationUpdate" and install["membersAdded"] == [{"id": env.bot_id}]
    update = installation_update(env, ANNA, action="remove")
    assert (update["type"], update["action"]) == ("installationUpdate", "remove")


class EchoBot(TeamsActivityHandler):
    """A minimal bot for the end-to-end check of the helpers."""

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(f"kaiku: {turn_context.activity.text}")

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        # Not on_adaptive_card_invoke: in 4.17.1 ActivityHandler pre-serializes its result to a
        # dict and CloudAdapter.process serializes it again, which raises (HTTP 500).
        verb = turn_context.activity.value["action"]["verb"]
        card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": verb}]}
        return InvokeResponse(
            status=200,
            body=AdaptiveCardInvokeResponse(
                status_code=200, type="application/vnd.microsoft.card.adaptive", value=card
            ),
        )


async def test_end_to_end_through_cloud_adapter(standin: ConnectorStandIn) -> None:
    config = SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    env = env_for(standin)
    async with TestServer(app, host="127.0.0.1") as server, BotClient(str(server.make_url("/"))) as bot_client:
        status, body = await bot_client.post(personal_message(env, ANNA, "hei"))
        assert (status, body) == (201, None)  # CloudAdapter answers non-invokes 201, empty
        (reply,) = await standin.wait_for_sent(1)
        assert reply["text"] == "kaiku: hei"
        assert reply["conversation"]["id"] == conversation_id_for(ANNA)
        assert standin.calls[0].kind in ("send", "reply")

        status, body = await bot_client.post(card_action(env, ANNA, "vastaa", {"q": 1}, reply_to_id=reply["id"]))
        assert status == 200
        assert body == {
            "statusCode": 200,
            "type": "application/vnd.microsoft.card.adaptive",
            "value": {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "vastaa"}]},
        }
        assert len(standin.calls) == 1  # an invoke is answered in the HTTP response, not via the connector

        status, body = await bot_client.post_raw(b"hei", "text/plain")
        assert status == 415 and isinstance(body, str)
