"""The survey summary's comparison with the previous round (hyte/comparison.py), as card blocks.

Compact tables (a ColumnSet per row; relative column widths, so that the columns line up from row
to row): last year's and this year's share per option with the difference in percentage points,
the goals' places in both years with how each moved, the response rate by category; then the
free-text themes marked new, recurring or dropped, and the questions not compared with why. A
round without a previous one says so. Option labels, goals and question texts are configuration
text, theme labels user text (cards/text.py).
"""

from __future__ import annotations

from typing import Any

from cards import elements as ui
from cards.catalogue import t
from cards.pager import Block
from cards.text import Config, User, text_run
from hyte.comparison import Comparison, DistributionChange, RankingChange, ThemeMark, ThemesChange
from hyte.results import SurveySummary

Element = dict[str, Any]
WIDTHS = (6, 2, 2, 2)
"""Relative widths of a row's columns: the label, last year, this year, the change."""


def _cell(value: str | Element, width: int, *, bold: bool = False, subtle: bool = False) -> Element:
    if isinstance(value, str):
        value = ui.rich([text_run(value, size="Small", weight="Bolder" if bold else None, isSubtle=subtle)])
    return {"type": "Column", "width": width, "items": [value], "verticalContentAlignment": "Top"}


def _row(label: str | Element, *values: str, bold: bool = False) -> Element:
    cells = [_cell(label, WIDTHS[0], bold=bold)]
    cells += [_cell(value, width, bold=bold) for value, width in zip(values, WIDTHS[1:])]
    return {"type": "ColumnSet", "spacing": "None", "columns": cells}


def _label(value: str) -> Element:
    return ui.config_text(value, size="Small")


def _header(first: str, comparison: Comparison, last: str | None = None) -> Element:
    return _row(first, str(comparison.previous_year), str(comparison.year), last or t("comparison.change"), bold=True)


def _points(value: int) -> str:
    return t("comparison.points", points=f"{value:+d}" if value else "0")


def _share(count: int, percent: int) -> str:
    return t("comparison.share", count=count, percent=percent)


def _question(summary: SurveySummary, section_id: str, number: str, text: str) -> Element:
    return ui.sentence("results.question", section=Config(summary.section_titles.get(section_id, "")),
                       number=Config(number), text=Config(text), weight="Bolder", spacing="Medium")


def _rates_block(comparison: Comparison) -> Block:
    block: Block = [ui.text(t("comparison.rates_title"), weight="Bolder", spacing="Medium"),
                    _header(t("comparison.category"), comparison)]
    for rate in comparison.rates:
        name = t("comparison.all") if rate.category is None else t(f"results.category.{rate.category.value}")
        block.append(_row(name, t("comparison.percent", percent=rate.previous_percent),
                          t("comparison.percent", percent=rate.percent), _points(rate.difference)))
    return block


def _distribution_block(summary: SurveySummary, comparison: Comparison, change: DistributionChange) -> Block:
    block: Block = [
        _question(summary, change.section_id, change.number, change.text),
        ui.text(t("comparison.answered", previous=change.previous_answered, count=change.answered),
                size="Small", subtle=True, spacing="None"),
        _header(t("comparison.option"), comparison),
    ]
    for option in change.options:
        block.append(_row(_label(option.label), _share(option.previous_count, option.previous_percent),
                          _share(option.count, option.percent), _points(option.difference)))
    return block


def _place(rank: int | None) -> str:
    return t("comparison.place", rank=rank) if rank is not None else "–"


def _ranking_block(summary: SurveySummary, comparison: Comparison, change: RankingChange) -> Block:
    block: Block = [
        ui.text(t("comparison.goals_title"), weight="Bolder", spacing="Medium"),
        ui.sentence("results.question", section=Config(summary.section_titles.get(change.section_id, "")),
                    number=Config(change.number), text=Config(change.text), size="Small", subtle=True),
        _header(t("comparison.goal"), comparison, t("comparison.movement")),
    ]
    for goal in change.goals:
        movement = t(f"comparison.move.{goal.movement.value}", places=abs(goal.places))
        block.append(_row(_label(goal.label), _place(goal.previous_rank), _place(goal.rank), movement))
    return block


def _theme_mark(mark: ThemeMark, count: int, previous: int) -> str:
    return t(f"comparison.theme.{mark.value}", count=count, previous=previous)


def _themes_block(summary: SurveySummary, change: ThemesChange) -> Block:
    block: Block = [_question(summary, change.section_id, change.number, change.text)]
    for theme in change.themes:
        block.append(ui.sentence("comparison.theme_line", label=User(theme.label),
                                 mark=_theme_mark(theme.mark, theme.count, theme.previous_count), bullet=True,
                                 size="Small", spacing="None"))
    return block


def comparison_blocks(summary: SurveySummary, comparison: Comparison | None) -> list[Block]:
    """The comparison's blocks for the summary's cards; none when no comparison was asked for."""
    if comparison is None:
        return []
    if not comparison.available:
        return [[ui.subheading(t("comparison.title_none")), ui.text(t("comparison.none", year=comparison.year))]]
    blocks: list[Block] = [[
        ui.subheading(t("comparison.title", previous=comparison.previous_year, year=comparison.year)),
        ui.text(t("comparison.intro", previous=comparison.previous_year), size="Small", subtle=True),
    ], _rates_block(comparison)]
    blocks += [_distribution_block(summary, comparison, d) for d in comparison.distributions]
    blocks += [_ranking_block(summary, comparison, r) for r in comparison.rankings]
    if comparison.themes:
        blocks.append([ui.text(t("comparison.themes_title"), weight="Bolder", spacing="Medium")])
        blocks += [_themes_block(summary, change) for change in comparison.themes]
    if comparison.changed:
        changed: Block = [ui.text(t("comparison.changed_title"), weight="Bolder", spacing="Medium")]
        for question in comparison.changed:
            changed.append(ui.sentence("comparison.changed_line", section=Config(question.section_title),
                                       number=Config(question.number), text=Config(question.text),
                                       reason=t(f"comparison.reason.{question.reason.value}"), bullet=True,
                                       size="Small", spacing="None"))
        blocks.append(changed)
    return blocks
