"""What a turn asks of Teams, carried out: `TurnConnector` (the `bot.connector.Connector` of a turn).

Messages are addressed from the activity as received, the way botbuilder's
`TurnContext.send_activity` does (`apply_conversation_reference`: channel, service URL,
conversation, locale; from the bot to the person; a reply to the activity unless it is a
conversationUpdate), and posted through the one retrying Outbound with the credentials botbuilder
made for the turn. Member look-ups and the team's channel list go through the same Outbound (its
rate limits and retries), with the turn's msrest connector client. A send that fails for good
raises `SendFailed`.

The token is a concern of the send: a reply waits at most REPLY_TOKEN_WAIT seconds for the bot's
token from Entra ID; when none can be had, the reply is queued (bot/transport/queued.py) and sent
when one can, and the turn goes on. (A card action's answer is the HTTP response and needs no
token at all.)
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.core.cloud_adapter_base import CloudAdapterBase
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationReference
from msrest.exceptions import ClientException, HttpOperationError

from bot.connector import Member, SendError, SendFailed, TokenUnavailable
from bot.transport.outbound import Outbound, send_error
from cards.elements import CARD_CONTENT_TYPE
from hyte.teams import Channel

if TYPE_CHECKING:
    from bot.transport.queued import QueuedReplies
    from bot.turn import Reply

logger = logging.getLogger(__name__)

TEAMS = "msteams"
REPLY_DEADLINE = 10.0
"""Seconds a reply may spend on retries: Teams sends an activity again after 15 s without an answer."""
NOT_REPLIED_TO = frozenset({"conversationUpdate"})
REPLY_TOKEN_WAIT = 2.0
"""Seconds a reply waits for the bot's token before it is queued (Entra ID answers in well under one)."""


def text_message(text: str) -> dict[str, Any]:
    return {"type": "message", "text": text}


def card_message(card: dict[str, Any]) -> dict[str, Any]:
    return attachment_message([{"contentType": CARD_CONTENT_TYPE, "content": card}])


def attachment_message(attachments: list[dict[str, Any]], text: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "message", "attachmentLayout": "list", "attachments": attachments}
    if text is not None:
        message["text"] = text
    return message


def message_of(reply: Reply) -> dict[str, Any]:
    """A reply as the message activity that carries it."""
    if reply.attachments:
        return attachment_message(list(reply.attachments), reply.text)
    if reply.card is not None:
        return card_message(reply.card)
    return text_message(reply.text or "")


def addressed(
    message: dict[str, Any], *, channel_id: str | None, service_url: str | None, conversation: dict[str, Any] | None,
    bot: dict[str, Any] | None, person: dict[str, Any] | None = None, locale: str | None = None,
    reply_to: str | None = None,
) -> dict[str, Any]:
    """`message` as an activity from the bot into a conversation (what botbuilder's
    `apply_conversation_reference` sets); None fields are left out when it is sent."""
    return {
        "inputHint": "acceptingInput", **message, "channelId": channel_id, "serviceUrl": service_url,
        "conversation": conversation, "from": bot, "recipient": person, "locale": locale, "replyToId": reply_to,
    }


def channel_reference(service_url: str, tenant_id: str | None, channel_id: str, bot: ChannelAccount | None) -> ConversationReference:
    return ConversationReference(
        channel_id=TEAMS, service_url=service_url,
        bot=ChannelAccount(id=bot.id, name=bot.name) if bot else None,
        conversation=ConversationAccount(id=channel_id, is_group=True, conversation_type="channel", tenant_id=tenant_id),
    )


