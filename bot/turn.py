"""What a route handler gets (`Turn`) and gives back (`Reply`, bot/connector.py).

A turn carries what arrived (plain data), who is speaking, the round that serves them with its
effective timetable, the time, the language to answer in, and the typed services of the handler's
feature. A handler returns its reply; the transport writes it (a card action's card as the HTTP
answer, a message's reply into the conversation). Messages beyond the reply go through the turn's
`Connector`; slow work is finished after the answer (`later`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Awaitable, Callable, Generic, TypeVar

from bot.connector import Connector, Reply, SendFailed
from bot.identity import Identity
from bot.inbound import Inbound
from bot.services.background import Background
from cards.catalogue import DEFAULT_LANGUAGE, t
from hyte.round import Round

S = TypeVar("S")


@dataclass(frozen=True)
class Turn(Generic[S]):
    inbound: Inbound
    person: Identity
    round: Round
    """The round that serves the person, with the dates the HYTE team moved applied."""
    now: datetime
    services: S
    """The handler's feature's services (each feature declares their type)."""
    connector: Connector
    background: Background
    language: str = DEFAULT_LANGUAGE

    @property
    def personal(self) -> bool:
        return self.inbound.conversation.personal

    @property
    def tenant_id(self) -> str | None:
        return self.inbound.tenant_id

    async def say(self, reply: Reply) -> None:
        """Another message in this conversation, besides the handler's reply."""
        await self.connector.say(reply)

    def later(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        """Finish `work` after the turn has answered; its messages go to this conversation. If it
        fails, the person is told so (unless it was the sending that failed)."""

        async def run() -> None:
            try:
                await work()
            except SendFailed:
                raise
            except Exception:
                await self.connector.say(Reply(text=t("error.generic", self.language)))
                raise

        self.background.start(name, run())
