"""Who is speaking: taken only from the activity (tenant, `from.aadObjectId`), matched to the round.

People may be configured by Entra object id, by user principal name, or both. A UPN-only person is
recognised by asking the connector for the member behind the activity's `from.id` once (through
the turn's Connector, so through the one Outbound): the member must carry the activity's own
`aadObjectId` (else the activity is not from that member: refused, and nothing is remembered), and
its UPN must be a configured person's. The answer is kept in the database for configured people
only (strangers leave nothing behind).
"""

from __future__ import annotations

from collections import OrderedDict

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from hyte.round import Representative, Round, TeamMember
from hyte.teams import ConversationRepository

if TYPE_CHECKING:
    from bot.connector import Connector
    from bot.inbound import Inbound

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


def sender_of(inbound: Inbound) -> Identity:
    """The sender as the activity names them, not matched to the round (a stranger to it)."""
    sender = inbound.sender
    return Identity(inbound.tenant_id, sender.aad_object_id, (sender.name or "").strip())


class IdentityResolver:
    def __init__(self, conversations: ConversationRepository) -> None:
        self._conversations = conversations
        self._not_configured: dict[tuple[str, str], datetime] = {}

    async def resolve(self, inbound: Inbound, round_: Round, now: datetime, connector: Connector) -> Identity:
        identity = sender_of(inbound)
        tenant_id, aad, name = identity.tenant_id, identity.aad_object_id, identity.name
        if not aad or tenant_id != round_.tenant_id:
            return identity
        found = _match(round_, aad, None)
        if found is None and round_.has_upn_only_people:
            found = await self._match_by_upn(inbound, round_, tenant_id, aad, name, now, connector)
        if found is None:
            return identity
        display = name or found.name
        if isinstance(found, Representative):
            return Identity(tenant_id, aad, display, representative=found)
        return Identity(tenant_id, aad, display, team_member=found)

    async def _match_by_upn(
        self, inbound: Inbound, round_: Round, tenant_id: str, aad: str, name: str, now: datetime,
        connector: Connector,
    ) -> Representative | TeamMember | None:
        upn = await self._conversations.person_upn(tenant_id, aad)
        if upn is not None:
            return _match(round_, None, upn)
        key = (tenant_id, aad)
        remembered_until = self._not_configured.get(key)
        if remembered_until is not None and now < remembered_until:
            return None
        member = await connector.member(inbound.sender.id) if inbound.sender.id else None
        upn = member.upn if member is not None else None
        if upn and ((member.aad_object_id or "").lower() != aad.lower()):
            logger.warning("member look-up refused: the member's object id is not the activity's (tenant=%s)", tenant_id)
            return None
        found = _match(round_, None, upn) if upn else None
        if found is None:
            self._not_configured[key] = now + STRANGER_MEMORY
            return None
        self._not_configured.pop(key, None)
        await self._conversations.remember_person(tenant_id, aad, upn, name or None, now)
        return found


def _match(round_: Round, aad: str | None, upn: str | None) -> Representative | TeamMember | None:
    if aad and not upn:  # every turn: by the index of the round's object ids, not a scan of everyone
        return _by_aad(round_).get(aad.lower())
    for person in (*round_.config.hyte_team, *round_.config.representatives):
        if person.matches(aad, upn):
            return person
    return None


_INDEXES: OrderedDict[int, tuple[object, dict[str, Representative | TeamMember]]] = OrderedDict()
_INDEXES_KEPT = 64


def _by_aad(round_: Round) -> dict[str, Representative | TeamMember]:
    """The round's people by lower-cased object id (the HYTE team first, as the scan found them),
    kept for the last few round configurations."""
    config = round_.config
    entry = _INDEXES.get(id(config))
    if entry is None or entry[0] is not config:
        index: dict[str, Representative | TeamMember] = {}
        for person in (*config.hyte_team, *config.representatives):
            if person.aad_object_id:
                index.setdefault(person.aad_object_id.lower(), person)
        entry = _INDEXES[id(config)] = (config, index)
        while len(_INDEXES) > _INDEXES_KEPT:
            _INDEXES.popitem(last=False)
    return entry[1]
