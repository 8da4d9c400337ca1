"""`cards.payloads.parse_payload`: each verb parses, and anything not exactly ours is refused.

A refusal is a pydantic `ValidationError`, which the bot answers with "card not understood".
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from cards.payloads import MAX_INPUTS, SurveyGoTo, SurveyOpen, SurveyStep, SurveySubmit, parse_payload

ROUND_ID = "pohjois-savo-demo"
STEP = {"verb": "survey.step", "r": ROUND_ID, "section": "goals_measures", "v": 3, "move": "next"}
VALID: dict[str, dict[str, Any]] = {
    "survey.open": {"verb": "survey.open", "r": ROUND_ID},
    "survey.step": STEP,
    "survey.goto": {"verb": "survey.goto", "r": ROUND_ID, "section": "methods"},
    "survey.submit": {"verb": "survey.submit", "r": ROUND_ID, "v": 0},
}


# Each verb -------------------------------------------------------------------------------------


def test_open():
    payload = parse_payload(VALID["survey.open"])
    assert isinstance(payload, SurveyOpen) and payload.round == ROUND_ID and payload.verb == "survey.open"


@pytest.mark.parametrize("move", ["next", "back", "save"])
def test_step_gathers_the_q_inputs(move: str):
    data = {
        **STEP,
        "move": move,
        "q.goals_progress": "very_well",
        "q.goals_to_strengthen": "g01,g03,other",
        "q.goals_to_strengthen.other": "Ikäihmisten digituki",
        "q.methods.area_1.name": "Harrastamisen Suomen malli",
        "q.methods.none": "false",
        "q.toggle_as_bool": True,
        "q.empty": "",
    }
    payload = parse_payload(data)
    assert isinstance(payload, SurveyStep)
    assert (payload.round, payload.section, payload.version, payload.move) == (ROUND_ID, "goals_measures", 3, move)
    assert payload.inputs == {k: v for k, v in data.items() if k.startswith("q.")}


def test_step_without_inputs_has_empty_inputs():
    payload = parse_payload(STEP)
    assert isinstance(payload, SurveyStep) and payload.inputs == {}


def test_step_accepts_exactly_the_limits():
    inputs = {f"q.q{i}": "x" for i in range(MAX_INPUTS - 1)}
    inputs["q.long"] = "ä" * 20_000
    payload = parse_payload({**STEP, **inputs})
    assert len(payload.inputs) == MAX_INPUTS and len(payload.inputs["q.long"]) == 20_000


def test_goto():
    payload = parse_payload(VALID["survey.goto"])
    assert isinstance(payload, SurveyGoTo) and payload.section == "methods" and payload.round == ROUND_ID


def test_submit():
    payload = parse_payload({**VALID["survey.submit"], "v": 12})
    assert isinstance(payload, SurveySubmit) and payload.version == 12


def test_payloads_are_frozen():
    payload = parse_payload(VALID["survey.submit"])
    with pytest.raises(ValidationError):
        payload.version = 99  # type: ignore[misc]


# Refusals --------------------------------------------------------------------------------------


def _without(data: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != key}


REFUSED: list[tuple[str, Any]] = [
    ("unknown verb", {"verb": "survey.delete", "r": ROUND_ID}),
    ("verb of another case", {"verb": "Survey.Open", "r": ROUND_ID}),
    ("no verb", {"r": ROUND_ID}),
    ("not a dict", ["survey.open", ROUND_ID]),
    ("none", None),
    *[(f"{verb}: missing r", _without(data, "r")) for verb, data in VALID.items()],
    ("r with capitals", {**VALID["survey.open"], "r": "Pohjois-Savo"}),
    ("r with a dot", {**VALID["survey.open"], "r": "pohjois.savo"}),
    ("r with a space", {**VALID["survey.open"], "r": "pohjois savo"}),
    ("r empty", {**VALID["survey.open"], "r": ""}),
    ("r too long", {**VALID["survey.open"], "r": "a" * 65}),
    ("r not a string", {**VALID["survey.open"], "r": 7}),
    ("section with capitals", {**VALID["survey.goto"], "section": "Methods"}),
    ("step: v negative", {**STEP, "v": -1}),
    ("step: v a float", {**STEP, "v": 3.5}),
    ("step: v missing", _without(STEP, "v")),
    ("submit: v negative", {**VALID["survey.submit"], "v": -1}),
    ("submit: v missing", _without(VALID["survey.submit"], "v")),
    ("open: extra field", {**VALID["survey.open"], "section": "methods"}),
    ("step: extra non-q field", {**STEP, "admin": "true"}),
    ("step: extra field like an input", {**STEP, "q": "x"}),
    ("step: extra field with another prefix", {**STEP, "x.goals_progress": "very_well"}),
    ("goto: an input", {**VALID["survey.goto"], "q.goals_progress": "very_well"}),
    ("submit: an input", {**VALID["survey.submit"], "q.goals_progress": "very_well"}),
    ("step: input value over 20,000 chars", {**STEP, "q.hyte_effectiveness": "a" * 20_001}),
    ("step: more than 200 inputs", {**STEP, **{f"q.q{i}": "x" for i in range(MAX_INPUTS + 1)}}),
    ("step: nested dict as an input", {**STEP, "q.methods": {"none": True, "areas": {}}}),
    ("step: list as an input", {**STEP, "q.goals_to_strengthen": ["g01", "g02"]}),
    ("step: number as an input", {**STEP, "q.annual_report_scale": 3}),
    ("step: null as an input", {**STEP, "q.goals_progress": None}),
    ("step: move missing", _without(STEP, "move")),
    ("step: move submit", {**STEP, "move": "submit"}),
    ("step: move capitalised", {**STEP, "move": "Next"}),
    ("step: section missing", _without(STEP, "section")),
]


REFUSED_LAX: list[tuple[str, Any]] = [
    ("step: v a string", {**STEP, "v": "3"}),
    ("submit: v a string", {**VALID["survey.submit"], "v": "0"}),
    ("submit: v a bool", {**VALID["survey.submit"], "v": True}),
    ("submit: v a float", {**VALID["survey.submit"], "v": 3.0}),
    ("step: the number 1 as an input", {**STEP, "q.annual_report_scale": 1}),
]


@pytest.mark.parametrize(
    "data",
    [data for _, data in REFUSED] + [data for _, data in REFUSED_LAX],
    ids=[name for name, _ in REFUSED + REFUSED_LAX],
)
def test_refused(data: Any):
    with pytest.raises(ValidationError):
        parse_payload(data)
