"""Every text a Teams user reads, one catalogue per language: Finnish (`fi.py`), Swedish (`sv.py`),
and English in part (`en.py`: only the Teams app package's command descriptions).

`t(key, language, **params)` formats a message in `language`, or, when none is given, in the
language of the turn being served (`speaking(language)`, set by the dispatcher for the person it
serves and by the sender for a proactive message's recipient; Finnish outside any);
`template(key, language)` gives it unformatted; `format_datetime(value, language)` writes a
Helsinki date and time as the language does. A key missing in a language is a KeyError, never a
blank card or a Finnish text in a Swedish card: tests/cards/test_catalogue.py fails on any key
that Finnish has and Swedish lacks, and on a {placeholder} that differs between them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from cards.catalogue import en, fi, sv
from hyte.clock import HELSINKI

DEFAULT_LANGUAGE = "fi"
LANGUAGES = ("fi", "sv")
"""The languages the bot speaks, every key in each (English is the manifest's, in part)."""

MESSAGES: dict[str, dict[str, str]] = {**fi.MESSAGES, **sv.MESSAGES, **en.MESSAGES}


_SPEAKING: ContextVar[str] = ContextVar("speaking", default=DEFAULT_LANGUAGE)
"""The language of the turn (or proactive message) being rendered: as Django's
`translation.override`, so that every card builder reads its person's language without each
builder passing it on. An asyncio task started in the turn keeps it (a task copies its context)."""


def current_language() -> str:
    """The language texts are rendered in now (`speaking`), Finnish by default."""
    return _SPEAKING.get()


@contextmanager
def speaking(language: str) -> Iterator[str]:
    """Render every text in `language` within the block (a language the bot does not speak: Finnish)."""
    token = _SPEAKING.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield _SPEAKING.get()
    finally:
        _SPEAKING.reset(token)


def t(key: str, language: str | None = None, **params: object) -> str:
    return MESSAGES[language or _SPEAKING.get()][key].format(**params)


def template(key: str, language: str | None = None) -> str:
    """A message unformatted, for cards that show its parameters as runs of their own (cards/text.py)."""
    return MESSAGES[language or _SPEAKING.get()][key]


def format_datetime(value: datetime, language: str | None = None) -> str:
    """A date and time in Helsinki time as the language writes it: "15.5.2024 klo 16.00",
    "15.5.2024 kl. 16.00"."""
    local = value.astimezone(HELSINKI)
    return t("datetime", language, date=f"{local.day}.{local.month}.{local.year}", time=f"{local:%H.%M}")
