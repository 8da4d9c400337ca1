"""The summary of the negotiations for the regional government (Word, python-docx):
"Yhteenveto HYTE-neuvotteluista <year>".

1. "Yhteenveto lyhyesti": the conclusions by the four legal topics, each ending with numbered
   references ("[1][3]") to its evidence.
2. "Lähteet": the references, numbered in order of first use: a survey question with how many
   organisations answered and which (and, for a choice question, how they chose), a survey theme
   with its organisations, a workshop note with its group and text, a workshop theme with its groups.
3. "Aineisto": the evidence in brief: the survey's distributions, goal rankings and themes, the
   workshop's raised points by question and group, and the themes across groups.
4. The decision proposal page, from the round's template (hyte/decision.py).

Texts come through `t` (the catalogue's function, bound to the document's language by the caller).
CPU-bound: the bot runs it in a worker thread.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Callable, Sequence

from hyte.meeting import Conclusion, EvidenceRef, SummaryVersion, by_topic
from hyte.meeting_evidence import Evidence, EvidenceIndex
from hyte.results import SurveySummary
from hyte.text import visible

Translate = Callable[..., str]
MAX_NAMES = 30
"""Organisations named in one reference; more are counted."""


@dataclass(frozen=True)
class SummaryInput:
    county: str
    year: int
    version: SummaryVersion | None
    """The finished version the document is of (None: a draft of the current conclusions)."""
    conclusions: Sequence[Conclusion]
    index: EvidenceIndex
    survey: SurveySummary | None
    raised: Sequence[tuple[str, Sequence[tuple[str, Sequence[str]]]]]
    """Per workshop question, each group's raised points (hyte.meeting_evidence.raised_by_group)."""
    workshop_themes: Sequence[tuple[str, Sequence[tuple[str, str]]]]
    """Per workshop question, its themes across groups: (label, groups)."""
    decision_title: str
    decision: Sequence[str]
    """The decision proposal's paragraphs, filled."""
    finished_at_text: str = ""


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:MAX_NAMES])
    return shown + (f" (+{len(names) - MAX_NAMES})" if len(names) > MAX_NAMES else "")


def reference_lines(evidence: Evidence | None, t: Translate, counted: int) -> list[str]:
    """What a reference says: a first line, then details (a choice question's options)."""
    if evidence is None:
        return [t("docx.meeting.ref_missing")]
    kind = evidence.ref.kind.value
    if kind == "sq":
        lines = [t("docx.meeting.ref_question", question=_sentence(evidence.question), count=len(evidence.organisations),
                   total=counted, organisations=_names(evidence.organisations) or "–")]
        lines += [t("docx.meeting.ref_count", label=c.label, count=len(c.organisations),
                    organisations=_names(c.organisations)) for c in evidence.counts]
        return lines
    if kind == "st":
        lines = [t("docx.meeting.ref_survey_theme", label=evidence.label, question=evidence.question,
                   count=len(evidence.organisations), organisations=_names(evidence.organisations))]
        return lines + ([t("docx.meeting.ref_quote", quote=evidence.quote)] if evidence.quote else [])
    if kind == "wn":
        mark = t(f"meeting.mark_{evidence.mark}")
        return [t("docx.meeting.ref_note", group=", ".join(evidence.groups), question=evidence.question or "–",
                  text=evidence.label, mark=mark)]
    lines = [t("docx.meeting.ref_workshop_theme", label=evidence.label, question=evidence.question,
               groups=", ".join(evidence.groups))]
    return lines + ([t("docx.meeting.ref_quote", quote=evidence.quote)] if evidence.quote else [])


def _sentence(text: str) -> str:
    """A question as a sentence of its own (most end with "?")."""
    return text if text.endswith(("?", ".", "!")) else text + "."


def numbered_references(conclusions: Sequence[Conclusion]) -> dict[EvidenceRef, int]:
    """Each reference's number, in order of first use through the topics."""
    numbers: dict[EvidenceRef, int] = {}
    for _topic, items in by_topic(conclusions):
        for conclusion in items:
            for ref in conclusion.evidence:
                numbers.setdefault(ref, len(numbers) + 1)
    return numbers


