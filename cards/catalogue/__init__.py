"""Every text a Teams user reads, one catalogue per language: Finnish (`fi.py`), Swedish (`sv.py`),
and English in part (`en.py`: only the Teams app package's command descriptions).

`t(key, language, **params)` formats a message (Finnish unless a language is given);
`template(key, language)` gives it unformatted; `format_datetime(value, language)` writes a
Helsinki date and time as the language does. A key missing in a language is a KeyError, never a
blank card or a Finnish text in a Swedish card: tests/cards/test_catalogue.py fails on any key
that Finnish has and Swedish lacks, and on a {placeholder} that differs between them.
"""

from __future__ import annotations

from datetime import datetime

from cards.catalogue import en, fi, sv
from hyte.clock import HELSINKI

DEFAULT_LANGUAGE = "fi"
LANGUAGES = ("fi", "sv")
"""The languages the bot speaks, every key in each (English is the manifest's, in part)."""

MESSAGES: dict[str, dict[str, str]] = {**fi.MESSAGES, **sv.MESSAGES, **en.MESSAGES}


def t(key: str, language: str = DEFAULT_LANGUAGE, **params: object) -> str:
    return MESSAGES[language][key].format(**params)


def template(key: str, language: str = DEFAULT_LANGUAGE) -> str:
    """A message unformatted, for cards that show its parameters as runs of their own (cards/text.py)."""
    return MESSAGES[language][key]


def format_datetime(value: datetime, language: str = DEFAULT_LANGUAGE) -> str:
    """A date and time in Helsinki time as the language writes it: "15.5.2024 klo 16.00",
    "15.5.2024 kl. 16.00"."""
    local = value.astimezone(HELSINKI)
    return t("datetime", language, date=f"{local.day}.{local.month}.{local.year}", time=f"{local:%H.%M}")
