"""What the theme finder (hyte/phrases.py, hyte/themes.py) reads a text as, whatever its language:
a list of tokens, each a word (`Word`: base form, kind, a compound's last part) or a break
(punctuation). Finnish words come from Voikko (hyte/finnish.py), Swedish from simplemma's
dictionary (hyte/swedish.py); `hyte.lemmas` picks by language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class LemmatiserUnavailable(RuntimeError):
    """The language's lemmatiser (Voikko for Finnish, simplemma for Swedish) is not installed or
    cannot load its dictionary."""


NOUN, ADJ, VERB, OTHER, STOP = "noun", "adj", "verb", "other", "stop"


@dataclass(frozen=True, slots=True)
class Word:
    """One analysed word form: its base form, its kind, and for a compound its last part."""

    lemma: str
    kind: str  # NOUN, ADJ, VERB, OTHER (adverbs, names, unknown words) or STOP
    head: str | None = None  # base form of the compound's last part, e.g. "foorumi"
    case: str = ""  # Voikko's SIJAMUOTO ("nimento", "omanto"...), for nouns and adjectives
    number: str = ""  # "singular" or "plural"
    adjective_too: bool = False  # a noun that is an adjective before a noun ("nuori", "matala")
    label: str = ""  # how a theme names it, when not its lemma: "HYTE-koordinaattori"
    alternatives: tuple[Word, ...] = ()  # Voikko's other noun readings ("tapahtuma" of "tapahtumista")


_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*-?|\d+|[.!?;:()\[\]\"”–—•/,\n]|(?<!\w)-(?!\w)")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


def raw_tokens(text: str) -> list[str]:
    """A text's words (a hyphenated compound, or a first part ending in a hyphen, is one), numbers
    and punctuation, in order; a link is a break, never a word ("http", "www")."""
    return _TOKEN.findall(_URL.sub(" . ", text))
