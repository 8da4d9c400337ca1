"""The bot in a Teams team: installation, the team's channels, channel events.

When the bot is added to a team (a `conversationUpdate` with the bot among `membersAdded` and
Teams' `channelData.team`), it records the team, asks the connector for the team's channels (the
turn's Connector: bot/transport/replies.py), keeps a conversation reference for each channel, and
posts a welcome in General. The first team a HYTE team member installs the bot in becomes the
board's team (storage keeps at most one per tenant), unless the round names one. Channel
created/renamed/deleted/restored, team renamed and the bot's removal are followed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.inbound import Event
from bot.router import Routes
from bot.turn import Reply, Turn
from cards.language import in_languages
from cards.workshop import welcome_card
from hyte.teams import Channel, ConversationRepository, TeamRepository
from hyte.workshop import WorkshopRepository

logger = logging.getLogger(__name__)

CHANNEL_EVENTS = {"channelCreated", "channelRenamed", "channelRestored", "channelDeleted"}


@dataclass(frozen=True)
class BoardTeamServices:
    teams: TeamRepository
    conversations: ConversationRepository
    workshops: WorkshopRepository
    """A renamed channel renames its workshop group."""


routes = Routes("board_team", BoardTeamServices)


@routes.on(Event.TEAM_UPDATE)
async def on_team_update(turn: Turn[BoardTeamServices]) -> Reply | None:
    """A team-scope conversationUpdate: the bot added or removed, a channel or the team changed."""
    inbound, services, round_ = turn.inbound, turn.services, turn.round
    team_id = inbound.conversation.team_id
    assert team_id is not None
    tenant_id = inbound.tenant_id
    if tenant_id != round_.tenant_id:
        logger.info("team event from another tenant ignored: team=%s", team_id)
        return None
    event = inbound.event_type
    if inbound.bot_removed or event == "teamDeleted":
        await services.teams.removed(tenant_id, team_id, turn.now)
        logger.info("team left: team=%s event=%s", team_id, event)
    elif inbound.bot_added:
        return await _installed(turn, tenant_id, team_id)
    elif event in CHANNEL_EVENTS:
        await _channel_event(turn, tenant_id, team_id, event)
    elif event == "teamRenamed" and await services.teams.get(tenant_id, team_id) is not None:
        conversation = inbound.conversation
        await services.teams.installed(
            tenant_id, team_id, conversation.team_name, conversation.team_aad_group_id, conversation.service_url,
            None, False, turn.now,
        )
        logger.info("team renamed: team=%s", team_id)
    return None


async def _installed(turn: Turn[BoardTeamServices], tenant_id: str, team_id: str) -> Reply:
    services, now, conversation = turn.services, turn.now, turn.inbound.conversation
    configured = turn.round.config.board_team_id
    is_configured = configured is not None and configured in (team_id, conversation.team_aad_group_id)
    stored = await services.teams.installed(
        tenant_id, team_id, conversation.team_name, conversation.team_aad_group_id, conversation.service_url,
        turn.person.aad_object_id, configured is None and turn.person.team_member is not None, now,
        configured_board=is_configured,
    )
    channels = await turn.connector.team_channels(team_id)
    await services.teams.set_channels(tenant_id, team_id, channels, now)
    for channel in channels:
        await services.conversations.remember(
            tenant_id, channel.channel_id, "channel", conversation.service_url,
            turn.connector.channel_reference(channel.channel_id), None, now,
        )
    logger.info("team installed: team=%s channels=%d board=%s", team_id, len(channels), stored.is_board)
    return Reply(card=in_languages(turn.round.languages, lambda _code: welcome_card(stored.is_board)))


async def _channel_event(turn: Turn[BoardTeamServices], tenant_id: str, team_id: str, event: str) -> None:
    services, inbound = turn.services, turn.inbound
    if inbound.event_channel is None:
        return
    channel_id, named = inbound.event_channel
    if await services.teams.get(tenant_id, team_id) is None:
        return
    name = named if channel_id != team_id else None
    await services.teams.channel_changed(tenant_id, team_id, Channel(channel_id, name), event == "channelDeleted", turn.now)
    if event == "channelRenamed" and name:
        await services.workshops.rename_group(tenant_id, channel_id, name)
    if event in ("channelCreated", "channelRestored"):
        await services.conversations.remember(
            tenant_id, channel_id, "channel", inbound.conversation.service_url,
            turn.connector.channel_reference(channel_id), None, turn.now,
        )
    logger.info("channel event: team=%s channel=%s event=%s", team_id, channel_id, event)
