"""What a route handler gets (`Turn`) and gives back (`Reply`), and the shared services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botbuilder.core import TurnContext

from bot.identity import Identity, IdentityResolver
from hyte.clock import Clock
from hyte.round import Round
from storage.repositories import (
    SqlConversationRepository, SqlPositionRepository, SqlResponseRepository, SqlTeamRepository,
)


@dataclass(frozen=True)
class Services:
    round: Round
    clock: Clock
    responses: SqlResponseRepository
    positions: SqlPositionRepository
    conversations: SqlConversationRepository
    identities: IdentityResolver
    teams: SqlTeamRepository


@dataclass(frozen=True)
class Turn:
    context: TurnContext
    identity: Identity
    services: Services
    now: datetime

    @property
    def conversation_type(self) -> str:
        conversation = self.context.activity.conversation
        return (conversation.conversation_type if conversation else None) or "personal"

    @property
    def personal(self) -> bool:
        return self.conversation_type == "personal"


@dataclass(frozen=True)
class Reply:
    """A card, or a text; a card action's reply replaces the card it came from."""

    card: dict[str, Any] | None = None
    text: str | None = None
