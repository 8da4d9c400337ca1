"""Who is speaking: taken only from the activity (tenant, `from.aadObjectId`), matched to the round.

People may be configured by Entra object id, by user principal name, or both. A UPN-only person is
recognised by asking the connector for the member behind the activity's `from.id` once: the member
must carry the activity's own `aadObjectId` (else the activity is not from that member: refused, and
nothing is remembered), and its UPN must be a configured person's. The answer is kept in the
database for configured people only (strangers leave nothing behind).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity
from msrest.exceptions import ClientException

from hyte.round import Representative, Round, TeamMember
from storage.repositories import SqlConversationRepository

logger = logging.getLogger(__name__)

STRANGER_MEMORY = timedelta(minutes=10)
"""How long a member look-up that found no configured person is trusted, so that a stranger's
messages do not each cost a connector call. Kept in memory only: it is a cache, not state."""


@dataclass(frozen=True)
class Identity:
    tenant_id: str | None
    aad_object_id: str | None
    name: str
    representative: Representative | None = None
    team_member: TeamMember | None = None

    @property
    def is_stranger(self) -> bool:
        return self.representative is None and self.team_member is None


def tenant_of(activity: Activity) -> str | None:
    """The activity's tenant. botbuilder-schema 4.17 maps conversation.tenantId to "tenantID" and so
    drops what Teams sends; Teams' channelData.tenant.id is the reliable source."""
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


class IdentityResolver:
    def __init__(
        self, round_: Round, conversations: SqlConversationRepository,
        authorize: Callable[[TurnContext], Awaitable[None]] | None = None,
    ) -> None:
        """`authorize`: has the bot's token ready before the member look-up's msrest client signs its
        request on the loop (bot/replies.authorize; TokenUnavailable when none can be had)."""
        self._round = round_
        self._conversations = conversations
        self._authorize = authorize
        self._upn_only = any(
            p.upn and not p.aad_object_id for p in (*round_.config.representatives, *round_.config.hyte_team)
        )
        self._not_configured: dict[tuple[str, str], datetime] = {}

    async def resolve(self, context: TurnContext, now: datetime) -> Identity:
        activity = context.activity
        tenant_id = tenant_of(activity)
        sender = activity.from_property
        aad = getattr(sender, "aad_object_id", None) if sender else None
        name = (getattr(sender, "name", None) or "").strip() if sender else ""
        identity = Identity(tenant_id, aad, name)
        if not aad or tenant_id != self._round.tenant_id:
            return identity
        found = self._match(aad, None)
        if found is None and self._upn_only:
            found = await self._match_by_upn(context, tenant_id, aad, name, now)
        if found is None:
            return identity
        display = name or found.name
        if isinstance(found, Representative):
            return Identity(tenant_id, aad, display, representative=found)
        return Identity(tenant_id, aad, display, team_member=found)

    async def _match_by_upn(
        self, context: TurnContext, tenant_id: str, aad: str, name: str, now: datetime
    ) -> Representative | TeamMember | None:
        upn = await self._conversations.person_upn(tenant_id, aad)
        if upn is not None:
            return self._match(None, upn)
        key = (tenant_id, aad)
        remembered_until = self._not_configured.get(key)
        if remembered_until is not None and now < remembered_until:
            return None
        member_aad, upn = await self._lookup_member(context, context.activity.from_property.id)
        if upn and (member_aad or "").lower() != aad.lower():
            logger.warning("member look-up refused: the member's object id is not the activity's (tenant=%s)", tenant_id)
            return None
        found = self._match(None, upn) if upn else None
        if found is None:
            self._not_configured[key] = now + STRANGER_MEMORY
            return None
        self._not_configured.pop(key, None)
        await self._conversations.remember_person(tenant_id, aad, upn, name or None, now)
        return found

    def _match(self, aad: str | None, upn: str | None) -> Representative | TeamMember | None:
        for person in (*self._round.config.hyte_team, *self._round.config.representatives):
            if person.matches(aad, upn):
                return person
        return None

    async def _lookup_member(self, context: TurnContext, member_id: str | None) -> tuple[str | None, str | None]:
        """The member's Entra object id and UPN, as the connector knows them; a member it does not
        know (404) is not an error."""
        if not member_id:
            return None, None
        if self._authorize is not None:
            await self._authorize(context)
        try:
            member = await TeamsInfo.get_member(context, member_id)
        except ClientException as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            logger.info("member lookup failed: status=%s", status)
            return None, None
        return getattr(member, "aad_object_id", None), getattr(member, "user_principal_name", None)
