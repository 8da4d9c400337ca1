"""Teams team and channel activities as Teams POSTs them, and a `Board` that drives them over HTTP.

Shapes (Microsoft Teams, bots with resource-specific consent `ChannelMessage.Read.Group`):
  * a channel message: conversation {conversationType "channel", id "<channel id>;messageid=<root
    post id>"} (a top-level post's own id; a reply's thread root, also in `replyToId`), text as HTML
    with `<at>` mentions (and the same HTML as a text/html attachment), entities with the mention,
    channelData {team {id, name, aadGroupId}, channel {id, name}, tenant {id}};
  * an edit: type "messageUpdate", channelData.eventType "editMessage", `id` = the edited message;
  * a deletion: type "messageDelete", channelData.eventType "softDeleteMessage";
  * a reaction: type "messageReaction", reactionsAdded/reactionsRemoved, `replyToId` = the message;
  * installation in a team: conversationUpdate with the bot in membersAdded, eventType
    "teamMemberAdded", conversation = the General channel (whose id is the team's id).
"""

from __future__ import annotations

import itertools
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Sequence

from loopback.connector import ConnectorStandIn
from loopback.http import BotClient
from loopback.teams import TeamsEnv, TeamsUser

JsonDict = dict[str, Any]
CARD = "application/vnd.microsoft.card.adaptive"
_COUNTER = itertools.count(1)


def teams_message_id() -> str:
    """An id as Teams gives channel messages: epoch milliseconds (kept unique here)."""
    return str(int(time.time() * 1000) * 1000 + next(_COUNTER))


@dataclass
class TeamSpec:
    team_id: str
    name: str
    channels: dict[str, str] = field(default_factory=dict)
    """name -> channel id, General excluded."""
    aad_group_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def channel_name(self, channel_id: str) -> str | None:
        return next((n for n, c in self.channels.items() if c == channel_id), None)


def _base(env: TeamsEnv, user: TeamsUser, team: TeamSpec, channel_id: str, type_: str, conversation_id: str) -> JsonDict:
    now = datetime.now(UTC)
    channel: JsonDict = {"id": channel_id}
    name = team.channel_name(channel_id)
    if name is not None:
        channel["name"] = name
    return {
        "type": type_,
        "id": teams_message_id(),
        "timestamp": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "localTimestamp": now.isoformat(timespec="milliseconds"),
        "serviceUrl": env.service_url,
        "channelId": "msteams",
        "from": {"id": user.id, "name": user.name, "aadObjectId": user.aad_object_id},
        "conversation": {"isGroup": True, "conversationType": "channel", "tenantId": env.tenant_id, "id": conversation_id},
        "recipient": {"id": env.bot_id, "name": env.bot_name},
        "channelData": {
            "teamsTeamId": team.team_id,
            "teamsChannelId": channel_id,
            "team": {"id": team.team_id, "name": team.name, "aadGroupId": team.aad_group_id},
            "channel": channel,
            "tenant": {"id": env.tenant_id},
        },
        "locale": user.locale,
    }


def mention_html(env: TeamsEnv) -> str:
    return f"<at>{env.bot_name}</at>"


def channel_message(
    env: TeamsEnv, user: TeamsUser, team: TeamSpec, channel_id: str, html: str, *,
    reply_to: str | None = None, mention_bot: bool = False, message_id: str | None = None,
    html_attachment: bool = True,
) -> JsonDict:
    """A channel post (or, with `reply_to`, a reply in that post's thread)."""
    message_id = message_id or teams_message_id()
    root = reply_to or message_id
    activity = _base(env, user, team, channel_id, "message", f"{channel_id};messageid={root}")
    activity["id"] = message_id
    body = f"{mention_html(env)} {html}" if mention_bot else html
    activity |= {"text": body, "textFormat": "plain"}
    if html_attachment:
        activity["attachments"] = [{"contentType": "text/html", "content": f"<div>{body}</div>"}]
    if reply_to is not None:
        activity["replyToId"] = reply_to
    if mention_bot:
        activity["entities"] = [{
            "type": "mention", "text": mention_html(env),
            "mentioned": {"id": env.bot_id, "name": env.bot_name},
        }]
    return activity


def message_update(
    env: TeamsEnv, user: TeamsUser, team: TeamSpec, channel_id: str, message_id: str, html: str, *,
    reply_to: str | None = None, event: str = "editMessage",
) -> JsonDict:
    activity = _base(env, user, team, channel_id, "messageUpdate", f"{channel_id};messageid={reply_to or message_id}")
    activity |= {"id": message_id, "text": html, "textFormat": "plain"}
    activity["channelData"]["eventType"] = event
    if reply_to is not None:
        activity["replyToId"] = reply_to
    return activity


def message_delete(
    env: TeamsEnv, user: TeamsUser, team: TeamSpec, channel_id: str, message_id: str, *, reply_to: str | None = None,
) -> JsonDict:
    activity = _base(env, user, team, channel_id, "messageDelete", f"{channel_id};messageid={reply_to or message_id}")
    activity["id"] = message_id
    activity["channelData"]["eventType"] = "softDeleteMessage"
    if reply_to is not None:
        activity["replyToId"] = reply_to
    return activity


