"""The survey cards of the demo round, every kind (built in conftest.py), checked as Teams uses them.

- Envelope: an Adaptive Card 1.5, no empty elements, only Action.Execute.
- Inputs: ids unique in a card, each `cards.inputs.input_id` of a question of the card's section,
  exactly the set the section needs, text limits equal to the survey's.
- Round trip: a section card prefilled from answers, submitted as Teams would (each input's value,
  blank inputs left out or sent empty), parsed back through `parse_payload`, `raw_answers` and
  `validate_section`, gives the same answers; and a refused section's card re-sent unchanged is
  refused with the same errors.
- Actions: every Action.Execute's data (with the card's inputs when associatedInputs is auto)
  is a payload `parse_payload` accepts, for the card's round, section and version.
- User text (answers and Teams names with Markdown, mention and link injection attempts) shows
  only neutralised (cards/text.py), in RichTextBlock runs, never in a TextBlock (Markdown), and
  nowhere else but in the inputs that hold it.
- Size: each card stays under Teams' ~28 KB limit for a bot message, measured as Python's
  json.dumps sends it (non-ASCII as \\u escapes).
- Snapshots: the JSON of a few representative cards is kept in tests/cards/snapshots/*.json.
  After an intended change of a card, rewrite them with

      UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/cards -q

  and review the diff of tests/cards/snapshots/ before committing.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

import pytest

from auxil.cards import assert_snapshot, block_text, markdown_texts
from cards.inputs import DESCRIPTION, LEVEL, NAME, NONE, OTHER, PREFIX, input_id, raw_answers
from cards.payloads import SurveyGoTo, SurveyOpen, SurveyStep, SurveySubmit, parse_payload
from cards.survey import error_element, review_card, section_card, submitted_card
from cards.text import ASTERISK, GREATER_THAN, LESS_THAN, LOW_LINE, WORD_JOINER, neutralise
from hyte.answers import validate_all, validate_section
from hyte.survey import (
    MethodsQuestion,
    MultiChoiceQuestion,
    ScaleQuestion,
    Section,
    SingleChoiceQuestion,
    TextQuestion,
)

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
SNAPSHOT_CASES = (
    "section.goals_measures.filled",
    "section.methods.errors",
    "review.problems",
    "submitted.just_now",
    "welcome.draft",
    "status.submitted_with_changes",
    "window.closed",
)
CARD_LIMIT = 28 * 1024
"""Teams refuses a bot message over about 28 KB; the card is most of it."""
BLANKS = ("omitted", "empty")
"""How a client sends an input left blank: not at all, or as ""."""


# Reading a card --------------------------------------------------------------------------------


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in the card, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def inputs(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in walk(card) if str(o.get("type", "")).startswith("Input.")]


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in walk(card) if str(o.get("type", "")).startswith("Action.")]


def run_texts(card: dict[str, Any]) -> list[str]:
    """The strings of RichTextBlocks' runs, which no Teams client but iOS reads as Markdown."""
    return [block_text(o) for o in walk(card) if o.get("type") == "RichTextBlock"]


def plain_strings(card: dict[str, Any]) -> list[str]:
    """Strings shown as plain text (labels, choice and action titles, placeholders), not input values."""
    strings = []
    for o in walk(card):
        for key in ("label", "title", "placeholder"):
            if isinstance(o.get(key), str):
                strings.append(o[key])
    return strings


def teams_submit(card: dict[str, Any], blank: str = "omitted") -> dict[str, Any]:
    """The input values a Teams client sends with an action: every input's current value as a
    string; a choice set can only send its choices (a multi-select as "a,b"), a toggle its
    valueOn/valueOff; a blank input is left out or sent as ""."""
    sent: dict[str, Any] = {}
    for element in inputs(card):
        value = element.get("value")
        match element["type"]:
            case "Input.Toggle":
                value = value if value in (element["valueOn"], element["valueOff"]) else element["valueOff"]
            case "Input.ChoiceSet":
                allowed = {choice["value"] for choice in element["choices"]}
                picked = [v for v in (value or "").split(",") if v in allowed]
                value = ",".join(picked) if element["isMultiSelect"] else (picked[0] if picked else None)
        if value in (None, ""):
            if blank == "empty":
                sent[element["id"]] = ""
            continue
        sent[element["id"]] = value
    return sent


