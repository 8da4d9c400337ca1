"""The Word summary's section on this year against last (hyte/comparison.py), for python-docx.

`add_comparison(document, summary, comparison, t)` adds, after the four legal topics (monitoring is
the last of them, and change over time is what it is about): the response rate by category in both
years, each compared choice question as a table (the option, last year's and this year's count and
share, the difference in percentage points), the goals' places in both years with how each moved,
the free-text themes marked new, recurring or dropped, and the questions not compared with why. A
round without a previous one gets a sentence saying so. Texts through `t` (the catalogue's).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from hyte.comparison import Comparison
from hyte.results import SurveySummary
from hyte.text import visible

Translate = Callable[..., str]
TABLE_STYLE = "Table Grid"
LABEL_CM, FIGURE_CM = 7.0, 3.0
"""Column widths: the label (an option, a goal, a category) and each figure."""


def _points(t: Translate, value: int) -> str:
    return t("comparison.points", points=f"{value:+d}" if value else "0")


def _table(document: Any, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    from docx.shared import Cm

    table = document.add_table(rows=1, cols=len(header))
    table.style = TABLE_STYLE
    table.autofit = False
    for cell, value in zip(table.rows[0].cells, header):
        cell.text = ""
        cell.paragraphs[0].add_run(visible(value)).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = visible(value)
    for index, column in enumerate(table.columns):
        width = Cm(LABEL_CM if index == 0 else FIGURE_CM)
        column.width = width
        for cell in column.cells:
            cell.width = width


def _question(t: Translate, summary: SurveySummary, section_id: str, number: str, text: str) -> str:
    return t("results.question", section=summary.section_titles.get(section_id, ""), number=number, text=text)


def add_comparison(document: Any, summary: SurveySummary, comparison: Comparison | None, t: Translate) -> None:
    """The section (see the module's docstring); nothing when no comparison was asked for."""
    if comparison is None:
        return
    if not comparison.available:
        document.add_heading(t("comparison.title_none"), level=1)
        document.add_paragraph(t("comparison.none", year=comparison.year))
        return
    years = (str(comparison.previous_year), str(comparison.year))
    document.add_heading(t("comparison.docx_title", previous=comparison.previous_year, year=comparison.year), level=1)
    document.add_paragraph(t("comparison.docx_intro", previous=comparison.previous_year))

    document.add_heading(t("comparison.rates_title"), level=2)
    _table(document, (t("comparison.docx_category"), *years, t("comparison.change")), [
        (t("comparison.all") if r.category is None else t(f"results.category.{r.category.value}"),
         t("comparison.docx_rate", submitted=r.previous_submitted, total=r.previous_total, percent=r.previous_percent),
         t("comparison.docx_rate", submitted=r.submitted, total=r.total, percent=r.percent),
         _points(t, r.difference))
        for r in comparison.rates
    ])

    for change in comparison.distributions:
        document.add_heading(_question(t, summary, change.section_id, change.number, change.text), level=3)
        document.add_paragraph(t("comparison.answered", previous=change.previous_answered, count=change.answered))
        _table(document, (t("comparison.option"), *years, t("comparison.change")), [
            (o.label, t("comparison.share", count=o.previous_count, percent=o.previous_percent),
             t("comparison.share", count=o.count, percent=o.percent), _points(t, o.difference))
            for o in change.options
        ])

    for ranking in comparison.rankings:
        document.add_heading(t("comparison.docx_goals", text=ranking.text), level=2)

        def place(rank: int | None) -> str:
            return t("comparison.place", rank=rank) if rank is not None else "–"

        _table(document, (t("comparison.goal"), *years, t("comparison.movement")), [
            (g.label, place(g.previous_rank), place(g.rank),
             t(f"comparison.move.{g.movement.value}", places=abs(g.places)))
            for g in ranking.goals
        ])

    if comparison.themes:
        document.add_heading(t("comparison.themes_title"), level=2)
        for change in comparison.themes:
            document.add_heading(_question(t, summary, change.section_id, change.number, change.text), level=3)
            for theme in change.themes:
                mark = t(f"comparison.theme.{theme.mark.value}", count=theme.count, previous=theme.previous_count)
                document.add_paragraph(visible(t("comparison.theme_line", label=theme.label, mark=mark)),
                                       style="List Bullet")

    if comparison.changed:
        document.add_heading(t("comparison.docx_changed_title"), level=2)
        for question in comparison.changed:
            document.add_paragraph(t("comparison.changed_line", section=question.section_title, number=question.number,
                                     text=question.text, reason=t(f"comparison.reason.{question.reason.value}")),
                                   style="List Bullet")
