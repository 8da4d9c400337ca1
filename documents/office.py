"""The exports for the HYTE team and the regional government: bytes from `hyte.results` objects.

- `write_xlsx`: the raw data (openpyxl): one sheet per survey section with a row per counted
  organisation and a column per question, the workshop notes, the response status. A cell that
  would start with = + - @ (or a tab / carriage return) is prefixed with an apostrophe, so that no
  spreadsheet evaluates it as a formula.
- `write_docx`: "Yhteenveto HYTE-neuvotteluista <year>" (python-docx), organised by the four legal
  topics; distributions as chart images drawn with matplotlib's Agg backend (no display needed,
  imported only when a document is written).

Texts come through `t` (the message catalogue's function, injected by the caller). CPU-bound:
callers in the bot run them in a worker thread.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Sequence

from documents.comparison import add_comparison
from hyte.answers import answer_text
from hyte.comparison import Comparison
from hyte.clock import HELSINKI
from hyte.results import Distribution, GoalRanking, SurveySummary, TextResult
from hyte.survey import LegalTopic, Survey
from hyte.text import visible

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
Translate = Callable[..., str]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass(frozen=True)
class ExportNote:
    """A workshop note as the Excel sheet shows it (filled from the workshop's repository)."""

    group: str
    question: str
    author: str
    at: datetime
    text: str
    reactions: int = 0


@dataclass(frozen=True)
class WorkshopPoints:
    """One workshop question's points for the Word document."""

    question: str
    points: tuple[str, ...]


def neutralise(value: Any) -> Any:
    """A value safe for a spreadsheet cell: without controls that reorder or hide text
    (hyte.text.visible), and text that would be read as a formula gets a leading '."""
    if not isinstance(value, str):
        return value
    value = visible(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _local(at: datetime | None) -> datetime | None:
    return at.astimezone(HELSINKI).replace(tzinfo=None) if at else None


# Excel --------------------------------------------------------------------------------------------


def write_xlsx(summary: SurveySummary, survey: Survey, notes: Sequence[ExportNote], t: Translate) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook(write_only=False)
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    used_titles: set[str] = set()

    def sheet(title: str):
        title = title.translate(_SHEET_FORBIDDEN).strip()[:31] or "Taulukko"
        base, n = title, 2
        while title in used_titles:
            suffix = f" ({n})"
            title, n = base[: 31 - len(suffix)] + suffix, n + 1
        used_titles.add(title)
        return workbook.create_sheet(title)

    def header(ws, values: Sequence[str]) -> None:
        ws.append([neutralise(v) for v in values])
        for cell in ws[1]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"

    for section in survey.sections:
        ws = sheet(section.title)
        header(ws, [t("xlsx.organisation"), t("xlsx.category"), t("xlsx.submitted_by"), t("xlsx.submitted_at")]
               + [f"{q.number}. {q.text}" for q in section.questions])
        by_org = {s.organisation.id: s for s in summary.status.organisations}
        for organisation, answers in summary.submitted:
            state = by_org.get(organisation.id)
            ws.append([
                neutralise(organisation.name), t(f"results.category.{organisation.category.value}"),
                neutralise(state.submitted_by if state else ""), _local(state.submitted_at if state else None),
                *[neutralise(answer_text(q, answers.get(q.id), t)) for q in section.questions],
            ])
        for column in ws.iter_cols(min_row=1, max_row=1):
            ws.column_dimensions[column[0].column_letter].width = 40 if column[0].column > 4 else 24

    ws = sheet(t("xlsx.notes_sheet"))
    header(ws, [t("xlsx.group"), t("xlsx.question"), t("xlsx.author"), t("xlsx.time"), t("xlsx.text"), t("xlsx.reactions")])
    for note in notes:
        ws.append([neutralise(note.group), neutralise(note.question), neutralise(note.author), _local(note.at),
                   neutralise(note.text), note.reactions])

    ws = sheet(t("xlsx.status_sheet"))
    header(ws, [t("xlsx.organisation"), t("xlsx.category"), t("xlsx.state"), t("xlsx.submitted_by"), t("xlsx.submitted_at"), t("xlsx.updated_at")])
    for s in summary.status.organisations:
        ws.append([
            neutralise(s.organisation.name), t(f"results.category.{s.organisation.category.value}"),
            t(f"xlsx.state.{s.state.value}"), neutralise(s.submitted_by or ""), _local(s.submitted_at), _local(s.updated_at),
        ])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# Word ---------------------------------------------------------------------------------------------


def bar_chart_png(title: str, bars: Sequence[tuple[str, int]]) -> bytes:
    """A horizontal bar chart as PNG (matplotlib, Agg backend: no display, no global pyplot state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = [_wrap(label, 48) for label, _ in bars][::-1]
    values = [count for _, count in bars][::-1]
    figure = Figure(figsize=(6.5, 0.45 * len(bars) + 1.0), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.barh(range(len(values)), values, color="#2f6f9f")
    axes.set_yticks(range(len(values)), labels, fontsize=8)
    axes.set_title(_wrap(title, 80), fontsize=9)
    axes.xaxis.get_major_locator().set_params(integer=True)
    for index, value in enumerate(values):
        axes.text(value, index, f" {value}", va="center", fontsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _wrap(text: str, width: int) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines[:3])


def write_docx(
    summary: SurveySummary, survey: Survey, county: str, workshop: Sequence[WorkshopPoints], t: Translate,
    comparison: Comparison | None = None,
) -> bytes:
    from docx import Document
    from docx.shared import Cm

    document = Document()
    document.core_properties.title = t("export.docx_title", year=summary.year)
    document.add_heading(t("export.docx_title", year=summary.year), level=0)
    status = summary.status
    document.add_paragraph(t("docx.intro", county=county, counted=summary.counted, total=status.overall.total))
    for tally in status.by_category:
        document.add_paragraph(
            t("docx.rate_line", category=t(f"results.category.{tally.category.value}"), submitted=tally.submitted,
              total=tally.total, percent=round(tally.rate * 100)),
            style="List Bullet",
        )

    sections_by_topic: dict[LegalTopic, list] = {topic: [] for topic in LegalTopic}
    for section in survey.sections:
        sections_by_topic[summary.section_topics(section.id)[0] if summary.section_topics(section.id) else LegalTopic.GOALS].append(section)
    distributions = {d.question_id: d for d in summary.distributions}
    rankings = {r.question_id: r for r in summary.goal_rankings}
    methods = {m.question_id: m for m in summary.methods}
    texts = {r.question_id: r for r in summary.texts}

    def chart(title: str, bars: Sequence[tuple[str, int]]) -> None:
        if bars:
            document.add_picture(io.BytesIO(bar_chart_png(title, bars)), width=Cm(15))

    for topic in LegalTopic:
        document.add_heading(t(f"docx.topic.{topic.value}"), level=1)
        sections = sections_by_topic[topic]
        if not sections and not (topic is LegalTopic.COOPERATION and workshop):
            document.add_paragraph(t("docx.topic_empty"))
        for section in sections:
            document.add_heading(t("docx.section", title=section.title), level=2)
            for question in section.questions:
                document.add_heading(f"{question.number}. {question.text}", level=3)
                if question.id in distributions:
                    _distribution(document, distributions[question.id], chart, t)
                elif question.id in rankings:
                    _ranking(document, rankings[question.id], summary.counted, chart, t)
                elif question.id in methods:
                    for area, proposals in methods[question.id].by_area:
                        document.add_paragraph(f"{area.numeral}. {area.label}", style="List Bullet")
                        for p in proposals:
                            document.add_paragraph(
                                t("docx.method", name=p.name, level=p.level_label or "–", organisation=p.organisation.name)
                                + (f": {p.description}" if p.description else ""),
                                style="List Bullet 2",
                            )
                        if not proposals:
                            document.add_paragraph(t("results.no_methods"), style="List Bullet 2")
                    result = methods[question.id]
                    if result.none_organisations:
                        count = len(result.none_organisations)
                        option = result.none_numeral or f"\u201d{result.none_label}\u201d"
                        document.add_paragraph(t("results.methods_none_one" if count == 1 else "results.methods_none",
                                                 option=option, count=count))
                elif question.id in texts:
                    _themes(document, texts[question.id], t)
        if topic is LegalTopic.COOPERATION and workshop:
            document.add_heading(t("docx.workshop"), level=2)
            for item in workshop:
                document.add_heading(item.question, level=3)
                for point in item.points:
                    document.add_paragraph(point, style="List Bullet")
    add_comparison(document, summary, comparison, t)  # this year against last (documents/comparison.py)
    for paragraph in document.paragraphs:  # answers, names and notes show without reordering controls
        for run in paragraph.runs:
            run.text = visible(run.text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _distribution(document, d: Distribution, chart, t: Translate) -> None:
    bars = [(bar.label, bar.count) for bar in d.bars]
    chart(d.text, bars)
    for label, count in bars:
        document.add_paragraph(f"{label}: {count}", style="List Bullet")
    document.add_paragraph(t("results.answered", count=d.answered))


def _ranking(document, ranking: GoalRanking, counted: int, chart, t: Translate) -> None:
    chart(t("results.goals_chart"), [(g.label, g.count) for g in ranking.goals[:10]])
    for index, goal in enumerate(ranking.goals, start=1):
        document.add_paragraph(
            t("docx.goal", rank=index, label=goal.label, count=goal.count, total=counted,
              organisations=", ".join(o.name for o in goal.organisations)),
            style="List Number",
        )
    if ranking.others:
        document.add_paragraph(t("results.other_texts", option=ranking.other_label))
        for other in ranking.others:
            document.add_paragraph(f"{other.text} ({other.organisation.name})", style="List Bullet")


def _themes(document, result: TextResult, t: Translate) -> None:
    document.add_paragraph(t("results.text_answers", count=len(result.answers)))
    if not result.themes:
        document.add_paragraph(t("docx.no_themes"))
    for theme in result.themes:
        document.add_paragraph(
            t("docx.theme", label=theme.label, count=theme.count,
              organisations=", ".join(o.name for o in theme.organisations)),
            style="List Bullet",
        )
        for quote in theme.quotes:
            document.add_paragraph(f"\u201d{quote.text}\u201d ({quote.organisation.name})", style="Quote")
