"""A Bot Framework activity read into the bot's plain `Inbound` (bot/inbound.py), with what Teams
does applied once, here:

- the tenant is Teams' `channelData.tenant.id` (botbuilder-schema 4.17 maps conversation.tenantId
  to "tenantID" and so drops what Teams sends);
- the channel a team activity is in is `channelData.channel.id`, else the conversation's id
  without its ";messageid=…" thread part; a reply's thread root is the conversation's
  ";messageid=" part (or replyToId), unless that is the activity itself (a top-level post);
- the bot is @mentioned when a mention entity names its id; the names it is mentioned by are its
  own and its mentions' texts;
- a message's text is Teams' HTML made clean (bot/transport/teams_html.py), as a command (every
  mention removed when the bot is addressed, else only the bot's) and as a note (from the
  `text/html` attachment when there is one).
"""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity, ActivityTypes

from bot.inbound import Account, Conversation, Inbound, Kind
from bot.transport.teams_html import clean_teams_html, strip_mentions

CARD_ACTION = "adaptiveCard/action"
FILE_CONSENT = "fileConsent/invoke"


def tenant_of(activity: Activity) -> str | None:
    """The activity's tenant: Teams' channelData.tenant.id, else the conversation's tenantId."""
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant") if isinstance(channel_data.get("tenant"), dict) else {}
    tenant_id = tenant.get("id")
    if isinstance(tenant_id, str) and tenant_id:
        return tenant_id
    conversation = activity.conversation
    if conversation is not None:
        extra: dict[str, Any] = getattr(conversation, "additional_properties", None) or {}
        value = extra.get("tenantId") or conversation.tenant_id
        if isinstance(value, str) and value:
            return value
    return None


def _channel_data(activity: Activity) -> dict[str, Any]:
    return activity.channel_data if isinstance(activity.channel_data, dict) else {}


def _named(data: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = data.get(key)
    return value if isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"] else None


def _conversation(activity: Activity, data: dict[str, Any]) -> Conversation:
    conversation = activity.conversation
    conversation_id = (conversation.id if conversation is not None else None) or ""
    team, channel = _named(data, "team"), _named(data, "channel")
    channel_id = channel["id"] if channel is not None else (conversation_id.split(";", 1)[0] or None)
    root = conversation_id.split(";messageid=", 1)[1] if ";messageid=" in conversation_id else None
    root = root or activity.reply_to_id
    return Conversation(
        id=conversation_id,
        type=(conversation.conversation_type if conversation is not None else None) or "personal",
        tenant_id=tenant_of(activity),
        service_url=activity.service_url or "",
        team_id=team["id"] if team is not None else None,
        team_name=team.get("name") if team is not None else None,
        team_aad_group_id=team.get("aadGroupId") if team is not None else None,
        channel_id=channel_id,
        thread_root=root if root and root != activity.id else None,
    )


def _bot_mentions(activity: Activity) -> tuple[bool, set[str]]:
    """Whether the bot is @mentioned, and the names it is mentioned by: its own, and its mentions' texts."""
    bot = activity.recipient
    names = {bot.name} if bot is not None and bot.name else set()
    mentioned = False
    for entity in activity.entities or []:
        props = getattr(entity, "additional_properties", None) or {}
        who = props.get("mentioned") if isinstance(props, dict) else None
        if entity.type == "mention" and isinstance(who, dict) and bot is not None and who.get("id") == bot.id:
            mentioned = True
            if isinstance(who.get("name"), str):
                names.add(who["name"])
            if isinstance(props.get("text"), str):
                names.add(clean_teams_html(props["text"]))
    return mentioned, names


def _html(activity: Activity) -> str:
    for attachment in activity.attachments or []:
        if getattr(attachment, "content_type", None) == "text/html" and isinstance(attachment.content, str):
            return attachment.content
    return activity.text or ""


def _account(account: Any) -> Account:
    if account is None:
        return Account(None)
    return Account(account.id, getattr(account, "name", None), getattr(account, "aad_object_id", None))


def _card_action_data(value: Any) -> dict[str, Any]:
    """An Action.Execute's data with its verb."""
    value = value if isinstance(value, dict) else {}
    action = value.get("action") if isinstance(value.get("action"), dict) else {}
    data = action.get("data") if isinstance(action.get("data"), dict) else {}
    verb = action.get("verb")
    return {**data, "verb": verb} if isinstance(verb, str) else data


def _file_consent_data(value: Any) -> dict[str, Any]:
    """A FileConsentCard answered: its context (our payload) with Teams' action and upload info."""
    value = value if isinstance(value, dict) else {}
    data = value.get("context") if isinstance(value.get("context"), dict) else {}
    return {**data, "action": value.get("action"), "upload": value.get("uploadInfo")}


def to_inbound(activity: Activity) -> Inbound:
    data = _channel_data(activity)
    conversation = _conversation(activity, data)
    sender, bot = activity.from_property, activity.recipient
    common: dict[str, Any] = {
        "id": activity.id, "conversation": conversation, "sender": _account(sender), "bot": _account(bot),
        "from_bot": bool(sender and bot and sender.id == bot.id) or getattr(sender, "role", None) == "bot",
        "reply_to_id": activity.reply_to_id, "locale": activity.locale if isinstance(activity.locale, str) else None,
    }
    match activity.type:
        case ActivityTypes.message:
            if isinstance(activity.value, dict) and not (activity.text or "").strip():
                return Inbound(Kind.CARD_ACTION, data=activity.value, **common)
            mentioned, names = _bot_mentions(activity)
            text = activity.text or ""
            addressed = conversation.personal or mentioned
            command = clean_teams_html(strip_mentions(text)) if addressed else clean_teams_html(text, drop_mentions=names)
            note = "" if conversation.personal else clean_teams_html(_html(activity), drop_mentions=names)
            return Inbound(Kind.MESSAGE, command=command, text=note, mentions_bot=mentioned, **common)
        case ActivityTypes.invoke if activity.name == CARD_ACTION:
            return Inbound(Kind.CARD_ACTION, data=_card_action_data(activity.value), **common)
        case ActivityTypes.invoke if activity.name == FILE_CONSENT:
            return Inbound(Kind.FILE_CONSENT, data=_file_consent_data(activity.value), **common)
        case ActivityTypes.invoke:
            return Inbound(Kind.OTHER_INVOKE, **common)
        case ActivityTypes.conversation_update:
            channel = _named(data, "channel")
            return Inbound(
                Kind.CONVERSATION_UPDATE, event_type=data.get("eventType"),
                event_channel=(channel["id"], channel.get("name")) if channel is not None else None,
                members_added=tuple(m.id for m in activity.members_added or []),
                members_removed=tuple(m.id for m in activity.members_removed or []), **common,
            )
        case ActivityTypes.message_update | ActivityTypes.message_delete:
            _, names = _bot_mentions(activity)
            return Inbound(
                Kind.MESSAGE_CHANGE, text=clean_teams_html(_html(activity), drop_mentions=names),
                event_type=data.get("eventType"), deleted=activity.type == ActivityTypes.message_delete, **common,
            )
        case ActivityTypes.message_reaction:
            return Inbound(
                Kind.REACTION, reactions_added=tuple(r.type for r in activity.reactions_added or [] if r.type),
                reactions_removed=tuple(r.type for r in activity.reactions_removed or [] if r.type), **common,
            )
    return Inbound(Kind.OTHER, **common)
