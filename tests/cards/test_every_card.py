"""Every card the bot can send, walked once: no escape artefact and no stray Markdown anywhere a
person reads, and no configuration or user text where Teams reads Markdown.

The cards are those of the card tests (the survey's in conftest.py, the results', timetable's and
workshop's in their test modules, loaded here as they are), with their realistic inputs and
injection attempts, plus the cards the bot builds in bot/ (the greeting with `ohje`, the unknown
command, the stranger's greeting, a refusal as a card action's answer, the apology).

- A backslash before ASCII punctuation, in any text a person reads, is an escape artefact: no
  client is sure to hide it (cards/text.py).
- Only a TextBlock's text is Markdown. Elsewhere (TextRuns, labels, choice and action titles,
  placeholders, chart titles and labels) `**`, `__`, `[…](` or a "- " list line would show as
  typed: Markdown meant for a TextBlock that ended up in a plain field.
- A TextBlock holds catalogue text only: the round's, survey's and workshop's texts are shown as
  typed in runs, and user text neutralised in runs; and a TextBlock line never starts with
  "1. " (Markdown would make it a numbered list, renumbered from 1).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from auxil.cards import walk
from bot.features.guide import help_lines
from bot.routes import build_router
from cards import elements as ui
from cards.catalogue import t
from cards.language import export_language_card, language_card
from cards.text import Config, User

HERE = Path(__file__).resolve().parent
FAMILIES = ("test_results_cards", "test_timeline_cards", "test_workshop_cards", "test_comparison_cards",
            "test_meeting_cards")
ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")
STRAY_MARKDOWN = re.compile(r"(?m)\*\*|__|\]\(|^[ \t]*[-*+] ")
NUMBERED_LINE = re.compile(r"(?m)^[ \t]*\d+\. ")
PLAIN_KEYS = ("label", "title", "placeholder")


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"every_card_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bot_cards(cardset) -> dict[str, dict[str, Any]]:
    """Cards built in bot/ from catalogue texts (their builders are there, not in cards/)."""
    router = build_router()
    cards = {}
    for role, team in (("representative", False), ("hyte_team", True)):
        help_block = [ui.text(t("help.title"), weight="Bolder"), ui.text("\n".join(f"- {c}" for c in help_lines(router.commands, team)))]
        cards[f"bot.help.{role}"] = ui.card(help_block)
    cards["bot.greeting.team"] = ui.card([ui.sentence("greeting.team", name=User(cardset.INJECT_NAME), year=2024,
                                                      county=Config(cardset.ROUND.config.county))])
    cards["bot.greeting.stranger"] = ui.card([ui.sentence("greeting.stranger", county=Config(cardset.ROUND.config.county))])
    cards["bot.unknown_command"] = ui.card([ui.sentence("unknown_command", text=User(cardset.INJECT_MARKDOWN[:80]))])
    cards["bot.refusal"] = ui.card([ui.text(t("team_only"))])
    cards["bot.apology"] = ui.card([ui.text(t("error.generic"), color="attention")])
    cards["bot.language"] = language_card("pohjois-savo-demo", "fi", ("fi", "sv"), unknown=cardset.INJECT_MARKDOWN[:80])
    cards["bot.language.chosen"] = language_card("pohjois-savo-demo", "sv", ("fi", "sv"), chosen=True)
    cards["bot.export_language"] = export_language_card("pohjois-savo-demo", ("fi", "sv"), "sv")
    return cards


@pytest.fixture(scope="module")
def every_card(cardset) -> dict[str, dict[str, Any]]:
    cards = {f"survey.{name}": case.card for name, case in cardset.CASES.items()}
    for family in FAMILIES:
        cards |= {f"{family}.{name}": card for name, card in _module(family).CARDS.items()}
    return cards | _bot_cards(cardset)


def read_texts(card: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(element type, field, text) of every string a person reads, fallbacks included."""
    for element in walk(card):
        kind = str(element.get("type", ""))
        if kind in ("TextBlock", "TextRun"):
            yield kind, "text", element["text"]
        for key in PLAIN_KEYS:
            if isinstance(element.get(key), str) and (key != "title" or kind != "TextBlock"):
                yield kind or "choice", key, element[key]
        if kind.startswith("Chart."):
            for point in element.get("data", []):
                for key, value in point.items():
                    if isinstance(value, str):
                        yield kind, f"data.{key}", value


def outside_texts(cardset) -> list[str]:
    """Configuration and user texts long enough to be recognised inside a sentence."""
    round_, survey = cardset.ROUND, cardset.SURVEY
    texts = [round_.config.county, survey.title, *(o.name for o in round_.config.organisations),
             *(p.name for p in (*round_.config.representatives, *round_.config.hyte_team))]
    for section in survey.sections:
        texts += [section.title, *(q.text for q in section.questions)]
        for question in section.questions:
            texts += [o.label for o in getattr(question, "options", ())]
            texts += [a.label for a in getattr(question, "areas", ())]
    workshop = _module("test_workshop_cards").DEFINITION
    texts += [workshop.title, *(q.text for q in workshop.questions), *(p for q in workshop.questions for p in q.prompts)]
    texts += [line for text in cardset.INJECTIONS for line in text.split("\n")]
    return sorted({text for text in texts if len(text) >= 12})


def test_the_walk_covers_every_family(every_card):
    prefixes = {name.split(".")[0] for name in every_card}
    assert prefixes == {"survey", *FAMILIES, "bot"}
    assert len(every_card) > 80


def test_no_backslash_escape_in_any_text_a_person_reads(every_card):
    found = [(name, kind, key, text) for name, card in every_card.items() for kind, key, text in read_texts(card)
             if ESCAPE.search(text)]
    assert found == []


def test_no_markdown_outside_the_fields_teams_reads_as_markdown(every_card):
    found = [(name, kind, key, text) for name, card in every_card.items() for kind, key, text in read_texts(card)
             if kind != "TextBlock" and STRAY_MARKDOWN.search(text)]
    assert found == []


def test_markdown_fields_hold_catalogue_text_only(every_card, cardset):
    outside = outside_texts(cardset)
    found = []
    for name, card in every_card.items():
        for kind, key, text in read_texts(card):
            if kind != "TextBlock":
                continue
            found += [(name, text, o) for o in outside if o in text]
            if NUMBERED_LINE.search(text):
                found.append((name, text, "a line starting with a number and a full stop"))
    assert found == []


def test_the_checks_catch_what_they_look_for(cardset):
    """Each check fails on the artefact it is for (so that a clean walk means something)."""
    escaped = ui.card([ui.text("HYTE\\-neuvottelujen ennakkokysely")])
    assert any(ESCAPE.search(text) for _, _, text in read_texts(escaped))
    chart = {"type": "Chart.HorizontalBar", "title": "Mielenterveys vahvistuu \\(erit\\. lapset\\)", "data": []}
    assert any(ESCAPE.search(text) for _, _, text in read_texts(ui.card([chart])))
    stray = ui.card([ui.sentence("results.method_line", name=User("x"), level="y", organisation=Config("z")),
                     ui.rich([{"type": "TextRun", "text": "**lihava**"}])])
    assert [text for kind, _, text in read_texts(stray) if kind != "TextBlock" and STRAY_MARKDOWN.search(text)]
    leaked = ui.card([ui.text(f"Hei {cardset.ROUND.config.county}"), ui.text("1. Miten mielestänne")])
    texts = [text for kind, _, text in read_texts(leaked) if kind == "TextBlock"]
    assert any(o in texts[0] for o in outside_texts(cardset)) and NUMBERED_LINE.search(texts[1])
