"""The Word summary for the regional government: a draft the HYTE team edits and sends on.

`write_docx` builds it section by section, one function each, in this order (add a section with
one line there):

1. `title_page`: title, county, "luonnos" status, date, the legal basis (Act 612/2021 §7).
2. `contents`: a table of contents (a TOC field, filled with the headings so that it reads right
   before Word updates it; Word is asked to update fields on opening for the page numbers).
3. `respondents`: the response rate by category; who answered, who did not (with a draft
   unfinished, or not started), and who chose the methods question's "cannot name one" (VII).
4. `topic_section`, once per legal topic (goals, measures, cooperation, monitoring): an opening
   with the headline figures in sentences written from the data, then every question filed under
   the topic (its own `topics` in the survey file, else its section's; the first one), grouped by
   section; under cooperation, the workshop: the themes several groups raised and every point.
5. `answers_appendix`: every submitted free-text answer with its organisation, by question.

Every page's footer has the page number (a PAGE field). Texts come from the message catalogue in
`language`. Charts: documents/charts.py; question renderers: documents/docx_questions.py.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, Callable, Sequence

from documents import docx_questions as questions
from documents.common import Translate, WorkshopPoints
from documents.comparison import add_comparison
from documents.docx_parts import add_contents, page_footer, table, update_fields_on_open
from hyte.clock import HELSINKI
from hyte.comparison import Comparison
from hyte.results import SurveySummary
from hyte.survey import LegalTopic, Survey
from hyte.text import visible


@dataclass
class Draft:
    """The document being written and what it is written from."""

    document: Any
    summary: SurveySummary
    survey: Survey
    county: str
    workshop: Sequence[WorkshopPoints]
    tr: Callable[..., str]
    date: datetime | None = None
    headings: list[tuple[int, str]] = field(default_factory=list)

    def heading(self, text: str, level: int, *, new_page: bool = False) -> None:
        """A heading listed in the table of contents; `new_page`: it starts a page (no empty page
        when the one before is full, as a page break of its own would give)."""
        paragraph = self.document.add_heading(text, level=level)
        paragraph.paragraph_format.page_break_before = new_page
        self.headings.append((level, text))

    def topic_of(self, question_id: str) -> LegalTopic:
        return self.survey.question_topics(question_id)[0]


def write_docx(
    summary: SurveySummary, survey: Survey, county: str, workshop: Sequence[WorkshopPoints], t: Translate,
    *, language: str = "fi", date: datetime | None = None, comparison: Comparison | None = None,
) -> bytes:
    from docx import Document

    draft = Draft(Document(), summary, survey, county, workshop, partial(t, language=language), date)
    draft.document.core_properties.title = draft.tr("export.docx_title", year=summary.year)
    title_page(draft)
    toc_at = contents(draft)
    respondents(draft)
    for topic in LegalTopic:
        topic_section(draft, topic)
    add_comparison(draft.document, summary, comparison, draft.tr,
                   heading=lambda text, level: draft.heading(text, level, new_page=level == 1))
    answers_appendix(draft)
    toc_at(draft.headings)
    page_footer(draft.document, draft.tr("docx.footer", year=summary.year))
    update_fields_on_open(draft.document)
    _visible(draft.document)
    out = io.BytesIO()
    draft.document.save(out)
    return out.getvalue()


def title_page(draft: Draft) -> None:
    document, tr = draft.document, draft.tr
    document.add_heading(tr("export.docx_title", year=draft.summary.year), level=0)
    document.add_paragraph(draft.county)
    status = document.add_paragraph()
    status.add_run(tr("docx.draft_status")).bold = True
    if draft.date is not None:
        local = draft.date.astimezone(HELSINKI)
        document.add_paragraph(tr("docx.dated", date=f"{local.day}.{local.month}.{local.year}"))
    document.add_paragraph(tr("docx.legal_basis"))
    document.add_paragraph(tr("docx.draft_note"))


def contents(draft: Draft) -> Callable[[list[tuple[int, str]]], None]:
    """The table of contents' place; filled once every heading is written."""
    document = draft.document
    document.add_heading(draft.tr("docx.contents"), level=1).paragraph_format.page_break_before = True
    anchor = document.add_paragraph()

    def fill(headings: list[tuple[int, str]]) -> None:
        from docx import Document

        scratch = Document()
        add_contents(scratch, [h for h in headings if h[0] <= 2])
        body = anchor._p
        for paragraph in scratch.paragraphs:
            body.addprevious(paragraph._p)
        body.getparent().remove(body)

    return fill


