"""The three kinds of card text (cards/text.py): `neutralise` makes user text inert on every Teams
client and keeps it readable, without a backslash; catalogue sentences become runs.

"Inert": nothing of the shown text is a mention or tag, an auto-linked URL, a link or image, a
list, heading or quote, or emphasis, neither to CommonMark (Teams' TextBlock Markdown) nor to the
Markdown parser Teams' iOS client runs over a TextRun (microsoft/Teams-AdaptiveCards-Mobile,
MarkDownBlockParser.cpp: emphasis with `*` and `_`, `[text](url)` links, "-", "+", "*" and "1."
lists at a line's start). "Readable": what the reader sees is what was typed, once the invisible
word joiners are taken out and the look-alikes (∗ ˍ ‹ ›) read as what they stand for.
"""

from __future__ import annotations

import random
import re

import pytest

from cards.catalogue import template
from cards.text import (
    ASTERISK, GREATER_THAN, LESS_THAN, LOW_LINE, WORD_JOINER, Config, User, neutralise, phrase, runs,
)

LOOK_ALIKES = str.maketrans({ASTERISK: "*", LOW_LINE: "_", LESS_THAN: "<", GREATER_THAN: ">"})
SCHEMES = ("http", "https", "ftp", "mailto", "file", "javascript", "data", "tel", "sip", "msteams")


def readable(shown: str) -> str:
    return shown.replace(WORD_JOINER, "").translate(LOOK_ALIKES)


def syntax(shown: str) -> list[str]:
    """Markdown, tags and links a client could make of `shown` (empty: inert)."""
    found = []
    if "*" in shown:
        found.append("asterisk (emphasis or list)")
    if re.search(r"(?<![^\W_])_|_(?![^\W_])", shown):
        found.append("underscore at a word's edge (emphasis)")
    if re.search(r"\]\s*\(", shown):
        found.append("link or image")
    if re.search(r"(?m)^[ \t]*(?:[-+*#>|=~`]|\d+[.)])", shown):
        found.append("a list, heading, quote or table at a line's start")
    if re.search(r"<[A-Za-z/!?]", shown):
        found.append("tag or mention")
    if re.search(r"(?i)(?:" + "|".join(SCHEMES) + r"):", shown) or re.search(r"(?i)www\.", shown):
        found.append("auto-linked URL")
    return found


def assert_inert(original: str) -> str:
    shown = neutralise(original)
    assert syntax(shown) == [], f"{original!r} -> {shown!r}"
    assert readable(shown) == original
    assert shown.count("\\") == original.count("\\"), "a backslash was added"
    return shown


@pytest.mark.parametrize("text", [
    "*a*", "**b**", "_c_", "__d__", "- item", "+ item", "* item", "1. item", "1) item", "# h", "### h3",
    "> lainaus", "[x](http://evil)", "![i](http://x/p.png)", "[ref]: http://evil \"t\"", "| a | b |\n|---|---|",
    "***\n---\n___", "Ehdotukset:\n- yhteinen vuosikello\n* mittarit\n+ foorumit\n1. ensin\n   3. sisennetty",
    "[klikkaa] (https://evil.example)",
])
def test_markdown_syntax_is_neutralised(text: str):
    assert neutralise(text) != text
    assert_inert(text)


@pytest.mark.parametrize("text", [
    "<at>Sanna</at>", "<at id=\"0\">Sanna Laine</at>", "<b>lihava</b> <i>kursiivi</i>",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<https://evil.example>", "</at",
])
def test_tags_cannot_open(text: str):
    shown = assert_inert(text)
    assert "<" not in shown


@pytest.mark.parametrize("text", [
    "https://evil.example", "HTTPS://EVIL.EXAMPLE", "Katso https://evil.example/login heti", "mailto:a@example.fi",
    "javascript:alert(1)", "msteams:/l/chat/0/0?users=x", "tel:+358401234567", "Katso www.evil.example/login",
])
def test_urls_are_not_links(text: str):
    assert WORD_JOINER in assert_inert(text)


@pytest.mark.parametrize("text", [
    "Hyvinvointialue ja kunnat tekevät yhteistyötä",
    "Pilotti alkaa 1.9.2024 klo 9.00, ja siihen osallistuu 3 kuntaa (Kuopio, Iisalmi, Varkaus).",
    "Tavoite: 80 % alakouluista! Kustannus n. 12 000 €/v.",
    "HYTE-työ on yhteistyötä - ja se näkyy.",
    "a < b ja c > d, 2 + 2 = 4",
    "hyte_vienti_2024.xlsx ja snake_case",
    "C:\\Users\\maija\\hyte.docx",
    "&lt;at&gt;Heikki&lt;/at&gt; &amp; &nbsp;",
    "Rivi yksi\nRivi kaksi\n\nUusi kappale",
    "Åbo Akademi ja Öljymäen koulu, 3 ryhmää ja 120 osallistujaa",
])
def test_plain_text_is_shown_exactly_as_typed(text: str):
    """No look-alike, no invisible character, no backslash where nothing could become Markdown."""
    assert neutralise(text) == text


def test_a_typed_backslash_stays_and_none_is_added():
    for text in ("C:\\Users\\maija", "\\*jo valmiiksi escapattu\\*", "a\\_b"):
        assert neutralise(text).count("\\") == text.count("\\")


def test_neutralise_is_inert_and_readable_for_random_text():
    """A deterministic fuzz over Markdown punctuation, tags, schemes, Finnish letters and line breaks."""
    pieces = [*"\\`*_{}[]()#+-.!|~<>&:;/=\"' \n", "äö", "Å", "7", "1. ", "- ", "https://", "<at>", "&lt;", "www",
              "a", "](", "<b", "_x_"]
    generator = random.Random(20240501)
    for _ in range(3000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 30)))
        assert_inert(text)


# Catalogue sentences as runs -----------------------------------------------------------------------


def test_a_sentence_becomes_runs_with_bold_parts_and_parameters_as_typed_or_neutralised():
    inlines = runs("Hei {name}! Edustat organisaatiota **{organisation}** ({role}).",
                   {"name": User("Maija **Boss**"), "organisation": Config("Kuopion *kaupunki*"), "role": "jäsen"})
    assert [(r["text"], r.get("weight")) for r in inlines] == [
        (f"Hei Maija {ASTERISK * 2}Boss{ASTERISK * 2}! Edustat organisaatiota ", None),
        ("Kuopion *kaupunki*", "Bolder"),  # configuration: exactly as typed
        (" (jäsen).", None),
    ]


def test_a_phrase_inside_a_sentence_is_expanded_the_same_way():
    state = phrase("state.draft", at="2.5.2024 klo 10.00", by=User("<at>Kaikki</at>"))
    (label, rest) = runs(template("state.line"), {"state": state})
    assert (label["text"], label["weight"]) == ("Tila:", "Bolder")
    assert rest["text"] == f" luonnos, viimeksi tallennettu 2.5.2024 klo 10.00 ({LESS_THAN}at{GREATER_THAN}Kaikki{LESS_THAN}/at{GREATER_THAN})"


def test_runs_carry_the_blocks_style():
    (run,) = runs("{text}", {"text": Config("x")}, {"size": "Small", "isSubtle": True, "color": None})
    assert run == {"type": "TextRun", "text": "x", "size": "Small", "isSubtle": True}
