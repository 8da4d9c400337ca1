"""The one shape of every conversation flow: `decide(state, event) -> Outcome(view, effects)`.

A flow is pure. It gets what is stored now (the state) and what the person did (the event), and
says what to show (the view) and what to change (the effects, plain data). The bot carries the
effects out in order (`carry_out`, each by the handler its feature gives for the effect's type) and
renders the view. When the storage refuses an effect because the state changed meanwhile (another
person saved first), the flow is asked again with the new state and an event that says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Generic, Mapping, TypeVar

V = TypeVar("V")
E = TypeVar("E")


@dataclass(frozen=True)
class Outcome(Generic[V]):
    view: V
    effects: tuple[Any, ...] = ()

    def effect(self, kind: type[E]) -> E | None:
        """The first effect of this type, if any."""
        return next((e for e in self.effects if isinstance(e, kind)), None)


async def carry_out(outcome: Outcome[V], handlers: Mapping[type, Callable[[Any], Awaitable[None]]]) -> V:
    """Carry out the outcome's effects in order, each by the handler for its type, and give its view.
    An effect without a handler is an error: a flow never asks for what nobody does."""
    for effect in outcome.effects:
        await handlers[type(effect)](effect)
    return outcome.view
