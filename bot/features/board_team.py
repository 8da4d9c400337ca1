"""The bot in a Teams team: installation, the team's channels, channel events, posting to a channel.

When the bot is added to a team (a `conversationUpdate` with the bot among `membersAdded` and
Teams' `channelData.team`), it records the team, asks the connector for the team's channels
(`GET /v3/teams/{teamId}/conversations`, through the turn's *async* connector client: botbuilder's
`TeamsInfo.get_team_channels` uses a synchronous client that would block the event loop), keeps a
conversation reference for each channel, and posts a welcome in General. The first team a HYTE
team member installs the bot in becomes the board's team (storage keeps at most one per tenant).
Channel created/renamed/deleted/restored, team renamed and the bot's removal are followed.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.core.cloud_adapter_base import CloudAdapterBase
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference
from msrest.exceptions import ClientException, HttpOperationError

from bot import replies
from bot.outbound import SendError, SendFailed, TokenUnavailable
from bot.turn import Turn
from cards.workshop import welcome_card
from hyte.teams import Channel

logger = logging.getLogger(__name__)

TEAMS = "msteams"
CHANNEL_EVENTS = {"channelCreated", "channelRenamed", "channelRestored", "channelDeleted"}


def channel_data(context: TurnContext) -> dict[str, Any]:
    data = context.activity.channel_data
    return data if isinstance(data, dict) else {}


def team_of(context: TurnContext) -> dict[str, Any] | None:
    team = channel_data(context).get("team")
    return team if isinstance(team, dict) and isinstance(team.get("id"), str) and team["id"] else None


def channel_of(context: TurnContext) -> str | None:
    """The channel a team activity is in: channelData.channel.id, else the conversation's id
    without its ";messageid=…" thread part."""
    channel = channel_data(context).get("channel")
    if isinstance(channel, dict) and isinstance(channel.get("id"), str) and channel["id"]:
        return channel["id"]
    conversation = context.activity.conversation
    if conversation is None or not conversation.id:
        return None
    return conversation.id.split(";", 1)[0]


async def in_board_team(turn: Turn) -> bool:
    """Whether the turn's activity is in a channel of the advisory board's team: by Teams'
    channelData.team, or, when Teams leaves that out (RSC deliveries may carry only the tenant,
    MicrosoftDocs/msteams-docs#14422), by the conversation's channel among the team's channels."""
    board = await turn.services.teams.board_team(turn.identity.tenant_id)
    if board is None:
        return False
    team = team_of(turn.context)
    if team is not None:
        return team["id"] == board.team_id
    channel = channel_of(turn.context)
    return channel is not None and (channel == board.team_id or channel in {c.channel_id for c in board.channels})


# Installation and events --------------------------------------------------------------------------


async def on_team_update(turn: Turn) -> bool:
    """A team-scope conversationUpdate; False when the activity is not from a team."""
    context = turn.context
    team = team_of(context)
    if team is None:
        return False
    services = turn.services
    tenant_id = turn.identity.tenant_id
    if tenant_id != services.round.tenant_id:
        logger.info("team event from another tenant ignored: team=%s", team["id"])
        return True
    activity = context.activity
    event = channel_data(context).get("eventType")
    bot_id = activity.recipient.id if activity.recipient else None
    added = {m.id for m in activity.members_added or []}
    removed = {m.id for m in activity.members_removed or []}
    if bot_id in removed or event == "teamDeleted":
        await services.teams.removed(tenant_id, team["id"], turn.now)
        logger.info("team left: team=%s event=%s", team["id"], event)
    elif bot_id in added:
        await _installed(turn, team)
    elif event in CHANNEL_EVENTS:
        await _channel_event(turn, team, event)
    elif event == "teamRenamed" and await services.teams.get(tenant_id, team["id"]) is not None:
        await services.teams.installed(
            tenant_id, team["id"], team.get("name"), team.get("aadGroupId"), activity.service_url, None, False, turn.now
        )
        logger.info("team renamed: team=%s", team["id"])
    return True


async def _installed(turn: Turn, team: dict[str, Any]) -> None:
    context, services, now = turn.context, turn.services, turn.now
    activity = context.activity
    tenant_id = turn.identity.tenant_id
    team_id = team["id"]
    configured = services.round.config.board_team_id
    is_configured = configured is not None and configured in (team_id, team.get("aadGroupId"))
    stored = await services.teams.installed(
        tenant_id, team_id, team.get("name"), team.get("aadGroupId"), activity.service_url,
        turn.identity.aad_object_id, configured is None and turn.identity.team_member is not None, now,
        configured_board=is_configured,
    )
    channels = await team_channels(context, team_id)
    await services.teams.set_channels(tenant_id, team_id, channels, now)
    for channel in channels:
        reference = channel_reference(activity.service_url, tenant_id, channel.channel_id, activity.recipient)
        await services.conversations.remember(
            tenant_id, channel.channel_id, "channel", activity.service_url, reference.serialize(), None, now
        )
    logger.info("team installed: team=%s channels=%d board=%s", team_id, len(channels), stored.is_board)
    await replies.send(context, replies.card_message(welcome_card(stored.is_board)))


async def _channel_event(turn: Turn, team: dict[str, Any], event: str) -> None:
    services = turn.services
    channel = channel_data(turn.context).get("channel")
    if not isinstance(channel, dict) or not isinstance(channel.get("id"), str):
        return
    tenant_id = turn.identity.tenant_id
    if await services.teams.get(tenant_id, team["id"]) is None:
        return
    name = channel.get("name") if channel["id"] != team["id"] else None
    await services.teams.channel_changed(
        tenant_id, team["id"], Channel(channel["id"], name), event == "channelDeleted", turn.now
    )
    if event == "channelRenamed" and name and services.workshops is not None:
        await services.workshops.rename_group(tenant_id, channel["id"], name)
    if event in ("channelCreated", "channelRestored"):
        reference = channel_reference(turn.context.activity.service_url, tenant_id, channel["id"], turn.context.activity.recipient)
        await services.conversations.remember(
            tenant_id, channel["id"], "channel", turn.context.activity.service_url, reference.serialize(), None, turn.now
        )
    logger.info("channel event: team=%s channel=%s event=%s", team["id"], channel["id"], event)


def channel_reference(service_url: str, tenant_id: str | None, channel_id: str, bot: ChannelAccount | None) -> ConversationReference:
    return ConversationReference(
        channel_id=TEAMS, service_url=service_url,
        bot=ChannelAccount(id=bot.id, name=bot.name) if bot else None,
        conversation=ConversationAccount(id=channel_id, is_group=True, conversation_type="channel", tenant_id=tenant_id),
    )


# Connector calls ----------------------------------------------------------------------------------


def _connector(context: TurnContext):
    return context.turn_state[BotAdapter.BOT_CONNECTOR_CLIENT_KEY]


async def connector_for(context: TurnContext, service_url: str):
    """The turn's async connector client, or one for another service URL (a team in another region)."""
    if (context.activity.service_url or "").rstrip("/") == service_url.rstrip("/"):
        return _connector(context)
    factory = context.turn_state[CloudAdapterBase.CONNECTOR_FACTORY_KEY]
    return await factory.create(service_url, context.turn_state.get(BotAdapter.BOT_OAUTH_SCOPE_KEY))


async def team_channels(context: TurnContext, team_id: str) -> list[Channel]:
    """The team's channels from the connector (General has the team's id and no name). On a failure
    the team is known with its General channel only; a later channel event adds the others."""
    client = _connector(context)
    try:
        await replies.authorize(context)
    except TokenUnavailable:
        logger.warning("team channel list not asked: no token from Entra ID (team=%s)", team_id)
        return [Channel(team_id, None)]
    pipeline = client.conversations._client  # the msrest async pipeline, with the bot's credentials
    url = pipeline.format_url(
        "/v3/teams/{teamId}/conversations", teamId=client._serialize.url("team_id", team_id, "str")
    )
    try:
        response = await pipeline.async_send(pipeline.get(url, {}, {"Accept": "application/json"}), stream=False)
        if response.status_code != 200:
            raise HttpOperationError(client._deserialize, response)
        listed = json.loads(response.text()).get("conversations") or []
    except (ClientException, ValueError, AttributeError) as exc:
        logger.warning("team channel list failed: team=%s error=%s", team_id, type(exc).__name__)
        return [Channel(team_id, None)]
    channels = [
        Channel(c["id"], None if c["id"] == team_id else c.get("name"))
        for c in listed if isinstance(c, dict) and isinstance(c.get("id"), str)
    ]
    if not any(c.channel_id == team_id for c in channels):
        channels.insert(0, Channel(team_id, None))
    return channels


async def post_to_channel(context: TurnContext, service_url: str, tenant_id: str, channel_id: str, card: dict[str, Any]) -> str:
    """A new top-level post in a channel (POST /v3/conversations/{channelId}/activities) through the
    one retrying Outbound; the new post's message id. Raises SendFailed (TokenUnavailable too: a post
    whose message id the turn needs cannot be queued)."""
    client = await connector_for(context, service_url)
    recipient = context.activity.recipient
    activity = replies.addressed(
        replies.card_message(card), channel_id=context.activity.channel_id, service_url=service_url,
        conversation={"id": channel_id, "isGroup": True, "conversationType": "channel", "tenantId": tenant_id},
        bot={"id": recipient.id, "name": recipient.name} if recipient else None,
    )
    outbound = context.turn_state[replies.OUTBOUND]
    # In a turn: no longer than a reply waits for the token (TokenUnavailable is a failed post).
    await outbound.authorizations.header(client.config.credentials, wait=replies.REPLY_TOKEN_WAIT)
    message_id, _ = await outbound.post_activity(tenant_id, service_url, channel_id, activity, client.config.credentials)
    if not message_id:
        raise SendFailed(SendError(None, "no message id in the connector's answer"), 0)
    return message_id
