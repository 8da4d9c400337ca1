"""The survey summary's comparison with the previous round (cards/comparison.py): the tables of
both years with the difference, the goals' movement, themes marked, changed questions with why, and
the plain sentence of a round without a previous one; every card checked by Microsoft's parser,
user text neutralised, configuration text as typed, every message under 80 KB."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from auxil.cards import assert_parsed_cleanly, markdown_texts, shown_texts, with_teams_fallbacks
from cards.catalogue import t
from cards.pager import MAX_MESSAGE_BYTES
from cards.results import summary_cards
from conftest import DEMO_TENANT, NOW
from hyte.comparison import compare, no_previous
from hyte.responses import Response, ResponseKey
from hyte.results import summarise



def _load():
    """The results cards' test module (its round, answers and injected texts), loaded by its path as
    test_every_card.py loads the card families."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("comparison_results_cards", Path(__file__).parent / "test_results_cards.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BASE = _load()
ROUND, COUNTY, INJECTED = BASE.ROUND, BASE.COUNTY, BASE.INJECTED
LAST_YEAR = ROUND.model_copy(update={"config": ROUND.config.model_copy(update={"id": "pohjois-savo-2023",
                                                                             "year": ROUND.year - 1})})
SURVEY_BEFORE = ROUND.survey.model_copy(update={"sections": tuple(
    s.model_copy(update={"questions": tuple(
        q.model_copy(update={"text": "Löysitkö kumppaneita?"}) if q.id == "partners_found" else q
        for q in s.questions)})
    for s in ROUND.survey.sections)})
LAST_YEAR = LAST_YEAR.model_copy(update={"survey": SURVEY_BEFORE})


def _previous() -> list[Response]:
    out = []
    for i, organisation in enumerate(o.id for o in ROUND.config.organisations[3:15]):
        given = BASE._answers(i + 1, " ".join([BASE.SENTENCES[(i + 3) % 6], INJECTED]))
        out.append(Response(ResponseKey(DEMO_TENANT, LAST_YEAR.id, organisation), given, given, 2, BASE.AT, "X",
                            BASE.AT, "Edustaja"))
    return out


def _cards() -> dict[str, dict[str, Any]]:
    summary = summarise(ROUND, BASE._responses(long=False), NOW)
    big = summarise(ROUND, BASE._responses(long=True), NOW)
    before = summarise(LAST_YEAR, _previous(), NOW)
    comparison = compare(summary, before, ROUND.survey, LAST_YEAR.survey)
    cards = {f"compared.{i}": card for i, card in enumerate(summary_cards(summary, COUNTY, comparison))}
    cards |= {f"compared.big.{i}": card
              for i, card in enumerate(summary_cards(big, COUNTY, compare(big, before, ROUND.survey, LAST_YEAR.survey)))}
    cards |= {f"no_previous.{i}": card for i, card in enumerate(summary_cards(summary, COUNTY, no_previous(ROUND.year)))}
    return cards


CARDS = _cards()


def _all_text(prefix: str) -> str:
    return "\n".join(text for name, card in CARDS.items() if name.startswith(prefix) and name.count(".") == 1
                     for text in shown_texts(card))


def test_the_comparison_follows_the_summary_with_both_years_and_the_difference():
    shown = _all_text("compared.")
    assert t("comparison.title", previous=ROUND.year - 1, year=ROUND.year) in shown
    assert t("comparison.rates_title") in shown and t("comparison.all") in shown
    # Header row of a table: the option, last year, this year, the change.
    assert f"{t('comparison.option')}\n{ROUND.year - 1}\n{ROUND.year}\n{t('comparison.change')}" in shown
    assert "etenevät erittäin hyvin" in shown and " %-yks." in shown
    assert t("comparison.goals_title") in shown and "↑ nousi " in shown and "↓ laski " in shown
    assert t("comparison.themes_title") in shown


def test_a_changed_question_is_listed_with_why_and_not_compared():
    shown = _all_text("compared.")
    changed = shown[shown.index(t("comparison.changed_title")):]
    assert "kysymys 2: " in changed and t("comparison.reason.text") in changed
    tables = shown[:shown.index(t("comparison.changed_title"))]
    text = next(q.text for q in ROUND.survey.questions if q.id == "partners_found")
    assert text not in tables[tables.index(t("comparison.title", previous=ROUND.year - 1, year=ROUND.year)):]


def test_a_round_without_a_previous_one_says_so():
    shown = _all_text("no_previous.")
    assert t("comparison.none", year=ROUND.year) in shown
    assert t("comparison.rates_title") not in shown


def test_user_text_neutralised_and_configuration_text_as_typed():
    for name, card in CARDS.items():
        markdown = "\n".join(markdown_texts(card))
        assert "Kuopio **Boss**" not in markdown and "*hyvinvointi*" not in markdown, name
    shown = "\n".join(text for card in CARDS.values() for text in shown_texts(card))
    assert "<at>" not in shown and "\\" not in shown


@pytest.mark.parametrize("name", sorted(CARDS))
def test_message_size(name: str):
    message = {"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
                                                   "content": CARDS[name]}]}
    assert len(orjson.dumps(message)) < MAX_MESSAGE_BYTES - 2_000, name


def test_microsofts_parser_finds_no_errors(tmp_path: Path):
    assert_parsed_cleanly({name: with_teams_fallbacks(card) for name, card in CARDS.items()}, tmp_path)
