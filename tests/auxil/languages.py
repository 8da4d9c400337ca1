"""What a Swedish reader must not find: any Finnish text of the message catalogue in a card."""

from __future__ import annotations

import re
from string import Formatter

from cards.catalogue import MESSAGES

MIN_FRAGMENT = 10
"""Characters of a catalogue text's literal part worth looking for (shorter ones are ": ", " (")."""


def _fragments(text: str) -> set[str]:
    """The literal parts of a catalogue text between its {placeholders}, without Markdown's **."""
    parts = (literal.replace("**", "") for literal, *_ in Formatter().parse(text))
    return {p.strip() for p in parts if len(p.strip()) >= MIN_FRAGMENT}


FOR_THE_OTHER_LANGUAGE = ("greeting.in_other_language",)
"""Texts written for a reader of the other language (how to switch to it), shown on purpose."""

FINNISH_ONLY = frozenset(set().union(*(_fragments(text) for key, text in MESSAGES["fi"].items()
                                       if key not in FOR_THE_OTHER_LANGUAGE))
                         - set().union(*map(_fragments, MESSAGES["sv"].values())))
"""Every literal part of the Finnish catalogue that the Swedish one does not also hold."""


def finnish_left(shown: str) -> list[str]:
    """The Finnish catalogue texts `shown` (a card's texts) holds, whole words only."""
    return sorted(f for f in FINNISH_ONLY if re.search(r"(?<!\w)" + re.escape(f) + r"(?!\w)", shown))
