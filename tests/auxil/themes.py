"""The measurement of free-text themes against a labelled fixture (tests/hyte/fixtures/), shared
by the Finnish and the Swedish theme tests."""

from __future__ import annotations

from dataclasses import dataclass

from hyte.thesaurus import Thesaurus
from hyte.phrases import ThemeInput
from hyte.themes import find_themes


def inputs(rows: list[dict], language: str | None = None) -> list[ThemeInput]:
    return [ThemeInput(r["id"], r["source"], r["text"], language) for r in rows]


@dataclass
class Scores:
    found: int
    eligible: int
    theme_precision: float
    theme_recall: float
    item_precision: float
    item_recall: float


def measure(fixture: dict, rows: list[dict], limit: int | None = None, thesaurus: Thesaurus | None = None,
            language: str = "fi") -> Scores:
    """Top themes against the gold labels.

    Gold themes raised by at least two sources are the ones to find (min_sources=2). A found theme
    is right when its key, or its last word (the head of a two-word phrase), is in a gold theme's
    `accept` list and that gold theme was not already matched by a higher-ranked theme (a second
    theme for the same gold theme counts as wrong). Theme precision = right / found; theme recall
    = gold themes matched / gold themes to find. Item level (how well answers are grouped): of all
    the answers grouped under the found themes, the share labelled with the matched gold theme
    (precision), and of all the answers labelled with a gold theme to find, the share grouped
    under the theme that matched it (recall). A fixture that names the question its answers
    answer (`question`) is measured as a summary finds themes: without the question's own words.
    """
    gold = fixture["gold"]
    gold_items = {g: {r["id"] for r in rows if g in r["themes"]} for g in gold}
    eligible = [g for g in gold if len({r["source"] for r in rows if g in r["themes"]}) >= 2]
    accept = {k: g for g, spec in gold.items() for k in spec["accept"]}
    found = find_themes(inputs(rows, language), min_sources=2, limit=limit or len(eligible), thesaurus=thesaurus,
                        question=fixture.get("question"), language=language)
    matched: dict[str, set[str]] = {}
    grouped = right_items = 0
    for theme in found:
        g = accept.get(theme.key) or accept.get(theme.key.split(" ")[-1])
        grouped += len(theme.item_ids)
        if g in eligible and g not in matched:
            matched[g] = set(theme.item_ids)
            right_items += len(matched[g] & gold_items[g])
    return Scores(
        found=len(found),
        eligible=len(eligible),
        theme_precision=len(matched) / len(found),
        theme_recall=len(matched) / len(eligible),
        item_precision=right_items / grouped,
        item_recall=sum(len(matched[g] & gold_items[g]) for g in matched) / sum(len(gold_items[g]) for g in eligible),
    )


def report(name: str, s: Scores) -> None:
    print(f"\n{name}: top {s.found} themes vs {s.eligible} gold themes raised by >= 2 sources: "
          f"theme precision {s.theme_precision:.2f}, recall {s.theme_recall:.2f}; "
          f"items precision {s.item_precision:.2f}, recall {s.item_recall:.2f}")
