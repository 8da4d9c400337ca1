"""Every card the bot can send, rendered for a Swedish reader: no Finnish text of the message
catalogue is left in any (issue 19). The county's own texts (the Pohjois-Savo round's survey,
which it did not translate) may stay Finnish: they are not the catalogue's.

The cards are test_every_card.py's walk (the survey's cases, the results', timetable's and
workshop's families, the cards built in bot/), built again inside `speaking("sv")`, as the
dispatcher builds them for a person who reads Swedish."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from auxil.languages import finnish_left
from cards.catalogue import speaking

HERE = Path(__file__).resolve().parent


def _load(name: str, alias: str):
    spec = importlib.util.spec_from_file_location(alias, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def swedish_cards(cardset) -> dict[str, dict[str, Any]]:
    with speaking("sv"):
        every = _load("test_every_card", "every_card_sv")
        cards = {f"survey.{name}": case.card for name, case in cardset.build_cases().items()}
        for family in every.FAMILIES:
            cards |= {f"{family}.{name}": card for name, card in _load(family, f"sv_{family}").CARDS.items()}
        return cards | every._bot_cards(cardset)


def _shown(card: dict[str, Any]) -> str:
    from cards.elements import walk

    found = []
    for element in walk(card):
        for key in ("text", "label", "title", "placeholder", "errorMessage", "altText"):
            if isinstance(element.get(key), str):
                found.append(element[key])
    return "\n".join(found)


def test_the_walk_is_the_whole_walk(swedish_cards):
    assert len(swedish_cards) > 80 and {n.split(".")[0] for n in swedish_cards} >= {"survey", "bot"}


def test_no_finnish_catalogue_text_in_any_card_a_swedish_reader_sees(swedish_cards, cardset):
    county_texts = _load("test_every_card", "every_card_outside").outside_texts(cardset)

    def catalogue_part(card: dict[str, Any]) -> str:
        shown = _shown(card)
        for text in county_texts:  # the round's own Finnish texts, which it did not translate
            shown = shown.replace(text, "")
        return shown

    left = {name: finnish_left(catalogue_part(card)) for name, card in swedish_cards.items()}
    assert {name: found for name, found in left.items() if found} == {}


def test_the_check_finds_finnish_left_in_a_card(cardset):
    """In Finnish the same walk is full of Finnish catalogue text: the check sees it."""
    cards = {name: case.card for name, case in cardset.build_cases().items()}
    assert sum(1 for card in cards.values() if finnish_left(_shown(card))) > len(cards) // 2
