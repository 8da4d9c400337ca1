"""The registry of commands, card actions and events, each declaring who may use it and where.

A feature (bot/features/) registers its routes on its own `Routes`; `Router` joins them (bot/routes.py).

A command has Finnish names, the natural word order first ("aloita työpaja"; also "työpaja
aloita"), Swedish names for the bilingual counties' people ("starta workshop"), and English
aliases. A command that `takes_words` also matches its name followed by words of the person's
("språk svenska"); the handler reads them (`words_after`). Commands match exactly after normalising (Unicode NFC, whitespace
collapsed, case folded; the transport has removed Teams' HTML and the mentions), never by
substring. Card actions route on the payload model their data parses into; events on what
happened (bot/inbound.Event).

A route that declares `past_rounds` may also serve one of the county's earlier rounds: its command
takes a year after its name ("yhteenveto kysely 2024"), and its card action is served for the round
its card came from when that is one of the county's rounds. Every other card from an earlier round
is refused, as a card from another round always was.

Every route declares its `access`: for whom it is (`Audience`) and where it may be used (`Where`).
The dispatcher derives the refusal from that declaration (`refusal`): who comes first (a person
outside every audience is told whom it is for), then where (a person of the audience in the wrong
place is told where to use it). `ohje`/`help` and the manifest's command lists read the same
declaration (`Command.team_only`, `Command.personal_only`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Iterable, Sequence

from bot.inbound import Event

if TYPE_CHECKING:
    from bot.identity import Identity

Handler = Callable[..., Awaitable[Any]]


class Audience(StrEnum):
    ANYONE = "anyone"
    REPRESENTATIVES = "representatives"
    HYTE_TEAM = "HYTE team"
    PEOPLE = "the round's people"
    """The representatives and the HYTE team."""

    def admits(self, person: Identity) -> bool:
        match self:
            case Audience.ANYONE:
                return True
            case Audience.REPRESENTATIVES:
                return person.representative is not None
            case Audience.HYTE_TEAM:
                return person.team_member is not None
            case Audience.PEOPLE:
                return not person.is_stranger
        raise ValueError(self)


class Where(StrEnum):
    ANYWHERE = "anywhere"
    PERSONAL = "1:1"
    PERSONAL_OR_BOARD_TEAM = "1:1 or the board team's channels"


REFUSED_AUDIENCE = {
    Audience.REPRESENTATIVES: "not_for_you", Audience.HYTE_TEAM: "team_only", Audience.PEOPLE: "not_for_you",
}
"""The catalogue's refusal for a person outside the audience (unless the route names its own)."""
REFUSED_WHERE = {Where.PERSONAL: "personal_only", Where.PERSONAL_OR_BOARD_TEAM: "results.not_here"}
"""The catalogue's refusal for a person of the audience in a place the route is not for."""


@dataclass(frozen=True)
class Access:
    audience: Audience
    where: Where = Where.ANYWHERE
    refusal: str | None = None
    """The catalogue key that tells a person outside the audience whom the route is for."""

    def __str__(self) -> str:
        return f"{self.audience} in {self.where}" if self.where is not Where.ANYWHERE else str(self.audience)


ANYONE = (Access(Audience.ANYONE),)
HYTE_TEAM = (Access(Audience.HYTE_TEAM),)
REPRESENTATIVES_1_1 = (Access(Audience.REPRESENTATIVES, Where.PERSONAL),)


async def refusal(access: Sequence[Access], person: Identity, personal: bool,
                  in_board_team: Callable[[], Awaitable[bool]]) -> str | None:
    """None when the person may use the route here; else the catalogue key to refuse with.
    `in_board_team` is asked only when a route allows the board team's channels and the turn is
    not in 1:1 chat."""
    admitted = [a for a in access if a.audience.admits(person)]
    if not admitted:
        first = access[0]
        return first.refusal or REFUSED_AUDIENCE[first.audience]
    for entry in admitted:
        if entry.where is Where.ANYWHERE or personal:
            return None
        if entry.where is Where.PERSONAL_OR_BOARD_TEAM and await in_board_team():
            return None
    return REFUSED_WHERE[admitted[0].where]


def normalise_command(text: str) -> str:
    """A message's text as a command is matched: NFC, whitespace collapsed, case folded (the
    transport gives it without Teams' HTML and mentions)."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


@dataclass(frozen=True)
class Route:
    handler: Handler
    feature: str
    access: tuple[Access, ...]
    identify: bool = True
    """Whether the handler needs to know who is speaking (the sender matched to the round's people;
    for a UPN-only person a member look-up). A route for anyone that reads only the activity does not."""
    past_rounds: bool = False
    """Whether it may serve one of the county's earlier rounds (a year after the command; a card
    from such a round). Only for the HYTE team: the dispatcher refuses anyone else."""

    @property
    def target(self) -> str:
        """module:function, for the routing table."""
        return f"{self.handler.__module__}:{self.handler.__qualname__}"

    @property
    def team_only(self) -> bool:
        return all(a.audience is Audience.HYTE_TEAM for a in self.access)

    @property
    def personal_only(self) -> bool:
        return all(a.where is Where.PERSONAL for a in self.access)


@dataclass(frozen=True)
class Command(Route):
    finnish: tuple[str, ...] = ()
    """The Finnish names, the natural one first: what `ohje` and the manifest show."""
    english: tuple[str, ...] = ()
    description_key: str = ""
    swedish: tuple[str, ...] = ()
    """The Swedish names, the natural one first: what `hjälp` shows a person reading Swedish."""
    takes_words: bool = False
    in_manifest: bool = True
    """Listed in the Teams app's command lists (at most ten per scope: the least used are left out
    on purpose; they work and `ohje` lists them)."""

    @property
    def name(self) -> str:
        return self.finnish[0]

    def names_in(self, language: str) -> tuple[str, ...]:
        """The names shown to a person reading `language`, the natural one first (Finnish when
        the command has no Swedish name)."""
        return self.swedish if language == "sv" and self.swedish else self.finnish

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the command answers to."""
        return tuple(dict.fromkeys(self.finnish + self.swedish + self.english))


