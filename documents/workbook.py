"""The Excel workbook of a round's raw data (openpyxl), ready to read, filter and print.

One sheet per survey section (a row per counted organisation, a column per question), the
questions with the legal topics each informs (the Word summary files it under the first), the
free-text questions' themes (as the HYTE team curated them), the workshop notes, the response status. Every sheet: the header row bold, wrapped and frozen (with
the organisation column), an autofilter over the data, columns as wide as their content allows
(capped; long answers wrap), the header row repeated on every printed page, landscape, one page
wide. Times are real spreadsheet dates in Helsinki time (naive datetimes with a date format: a
spreadsheet has no time zones); a scale answer is a number. Sheet names: without the characters
Excel forbids, one space where one was removed, at most 31 characters, unique. A cell that would
start with = + - @ (or a tab / carriage return) is prefixed with an apostrophe (`neutralise`).
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from functools import partial
from typing import Any, Sequence

from documents.common import ExportNote, Translate, local_time, neutralise
from hyte.answers import answer_text
from hyte.results import SurveySummary
from hyte.survey import ScaleQuestion, Survey

DATE_FORMAT = "d.m.yyyy h:mm"
MAX_WIDTH = 60
MIN_WIDTH = 8
PAGE_WIDTH = 170
"""Characters of column width a landscape A4 page holds at a readable size (about 70 %)."""
SHEET_NAME_LIMIT = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str, used: set[str], fallback: str = "Taulukko") -> str:
    """An Excel sheet name from `title`: forbidden characters as spaces, runs of spaces as one,
    at most 31 characters, unique among `used` (which it is added to)."""
    name = re.sub(r"\s+", " ", _SHEET_FORBIDDEN.sub(" ", title)).strip()[:SHEET_NAME_LIMIT].strip() or fallback
    base, n = name, 2
    while name.casefold() in {u.casefold() for u in used}:
        suffix = f" ({n})"
        name, n = base[: SHEET_NAME_LIMIT - len(suffix)].rstrip() + suffix, n + 1
    used.add(name)
    return name


def _cell_value(question, answer: Any, t: Translate) -> Any:
    if isinstance(question, ScaleQuestion) and isinstance(answer, int) and not isinstance(answer, bool):
        return answer
    return neutralise(answer_text(question, answer, t))


def write_xlsx(summary: SurveySummary, survey: Survey, notes: Sequence[ExportNote], t: Translate, *,
               language: str = "fi") -> bytes:
    from openpyxl import Workbook

    t = partial(t, language=language)

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    by_org = {s.organisation.id: s for s in summary.status.organisations}

    for section in survey.sections:
        ws = workbook.create_sheet(sheet_name(section.title, used))
        rows = []
        for organisation, answers in summary.submitted:
            state = by_org.get(organisation.id)
            rows.append([
                neutralise(organisation.name), t(f"results.category.{organisation.category.value}"),
                neutralise(state.submitted_by if state else ""), local_time(state.submitted_at if state else None),
                *[_cell_value(q, answers.get(q.id), t) for q in section.questions],
            ])
        _fill(ws, [t("xlsx.organisation"), t("xlsx.category"), t("xlsx.submitted_by"), t("xlsx.submitted_at")]
              + [f"{q.number}. {q.text}" for q in section.questions], rows, freeze="B2")

    ws = workbook.create_sheet(sheet_name(t("xlsx.questions_sheet"), used))
    _fill(ws, [t("xlsx.section"), t("xlsx.number"), t("xlsx.question"), t("xlsx.topic")],
          [[neutralise(section.title), neutralise(q.number), neutralise(q.text),
            ", ".join(t(f"docx.topic.{topic.value}") for topic in survey.question_topics(q.id))]
           for section in survey.sections for q in section.questions])

    ws = workbook.create_sheet(sheet_name(t("xlsx.themes_sheet"), used))
    _fill(ws, [t("xlsx.question"), t("xlsx.theme"), t("xlsx.count"), t("xlsx.organisations"), t("xlsx.quote")],
          [[neutralise(t("results.question", section=summary.section_titles.get(r.section_id, ""), number=r.number,
                         text=r.text)), neutralise(theme.label), theme.count,
            neutralise(", ".join(o.name for o in theme.organisations)),
            neutralise(f"{theme.quotes[0].text} ({theme.quotes[0].organisation.name})" if theme.quotes else "")]
           for r in summary.texts for theme in r.themes])

    ws = workbook.create_sheet(sheet_name(t("xlsx.notes_sheet"), used))
    _fill(ws, [t("xlsx.group"), t("xlsx.question"), t("xlsx.author"), t("xlsx.time"), t("xlsx.text"), t("xlsx.reactions")],
          [[neutralise(n.group), neutralise(n.question), neutralise(n.author), local_time(n.at), neutralise(n.text),
            n.reactions] for n in notes])

    ws = workbook.create_sheet(sheet_name(t("xlsx.status_sheet"), used))
    _fill(ws, [t("xlsx.organisation"), t("xlsx.category"), t("xlsx.state"), t("xlsx.submitted_by"),
               t("xlsx.submitted_at"), t("xlsx.updated_at")],
          [[neutralise(s.organisation.name), t(f"results.category.{s.organisation.category.value}"),
            t(f"xlsx.state.{s.state.value}"), neutralise(s.submitted_by or ""), local_time(s.submitted_at),
            local_time(s.updated_at)] for s in summary.status.organisations], freeze="B2")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _fill(ws, header: Sequence[str], rows: Sequence[Sequence[Any]], freeze: str = "A2") -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.append([neutralise(v) for v in header])
    for row in rows:
        ws.append(list(row))
    top = Alignment(wrap_text=True, vertical="top")
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F0")
    widths: dict[int, float] = {}
    for row_index, row in enumerate(ws.iter_rows(), start=1):
        for cell in row:
            cell.alignment = top
            value = cell.value
            if row_index == 1:
                cell.font, cell.fill = bold, fill
                length = min(len(str(value or "")), 30)  # a long question wraps in the header
            elif isinstance(value, datetime):
                cell.number_format = DATE_FORMAT
                length = 16
            else:
                length = max((len(line) for line in str(value if value is not None else "").split("\n")), default=0)
            widths[cell.column] = max(widths.get(cell.column, 0), length)
    for column, length in widths.items():
        widths[column] = max(MIN_WIDTH, min(MAX_WIDTH, length + 2))
        ws.column_dimensions[get_column_letter(column)].width = widths[column]
    for row_index, row in enumerate(ws.iter_rows(), start=1):  # wrapped text needs its rows' height
        lines = max((_lines(cell.value, widths[cell.column]) for cell in row), default=1)
        if lines > 1:
            ws.row_dimensions[row_index].height = min(409, 15 * lines)
    ws.freeze_panes = freeze
    ws.auto_filter.ref = f"A1:{get_column_letter(max(len(header), 1))}{max(ws.max_row, 1)}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    pages_wide = -(-int(sum(widths.values())) // PAGE_WIDTH)
    ws.page_setup.fitToWidth = max(1, pages_wide)  # scaled to a readable size, pages across if wider
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if pages_wide > 1:  # each page across with the organisation (or group) column
        ws.print_title_cols = "A:A"


def _lines(value: Any, width: float) -> int:
    """How many lines a wrapped cell of `width` characters needs (roughly: a word may not split)."""
    if value is None or isinstance(value, (int, float, datetime)):
        return 1
    usable = max(1, int(width) - 1)
    return sum(max(1, -(-len(line) // usable)) for line in str(value).split("\n"))
