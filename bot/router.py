"""The registry of commands and card actions, with per-route guards (role checks).

Commands match exactly after normalising (case, whitespace, the bot's @mention removed), never by
substring. Card actions route on the payload model their data parses into. `ohje`/`help` and the
manifest's command list read the same registry.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Sequence

Handler = Callable[..., Awaitable[Any]]
Guard = Callable[[Any], str | None]
"""A guard gets the turn and returns None to let it through, or a catalogue key to refuse with."""

_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_SPACE = re.compile(r"\s+")


def strip_mentions(text: str) -> str:
    """The text without Teams' <at>…</at> mention tags."""
    return _MENTION.sub(" ", text)


def normalise_command(text: str) -> str:
    text = strip_mentions(text)
    text = unicodedata.normalize("NFC", text)
    return _SPACE.sub(" ", text).strip().casefold()


@dataclass(frozen=True)
class Command:
    names: tuple[str, ...]
    """Finnish name first, then aliases (English)."""
    description_key: str
    handler: Handler
    guards: tuple[Guard, ...] = ()
    team_only: bool = False

    @property
    def name(self) -> str:
        return self.names[0]


@dataclass(frozen=True)
class ActionRoute:
    payload_type: type
    handler: Handler
    guards: tuple[Guard, ...] = ()


@dataclass
class Router:
    commands: list[Command] = field(default_factory=list)
    actions: dict[type, ActionRoute] = field(default_factory=dict)

    def command(
        self, *names: str, description: str, guards: Sequence[Guard] = (), team_only: bool = False
    ) -> Callable[[Handler], Handler]:
        normalised = tuple(normalise_command(n) for n in names)
        taken = {n for c in self.commands for n in c.names}
        if taken & set(normalised):
            raise ValueError(f"command registered twice: {sorted(taken & set(normalised))}")

        def register(handler: Handler) -> Handler:
            self.commands.append(Command(normalised, description, handler, tuple(guards), team_only))
            return handler

        return register

    def action(self, payload_type: type, *, guards: Sequence[Guard] = ()) -> Callable[[Handler], Handler]:
        if payload_type in self.actions:
            raise ValueError(f"action registered twice: {payload_type.__name__}")

        def register(handler: Handler) -> Handler:
            self.actions[payload_type] = ActionRoute(payload_type, handler, tuple(guards))
            return handler

        return register

    def find_command(self, text: str) -> Command | None:
        wanted = normalise_command(text)
        for command in self.commands:
            if wanted in command.names:
                return command
        return None

    def find_action(self, payload: object) -> ActionRoute | None:
        return self.actions.get(type(payload))


def refusal(guards: Sequence[Guard], turn: Any) -> str | None:
    for guard in guards:
        key = guard(turn)
        if key:
            return key
    return None
