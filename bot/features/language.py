"""`kieli` / `språk` / `language`: the language I write to a person in (issue 19).

A person of a bilingual county's round reads the bot in the language of their Teams client
(`sv-FI`, `sv-SE`: Swedish; `fi-FI`: Finnish; any other: the round's first language) until they
choose one here: `språk svenska`, `kieli suomi`, or the command alone and a button. The choice is
remembered per person (hyte.languages.LanguageChoices) and applies from this answer on, in every
card, reminder and summary they get. A person outside the round is not remembered.

Not in the Teams app's command lists (ten per scope at most); `ohje` / `hjälp` lists it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.router import Access, Audience, Routes, words_after
from bot.turn import Reply, Turn
from cards.catalogue import speaking
from cards.language import language_card, not_offered_text
from cards.payloads import LanguageChoose
from hyte.languages import LanguageChoices, named_language

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LanguageServices:
    choices: LanguageChoices


routes = Routes("language", LanguageServices)
FOR_THE_ROUNDS_PEOPLE = (Access(Audience.PEOPLE),)


@routes.command("kieli", swedish=("språk", "sprak"), english=("language",), description="command.language",
                access=FOR_THE_ROUNDS_PEOPLE, takes_words=True, in_manifest=False)
async def language(turn: Turn[LanguageServices]) -> Reply:
    offered = turn.round.languages
    words = words_after(routes.commands[0], turn.inbound.command)
    if not words:
        return Reply(card=language_card(turn.round.id, turn.language, offered))
    wanted = named_language(words)
    if wanted is None:
        return Reply(card=language_card(turn.round.id, turn.language, offered, unknown=words))
    return await _choose(turn, wanted)


@routes.action(LanguageChoose, access=FOR_THE_ROUNDS_PEOPLE)
async def choose(turn: Turn[LanguageServices], payload: LanguageChoose) -> Reply:
    return await _choose(turn, payload.language)


async def _choose(turn: Turn[LanguageServices], wanted: str) -> Reply:
    offered = turn.round.languages
    if wanted not in offered:
        return Reply(text=not_offered_text(offered))
    person = turn.person
    if person.tenant_id and person.aad_object_id:
        await turn.services.choices.choose(person.tenant_id, person.aad_object_id, wanted, turn.now)
    logger.info("language chosen: language=%s", wanted)
    with speaking(wanted):  # the answer is already in the chosen language
        return Reply(card=language_card(turn.round.id, wanted, offered, chosen=True))
