"""The county's thesaurus for free-text themes: which words are one theme, what a theme is called,
and which words are never a theme.

A YAML file beside the round file (`thesaurus.yaml`, or the round's `thesaurus_file`), validated
on load; an error names the file and the field. The HYTE team edits it; `hyte.themes` applies it
to the survey's free-text answers and the workshop's notes:

    version: 1
    language: fi
    stop_words: [pohjois-savo]           # never a theme by itself (base forms)
    themes:
      - label: yhteiset tapahtumat ja tilaisuudet
        terms: [tapahtuma, tilaisuus, messut, yhteinen tapahtuma]
      - label: HYTE-koordinaattorit    # one term: only the label is fixed
        terms: [hyte-koordinaattori]

A term is a word, or two (an adjective or a genitive with its noun: "yhteinen tapahtuma",
"avustusten haku"), in any inflected form: `hyte.themes` compares base forms. Every answer that
uses one of a theme's terms, or a compound ending in one ("liikuntatapahtuma" under "tapahtuma"),
is grouped under that theme. A word named as a term is a theme even when it is on the built-in
list of words too general to be one (`hyte.finnish.GENERAL_WORDS`).

Each theme has a stable `key`: given, or else its first term's base form. Later curation (merge,
rename, hide, a chosen quote) can refer to a theme by that key.

In a bilingual county every theme gives its label and terms in each language the round offers,
and the stop words likewise (see `hyte.languages`); a theme is then one theme in every language,
so that Finnish and Swedish answers about it are counted together:

      - label: {fi: järjestöfoorumit, sv: organisationsforum}
        terms: {fi: [järjestöfoorumi, foorumi], sv: [organisationsforum, forum]}

The loaded thesaurus is in the round's first language; `thesaurus.in_language("sv")` gives the
Swedish one, its themes in the same order.

This module is plain data (no lemmatiser): the base forms are found where the thesaurus is used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from hyte.languages import Multilingual, Text, load_in_languages, pick_language
from hyte.configuration import read_yaml

DEFAULT_THESAURUS_FILE = "thesaurus.yaml"

_TERM = re.compile(r"^[^\W\d_]+(?:[-'][^\W\d_]+)*(?: [^\W\d_]+(?:[-'][^\W\d_]+)*)?$")


def _term(value: object) -> object:
    """A term or stop word: one or two words, lower case, single spaces."""
    if not isinstance(value, str):
        return value
    term = " ".join(value.split()).lower()
    if not _TERM.match(term):
        raise ValueError(
            f"{value!r} is not a term: give one word, or two (an adjective or a genitive with its noun), "
            "letters and hyphens only"
        )
    return term


Term = Annotated[str, BeforeValidator(_term)]
Terms = Annotated[tuple[Term, ...], BeforeValidator(pick_language)]
"""Terms or stop words: a list, or one list per language ({fi: [...], sv: [...]})."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ThesaurusTheme(_Strict):
    label: Text = Field(min_length=1, max_length=120)
    """What the theme is called on cards and in the exports."""
    terms: Terms = Field(min_length=1)
    """The words grouped under the theme, base forms or any inflected form."""
    key: str | None = Field(default=None, pattern=r"^[^\s].{0,79}$")
    """A stable identifier for curation; None: the first term's base form."""

    @field_validator("label")
    @classmethod
    def _clean_label(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("the label is empty")
        return value


class Thesaurus(_Strict, Multilingual):
    version: int = Field(default=1, ge=1)
    language: str = "fi"
    """The language of the file's plain texts; of a loaded version, the language of its terms."""
    stop_words: Terms = ()
    """Words that are never a theme by themselves (a two-word theme may still contain one)."""
    themes: tuple[ThesaurusTheme, ...] = ()

    @model_validator(mode="after")
    def _each_term_once(self) -> Thesaurus:
        owner: dict[str, str] = {}
        for i, theme in enumerate(self.themes):
            for j, term in enumerate(theme.terms):
                here = f"themes.{i}.terms.{j}"
                if term in owner:
                    raise ValueError(f"{here}: {term!r} is already {owner[term]}; a term belongs to one theme")
                owner[term] = f"a term of themes.{i} ({theme.label!r})"
        for k, word in enumerate(self.stop_words):
            if word in owner:
                raise ValueError(f"stop_words.{k}: {word!r} is also {owner[word]}; a stop word is never a theme")
        keys = [theme.key for theme in self.themes if theme.key is not None]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"themes: duplicate keys {duplicates}")
        return self


EMPTY = Thesaurus()


def load_thesaurus(path: Path, languages: Sequence[str] | None = None) -> Thesaurus:
    """The thesaurus in the first of `languages` (the round's; None: the file's own), every other
    as `in_language(...)`; a missing translation names the file and the field."""
    data = read_yaml(path)
    if data is None:
        return EMPTY
    return load_in_languages(Thesaurus, path, data, languages)


def load_round_thesaurus(round_file: Path, thesaurus_file: str | None, languages: Sequence[str] | None = None) -> Thesaurus:
    """The round's thesaurus in the round's `languages`: the file the round names (it must exist),
    or else `thesaurus.yaml` beside the round file when there is one (an empty thesaurus when there
    is not)."""
    if thesaurus_file is None:
        default = round_file.parent / DEFAULT_THESAURUS_FILE
        return load_thesaurus(default, languages) if default.is_file() else EMPTY
    return load_thesaurus((round_file.parent / thesaurus_file).resolve(), languages)
