"""Defects of botbuilder 4.17.1 that the app works around: each test shows the defect in the SDK
itself, then the same input through our app. If a workaround is removed, the app half fails.

(a) CloudAdapter.process answers a card action with HTTP 500: ActivityHandler serialises the invoke
    body to a dict, and CloudAdapter.process serialises it again ('dict' has no 'is_xml_model').
    Ours: bot/transport/http.py reads the request itself and answers with the body as it is.
(b) Activity().deserialize maps conversation.tenantId to "tenantID" and so drops the tenant.
    Ours: bot/identity.tenant_of reads channelData.tenant.id, then the conversation's extra fields.
(c) TeamsActivityHandler looks up every added member without extra properties and raises on any
    error but ConversationNotFound, e.g. a 404 MemberNotFoundInConversation.
    Ours: bot/bot.HyteBot handles conversationUpdate itself, without looking members up.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue, ErrorResponseException

from loopback.http import BotClient
from loopback.person import CARD, texts
from loopback.teams import card_action, conversation_id_for, personal_install, personal_message
from bot.transport.activity import tenant_of
from conftest import DEMO_TENANT, MAIJA

ROUND = "pohjois-savo-demo"


def sdk_adapter() -> CloudAdapter:
    config = SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")
    return CloudAdapter(ConfigurationBotFrameworkAuthentication(config))


# (a) The invoke response body ---------------------------------------------------------------------


class CardBot(ActivityHandler):
    """Answers a card action the documented way: ActivityHandler makes the body a dict."""

    async def on_adaptive_card_invoke(
        self, turn_context: TurnContext, invoke_value: AdaptiveCardInvokeValue
    ) -> AdaptiveCardInvokeResponse:
        card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "ok"}]}
        return AdaptiveCardInvokeResponse(status_code=200, type=CARD, value=card)


async def test_a_cloud_adapter_process_answers_a_card_action_with_500_ours_with_the_card(client, teams):
    invoke = card_action(teams, MAIJA, "survey.open", {"verb": "survey.open", "r": ROUND})
    adapter, bot = sdk_adapter(), CardBot()

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot)

    sdk_app = web.Application()
    sdk_app.router.add_post("/api/messages", messages)
    async with TestServer(sdk_app, host="127.0.0.1") as sdk_server, BotClient(str(sdk_server.make_url("/"))) as sdk:
        status, _ = await sdk.post(invoke)
    assert status == 500

    with pytest.raises(AttributeError, match="is_xml_model"):
        await adapter.process(_FakeRequest(invoke), bot)

    status, body = await client.post(invoke)
    assert status == 200
    assert (body["statusCode"], body["type"]) == (200, CARD)
    assert "Osio 1/5: Tavoitteet ja toimenpiteet" in texts(body["value"])


class _FakeRequest:
    """Just enough of an aiohttp request for CloudAdapter.process, to see its exception."""

    method = "POST"
    headers = {"Content-Type": "application/json"}

    def __init__(self, body: dict) -> None:
        self._body = body

    async def json(self) -> dict:
        return self._body


# (b) The tenant of an activity ----------------------------------------------------------------------


def test_b_deserialize_loses_conversation_tenant_id_tenant_of_finds_it(teams):
    raw = personal_message(teams, MAIJA, "ohje")
    assert raw["conversation"]["tenantId"] == DEMO_TENANT

    activity = Activity().deserialize(raw)

    assert activity.conversation.tenant_id is None  # the SDK's defect
    assert tenant_of(activity) == DEMO_TENANT

    conversation_only = dict(raw, channelData={})
    assert Activity().deserialize(conversation_only).conversation.tenant_id is None
    assert tenant_of(Activity().deserialize(conversation_only)) == DEMO_TENANT

    channel_data_only = dict(raw, conversation={k: v for k, v in raw["conversation"].items() if k != "tenantId"})
    assert tenant_of(Activity().deserialize(channel_data_only)) == DEMO_TENANT


async def test_b_our_bot_recognises_the_tenant_over_http(client, connector, teams):
    status, _ = await client.post(dict(personal_message(teams, MAIJA, "ohje"), channelData={}))

    assert status == 201
    (reply,) = connector.sent(conversation_id_for(MAIJA))
    assert texts(reply["attachments"][0]["content"]).startswith("Hei Maija Meikäläinen! Edustat")


# (c) Members added and the member look-up -----------------------------------------------------------


def install_with_user(teams) -> dict:
    """A personal install whose membersAdded has the bot and the user (no extra properties)."""
    activity = personal_install(teams, MAIJA)
    activity["membersAdded"] = [{"id": teams.bot_id}, {"id": MAIJA.id}]
    return activity


class GreetingTeamsBot(TeamsActivityHandler):
    async def on_teams_members_added(self, teams_members_added, team_info, turn_context: TurnContext):
        await turn_context.send_activity("Tervetuloa!")


async def test_c_teams_activity_handler_raises_on_member_404_ours_greets(client, connector, teams):
    activity = Activity().deserialize(install_with_user(teams))
    assert activity.members_added[1].additional_properties == {}

    with pytest.raises(ErrorResponseException) as raised:
        await sdk_adapter().process_activity("", activity, GreetingTeamsBot().on_turn)
    assert raised.value.error.error.code == "MemberNotFoundInConversation"
    (lookup,) = [c for c in connector.calls if c.kind == "member"]
    assert (lookup.status, lookup.path.rsplit("/", 1)[1]) == (404, MAIJA.id)
    assert connector.sent() == []
    connector.clear()

    status, body = await client.post(install_with_user(teams))

    assert (status, body) == (201, None)
    (greeting,) = connector.sent(conversation_id_for(MAIJA))
    assert texts(greeting["attachments"][0]["content"]).startswith(
        "Hei Maija Meikäläinen! Edustat HYTE-neuvottelukunnassa organisaatiota Kuopion kaupunki"
    )
