"""Every card of conftest.py, parsed by Microsoft's own Adaptive Cards library (npm "adaptivecards").

`ac_validate.mjs` beside this file parses each card JSON file with `new AdaptiveCard()` and
`card.parse(json, new SerializationContext())` (target version: the card's own, 1.5), runs
`card.validateProperties()`, and lists the properties the parser does not know. Errors must be
none; warnings must be among the expected ones below (and are printed, see `pytest -s`).

Needs Node and the pinned package, installed with

    npm ci --no-audit --no-fund --prefix tests/cards

(node_modules/ is gitignored). Without them the tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auxil.cards import EXPECTED_WARNINGS, run_validator
HERE = Path(__file__).resolve().parent
PINNED = json.loads((HERE / "package.json").read_text(encoding="utf-8"))["dependencies"]["adaptivecards"]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, cardset) -> dict[str, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("cards")
    files = []
    for name, case in cardset.CASES.items():
        path = folder / f"{name}.json"
        path.write_text(json.dumps(case.card, ensure_ascii=False), encoding="utf-8")
        files.append(path)
    result = run_validator(files)
    assert result["library"] == f"adaptivecards@{PINNED}"
    return {Path(card["file"]).stem: card for card in result["cards"]}


def test_every_card_was_parsed(report, cardset):
    assert set(report) == set(cardset.CASES)
    assert {card["targetVersion"] for card in report.values()} == {"1.5"}


def test_microsoft_parser_finds_no_errors(case, report):
    checked = report[case.name]
    warnings = [(w["event"], w["at"], w["message"]) for w in checked["warnings"]]
    if warnings:
        print(f"{case.name}: parser warnings: {warnings}")
    assert checked["errors"] == []
    assert set(warnings) <= EXPECTED_WARNINGS, f"new parser warnings on {case.name}"


def test_the_validator_reports_what_it_should(tmp_path: Path):
    """The script itself: a broken card gives errors (unknown element, duplicate id, a 1.6 property,
    a bad value) and warnings (unknown properties), so that a clean report means something."""
    broken = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [
            {"type": "Bogus"},
            {"type": "Container", "items": [{"type": "TextBlock", "text": "x", "size": "Huge", "foo": 1}]},
            {"type": "Input.Text", "id": "q.a", "label": "a", "inputStyle": "default"},
            {"type": "Input.ChoiceSet", "id": "q.a", "label": "b", "choices": [{"title": "t", "value": "v", "bar": 2}]},
        ],
        "actions": [{"type": "Action.Execute", "title": "t", "verb": "v", "baz": 3}],
    }
    clean = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "ok"}]}
    (tmp_path / "broken.json").write_text(json.dumps(broken), encoding="utf-8")
    (tmp_path / "clean.json").write_text(json.dumps(clean), encoding="utf-8")
    cards = {Path(c["file"]).stem: c for c in run_validator([tmp_path / "broken.json", tmp_path / "clean.json"])["cards"]}
    assert cards["clean"]["errors"] == [] and cards["clean"]["warnings"] == []
    errors = {e["event"] for e in cards["broken"]["errors"]}
    assert {"UnknownElementType", "DuplicateId", "UnsupportedProperty", "InvalidPropertyValue"} <= errors
    unknown = sorted(w["message"].split('"')[1] for w in cards["broken"]["warnings"] if w["event"] == "UnknownProperty")
    assert unknown == ["bar", "baz", "foo"]