class TurnConnector:
    """The turn's way to Teams. Kept by work that finishes after the turn (`Turn.later`): it needs
    only the activity as received, the Outbound and the turn's credentials."""

    def __init__(
        self, context: TurnContext, received: dict[str, Any], tenant_id: str | None, outbound: Outbound,
        queued: QueuedReplies | None,
    ) -> None:
        self._context = context
        self._received = received
        self._tenant_id = tenant_id or ""
        self._outbound = outbound
        self._queued = queued
        client = context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
        self._client = client
        self._credentials = client.config.credentials if client is not None else None

    def prefetch(self) -> None:
        """Start fetching the bot's token for a reply this turn may send (the turn does not wait)."""
        self._outbound.authorizations.prefetch(self._credentials)

    async def _authorize(self) -> None:
        """Have the bot's token before an msrest client of the turn signs a request on the loop;
        TokenUnavailable when none can be had in time."""
        await self._outbound.authorizations.header(self._credentials, wait=REPLY_TOKEN_WAIT)

    # Messages ---------------------------------------------------------------------------------------

    async def say(self, reply: Reply) -> None:
        await self.send(message_of(reply))

    async def send(self, message: dict[str, Any]) -> str | None:
        """A new message in the turn's conversation (a reply to the activity); its id (None: queued
        until a token can be had)."""
        received = self._received
        conversation_id = received["conversation"]["id"]
        reply_to = received.get("id") if received.get("type") not in NOT_REPLIED_TO else None
        activity = self._addressed(message, reply_to)
        try:
            await self._authorize()
            activity_id, _ = await self._outbound.post_activity(
                self._tenant_id, received["serviceUrl"], conversation_id, activity, self._credentials,
                reply_to_id=reply_to, deadline=time.monotonic() + REPLY_DEADLINE,
            )
        except TokenUnavailable:
            await self._queue("POST", activity, reply_to_id=reply_to)
            return None
        return activity_id

    async def replace(self, activity_id: str, reply: Reply) -> str | None:
        """Replace a message the bot sent in the turn's conversation (a card updated in place)."""
        received = self._received
        activity = self._addressed(message_of(reply), received.get("id"))
        try:
            await self._authorize()
            replaced, _ = await self._outbound.put_activity(
                self._tenant_id, received["serviceUrl"], received["conversation"]["id"], activity_id, activity,
                self._credentials, deadline=time.monotonic() + REPLY_DEADLINE,
            )
        except TokenUnavailable:
            await self._queue("PUT", activity, activity_id=activity_id)
            return None
        return replaced

    async def _queue(self, method: str, activity: dict[str, Any], **ids: str | None) -> None:
        if self._queued is None:
            raise TokenUnavailable("no queue for replies")
        received = self._received
        await self._queued.put(tenant_id=self._tenant_id, service_url=received["serviceUrl"],
                               conversation_id=received["conversation"]["id"], method=method, activity=activity, **ids)

    def _addressed(self, message: dict[str, Any], reply_to: str | None) -> dict[str, Any]:
        received = self._received
        return addressed(
            message, channel_id=received.get("channelId"), service_url=received.get("serviceUrl"),
            conversation=received.get("conversation"), bot=received.get("recipient"), person=received.get("from"),
            locale=received.get("locale"), reply_to=reply_to,
        )

    # Channels -------------------------------------------------------------------------------------------

    async def post(self, service_url: str, tenant_id: str, channel_id: str, card: dict[str, Any]) -> str:
        """A new top-level post in a channel (POST /v3/conversations/{channelId}/activities); the new
        post's message id. In a turn it waits no longer than a reply for the token."""
        client = await self._connector_for(service_url)
        recipient = self._context.activity.recipient
        activity = addressed(
            card_message(card), channel_id=self._context.activity.channel_id, service_url=service_url,
            conversation={"id": channel_id, "isGroup": True, "conversationType": "channel", "tenantId": tenant_id},
            bot={"id": recipient.id, "name": recipient.name} if recipient else None,
        )
        await self._outbound.authorizations.header(client.config.credentials, wait=REPLY_TOKEN_WAIT)
        message_id, _ = await self._outbound.post_activity(tenant_id, service_url, channel_id, activity, client.config.credentials)
        if not message_id:
            raise SendFailed(SendError(None, "no message id in the connector's answer"), 0)
        return message_id

    async def update_post(self, service_url: str, tenant_id: str, channel_id: str, message_id: str,
                          card: dict[str, Any]) -> None:
        """Replace a top-level post of the bot's in a channel (PUT on the post's thread conversation,
        "<channel>;messageid=<post>"), as a card kept up to date in place."""
        client = await self._connector_for(service_url)
        recipient = self._context.activity.recipient
        conversation_id = f"{channel_id};messageid={message_id}"
        activity = addressed(
            card_message(card), channel_id=self._context.activity.channel_id, service_url=service_url,
            conversation={"id": conversation_id, "isGroup": True, "conversationType": "channel", "tenantId": tenant_id},
            bot={"id": recipient.id, "name": recipient.name} if recipient else None,
        )
        await self._outbound.authorizations.header(client.config.credentials, wait=REPLY_TOKEN_WAIT)
        await self._outbound.put_activity(tenant_id, service_url, conversation_id, message_id, activity,
                                          client.config.credentials)

    async def _connector_for(self, service_url: str):
        """The turn's async connector client, or one for another service URL (a team in another region)."""
        if (self._context.activity.service_url or "").rstrip("/") == service_url.rstrip("/"):
            return self._client
        factory = self._context.turn_state[CloudAdapterBase.CONNECTOR_FACTORY_KEY]
        return await factory.create(service_url, self._context.turn_state.get(BotAdapter.BOT_OAUTH_SCOPE_KEY))

    async def team_channels(self, team_id: str) -> list[Channel]:
        """The team's channels (`GET /v3/teams/{teamId}/conversations`, through the turn's *async*
        connector client: botbuilder's `TeamsInfo.get_team_channels` uses a synchronous one that
        would block the event loop). On a failure the team is known with its General channel only;
        a later channel event adds the others."""
        client = self._client
        try:
            await self._authorize()
        except TokenUnavailable:
            logger.warning("team channel list not asked: no token from Entra ID (team=%s)", team_id)
            return [Channel(team_id, None)]
        pipeline = client.conversations._client  # the msrest async pipeline, with the bot's credentials
        url = pipeline.format_url(
            "/v3/teams/{teamId}/conversations", teamId=client._serialize.url("team_id", team_id, "str")
        )

        async def ask() -> list[Any]:
            try:
                response = await pipeline.async_send(pipeline.get(url, {}, {"Accept": "application/json"}), stream=False)
                if response.status_code != 200:
                    raise HttpOperationError(client._deserialize, response)
                return json.loads(response.text()).get("conversations") or []
            except (ClientException, ValueError, AttributeError) as exc:
                raise send_error(exc) from exc

        try:
            listed, _ = await self._outbound.with_retries(self._tenant_id, None, ask, deadline=time.monotonic() + REPLY_DEADLINE)
        except SendFailed as failed:
            logger.warning("team channel list failed: team=%s error=%s", team_id, failed.error.reason)
            return [Channel(team_id, None)]
        channels = [
            Channel(c["id"], None if c["id"] == team_id else c.get("name"))
            for c in listed if isinstance(c, dict) and isinstance(c.get("id"), str)
        ]
        if not any(c.channel_id == team_id for c in channels):
            channels.insert(0, Channel(team_id, None))
        return channels

    # Members --------------------------------------------------------------------------------------------

    async def member(self, member_id: str) -> Member | None:
        """The member's Entra object id and UPN, as the connector knows them; a member it does not
        know (404) is not an error."""
        await self._authorize()

        async def ask() -> Any:
            try:
                return await TeamsInfo.get_member(self._context, member_id)
            except ClientException as exc:
                raise send_error(exc) from exc

        try:
            found, _ = await self._outbound.with_retries(self._tenant_id, None, ask, deadline=time.monotonic() + REPLY_DEADLINE)
        except SendFailed as failed:
            logger.info("member lookup failed: status=%s", failed.error.status)
            return None
        return Member(member_id, getattr(found, "aad_object_id", None), getattr(found, "user_principal_name", None),
                      getattr(found, "email", None), getattr(found, "name", None))

    # References -----------------------------------------------------------------------------------------

    def reference(self) -> dict[str, Any]:
        return TurnContext.get_conversation_reference(self._context.activity).serialize()

    def channel_reference(self, channel_id: str) -> dict[str, Any]:
        activity = self._context.activity
        return channel_reference(activity.service_url, self._tenant_id or None, channel_id, activity.recipient).serialize()
