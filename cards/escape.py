"""The one escaping function for user-supplied text shown in a card.

Teams renders a TextBlock's text as a Markdown subset (emphasis, lists, links) and turns
`<at>` tags and bare URLs into mentions and links. User text must show as typed and do none of
that: controls that reorder or hide text (bidi overrides, zero-width characters) are removed
(`hyte.text.visible`; the stored text keeps them), Markdown punctuation is backslash-escaped, angle
brackets become look-alikes that cannot open a tag, and URL schemes are broken with a word joiner so
that no link is made.
"""

from __future__ import annotations

import re

from hyte.text import visible

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>=])")
_SCHEME = re.compile(r"(?i)\b(https?|ftp|mailto|file|javascript|data|tel|sip|msteams)(:)")
_WWW = re.compile(r"(?i)\b(www)(\\\.)")
_WORD_JOINER = "\u2060"


def escape(text: str) -> str:
    text = visible(text)
    text = text.replace("<", "\u2039").replace(">", "\u203a").replace("&", "&\u2060")
    text = _SCHEME.sub(lambda m: f"{m.group(1)}{_WORD_JOINER}{m.group(2)}", text)
    text = _MARKDOWN.sub(r"\\\1", text)
    return _WWW.sub(lambda m: f"{m.group(1)}{_WORD_JOINER}{m.group(2)}", text)