def reaction(
    env: TeamsEnv, user: TeamsUser, team: TeamSpec, channel_id: str, message_id: str, *,
    added: Sequence[str] = ("like",), removed: Sequence[str] = (), root: str | None = None,
) -> JsonDict:
    activity = _base(env, user, team, channel_id, "messageReaction", f"{channel_id};messageid={root or message_id}")
    activity["id"] = "f:" + uuid.uuid4().hex
    activity["replyToId"] = message_id
    if added:
        activity["reactionsAdded"] = [{"type": r} for r in added]
    if removed:
        activity["reactionsRemoved"] = [{"type": r} for r in removed]
    return activity


def team_update(
    env: TeamsEnv, user: TeamsUser, team: TeamSpec, event: str, *, channel: JsonDict | None = None,
    members_added: Sequence[str] = (), members_removed: Sequence[str] = (),
) -> JsonDict:
    activity = _base(env, user, team, team.team_id, "conversationUpdate", team.team_id)
    activity["channelData"]["eventType"] = event
    activity["channelData"]["channel"] = channel or {"id": team.team_id}
    if members_added:
        activity["membersAdded"] = [{"id": m} for m in members_added]
    if members_removed:
        activity["membersRemoved"] = [{"id": m} for m in members_removed]
    return activity


def cards_of(activities: Sequence[JsonDict]) -> list[JsonDict]:
    return [a["content"] for act in activities for a in act.get("attachments") or [] if a.get("contentType") == CARD]


class Board:
    """The advisory board's team in the connector stand-in, and people acting in its channels."""

    def __init__(self, client: BotClient, connector: ConnectorStandIn, env: TeamsEnv, team: TeamSpec) -> None:
        self.client, self.connector, self.env, self.team = client, connector, env, team
        connector.add_team(team.team_id, team.name, [(cid, name) for name, cid in team.channels.items()],
                           aad_group_id=team.aad_group_id)

    @property
    def general(self) -> str:
        return self.team.team_id

    def channel(self, name: str) -> str:
        return self.team.channels[name]

    async def send(self, activity: JsonDict) -> None:
        status, body = await self.client.post(activity)
        assert status in (200, 201), (status, body)

    async def install(self, by: TeamsUser) -> list[JsonDict]:
        before = len(self.connector.sent(self.general))
        await self.send(team_update(self.env, by, self.team, "teamMemberAdded", members_added=[self.env.bot_id]))
        return self.connector.sent(self.general)[before:]

    async def post(self, user: TeamsUser, channel_id: str, html: str, **options: Any) -> str:
        activity = channel_message(self.env, user, self.team, channel_id, html, **options)
        await self.send(activity)
        return activity["id"]

    async def command(self, user: TeamsUser, text: str, channel_id: str | None = None) -> list[JsonDict]:
        """An @mentioned command in a channel (General by default); the bot's answers there."""
        activity = channel_message(self.env, user, self.team, channel_id or self.general, text, mention_bot=True)
        conversation = activity["conversation"]["id"]
        before = len(self.connector.sent(conversation))
        await self.send(activity)
        return self.connector.sent(conversation)[before:]

    async def edit(self, user: TeamsUser, channel_id: str, message_id: str, html: str, **options: Any) -> None:
        await self.send(message_update(self.env, user, self.team, channel_id, message_id, html, **options))

    async def delete(self, user: TeamsUser, channel_id: str, message_id: str, **options: Any) -> None:
        await self.send(message_delete(self.env, user, self.team, channel_id, message_id, **options))

    async def react(self, user: TeamsUser, channel_id: str, message_id: str, **options: Any) -> None:
        await self.send(reaction(self.env, user, self.team, channel_id, message_id, **options))

    def posts(self, channel_id: str) -> list[JsonDict]:
        """What the bot posted in a channel as new top-level posts (each with its assigned `id`)."""
        return [a for a in self.connector.sent(channel_id)]

    def question_posts(self, channel_id: str) -> dict[int, str]:
        """Question number -> the id of the bot's post of that question in the channel."""
        found = {}
        for activity in self.posts(channel_id):
            for card in cards_of([activity]):
                heading = card["body"][1]["text"] if len(card["body"]) > 1 else ""
                if heading.startswith("Kysymys "):
                    found[int(heading.split()[1])] = activity["id"]
        return found


BOARD_TEAM_ID = "19:board0000000000000000000000000@thread.tacv2"
BOARD_CHANNELS = {
    "Ryhmä 1": "19:group1aaaaaaaaaaaaaaaaaaaaaaaaa@thread.tacv2",
    "Ryhmä 2": "19:group2bbbbbbbbbbbbbbbbbbbbbbbbb@thread.tacv2",
    "Group 3": "19:group3ccccccccccccccccccccccccc@thread.tacv2",
    "Muut asiat": "19:otherdddddddddddddddddddddddddd@thread.tacv2",
}


def board_spec() -> TeamSpec:
    """The advisory board's team of the scenarios: General, three group channels and one other."""
    return TeamSpec(BOARD_TEAM_ID, "HYTE-neuvottelukunta", dict(BOARD_CHANNELS))
