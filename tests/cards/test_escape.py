"""`cards.escape.escape` makes user text inert in a Teams TextBlock, and keeps it readable.

"Inert": once Teams' Markdown has read the escaped text, nothing of it is emphasis, a list, a
heading, a link, an image, code, an HTML or `<at>` mention tag, an entity or an auto-linked URL.
"Readable": what the reader sees is what was typed, except that `<` `>` show as the look-alikes
‹ › and an invisible word joiner sits in URL schemes; `rendered()` below is what Markdown makes
of the escapes, and `readable()` maps that back, to compare with the original.
"""

from __future__ import annotations

import random
import re

import pytest

from cards.escape import escape

WORD_JOINER = "\u2060"
LOOK_ALIKES = {"\u2039": "<", "\u203a": ">"}
ASCII_PUNCTUATION = r"""!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"""
SYNTAX = set("\\`*_{}[]()#+-.!|~>")
"""Characters that can start Markdown syntax in a TextBlock: each must reach Markdown escaped."""
SCHEMES = ("http", "https", "ftp", "mailto", "file", "javascript", "data", "tel", "sip", "msteams")
URL_SCHEME = re.compile(r"(?i)(?<![\w])(" + "|".join(SCHEMES) + r"):")
ENTITY = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def rendered(escaped: str) -> str:
    """What CommonMark makes of backslash escapes: `\\` before ASCII punctuation is dropped."""
    return re.sub(r"\\([" + re.escape(ASCII_PUNCTUATION) + r"])", r"\1", escaped)


def readable(escaped: str) -> str:
    """The rendered text mapped back: word joiners removed, look-alikes turned back into < >."""
    text = rendered(escaped).replace(WORD_JOINER, "")
    return "".join(LOOK_ALIKES.get(char, char) for char in text)


def unescaped_syntax(escaped: str) -> list[tuple[int, str]]:
    """Markdown syntax characters in `escaped` that are not preceded by an escaping backslash."""
    found = []
    index = 0
    while index < len(escaped):
        char = escaped[index]
        if char == "\\" and index + 1 < len(escaped) and escaped[index + 1] in ASCII_PUNCTUATION:
            index += 2
            continue
        if char in SYNTAX:
            found.append((index, char))
        index += 1
    return found


def assert_inert(original: str) -> str:
    escaped = escape(original)
    assert unescaped_syntax(escaped) == [], f"{original!r} -> {escaped!r}"
    assert "<" not in escaped and ">" not in escaped, escaped
    shown = rendered(escaped)
    assert not ENTITY.search(shown), shown
    assert not URL_SCHEME.search(shown), shown
    assert readable(escaped) == original
    return escaped


# Markdown -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "*a*",
        "**b**",
        "_c_",
        "__d__",
        "~~e~~",
        "- item",
        "+ item",
        "* item",
        "1. item",
        "1) item",
        "# h",
        "### h3",
        "> lainaus",
        "[x](http://evil)",
        "![i](http://x/p.png)",
        "[ref]: http://evil \"t\"",
        "`koodi`",
        "```\nkoodi\n```",
        "| a | b |\n|---|---|",
        "\\*jo valmiiksi escapattu\\*",
        "***\n---\n___",
    ],
)
def test_markdown_syntax_is_escaped(text: str):
    escaped = assert_inert(text)
    assert escaped != text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("*a*", r"\*a\*"),
        ("**b**", r"\*\*b\*\*"),
        ("_c_", r"\_c\_"),
        ("- item", r"\- item"),
        ("1. item", r"1\. item"),
        ("# h", r"\# h"),
        ("[x](http://evil)", "\\[x\\]\\(http\u2060://evil\\)"),
        ("![i](http://x/p.png)", "\\!\\[i\\]\\(http\u2060://x/p\\.png\\)"),
        ("`code`", r"\`code\`"),
    ],
)
def test_escaped_forms(text: str, expected: str):
    assert escape(text) == expected


def test_list_markers_at_the_start_of_every_line_are_escaped():
    text = "Ehdotukset:\n- yhteinen vuosikello\n* mittarit\n+ foorumit\n1. ensin\n2. sitten\n   3. sisennetty"
    escaped = assert_inert(text)
    for line in escaped.split("\n")[1:]:
        assert re.match(r"^\s*(\\[-*+]|\d+\\\.)", line), line


