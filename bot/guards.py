"""Role checks, written once and attached to routes."""

from __future__ import annotations

from bot.turn import Turn


def representative(turn: Turn) -> str | None:
    return None if turn.identity.representative is not None else "not_for_you"


def hyte_team(turn: Turn) -> str | None:
    return None if turn.identity.team_member is not None else "team_only"


def personal_only(turn: Turn) -> str | None:
    return None if turn.personal else "personal_only"


def representative_personal_or_hyte_team(turn: Turn) -> str | None:
    """A representative in 1:1 chat, or a HYTE team member anywhere (the handler branches on role)."""
    if turn.identity.team_member is not None:
        return None
    return personal_only(turn) or representative(turn)
