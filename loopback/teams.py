"""Builders of activities shaped as Microsoft Teams POSTs them to the bot (JSON-ready, camelCase)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from loopback.connector_api import personal_conversation_id, stable_token

JsonDict = dict[str, Any]

LOCALE = "fi-FI"
TIMEZONE = "Europe/Helsinki"


@dataclass
class TeamsUser:
    """A Teams user; ``user_id`` ("29:…") and ``upn`` are derived from the AAD id if omitted."""

    aad_object_id: str
    name: str
    user_id: str | None = None
    upn: str | None = None
    locale: str = LOCALE
    """The Teams client's language ("sv-FI": a Swedish-speaking user's client)."""

    def __post_init__(self) -> None:
        if self.user_id is None:
            self.user_id = "29:1" + stable_token("user:" + self.aad_object_id, 60)
        if self.upn is None:
            self.upn = f"user.{self.aad_object_id[:8]}@example.org"

    @property
    def id(self) -> str:
        """The Teams user id ("29:…")."""
        assert self.user_id is not None
        return self.user_id


@dataclass
class TeamsEnv:
    """Where activities come from: the connector's serviceUrl, the tenant and the bot."""

    service_url: str
    tenant_id: str
    bot_id: str = "28:hyte-bot"
    bot_name: str = "HYTE-botti"


def conversation_id_for(user: TeamsUser) -> str:
    """The user's stable personal (1:1) conversation id, "a:…"."""
    return personal_conversation_id(user.id)


def member(env: TeamsEnv, user: TeamsUser, *, role: str = "user") -> JsonDict:
    """The TeamsChannelAccount JSON that GET …/members/{id} answers for ``user``."""
    given, _, surname = user.name.partition(" ")
    return {
        "id": user.id,
        "name": user.name,
        "aadObjectId": user.aad_object_id,
        "givenName": given,
        "surname": surname or None,
        "email": user.upn,
        "userPrincipalName": user.upn,
        "tenantId": env.tenant_id,
        "userRole": role,
    }


def _timestamps() -> JsonDict:
    now = datetime.now(UTC)
    return {
        "timestamp": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "localTimestamp": now.astimezone(ZoneInfo(TIMEZONE)).isoformat(timespec="milliseconds"),
        "localTimezone": TIMEZONE,
    }


def _activity(env: TeamsEnv, user: TeamsUser, type_: str, conversation_id: str | None) -> JsonDict:
    return {
        "type": type_,
        "id": "1:" + uuid.uuid4().hex,
        **_timestamps(),
        "serviceUrl": env.service_url,
        "channelId": "msteams",
        "from": {"id": user.id, "name": user.name, "aadObjectId": user.aad_object_id},
        "conversation": {
            "conversationType": "personal",
            "tenantId": env.tenant_id,
            "id": conversation_id or conversation_id_for(user),
        },
        "recipient": {"id": env.bot_id, "name": env.bot_name},
        "channelData": {"tenant": {"id": env.tenant_id}},
        "locale": user.locale,
    }


def _client_info(locale: str = LOCALE) -> list[JsonDict]:
    return [{"type": "clientInfo", "locale": locale, "country": "FI",
             "platform": "Web", "timezone": TIMEZONE}]


def personal_message(
    env: TeamsEnv,
    user: TeamsUser,
    text: str | None,
    *,
    conversation_id: str | None = None,
    value: JsonDict | None = None,
    reply_to_id: str | None = None,
) -> JsonDict:
    """A 1:1 message; with ``value`` it is an Action.Submit (no text, ``value`` = the data)."""
    activity = _activity(env, user, "message", conversation_id)
    if value is None:
        activity |= {"text": text, "textFormat": "plain"}
    else:
        activity["value"] = value
    if reply_to_id is not None:
        activity["replyToId"] = reply_to_id
    activity["entities"] = _client_info(user.locale)
    return activity


def card_action(
    env: TeamsEnv,
    user: TeamsUser,
    verb: str,
    data: JsonDict,
    *,
    conversation_id: str | None = None,
    reply_to_id: str | None = None,
) -> JsonDict:
    """An ``adaptiveCard/action`` invoke (Universal Actions); ``reply_to_id`` = the card message's id."""
    activity = _activity(env, user, "invoke", conversation_id)
    activity |= {
        "name": "adaptiveCard/action",
        "value": {
            "action": {"type": "Action.Execute", "verb": verb, "data": data},
            "trigger": "manual",
        },
        "entities": _client_info(user.locale),
    }
    if reply_to_id is not None:
        activity["replyToId"] = reply_to_id
    return activity


def personal_install(env: TeamsEnv, user: TeamsUser) -> JsonDict:
    """The conversationUpdate Teams sends when ``user`` installs the bot personally."""
    activity = _activity(env, user, "conversationUpdate", None)
    activity["membersAdded"] = [{"id": env.bot_id}]
    return activity


def installation_update(env: TeamsEnv, user: TeamsUser, action: str = "add") -> JsonDict:
    """The installationUpdate ("add" or "remove") that accompanies a personal (un)install."""
    activity = _activity(env, user, "installationUpdate", None)
    activity["action"] = action
    return activity
