"""Draft entries for the HYTE part of the budget and operating plan (talous- ja
toimintasuunnitelma), for the `results_into_plan` phase: per topic each conclusion, its evidence in
one line, and empty columns for the measure, the responsible party and the indicator that the HYTE
team fills in. As a Word table and an Excel sheet (cells neutralised against formulas).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Callable, Sequence

from hyte.meeting import Conclusion, by_topic
from hyte.meeting_evidence import Evidence, EvidenceIndex
from hyte.text import cut, visible

Translate = Callable[..., str]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A cell's text that no spreadsheet evaluates as a formula (as documents/office.py does)."""
    value = visible(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


@dataclass(frozen=True)
class PlanEntry:
    topic: str
    conclusion: str
    evidence: str


def one_line(evidence: Evidence | None, t: Translate) -> str:
    if evidence is None:
        return t("docx.meeting.ref_missing")
    kind = evidence.ref.kind.value
    if kind == "sq":
        return t("meeting.evidence_question", question=cut(evidence.question, 80), count=len(evidence.organisations))
    if kind == "st":
        return t("meeting.evidence_survey_theme", label=evidence.label, count=len(evidence.organisations))
    if kind == "wn":
        mark = t(f"meeting.mark_{evidence.mark}")
        return t("meeting.evidence_note", group=", ".join(evidence.groups), text=cut(evidence.label, 80), mark=mark)
    return t("meeting.evidence_workshop_theme", label=evidence.label, groups=", ".join(evidence.groups))


def plan_entries(conclusions: Sequence[Conclusion], index: EvidenceIndex, t: Translate) -> list[PlanEntry]:
    entries = []
    for topic, items in by_topic(conclusions):
        for conclusion in items:
            evidence = "; ".join(one_line(index.resolve(ref), t) for ref in conclusion.evidence)
            entries.append(PlanEntry(t(f"meeting.topic.{topic.value}"), conclusion.text, evidence))
    return entries


def _columns(t: Translate) -> list[str]:
    return [t(f"docx.plan.{c}") for c in ("topic", "conclusion", "evidence", "measure", "responsible", "indicator")]


def write_plan_docx(entries: Sequence[PlanEntry], title: str, intro: str, t: Translate) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    section.left_margin = section.right_margin = Cm(1.5)
    document.core_properties.title = title
    document.add_heading(title, level=0)
    document.add_paragraph(intro)
    columns = _columns(t)
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, columns):
        cell.text = name
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for entry in entries:
        cells = table.add_row().cells
        for cell, value in zip(cells, (entry.topic, entry.conclusion, entry.evidence, "", "", "")):
            cell.text = visible(value)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def write_plan_xlsx(entries: Sequence[PlanEntry], t: Translate) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = t("docx.plan.sheet")[:31]
    sheet.append(_columns(t))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for entry in entries:
        sheet.append([neutralise(v) for v in (entry.topic, entry.conclusion, entry.evidence)] + ["", "", ""])
    for letter, width in zip("ABCDEF", (16, 60, 60, 30, 24, 24)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
