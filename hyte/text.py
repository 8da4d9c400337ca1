"""Text people wrote, made safe to show: invisible controls that change how text reads are removed;
and text cut to a length.

A bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069, and the marks U+200E, U+200F,
U+061C) makes the text after it display in another order than it was typed: "‮tnemele" reads
"element", and a quote or a name can be made to say what its writer did not type. Zero-width
characters (U+200B–U+200D, U+2060–U+2064, U+FEFF, U+180E) hide text or make two strings that look
alike differ. `visible` removes them where text is displayed (cards, exports); the stored text stays
as it was typed. A zero-width joiner between two emoji is kept: it draws one emoji of the two
(👩‍💻), and reorders nothing.
"""

from __future__ import annotations

import re

_EMOJI = "\u2600-\u27bf\U0001f000-\U0001faff"
_INVISIBLE = re.compile(
    "[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\u200c\u2060-\u2064\ufeff\u180e]"
    f"|(?<![{_EMOJI}\ufe0f])\u200d|\u200d(?![{_EMOJI}])"
)


def visible(text: str) -> str:
    """`text` without the controls that reorder or hide what it shows."""
    return _INVISIBLE.sub("", text)


def cut(text: str, limit: int, *, one_line: bool = False) -> str:
    """At most `limit` characters: a longer text is cut and ends with "…" (`one_line`: runs of
    white space, line breaks too, first made one space)."""
    if one_line:
        text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
