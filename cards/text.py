"""The three kinds of text a card shows, each with its one helper.

1. Catalogue text (cards/catalogue/): ours, written for Teams' Markdown subset (`**bold**`,
   "- " lists). It goes in a TextBlock, whose text every Teams client reads as Markdown. Its
   parameters are numbers, dates and other catalogue texts only: `ui.text(t(key, ...))`.
2. Configuration text (survey, workshop and round files: question texts, options, county and
   organisation names): shown exactly as typed, never escaped. It goes in a TextRun of a
   RichTextBlock (`Config`, `ui.config_text`): Teams' web and desktop renderer sets a TextRun's
   text as plain text and Android's appends it unparsed; only iOS runs its small Markdown parser
   over it, which trusted configuration can live with. Chart titles and labels are plain text too.
3. User text (answers, notes, Teams display and channel names): shown as typed, in a TextRun,
   after `neutralise` (`User`, `ui.user_text`). No backslashes: a backslash escape is Markdown,
   and a TextRun is not, so every client but iOS would show it (microsoft/AdaptiveCards#5590).
   Instead, what could still turn into a mention, a link, a list or emphasis on some client is
   broken with an invisible word joiner or replaced by a look-alike (see `neutralise`).

A catalogue sentence with configuration or user text in it becomes a RichTextBlock of runs
(`runs`): the catalogue's `**…**` becomes bold runs, the parameters runs of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from string import Formatter
from typing import Any, Mapping

from cards.catalogue import t, template
from hyte.text import visible

WORD_JOINER = "\u2060"
"""Invisible (Unicode default-ignorable), and neither a space nor punctuation to any Markdown parser."""
ASTERISK = "\u2217"
"""∗ ASTERISK OPERATOR: looks like "*", opens no emphasis."""
LOW_LINE = "\u02cd"
"""ˍ MODIFIER LETTER LOW MACRON: looks like "_", opens no emphasis (and, unlike the fullwidth low
line, is in the Latin fonts every client has)."""
LESS_THAN, GREATER_THAN = "\u2039", "\u203a"
"""‹ › : a tag's "<" and ">" that cannot open a tag or an `<at>` mention."""

_TAG = re.compile(r"<(/?[A-Za-z!?][^<>]*)>")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_SCHEME = re.compile(r"(?i)(https?|ftp|mailto|file|javascript|data|tel|sip|msteams)(:)")
_WWW = re.compile(r"(?i)(www)(\.)")
_LINK = re.compile(r"\](\s*)\(")
_EDGE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
"""An underscore not between two letters or digits: one that could open or close emphasis."""
_BLOCK_START = re.compile(r"(?m)^(?=[ \t]*(?:[-+*#>|=~`]|\d+[.)]))")


@dataclass(frozen=True)
class Config:
    """Configuration text in a catalogue sentence: shown exactly as typed."""

    text: str


@dataclass(frozen=True)
class User:
    """User text in a catalogue sentence: shown as typed, neutralised."""

    text: str


@dataclass(frozen=True)
class Phrase:
    """A catalogue text inside another one, whose own parameters may be `Config` or `User` text."""

    key: str
    params: Mapping[str, object]


def phrase(key: str, **params: object) -> Phrase:
    return Phrase(key, params)


def neutralise(text: str) -> str:
    """User text that no Teams client turns into a mention, tag, link, list, heading or emphasis,
    and that reads as typed: word joiners are invisible, and only `*`, an underscore at a word's
    edge and a tag's angle brackets are shown as look-alikes (∗ ˍ ‹ ›). Controls that reorder or
    hide text are removed first (`hyte.text.visible`; the stored text keeps them)."""
    text = visible(text)
    text = _TAG.sub(lambda m: f"{LESS_THAN}{m.group(1)}{GREATER_THAN}", text)
    text = _TAG_START.sub(LESS_THAN, text)
    text = text.replace("*", ASTERISK)
    text = _EDGE_UNDERSCORE.sub(LOW_LINE, text)
    text = _SCHEME.sub(lambda m: f"{m.group(1)}{WORD_JOINER}{m.group(2)}", text)
    text = _WWW.sub(lambda m: f"{m.group(1)}{WORD_JOINER}{m.group(2)}", text)
    text = _LINK.sub(lambda m: f"]{m.group(1)}{WORD_JOINER}(", text)
    return _BLOCK_START.sub(WORD_JOINER, text)


def has_outside_text(params: Mapping[str, object]) -> bool:
    """Whether a text's parameters include configuration or user text (then: runs, not Markdown)."""
    return any(
        isinstance(value, (Config, User)) or (isinstance(value, Phrase) and has_outside_text(value.params))
        for value in params.values()
    )


def catalogue_text(key: str, params: Mapping[str, object]) -> str:
    """A catalogue text whose parameters are all catalogue texts, numbers or dates, as a string."""
    return t(key, **{name: _catalogue_value(value) for name, value in params.items()})


def _catalogue_value(value: object) -> object:
    if isinstance(value, (Config, User)):
        raise TypeError("configuration and user text go in runs, not in catalogue Markdown")
    return catalogue_text(value.key, value.params) if isinstance(value, Phrase) else value


def runs(template_text: str, params: Mapping[str, object], style: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """TextRuns of a catalogue template: its text with `**…**` as bold runs, each `{name}` a run of
    the parameter (`Config` as typed, `User` neutralised, a `Phrase` expanded the same way,
    anything else as catalogue text), every run with `style` (TextRun properties: size, weight,
    color, isSubtle)."""
    style = dict(style or {})
    pieces: list[tuple[str, bool]] = []
    bold = False

    def add_catalogue(text: str) -> None:
        nonlocal bold
        for index, part in enumerate(text.split("**")):
            if index:
                bold = not bold
            if part:
                pieces.append((part, bold))

    def add_template(text: str, values: Mapping[str, object]) -> None:
        for literal, field, spec, _conversion in Formatter().parse(text):
            if literal:
                add_catalogue(literal)
            if field is None:
                continue
            value = values[field]
            if isinstance(value, User):
                pieces.append((neutralise(value.text), bold))
            elif isinstance(value, Config):
                pieces.append((value.text, bold))
            elif isinstance(value, Phrase):
                add_template(template(value.key), value.params)
            else:
                add_catalogue(format(value, spec or ""))

    add_template(template_text, params)
    merged: list[tuple[str, bool]] = []
    for text, is_bold in pieces:
        if merged and merged[-1][1] == is_bold:
            merged[-1] = (merged[-1][0] + text, is_bold)
        else:
            merged.append((text, is_bold))
    return [text_run(text, **({**style, "weight": "Bolder"} if is_bold else style)) for text, is_bold in merged]


def text_run(text: str, **style: Any) -> dict[str, Any]:
    run: dict[str, Any] = {"type": "TextRun", "text": text}
    run.update({key: value for key, value in style.items() if value not in (None, False)})
    return run
