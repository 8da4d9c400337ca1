"""Messages the bot sends in a turn, addressed to the conversation the activity came from.

`bot/http.py` puts the activity as received (JSON) and the `Outbound` in the turn's state; `send`
and `update` address a message from it the way botbuilder's `TurnContext.send_activity` does
(`apply_conversation_reference`: channel, service URL, conversation, locale; from the bot to the
person; a reply to the activity unless it is a conversationUpdate) and post it through the one
retrying Outbound with the credentials botbuilder made for the turn. A send that fails for good
raises `SendFailed`.

The token is a concern of the send: a reply waits at most REPLY_TOKEN_WAIT seconds for the bot's
token from Entra ID; when none can be had, the reply is queued (bot/queued.py) and sent when one
can, and the turn goes on. (A card action's answer is the HTTP response and needs no token at all.)
"""

from __future__ import annotations

import time
from typing import Any

from botbuilder.core import BotAdapter, TurnContext

from bot.identity import tenant_of
from bot.outbound import Outbound, TokenUnavailable
from cards.elements import CARD_CONTENT_TYPE

RECEIVED = "hyte.received_activity"
OUTBOUND = "hyte.outbound"
QUEUE = "hyte.queued_replies"
INVOKE_RESPONSE = "hyte.invoke_response"
"""(status, JSON body) of an invoke's answer, as `answer_invoke` left it for bot/http.py."""
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


def answer_invoke(context: TurnContext, status: int, body: Any) -> None:
    """The HTTP answer to an invoke (a card action's card), written by bot/http.py after the turn."""
    context.turn_state[INVOKE_RESPONSE] = (status, body)


async def send(context: TurnContext, message: dict[str, Any]) -> str | None:
    """A new message in the turn's conversation (a reply to the activity); its id (None: queued until
    a token can be had)."""
    received, outbound, credentials = _parts(context)
    conversation_id = received["conversation"]["id"]
    reply_to = received.get("id") if received.get("type") not in NOT_REPLIED_TO else None
    activity = _addressed(received, message, reply_to)
    tenant_id = tenant_of(context.activity) or ""
    try:
        await outbound.authorizations.header(credentials, wait=REPLY_TOKEN_WAIT)
        activity_id, _ = await outbound.post_activity(
            tenant_id, received["serviceUrl"], conversation_id, activity, credentials,
            reply_to_id=reply_to, deadline=time.monotonic() + REPLY_DEADLINE,
        )
    except TokenUnavailable:
        await _queue(context, tenant_id, "POST", activity, reply_to_id=reply_to)
        return None
    return activity_id


async def update(context: TurnContext, activity_id: str, message: dict[str, Any]) -> str | None:
    """Replace a message the bot sent in the turn's conversation (a card updated in place)."""
    received, outbound, credentials = _parts(context)
    activity = _addressed(received, message, received.get("id"))
    tenant_id = tenant_of(context.activity) or ""
    try:
        await outbound.authorizations.header(credentials, wait=REPLY_TOKEN_WAIT)
        replaced, _ = await outbound.put_activity(
            tenant_id, received["serviceUrl"], received["conversation"]["id"], activity_id, activity,
            credentials, deadline=time.monotonic() + REPLY_DEADLINE,
        )
    except TokenUnavailable:
        await _queue(context, tenant_id, "PUT", activity, activity_id=activity_id)
        return None
    return replaced


def prefetch(context: TurnContext) -> None:
    """Start fetching the bot's token for a reply this turn may send (the turn does not wait)."""
    _, outbound, credentials = _parts(context)
    outbound.authorizations.prefetch(credentials)


async def authorize(context: TurnContext) -> None:
    """Have the bot's token before an msrest client of the turn signs a request on the loop (member
    look-ups, the team's channels); TokenUnavailable when none can be had in time."""
    _, outbound, credentials = _parts(context)
    await outbound.authorizations.header(credentials, wait=REPLY_TOKEN_WAIT)


async def _queue(context: TurnContext, tenant_id: str, method: str, activity: dict[str, Any], **ids: str | None) -> None:
    queue = context.turn_state.get(QUEUE)
    if queue is None:
        raise TokenUnavailable("no queue for replies")
    received = context.turn_state[RECEIVED]
    await queue.put(tenant_id=tenant_id, service_url=received["serviceUrl"],
                    conversation_id=received["conversation"]["id"], method=method, activity=activity, **ids)


def _parts(context: TurnContext) -> tuple[dict[str, Any], Outbound, Any]:
    client = context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
    credentials = client.config.credentials if client is not None else None
    return context.turn_state[RECEIVED], context.turn_state[OUTBOUND], credentials


def _addressed(received: dict[str, Any], message: dict[str, Any], reply_to: str | None) -> dict[str, Any]:
    return addressed(
        message, channel_id=received.get("channelId"), service_url=received.get("serviceUrl"),
        conversation=received.get("conversation"), bot=received.get("recipient"), person=received.get("from"),
        locale=received.get("locale"), reply_to=reply_to,
    )