def test_setext_heading_underline_is_escaped():
    escaped = escape("Otsikko\n===")
    assert "\n===" not in escaped


# Tags, mentions, entities --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "<at>Sanna</at>",
        "<at id=\"0\">Sanna Laine</at>",
        "<b>lihava</b> <i>kursiivi</i>",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<https://evil.example>",
        "a < b ja c > d",
    ],
)
def test_tags_cannot_open(text: str):
    escaped = assert_inert(text)
    assert "<" not in escaped and ">" not in escaped
    assert "\u2039" in escaped or "\u203a" in escaped


@pytest.mark.parametrize("text", ["&lt;at&gt;Sanna&lt;/at&gt;", "&#60;at&#62;", "&#x3C;b&#x3E;", "&amp;", "&nbsp;"])
def test_entities_do_not_decode(text: str):
    escaped = assert_inert(text)
    assert not ENTITY.search(escaped)


def test_a_plain_ampersand_stays_readable():
    assert readable(escape("Kela & kunta")) == "Kela & kunta"


# URLs -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "https://evil.example",
        "http://evil.example/polku?a=1&b=2",
        "HTTPS://EVIL.EXAMPLE",
        "Katso https://evil.example/login heti",
        "mailto:sanna.laine@example.fi",
        "javascript:alert(1)",
        "msteams:/l/chat/0/0?users=x",
        "(https://evil.example)",
        "tel:+358401234567",
    ],
)
def test_url_schemes_are_broken(text: str):
    escaped = assert_inert(text)
    assert WORD_JOINER in escaped


def test_www_urls_are_broken():
    shown = rendered(escape("Katso www.evil.example/login"))
    assert not re.search(r"(?i)\bwww\.", shown), shown


# Readability --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Hyvinvointialue ja kunnat tekevät yhteistyötä",
        "Ikäihmisten kaatumistapaturmat vähenevät 15 prosenttia vuoteen 2027 mennessä",
        "Åbo Akademi ja Öljymäen koulu, 3 ryhmää ja 120 osallistujaa",
        "ÄÖÅ äöå éü 0123456789",
        "Rivi yksi\nRivi kaksi\n\nUusi kappale",
    ],
)
def test_plain_finnish_text_is_unchanged(text: str):
    assert escape(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "Pilotti alkaa 1.9.2024 klo 9.00, ja siihen osallistuu 3 kuntaa (Kuopio, Iisalmi, Varkaus).",
        "Tavoite: 80 % alakouluista! Kustannus n. 12 000 €/v.",
        "HYTE-työ on yhteistyötä - ja se näkyy.",
        "Ikäihmisten *digituki* & <i>yksinäisyys</i>",
        "Kysykää <at>Sanna Laine</at> tai &lt;at&gt;Heikki&lt;/at&gt;",
        "**Tärkeää:** _kaikki_ kunnat\n- ensin `koulut`\n1. sitten [ohje](http://evil.example)",
        "# Otsikko\n![kuva](http://x.example/p.png) ja https://evil.example/login",
        "C:\\Users\\maija\\hyte.docx",
    ],
)
def test_only_special_characters_change(text: str):
    escaped = assert_inert(text)
    # Letters, digits, spaces and line breaks are kept, in order.
    keep = re.compile(r"[\w\s]")
    assert [c for c in escaped if keep.match(c) and c != WORD_JOINER] == [c for c in text if keep.match(c)]


def test_escape_is_inert_and_readable_for_random_text():
    """A deterministic fuzz over Markdown punctuation, tags, schemes, Finnish letters and line breaks."""
    pieces = [*"\\`*_{}[]()#+-.!|~<>&:;/=\"' \n", "äö", "Å", "7", "1. ", "- ", "https://", "<at>", "&lt;", "www", "a"]
    generator = random.Random(20240501)
    for _ in range(2000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 30)))
        assert_inert(text)


def test_escape_is_not_idempotent_by_design():
    """Escaping twice shows the backslashes of the first escape: escape exactly once, at the card."""
    once = escape("*a*")
    assert readable(escape(once)) == once
