"""Teams the bot is installed in, their channels, and the conversations the bot keeps to write
into later, as the process sees them; the repositories' Protocols (storage/repositories.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Channel:
    channel_id: str
    name: str | None
    """None for the General channel, as Teams reports it."""

    @property
    def is_general(self) -> bool:
        return self.name is None


@dataclass(frozen=True)
class Team:
    tenant_id: str
    team_id: str
    """The team's thread id ("19:…@thread.tacv2"); also the General channel's id."""
    name: str | None
    service_url: str
    is_board: bool
    channels: tuple[Channel, ...] = ()

    @property
    def general_channel_id(self) -> str:
        return self.team_id


class TeamRepository(Protocol):
    async def installed(
        self, tenant_id: str, team_id: str, name: str | None, aad_group_id: str | None, service_url: str,
        installed_by_aad: str | None, make_board: bool, at: datetime, *, configured_board: bool = False,
    ) -> Team:
        """Record the bot in a team. It becomes the board's team if `configured_board` (the round
        names it), or `make_board` and the tenant has none yet."""
        ...

    async def removed(self, tenant_id: str, team_id: str, at: datetime) -> None: ...

    async def set_channels(self, tenant_id: str, team_id: str, channels: list[Channel], at: datetime) -> None: ...

    async def channel_changed(self, tenant_id: str, team_id: str, channel: Channel, deleted: bool, at: datetime) -> None: ...

    async def get(self, tenant_id: str, team_id: str) -> Team | None: ...

    async def board_team(self, tenant_id: str) -> Team | None: ...


class ConversationRepository(Protocol):
    """Conversation references (to write into a conversation outside a turn) and what a member
    look-up taught about a UPN-only person."""

    async def remember(
        self, tenant_id: str, conversation_id: str, conversation_type: str, service_url: str,
        reference: dict[str, Any], aad_object_id: str | None, at: datetime,
    ) -> None: ...

    async def personal(self, tenant_id: str, aad_object_id: str) -> dict[str, Any] | None:
        """The person's 1:1 conversation reference, if the bot has one."""
        ...

    async def person_upn(self, tenant_id: str, aad_object_id: str) -> str | None: ...

    async def remember_person(
        self, tenant_id: str, aad_object_id: str, upn: str | None, name: str | None, at: datetime,
    ) -> None: ...