def expected_input_ids(section: Section) -> set[str]:
    ids: set[str] = set()
    for question in section.questions:
        match question:
            case MultiChoiceQuestion():
                ids.add(input_id(question.id))
                if any(o.needs_text for o in question.options):
                    ids.add(input_id(question.id, OTHER))
            case MethodsQuestion():
                ids.add(input_id(question.id, NONE))
                for area in question.areas:
                    ids.update(input_id(question.id, area.id, part) for part in (NAME, DESCRIPTION, LEVEL))
            case _:
                ids.add(input_id(question.id))
    return ids


def round_trip(cardset, section_id: str, card: dict[str, Any], blank: str, *, strict: bool):
    section = cardset.SURVEY.section(section_id)
    step = next(a for a in actions(card) if a["verb"] == "survey.step" and a["data"]["move"] == "next")
    payload = parse_payload({**step["data"], **teams_submit(card, blank)})
    assert isinstance(payload, SurveyStep)
    return validate_section(section, raw_answers(section, payload.inputs), strict=strict)


def filler(length: int) -> str:
    base = "Hyvinvointi ja terveys edistyvät yhteistyöllä: kunnat, järjestöt ja hyvinvointialue (2024). "
    text = (base * (length // len(base) + 1))[:length]
    return text[:-1] + "."


def longest_answers(cardset) -> dict[str, Any]:
    """Every answer as long as the survey allows: all options, every text at its maximum length."""
    answers = dict(cardset.ANSWERS)
    for question in cardset.SURVEY.questions:
        match question:
            case TextQuestion():
                answers[question.id] = filler(question.max_length)
            case MultiChoiceQuestion():
                answers[question.id] = {
                    "selected": [o.id for o in question.options if not o.exclusive],
                    "other": filler(question.other_max_length),
                }
            case MethodsQuestion():
                answers[question.id] = {"none": False, "areas": {
                    area.id: {"name": filler(question.name_max_length),
                              "description": filler(question.description_max_length), "level": "pilot"}
                    for area in question.areas
                }}
    return answers


def wire_size(card: dict[str, Any]) -> int:
    """Bytes of the card as Python's json.dumps sends it (ASCII only: ä is \\u00e4)."""
    return len(json.dumps(card).encode("utf-8"))


# Envelope --------------------------------------------------------------------------------------


def test_every_card_is_an_adaptive_card_1_5(case):
    card = case.card
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.5"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert isinstance(card["body"], list) and card["body"]
    # No empty placeholders (an absent notice is {} until the builder drops it).
    for o in walk(card):
        for key in ("body", "items", "actions"):
            for child in o.get(key) if isinstance(o.get(key), list) else []:
                assert isinstance(child, dict) and "type" in child, f"{case.name}: empty element in {key}"
    assert {a["type"] for a in actions(card)} <= {"Action.Execute"}


def test_card_kinds_have_inputs_only_where_answers_are_given(case):
    if case.kind != "section":
        assert inputs(case.card) == []


# Inputs ----------------------------------------------------------------------------------------


def test_input_ids_are_unique_and_are_the_sections_questions(section_case, cardset):
    ids = [element["id"] for element in inputs(section_case.card)]
    assert len(ids) == len(set(ids)), f"duplicate ids in {section_case.name}"
    assert all(i.startswith(PREFIX) for i in ids)
    assert set(ids) == expected_input_ids(cardset.SURVEY.section(section_case.section_id))


def test_inputs_have_labels_and_the_surveys_limits(section_case, cardset):
    section = cardset.SURVEY.section(section_case.section_id)
    limits: dict[str, int] = {}
    for question in section.questions:
        match question:
            case TextQuestion():
                limits[input_id(question.id)] = question.max_length
            case MultiChoiceQuestion():
                limits[input_id(question.id, OTHER)] = question.other_max_length
            case MethodsQuestion():
                for area in question.areas:
                    limits[input_id(question.id, area.id, NAME)] = question.name_max_length
                    limits[input_id(question.id, area.id, DESCRIPTION)] = question.description_max_length
    for element in inputs(section_case.card):
        if element["type"] == "Input.Toggle":
            assert element["title"] and element["value"] in (element["valueOn"], element["valueOff"])
            continue
        assert element["label"], element["id"]
        if element["type"] == "Input.Text":
            assert element["maxLength"] == limits[element["id"]], element["id"]
            if section_case.representable:
                assert len(element.get("value", "")) <= element["maxLength"]


def test_choice_values_are_among_the_choices(client_section_case):
    for element in inputs(client_section_case.card):
        if element["type"] == "Input.ChoiceSet" and "value" in element:
            allowed = {choice["value"] for choice in element["choices"]}
            values = element["value"].split(",") if element["isMultiSelect"] else [element["value"]]
            assert set(values) <= allowed, element["id"]


def test_scale_choices_cover_the_scale(cardset):
    for question in cardset.SURVEY.questions:
        if isinstance(question, ScaleQuestion):
            section = next(s for s in cardset.SURVEY.sections if question in s.questions)
            card = section_card(cardset.ROUND, section.id, {}, 0)
            element = next(e for e in inputs(card) if e["id"] == input_id(question.id))
            assert [c["value"] for c in element["choices"]] == [str(p) for p in range(question.min, question.max + 1)]


def test_single_choices_are_the_options(cardset):
    for question in cardset.SURVEY.questions:
        if isinstance(question, SingleChoiceQuestion | MultiChoiceQuestion):
            section = next(s for s in cardset.SURVEY.sections if question in s.questions)
            card = section_card(cardset.ROUND, section.id, {}, 0)
            element = next(e for e in inputs(card) if e["id"] == input_id(question.id))
            assert [(c["value"], c["title"]) for c in element["choices"]] == [(o.id, o.label) for o in question.options]
            assert element["isMultiSelect"] is isinstance(question, MultiChoiceQuestion)


# Round trip ------------------------------------------------------------------------------------

SECTION_IDS = ("goals_measures", "monitoring", "methods", "ngo_cooperation", "interfaces")
ANSWER_SETS = ("ANSWERS", "ANSWERS_EXCLUSIVE", "longest", "none")


def _answers(cardset, name: str) -> dict[str, Any]:
    if name == "longest":
        return longest_answers(cardset)
    if name == "none":
        return {}
    return getattr(cardset, name)


def test_section_ids_are_the_demo_surveys(cardset):
    assert SECTION_IDS == tuple(s.id for s in cardset.SURVEY.sections)


@pytest.mark.parametrize("blank", BLANKS)
@pytest.mark.parametrize("answer_set", ANSWER_SETS)
@pytest.mark.parametrize("section_id", SECTION_IDS)
def test_prefilled_card_round_trips_to_the_same_answers(cardset, section_id: str, answer_set: str, blank: str):
    answers = cardset.section_answers(section_id, _answers(cardset, answer_set))
    card = section_card(cardset.ROUND, section_id, answers, 5)
    for strict in (False, True):
        result = round_trip(cardset, section_id, card, blank, strict=strict)
        if strict and not answers:
            assert result.answers == {}  # an empty section is only refused as incomplete
            continue
        assert result.errors == [] and result.answers == answers, f"strict={strict}"


@pytest.mark.parametrize("blank", BLANKS)
@pytest.mark.parametrize("section_id", SECTION_IDS)
def test_a_refused_section_resent_unchanged_is_refused_the_same_way(cardset, section_id: str, blank: str):
    raw = cardset.BAD_RAW[section_id]
    section = cardset.SURVEY.section(section_id)
    first = validate_section(section, raw, strict=True)
    card = cardset.CASES[f"section.{section_id}.errors"].card
    again = round_trip(cardset, section_id, card, blank, strict=True)
    assert again.errors == first.errors
    lenient = round_trip(cardset, section_id, card, blank, strict=False)
    assert lenient.answers == validate_section(section, raw, strict=False).answers


def test_every_prefilled_section_card_in_the_set_round_trips(prefilled_section_case, cardset):
    case = prefilled_section_case
    for blank in BLANKS:
        result = round_trip(cardset, case.section_id, case.card, blank, strict=False)
        assert result.errors == [] and result.answers == case.answers


def test_inputs_show_user_text_as_typed(cardset):
    card = cardset.CASES["section.goals_measures.filled"].card
    values = {e["id"]: e.get("value") for e in inputs(card)}
    assert values[input_id("hyte_effectiveness")] == cardset.ANSWERS["hyte_effectiveness"]
    assert values[input_id("goals_to_strengthen", OTHER)] == cardset.INJECT_OTHER
    methods = {e["id"]: e.get("value") for e in inputs(cardset.CASES["section.methods.filled"].card)}
    assert methods[input_id("methods", "area_1", NAME)] == cardset.INJECT_METHOD


# Actions ---------------------------------------------------------------------------------------


def test_every_action_is_a_payload_parse_payload_accepts(case, cardset):
    card = case.card
    sent = teams_submit(card)
    for action in actions(card):
        assert action["data"]["verb"] == action["verb"], "an older client routes by data.verb"
        assert action["associatedInputs"] in ("auto", "none")
        data = dict(action["data"])
        if action["associatedInputs"] == "auto":
            data.update(sent)
        payload = parse_payload(data)
        assert payload.verb == action["verb"]
        assert payload.round == cardset.ROUND.id
        # The data alone (a client that sends no inputs) is accepted too.
        assert parse_payload(action["data"]).verb == action["verb"]
        match payload:
            case SurveyStep():
                assert case.kind == "section" and payload.section == case.section_id
                assert action["associatedInputs"] == "auto"
                assert payload.inputs == sent
            case SurveyGoTo():
                assert payload.section in {s.id for s in cardset.SURVEY.sections}
                assert action["associatedInputs"] == "none"
            case SurveySubmit():
                assert case.kind == "review" and action["associatedInputs"] == "none"
            case SurveyOpen():
                assert case.kind in ("welcome", "status") and action["associatedInputs"] == "none"


def test_section_cards_move_back_save_and_next(section_case, cardset):
    moves = [a["data"]["move"] for a in actions(section_case.card)]
    first = section_case.section_id == cardset.SURVEY.sections[0].id
    assert moves == (["save", "next"] if first else ["back", "save", "next"])
    versions = {a["data"]["v"] for a in actions(section_case.card)}
    assert len(versions) == 1


def test_review_offers_every_section_and_submit(cardset):
    for name in ("review.problems", "review.complete"):
        card = cardset.CASES[name].card
        gotos = [a["data"]["section"] for a in actions(card) if a["verb"] == "survey.goto"]
        assert gotos == [s.id for s in cardset.SURVEY.sections]
        assert [a["verb"] for a in card["actions"]] == ["survey.submit"]


def test_review_shows_each_problem_at_its_question(cardset):
    """In the review, each problem is shown within its question's part (after its heading)."""
    card = cardset.CASES["review.problems"].card
    headings = {f"{q.number}. {q.text}": q.id for q in cardset.SURVEY.questions}
    section_titles = {s.title for s in cardset.SURVEY.sections}
    problems = [e for errors in validate_all(cardset.SURVEY, cardset.CASES["review.problems"].answers).values()
                for e in errors]
    error_texts = {block_text(error_element(error)) for error in problems}
    shown: dict[str, list[str]] = {}
    current = None
    for block in card["body"]:
        text = block_text(block)
        if text in headings:
            current = headings[text]
        elif text in error_texts and current is not None:
            shown.setdefault(current, []).append(text)
        if text in section_titles:  # a section's subheading ends the last question's part
            current = None
    expected: dict[str, list[str]] = {}
    for error in problems:
        expected.setdefault(error.question_id, []).append(block_text(error_element(error)))
    assert shown == expected and expected


def test_cards_outside_the_window_offer_nothing(cardset):
    for name in ("window.closed", "window.not_yet_open", "welcome.closed", "status.closed",
                 "welcome.deputy.not_yet_open"):
        assert actions(cardset.CASES[name].card) == [], name


# User text -------------------------------------------------------------------------------------


def readable(shown: str) -> str:
    """Shown text as a person reads it: word joiners are invisible, look-alikes read as the original."""
    return shown.replace(WORD_JOINER, "").translate(LOOK_ALIKES)


LOOK_ALIKES = str.maketrans({ASTERISK: "*", LOW_LINE: "_", LESS_THAN: "<", GREATER_THAN: ">"})


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def test_user_text_appears_only_neutralised_in_runs(case, cardset):
    markdown = "\n".join(markdown_texts(case.card))
    runs = "\n".join(run_texts(case.card))
    run_lines = runs.split("\n")
    for text in cardset.INJECTIONS:
        for line in _lines(text):
            assert line not in markdown and neutralise(line) not in markdown, (
                f"user text in a TextBlock (read as Markdown) of {case.name}: {line!r}")
            if line != neutralise(line):  # a list, heading or link line starts a line of a run only neutralised
                assert not any(shown.startswith(line) for shown in run_lines), f"{case.name}: {line!r} shown raw"
    for token in ("<at>", "</at>", "<b>", "<i>", "](http", "](javascript", "**Boss**", "*digituki*", "\\"):
        assert token not in markdown and token not in runs, f"{case.name}: {token!r} shown"
    for text in case.user_texts:
        for line in _lines(text):
            assert line in readable(runs), f"{case.name}: {line!r} not shown as typed"
    shown_plain = "\n".join(plain_strings(case.card))
    for text in cardset.INJECTIONS:
        for line in _lines(text):
            assert line not in shown_plain and neutralise(line) not in shown_plain, f"{case.name}: user text in a label"


def test_user_text_in_section_cards_is_only_in_input_values(section_case, cardset):
    values = [e.get("value", "") for e in inputs(section_case.card)]
    for o in walk(section_case.card):
        for key, value in o.items():
            if not isinstance(value, str) or (key == "value" and str(o.get("type", "")).startswith("Input.")):
                continue
            for text in cardset.INJECTIONS:
                assert text not in value, f"{section_case.name}: {key} holds raw user text"
    for text in cardset.INJECTIONS:
        if any(text in str(v) for v in section_case.answers.values()):
            assert any(text in v for v in values)


# Size ------------------------------------------------------------------------------------------


def test_every_card_is_under_the_teams_limit(case):
    assert wire_size(case.card) < CARD_LIMIT, f"{case.name}: {wire_size(case.card)} bytes"


@pytest.mark.parametrize("section_id", SECTION_IDS)
def test_section_cards_with_the_longest_answers_are_under_the_limit(cardset, section_id: str):
    card = section_card(cardset.ROUND, section_id, longest_answers(cardset), 1)
    assert wire_size(card) < CARD_LIMIT


@pytest.mark.parametrize("kind", ["review", "submitted"])
def test_review_and_submitted_cards_with_the_longest_answers_are_under_the_limit(cardset, kind: str):
    answers = longest_answers(cardset)
    if kind == "review":
        card = review_card(cardset.ROUND, answers, 1)
    else:
        response = replace(cardset._response(cardset.ResponseState.SUBMITTED), answers=answers,
                           submitted_answers=answers)
        card = submitted_card(cardset.ROUND, response, just_now=True)
    assert wire_size(card) < CARD_LIMIT, f"{wire_size(card)} bytes"


# Snapshots -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SNAPSHOT_CASES)
def test_snapshot(cardset, name: str):
    assert_snapshot(SNAPSHOTS, name, cardset.CASES[name].card)


def test_no_stale_snapshots():
    stored = {p.stem for p in SNAPSHOTS.glob("*.json")}
    assert stored <= set(SNAPSHOT_CASES), f"snapshots of no test: {sorted(stored - set(SNAPSHOT_CASES))}"


def test_snapshot_names_are_cases(cardset):
    assert set(SNAPSHOT_CASES) <= set(cardset.CASES)
    assert all(re.fullmatch(r"[a-z0-9_.]+", name) for name in SNAPSHOT_CASES)