def write_summary_docx(data: SummaryInput, t: Translate) -> bytes:
    from docx import Document
    from docx.enum.text import WD_BREAK

    document = Document()
    title = t("docx.meeting.title", year=data.year)
    document.core_properties.title = title
    document.add_heading(title, level=0)
    if data.version is not None:
        document.add_paragraph(t("docx.meeting.intro", county=data.county, number=data.version.number,
                                 at=data.finished_at_text, by=data.version.finished_by or t("person.erased")))
    else:
        document.add_paragraph(t("docx.meeting.draft", county=data.county))

    numbers = numbered_references(data.conclusions)
    document.add_heading(t("docx.meeting.brief"), level=1)
    for topic, items in by_topic(data.conclusions):
        document.add_heading(t(f"meeting.topic.{topic.value}"), level=2)
        if not items:
            document.add_paragraph(t("docx.meeting.no_conclusions"))
        for conclusion in items:
            marks = "".join(f"[{numbers[ref]}]" for ref in conclusion.evidence)
            document.add_paragraph(f"{conclusion.text} {marks}".strip(), style="List Number")

    if numbers:
        document.add_heading(t("docx.meeting.references"), level=1)
        document.add_paragraph(t("docx.meeting.references_intro"))
        for ref, number in numbers.items():
            first, *details = reference_lines(data.index.resolve(ref), t, data.index.survey_counted)
            document.add_paragraph(f"[{number}] {first}")
            for line in details:
                document.add_paragraph(line, style="List Bullet")

    document.add_heading(t("docx.meeting.evidence"), level=1)
    _survey_evidence(document, data.survey, t)
    _workshop_evidence(document, data.raised, data.workshop_themes, t)

    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading(data.decision_title, level=1)
    for paragraph in data.decision:
        document.add_paragraph(paragraph)

    for paragraph in document.paragraphs:  # answers, names and notes show without reordering controls
        for run in paragraph.runs:
            run.text = visible(run.text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _survey_evidence(document, survey: SurveySummary | None, t: Translate) -> None:
    if survey is None:
        return
    document.add_heading(t("docx.meeting.evidence_survey", counted=survey.counted,
                           total=survey.status.overall.total), level=2)
    titles = survey.section_titles
    for d in survey.distributions:
        document.add_heading(f"{titles.get(d.section_id, '')}, {d.number}. {d.text}".lstrip(", "), level=3)
        for bar in d.bars:
            document.add_paragraph(f"{bar.label}: {bar.count}", style="List Bullet")
    for r in survey.goal_rankings:
        document.add_heading(f"{titles.get(r.section_id, '')}, {r.number}. {r.text}".lstrip(", "), level=3)
        for goal in r.goals[:10]:
            document.add_paragraph(f"{goal.label}: {goal.count}", style="List Bullet")
    for text in survey.texts:
        document.add_heading(f"{titles.get(text.section_id, '')}, {text.number}. {text.text}".lstrip(", "), level=3)
        document.add_paragraph(t("docx.meeting.evidence_answers", count=len(text.answers),
                                 organisations=_names([a.organisation.name for a in text.answers]) or "–"))
        for theme in text.themes:
            document.add_paragraph(f"{theme.label}: {theme.count} ({_names([o.name for o in theme.organisations])})",
                                   style="List Bullet")


def _workshop_evidence(document, raised, themes, t: Translate) -> None:
    if not raised and not themes:
        return
    document.add_heading(t("docx.meeting.evidence_workshop"), level=2)
    theme_map = dict(themes)
    for question, groups in raised:
        document.add_heading(question, level=3)
        for group, points in groups:
            for point in points:
                document.add_paragraph(f"{group}: {point}", style="List Bullet")
        for label, names in theme_map.get(question, ()):
            document.add_paragraph(f"{label} ({names})", style="List Bullet 2")
