"""Checks every card test uses: walking a card, and Microsoft's Adaptive Cards parser.

The parser is the npm package `adaptivecards` (pinned in tests/cards/package.json, installed by
.ci/run), run by tests/cards/ac_validate.mjs under Node. Without Node or the package the check
skips, except under CI=true, where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cards.elements import walk  # noqa: F401  (re-exported for the tests)
from loopback.person import block_text, shown_texts  # noqa: F401  (re-exported for the tests)

CARDS_DIR = Path(__file__).resolve().parent.parent / "cards"
SCRIPT = CARDS_DIR / "ac_validate.mjs"
PACKAGE = CARDS_DIR / "node_modules" / "adaptivecards" / "package.json"
EXPECTED_WARNINGS = {
    ("UnknownProperty", "AdaptiveCard", 'Property "msteams" is not known to the parser and is dropped.'),
}
"""`msteams` (the card's width) is Teams' own extension, not in the Adaptive Cards schema."""


def node() -> str:
    found = shutil.which("node")
    problem = None
    if found is None:
        problem = "node is not installed"
    elif not PACKAGE.exists():
        problem = "the adaptivecards package is not installed: npm ci --no-audit --no-fund --prefix tests/cards"
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{problem} (CI=true: not skipping)")
        pytest.skip(problem)
    return found  # type: ignore[return-value]


def run_validator(files: list[Path]) -> dict[str, Any]:
    completed = subprocess.run(
        [node(), str(SCRIPT), *map(str, files)], cwd=CARDS_DIR, capture_output=True, text=True, timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def parse_with_microsoft(cards: dict[str, dict[str, Any]], folder: Path) -> dict[str, dict[str, Any]]:
    """Each card's parser report, by name: {"errors": [...], "warnings": [...], ...}."""
    files = []
    for name, card in cards.items():
        path = folder / f"{name}.json"
        path.write_text(json.dumps(card, ensure_ascii=False), encoding="utf-8")
        files.append(path)
    return {Path(card["file"]).stem: card for card in run_validator(files)["cards"]}


def assert_parsed_cleanly(cards: dict[str, dict[str, Any]], folder: Path) -> None:
    report = parse_with_microsoft(cards, folder)
    assert set(report) == set(cards)
    for name, checked in report.items():
        warnings = {(w["event"], w["at"], w["message"]) for w in checked["warnings"]}
        assert checked["errors"] == [], name
        assert warnings <= EXPECTED_WARNINGS, f"new parser warnings on {name}: {warnings}"


TEAMS_EXTENSION_ELEMENTS = frozenset({
    "ProgressBar", "Chart.VerticalBar", "Chart.HorizontalBar", "Chart.HorizontalBar.Stacked",
    "Chart.VerticalBar.Grouped", "Chart.Line", "Chart.Pie", "Chart.Donut", "Chart.Gauge",
})
"""Elements only Teams renders (its progress bar and charts): Microsoft's JS parser reports them as
unknown element types (an error), and any other client shows their `fallback`."""


def with_teams_fallbacks(card: dict[str, Any]) -> dict[str, Any]:
    """The card as a client without Teams' extensions sees it: every element of
    `TEAMS_EXTENSION_ELEMENTS` replaced by its `fallback`, which must be an element (a dict) of its
    own, not "drop". Check the result with `assert_parsed_cleanly`; nothing else is excused."""

    def replace(value: Any) -> Any:
        if isinstance(value, list):
            return [replace(item) for item in value]
        if not isinstance(value, dict):
            return value
        if value.get("type") in TEAMS_EXTENSION_ELEMENTS:
            fallback = value.get("fallback")
            assert isinstance(fallback, dict), f"{value['type']} has no element as its fallback"
            return replace(fallback)
        return {key: replace(item) for key, item in value.items()}

    return replace(card)


def markdown_texts(card: dict[str, Any]) -> list[str]:
    """The texts Teams reads as Markdown: TextBlocks' (and FactSets', if any)."""
    texts = [e["text"] for e in walk(card) if e.get("type") == "TextBlock"]
    texts += [f[key] for e in walk(card) if e.get("type") == "FactSet" for f in e["facts"] for key in ("title", "value")]
    return texts


def assert_snapshot(folder: Path, name: str, card: dict[str, Any]) -> None:
    """The card equals its stored snapshot (folder/name.json); UPDATE_SNAPSHOTS=1 rewrites it."""
    path = folder / f"{name}.json"
    text = json.dumps(card, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        folder.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path.name} missing: run with UPDATE_SNAPSHOTS=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"{name} changed: if intended, UPDATE_SNAPSHOTS=1"
