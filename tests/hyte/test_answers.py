"""Validation of answers against the survey definition, without the SDK."""

from __future__ import annotations

from pathlib import Path

import pytest

from hyte.answers import ErrorCode, clean_text, validate_all, validate_section
from hyte.survey import load_survey

SURVEY = load_survey(Path(__file__).resolve().parents[2] / "config" / "pohjois-savo" / "survey.yaml")
GOALS = SURVEY.section("goals_measures")
MONITORING = SURVEY.section("monitoring")
METHODS = SURVEY.section("methods")


def codes(result) -> list[tuple[str, ErrorCode]]:
    return [(e.question_id, e.code) for e in result.errors]


def test_required_only_when_strict():
    assert validate_section(GOALS, {}, strict=False).ok
    strict = validate_section(GOALS, {}, strict=True)
    assert {c for _, c in codes(strict)} == {ErrorCode.REQUIRED}
    assert len(strict.errors) == 4


def test_single_choice_must_be_an_option():
    result = validate_section(GOALS, {"goals_progress": "hacked"}, strict=False)
    assert codes(result) == [("goals_progress", ErrorCode.NOT_AN_OPTION)]
    assert validate_section(GOALS, {"goals_progress": "cannot_say"}, strict=False).answers == {"goals_progress": "cannot_say"}


@pytest.mark.parametrize("selected, other, expected", [
    (["g01", "other"], None, ErrorCode.OTHER_TEXT_REQUIRED),
    (["cannot_say"], "jotain", ErrorCode.OTHER_TEXT_WITH_EXCLUSIVE),
    (["all_equal"], "jotain", ErrorCode.OTHER_TEXT_WITH_EXCLUSIVE),
    (["cannot_say", "g02"], None, ErrorCode.EXCLUSIVE_COMBINED),
    (["all_equal", "g02"], None, ErrorCode.EXCLUSIVE_COMBINED),
    (["g99"], None, ErrorCode.NOT_AN_OPTION),
])
def test_goal_choice_rules(selected, other, expected):
    raw = {"goals_to_strengthen": {"selected": selected, "other": other}}
    result = validate_section(GOALS, raw, strict=True)
    assert ("goals_to_strengthen", expected) in codes(result)
    assert "goals_to_strengthen" not in result.answers


@pytest.mark.parametrize("strict", [False, True])
def test_an_other_text_without_the_tick_chooses_the_other_option(strict):
    """As Forms and Webropol do: writing the "Jokin muu, mikä" text ticks the option."""
    raw = {"goals_to_strengthen": {"selected": ["g03"], "other": "Digituki"}}
    result = validate_section(GOALS, raw, strict=strict)
    assert "goals_to_strengthen" not in {q for q, _ in codes(result)}
    assert result.answers["goals_to_strengthen"] == {"selected": ["g03", "other"], "other": "Digituki"}
    alone = validate_section(GOALS, {"goals_to_strengthen": {"selected": [], "other": "Digituki"}}, strict=strict)
    assert alone.answers["goals_to_strengthen"] == {"selected": ["other"], "other": "Digituki"}


def test_an_other_text_with_an_exclusive_option_stays_an_error_naming_both_options():
    raw = {"goals_to_strengthen": {"selected": ["all_equal"], "other": "Digituki"}}
    (error,) = [e for e in validate_section(GOALS, raw, strict=True).errors if e.question_id == "goals_to_strengthen"]
    assert (error.code, error.part) == (ErrorCode.OTHER_TEXT_WITH_EXCLUSIVE, "other")
    assert error.params == {"option": "Kaikki hyvinvointitavoitteet ovat yhtä tärkeitä", "other": "Jokin muu, mikä"}
    draft = validate_section(GOALS, raw, strict=False)  # a draft keeps what was typed, unticked
    assert draft.answers["goals_to_strengthen"] == {"selected": ["all_equal"], "other": "Digituki"}


def test_goal_choices_are_kept_in_survey_order_and_deduplicated():
    raw = {"goals_to_strengthen": {"selected": "g14,g03,g14,other", "other": "  Digituki  "}}
    result = validate_section(GOALS, raw, strict=False)
    assert result.answers["goals_to_strengthen"] == {"selected": ["g03", "g14", "other"], "other": "Digituki"}


def test_text_is_cleaned_and_limited():
    assert clean_text("  a\r\nb\x00c \t") == "a\nbc"
    assert clean_text("   ") is None
    too_long = validate_section(GOALS, {"hyte_effectiveness": "x" * 2001}, strict=False)
    assert codes(too_long) == [("hyte_effectiveness", ErrorCode.TOO_LONG)]
    assert too_long.errors[0].params == {"max": 2000}
    assert validate_section(GOALS, {"hyte_effectiveness": "x" * 2000}, strict=False).ok


@pytest.mark.parametrize("value, ok", [("1", True), ("5", True), (3, True), ("0", False), ("9", False), ("x", False), (True, False)])
def test_scale_range_and_type(value, ok):
    result = validate_section(MONITORING, {"annual_report_scale": value}, strict=False)
    assert result.ok is ok


def test_methods_need_a_name_and_a_level_and_exclude_none():
    area = {"name": "Ryhmä", "description": None, "level": None}
    result = validate_section(METHODS, {"methods": {"none": False, "areas": {"area_1": area}}}, strict=True)
    assert codes(result) == [("methods", ErrorCode.METHOD_LEVEL_REQUIRED)]
    assert result.errors[0].part == "area_1" and result.errors[0].params == {"area": "I"}
    both = {"none": True, "areas": {"area_2": {"name": "X", "level": "pilot"}}}
    both_result = validate_section(METHODS, {"methods": both}, strict=True)
    assert codes(both_result) == [("methods", ErrorCode.METHODS_NONE_COMBINED)]
    assert both_result.errors[0].params == {"numeral": "VII"}  # named by its number, not its 170 characters
    assert codes(validate_section(METHODS, {"methods": {"none": False, "areas": {"area_9": area}}}, strict=False)) == [
        ("methods", ErrorCode.NOT_AN_OPTION)
    ]
    assert codes(validate_section(METHODS, {"methods": {"areas": {"area_1": {**area, "level": "best"}}}}, strict=False)) == [
        ("methods", ErrorCode.NOT_AN_OPTION)
    ]
    none_only = validate_section(METHODS, {"methods": {"none": True, "areas": {}}}, strict=True)
    assert none_only.answers == {"methods": {"none": True, "areas": {}}}


def test_wrongly_shaped_raw_values_are_errors_not_crashes():
    result = validate_section(GOALS, {"goals_to_strengthen": ["g01"], "goals_progress": 5}, strict=False)
    assert {c for _, c in codes(result)} == {ErrorCode.WRONG_TYPE}


def test_clean_answers_validate_to_themselves():
    raw = {
        "goals_progress": "very_well", "hyte_effectiveness": "a", "organisation_actions": "b",
        "goals_to_strengthen": {"selected": ["g01", "other"], "other": "c"},
    }
    first = validate_section(GOALS, raw, strict=True)
    assert validate_section(GOALS, first.answers, strict=True).answers == first.answers
    problems = validate_all(SURVEY, first.answers)
    assert "goals_measures" not in problems and set(problems) == {"monitoring", "methods", "ngo_cooperation", "interfaces"}
