"""Teams' message HTML as clean text, and the bot's @mentions taken out of it.

Teams sends a message's text as HTML (`<p>`, `&nbsp;`, `<at>name</at>` for a mention, emoji as
`<emoji alt="🙂">`), in `text` and in a `text/html` attachment. What the bot matches as a command and
stores as a workshop note is the clean text: tags and entities removed, the bot's own mention
dropped (another person's stays as their name), line breaks kept, spaces tidied.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Iterable

_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_BLOCKS = {"p", "div", "li", "ul", "ol", "tr", "table", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
_SKIP = {"script", "style", "head", "title"}
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_SOFT_BREAK = "\x00"
"""Where a block element starts or ends: one line break, however many blocks meet there."""
_SOFT_BREAKS = re.compile(r"\n?[ \t]*\x00[\x00 \t]*\n?")


class _TeamsHtml(HTMLParser):
    def __init__(self, drop_mentions: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self._drop = drop_mentions
        self._out: list[str] = []
        self._mention: list[str] | None = None
        self._skipping = 0

    def _emit(self, text: str) -> None:
        (self._mention if self._mention is not None else self._out).append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skipping += 1
        elif tag == "br":
            self._emit("\n")
        elif tag == "li":
            self._emit(_SOFT_BREAK + "- ")
        elif tag in _BLOCKS:
            self._emit(_SOFT_BREAK)
        elif tag == "at":
            self._mention = []
        elif tag in ("emoji", "img"):
            alt = dict(attrs).get("alt")
            if alt:
                self._emit(alt)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _SKIP:
            self._skipping -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag == "at" and self._mention is not None:
            name = "".join(self._mention)
            self._mention = None
            if " ".join(name.split()).casefold() not in self._drop:
                self._out.append(name)
        elif tag in _BLOCKS:
            self._emit(_SOFT_BREAK)

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._emit(data)

    def text(self) -> str:
        if self._mention is not None:  # an unclosed <at>: keep what it held
            self._out.extend(self._mention)
            self._mention = None
        return "".join(self._out)


def clean_teams_html(html: str, *, drop_mentions: Iterable[str] = ()) -> str:
    """Clean text of a Teams message: tags and entities removed, `<at>` mentions of the names in
    `drop_mentions` (the bot) removed, others kept as the name, line breaks kept, spaces tidied."""
    parser = _TeamsHtml({" ".join(n.split()).casefold() for n in drop_mentions if n})
    parser.feed(html.replace("\r\n", "\n").replace("\r", "\n"))
    parser.close()
    text = _SOFT_BREAKS.sub("\n", parser.text().replace(_SOFT_BREAK, _SOFT_BREAK))
    lines = [_SPACES.sub(" ", _INVISIBLE.sub("", line)).strip() for line in text.split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip()


def strip_mentions(text: str) -> str:
    """The text without any of Teams' <at>…</at> mention tags."""
    return _MENTION.sub(" ", text)
