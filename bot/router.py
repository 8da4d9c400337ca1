"""The registry of commands and card actions, with per-route guards (role checks).

A command has Finnish names, the natural word order first ("aloita työpaja"; also "työpaja
aloita"), and English aliases. Commands match exactly after normalising (Teams' HTML and the
bot's @mention removed, Unicode NFC, whitespace collapsed, case folded), never by substring. Card
actions route on the payload model their data parses into. `ohje`/`help` and the manifest's
command list read the same registry.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Iterable, Sequence

from hyte.workshop import clean_teams_html

Handler = Callable[..., Awaitable[Any]]
Guard = Callable[[Any], str | None]
"""A guard gets the turn and returns None to let it through, or a catalogue key to refuse with."""

_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_SPACE = re.compile(r"\s+")


def strip_mentions(text: str) -> str:
    """The text without Teams' <at>…</at> mention tags."""
    return _MENTION.sub(" ", text)


def normalise_command(text: str, bot_names: Iterable[str] | None = None) -> str:
    """A message's text as a command is matched: Teams' HTML removed (`<p>`, `&nbsp;`, …), the
    `<at>` mentions removed (only those of `bot_names`, when given: another person's mention stays
    as their name, so "@Matti tila" is not a command), NFC, whitespace collapsed, case folded."""
    if bot_names is None:
        text, bot_names = strip_mentions(text), ()
    text = clean_teams_html(text, drop_mentions=bot_names)
    text = unicodedata.normalize("NFC", text)
    return _SPACE.sub(" ", text).strip().casefold()


@dataclass(frozen=True)
class Command:
    finnish: tuple[str, ...]
    """The Finnish names, the natural one first: what `ohje` and the manifest show."""
    english: tuple[str, ...]
    description_key: str
    handler: Handler
    guards: tuple[Guard, ...] = ()
    team_only: bool = False

    @property
    def name(self) -> str:
        return self.finnish[0]

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the command answers to."""
        return self.finnish + self.english


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
        self, *finnish: str, english: Sequence[str] = (), description: str, guards: Sequence[Guard] = (),
        team_only: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Register a command under its Finnish names (the natural one first) and English aliases."""
        if not finnish:
            raise ValueError("a command needs a Finnish name")
        fi = tuple(normalise_command(n) for n in finnish)
        en = tuple(normalise_command(n) for n in english)
        taken = {n for c in self.commands for n in c.names}
        clash = taken & {*fi, *en}
        if clash or len({*fi, *en}) < len(fi) + len(en):
            raise ValueError(f"command registered twice: {sorted(clash or {*fi, *en})}")

        def register(handler: Handler) -> Handler:
            self.commands.append(Command(fi, en, description, handler, tuple(guards), team_only))
            return handler

        return register

    def action(self, payload_type: type, *, guards: Sequence[Guard] = ()) -> Callable[[Handler], Handler]:
        if payload_type in self.actions:
            raise ValueError(f"action registered twice: {payload_type.__name__}")

        def register(handler: Handler) -> Handler:
            self.actions[payload_type] = ActionRoute(payload_type, handler, tuple(guards))
            return handler

        return register

    def find_command(self, text: str, bot_names: Iterable[str] | None = None) -> Command | None:
        """The command `text` is exactly (see `normalise_command`), or None."""
        wanted = normalise_command(text, bot_names)
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
