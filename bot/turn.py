"""What a route handler gets (`Turn`) and gives back (`Reply`), and the shared services."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Awaitable, Callable

from botbuilder.core import TurnContext

from bot import replies
from bot.background import Background
from bot.exports import LinkSigner
from bot.identity import Identity, IdentityResolver
from bot.outbound import SendFailed
from bot.scheduler import Scheduler
from cards.catalogue import t
from hyte.clock import Clock
from hyte.round import Round
from hyte.workshop import WorkshopDefinition
from storage.reminders import SqlTimetableRepository
from storage.workshop import SqlWorkshopRepository
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
    links: LinkSigner | None = None
    """Signs and checks the exports' download links (bot/exports.py)."""
    timetables: SqlTimetableRepository | None = None
    """The HYTE team's moved dates (bot/reminders.py); `for_turn` applies them."""
    reminders: Scheduler | None = None
    """Plans and sends the reminders (bot/scheduler.py)."""
    workshop_questions: WorkshopDefinition | None = None
    """The round's workshop questions (hyte/workshop.py); None: the round has no workshop."""
    workshops: SqlWorkshopRepository | None = None
    """Workshops, their groups, notes and reactions (bot/workshop.py)."""
    background: Background = field(default_factory=Background)
    """Summaries and exports finished after the turn has answered (`Turn.later`)."""

    async def for_turn(self) -> Services:
        """These services with the round's effective timetable: the dates the HYTE team moved in
        Teams applied over the round file's. Every turn reads the timetable through this."""
        if self.timetables is None:
            return self
        round_ = await self.timetables.effective(self.round)
        return self if round_ is self.round else replace(self, round=round_)


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

    def later(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        """Finish `work` after the turn has answered; its messages go to this conversation. If it
        fails, the person is told so (unless it was the sending that failed)."""

        async def run() -> None:
            try:
                await work()
            except SendFailed:
                raise
            except Exception:
                await replies.send(self.context, replies.text_message(t("error.generic")))
                raise

        self.services.background.start(name, run())


@dataclass(frozen=True)
class Reply:
    """A card, or a text; a card action's reply replaces the card it came from."""

    card: dict[str, Any] | None = None
    text: str | None = None