def respondents(draft: Draft) -> None:
    document, tr, status = draft.document, draft.tr, draft.summary.status
    draft.heading(tr("docx.respondents"), 1, new_page=True)
    document.add_paragraph(tr("docx.intro", county=draft.county, counted=draft.summary.counted,
                              total=status.overall.total))
    table(document, [tr("xlsx.category"), tr("docx.table.submitted"), tr("docx.table.all"), tr("docx.table.percent")],
          [(tr(f"results.category.{tally.category.value}"), tally.submitted, tally.total, round(tally.rate * 100))
           for tally in status.by_category]
          + [(tr("docx.table.total"), status.overall.submitted, status.overall.total, round(status.overall.rate * 100))])
    draft.heading(tr("docx.answered"), 2)
    for tally in status.by_category:
        names = [s.organisation.name for s in status.organisations
                 if s.submitted and s.organisation.category is tally.category]
        if names:
            document.add_paragraph(tr("docx.answered_in", category=tr(f"results.category.{tally.category.value}"),
                                      submitted=tally.submitted, total=tally.total, names=", ".join(names)),
                                   style="List Bullet")
    if not status.overall.submitted:
        document.add_paragraph(tr("results.no_answers"))
    draft.heading(tr("docx.not_answered"), 2)
    for s in status.missing:
        state = tr("docx.state_draft") if s.drafting else tr("docx.state_not_started")
        document.add_paragraph(f"{s.organisation.name}: {state}", style="List Bullet")
    if not status.missing:
        document.add_paragraph(tr("results.missing_none"))
    for m in draft.summary.methods:
        if m.none_organisations:
            option = m.none_numeral or f"\u201d{m.none_label}\u201d"
            document.add_paragraph(tr("docx.methods_none", option=option, count=len(m.none_organisations),
                                      organisations=", ".join(o.name for o in m.none_organisations)))


def topic_section(draft: Draft, topic: LegalTopic) -> None:
    document, tr, summary = draft.document, draft.tr, draft.summary
    draft.heading(tr(f"docx.topic.{topic.value}"), 1)
    filed = [(s, q) for s in draft.survey.sections for q in s.questions if draft.topic_of(q.id) is topic]
    workshop = topic is LegalTopic.COOPERATION and bool(draft.workshop)
    sentences = questions.opening(summary, draft.survey, [q.id for _, q in filed], tr)
    if workshop:
        themes = [f"{label} ({count})" for item in draft.workshop for label, count in item.themes]
        if themes:
            sentences.append(tr("docx.opening.workshop", themes=", ".join(themes)))
    if sentences:
        document.add_heading(tr("docx.opening"), level=3)
        for sentence in sentences:
            document.add_paragraph(sentence)
    if not filed and not workshop:
        document.add_paragraph(tr("docx.topic_empty"))
    distributions = {d.question_id: d for d in summary.distributions}
    rankings = {r.question_id: r for r in summary.goal_rankings}
    methods = {m.question_id: m for m in summary.methods}
    texts = {r.question_id: r for r in summary.texts}
    section_id = None
    for section, question in filed:
        if section.id != section_id:
            draft.heading(tr("docx.section", title=section.title), 2)
            section_id = section.id
        document.add_heading(f"{question.number}. {question.text}", level=3)
        if question.id in distributions:
            questions.distribution(document, distributions[question.id], tr)
        elif question.id in rankings:
            questions.ranking(document, rankings[question.id], summary.counted, tr)
        elif question.id in methods:
            questions.methods(document, methods[question.id], tr)
        elif question.id in texts:
            questions.themes(document, texts[question.id], tr)
    if workshop:
        workshop_section(draft)


def workshop_section(draft: Draft) -> None:
    document, tr = draft.document, draft.tr
    draft.heading(tr("docx.workshop"), 2)
    for item in draft.workshop:
        document.add_heading(item.question, level=3)
        if item.themes:
            document.add_paragraph(tr("docx.workshop_themes"))
            for label, count in item.themes:
                document.add_paragraph(tr("docx.workshop_theme", label=label, count=count), style="List Bullet")
        document.add_paragraph(tr("docx.workshop_points"))
        for point in item.points:
            document.add_paragraph(point, style="List Bullet 2")
        if not item.points:
            document.add_paragraph(tr("docx.workshop_no_points"), style="List Bullet 2")


def answers_appendix(draft: Draft) -> None:
    document, tr, summary = draft.document, draft.tr, draft.summary
    draft.heading(tr("docx.appendix"), 1, new_page=True)
    document.add_paragraph(tr("docx.appendix_intro"))
    for result in summary.texts:
        draft.heading(tr("docx.appendix_question", section=summary.section_titles.get(result.section_id, ""),
                         number=result.number), 2)
        document.add_paragraph(result.text).runs[0].italic = True
        document.add_paragraph(tr("docx.question_topic",
                                  topic=tr(f"docx.topic.{draft.topic_of(result.question_id).value}")))
        for answer in result.answers:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{answer.organisation.name}: ").bold = True
            paragraph.add_run(answer.text)
        if not result.answers:
            document.add_paragraph(tr("results.no_answers"))
    for ranking in summary.goal_rankings:
        if ranking.others:
            draft.heading(tr("docx.appendix_question", section=summary.section_titles.get(ranking.section_id, ""),
                             number=ranking.number), 2)
            document.add_paragraph(ranking.text).runs[0].italic = True
            document.add_paragraph(tr("results.other_texts", option=ranking.other_label))
            for other in ranking.others:
                paragraph = document.add_paragraph()
                paragraph.add_run(f"{other.organisation.name}: ").bold = True
                paragraph.add_run(other.text)


def _visible(document) -> None:
    """Answers, names and notes show without reordering controls, in the body and the tables."""
    paragraphs = list(document.paragraphs)
    for grid in document.tables:
        for row in grid.rows:
            for cell in row.cells:
                paragraphs += cell.paragraphs
    for paragraph in paragraphs:
        for run in paragraph.runs:
            if run.text:
                run.text = visible(run.text)
