"""Teams the bot is installed in, and their channels, as the process sees them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


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
        installed_by_aad: str | None, make_board: bool, at: datetime,
    ) -> Team: ...

    async def removed(self, tenant_id: str, team_id: str, at: datetime) -> None: ...

    async def set_channels(self, tenant_id: str, team_id: str, channels: list[Channel], at: datetime) -> None: ...

    async def channel_changed(self, tenant_id: str, team_id: str, channel: Channel, deleted: bool, at: datetime) -> None: ...

    async def get(self, tenant_id: str, team_id: str) -> Team | None: ...

    async def board_team(self, tenant_id: str) -> Team | None: ...
