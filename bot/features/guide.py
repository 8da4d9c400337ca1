"""`ohje`/`help`, and the greeting when someone adds the bot to their 1:1 chat: by role, with the
commands this person can use (read from the routes' declarations, as the manifest's lists are)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from bot.inbound import Event
from bot.router import Command, Routes
from bot.turn import Reply, Turn
from cards import elements as ui
from cards.catalogue import current_language, t
from cards.survey import welcome_card
from cards.text import Config, User
from hyte.responses import ResponseKey, ResponseRepository


@dataclass(frozen=True)
class GuideServices:
    responses: ResponseRepository
    commands: Sequence[Command]
    """Every command of the bot, in the order `ohje` lists them."""


routes = Routes("guide", GuideServices)


@routes.command("ohje", "komennot", swedish=("hjälp", "hjalp", "kommandon"), english=("help",), description="command.help")
async def help_(turn: Turn[GuideServices]) -> Reply:
    return await greeting(turn)


@routes.on(Event.PERSONAL_INSTALL)
async def greeting(turn: Turn[GuideServices]) -> Reply:
    """The greeting by role, with the commands this person can use."""
    round_, person = turn.round, turn.person
    commands = help_lines(turn.services.commands, person.team_member is not None)
    help_block = [ui.text(t("help.title"), weight="Bolder", spacing="Large"), ui.text("\n".join(f"- {c}" for c in commands))]
    # A bilingual round: how to switch, in the other language, for a reader whose Teams client did
    # not say (Agents Playground and English clients get the round's first language).
    other_languages = [ui.text(t("greeting.in_other_language", other), size="Small", spacing="Medium")
                       for other in round_.languages if other != turn.language]
    if person.representative is not None:
        rep = person.representative
        key = ResponseKey(round_.tenant_id, round_.id, rep.organisation)
        response = await turn.services.responses.get(key)
        card = welcome_card(round_, person.name, round_.organisation(rep.organisation), rep.role, response, turn.now)
        card["body"].extend([*help_block, *other_languages])
        return Reply(card=card)
    if person.team_member is not None:
        body = [ui.sentence("greeting.team", name=User(person.name), year=round_.year,
                            county=Config(round_.config.county)), *help_block,
                ui.text(t("help.past_rounds", year=round_.year - 1), size="Small"), *other_languages]
        return Reply(card=ui.card(body))
    return Reply(card=ui.card([ui.sentence("greeting.stranger", county=Config(round_.config.county)),
                               *other_languages]))


def help_lines(commands: Sequence[Command], team_member: bool) -> list[str]:
    """`ohje` / `hjälp`: every command this person can use, its natural name in the language they
    read first (Swedish names to a Swedish reader), then its other names in that language (the
    English aliases work, but are not shown)."""
    lines = []
    language = current_language()
    for command in commands:
        if command.team_only and not team_member:
            continue
        description = t(command.description_key) + (t("help.team_only") if command.team_only else "")
        name, *rest = _without_spellings(command.names_in(language))
        others = _listed([t("help.name", name=other) for other in rest])
        if others:
            lines.append(t("help.command_also", name=name, others=others, description=description))
        else:
            lines.append(t("help.command", name=name, description=description))
    return lines


_PLAIN_LETTERS = str.maketrans("åäö", "aao")


def _without_spellings(names: tuple[str, ...]) -> list[str]:
    """The names without those that only spell another one without å, ä, ö ("enkat" for "enkät":
    they work, for a keyboard without them, but the help lists each name once)."""
    seen: set[str] = set()
    kept = []
    for name in names:
        plain = name.translate(_PLAIN_LETTERS)
        if plain not in seen:
            seen.add(plain)
            kept.append(name)
    return kept


def _listed(items: list[str]) -> str:
    """"a", "a tai b", "a, b tai c"."""
    return t("help.or").join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)