@dataclass(frozen=True)
class ActionRoute(Route):
    payload_type: type = object

    @property
    def verb(self) -> str:
        return self.payload_type.model_fields["verb"].default  # type: ignore[attr-defined]


@dataclass(frozen=True)
class EventRoute(Route):
    event: Event = Event.CHANNEL_MESSAGE


class Routes:
    """One feature's routes, registered by decorators; its services' type is checked at start."""

    def __init__(self, feature: str, services: type | None = None) -> None:
        self.feature = feature
        self.services = services
        self.commands: list[Command] = []
        self.actions: list[ActionRoute] = []
        self.events: list[EventRoute] = []

    def command(
        self, *finnish: str, english: Sequence[str] = (), description: str, access: Sequence[Access] = ANYONE,
        past_rounds: bool = False, swedish: Sequence[str] = (), takes_words: bool = False, in_manifest: bool = True,
    ) -> Callable[[Handler], Handler]:
        """A command under its Finnish names (the natural one first) and English aliases;
        `past_rounds`: a year may follow its name, for that year's round of the county."""
        if not finnish:
            raise ValueError("a command needs a Finnish name")

        def register(handler: Handler) -> Handler:
            self.commands.append(Command(
                handler, self.feature, tuple(access), past_rounds=past_rounds,
                finnish=tuple(normalise_command(n) for n in finnish),
                english=tuple(normalise_command(n) for n in english), description_key=description,
                swedish=tuple(normalise_command(n) for n in swedish), takes_words=takes_words, in_manifest=in_manifest,
            ))
            return handler

        return register

    def action(self, payload_type: type, *, access: Sequence[Access] = ANYONE,
               past_rounds: bool = False) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.actions.append(ActionRoute(handler, self.feature, tuple(access), past_rounds=past_rounds,
                                            payload_type=payload_type))
            return handler

        return register

    def on(self, event: Event, *, access: Sequence[Access] = ANYONE, identify: bool = True) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.events.append(EventRoute(handler, self.feature, tuple(access), identify, event=event))
            return handler

        return register


_WITH_YEAR = re.compile(r"(?P<name>.+) (?P<year>20\d\d)")


@dataclass(frozen=True)
class CommandMatch:
    command: Command
    year: int | None = None
    """The year named after the command: that year's round of the county."""


@dataclass
class Router:
    """Every feature's routes; a name, a payload type or an event taken twice is an error."""

    features: list[Routes] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)
    actions: dict[type, ActionRoute] = field(default_factory=dict)
    events: dict[Event, EventRoute] = field(default_factory=dict)

    @classmethod
    def of(cls, features: Iterable[Routes]) -> Router:
        router = cls()
        for routes in features:
            router.add(routes)
        return router

    def add(self, routes: Routes) -> None:
        self.features.append(routes)
        for command in routes.commands:
            taken = {n for c in self.commands for n in c.names}
            clash = taken & set(command.names)
            if clash or len(set(command.names)) < len(command.names):
                raise ValueError(f"command registered twice: {sorted(clash or command.names)}")
            self.commands.append(command)
        for action in routes.actions:
            if action.payload_type in self.actions:
                raise ValueError(f"action registered twice: {action.payload_type.__name__}")
            self.actions[action.payload_type] = action
        for event in routes.events:
            if event.event in self.events:
                raise ValueError(f"event registered twice: {event.event.name}")
            self.events[event.event] = event

    def find_command(self, text: str) -> Command | None:
        """The command `text` is exactly (see `normalise_command`), or None."""
        found = self.match_command(text)
        return found.command if found is not None else None

    def match_command(self, text: str) -> CommandMatch | None:
        """The command `text` is exactly, or a command for past rounds followed by a year."""
        wanted = normalise_command(text)
        for command in self.commands:
            if wanted in command.names:
                return CommandMatch(command)
        for command in self.commands:
            if command.takes_words and any(wanted.startswith(name + " ") for name in command.names):
                return CommandMatch(command)
        dated = _WITH_YEAR.fullmatch(wanted)
        if dated is not None:
            for command in self.commands:
                if command.past_rounds and dated["name"] in command.names:
                    return CommandMatch(command, int(dated["year"]))
        return None

    def find_action(self, payload: object) -> ActionRoute | None:
        return self.actions.get(type(payload))

    def find_event(self, event: Event) -> EventRoute | None:
        return self.events.get(event)


def words_after(command: Command, text: str) -> str:
    """What a person wrote after a command's name ("språk svenska" → "svenska"); "" for none."""
    wanted = normalise_command(text)
    for name in sorted(command.names, key=len, reverse=True):
        if wanted == name:
            return ""
        if wanted.startswith(name + " "):
            return wanted[len(name) + 1:]
    return ""
