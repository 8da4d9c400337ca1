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


FINNISH_ONLY = frozenset(set().union(*map(_fragments, MESSAGES["fi"].values()))
                         - set().union(*map(_fragments, MESSAGES["sv"].values())))
"""Every literal part of the Finnish catalogue that the Swedish one does not also hold."""


def finnish_left(shown: str) -> list[str]:
    """The Finnish catalogue texts `shown` (a card's texts) holds, whole words only."""
    return sorted(f for f in FINNISH_ONLY if re.search(r"(?<!\w)" + re.escape(f) + r"(?!\w)", shown))
