"""What a conclusion may rest on, and what its references resolve to (hyte/meeting.py has the
references): built once from the survey's summary (hyte/results.py) and the workshop's
(hyte/workshop_summary.py) with the notes the groups raised.

`EvidenceIndex.options()` lists what the conclusion card offers; `resolve(ref)` gives an `Evidence`
with the question, how many organisations and which ones, or the group and the note: the facts a
reference in the Word document states. A reference whose source is gone resolves to None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from hyte.meeting import EvidenceKind, EvidenceRef
from hyte.results import SurveySummary
from hyte.workshop import Note
from hyte.workshop_summary import WorkshopSummary, point_text


@dataclass(frozen=True)
class Count:
    """One option of a choice question, or one goal: how many organisations, which ones."""

    label: str
    organisations: tuple[str, ...]


@dataclass(frozen=True)
class Evidence:
    ref: EvidenceRef
    question: str
    """The survey question ("Tavoitteet ja toimenpiteet, 1. …") or the workshop question ("2. …")."""
    label: str = ""
    """A theme's label; a note's text."""
    organisations: tuple[str, ...] = ()
    """The organisations the evidence counts (that answered, that raised the theme)."""
    counts: tuple[Count, ...] = ()
    """A choice question's options or a ranking's goals (chosen at least once)."""
    groups: tuple[str, ...] = ()
    """The workshop group(s): a note's group, a theme's groups."""
    quote: str = ""
    raised: bool = False
    highlight: bool = False

    @property
    def mark(self) -> str:
        """What a note is to the meeting: "raised" by its group, a "highlight" of the HYTE team's, or
        a plain "note" (linked while raised, taken back since)."""
        return "raised" if self.raised else "highlight" if self.highlight else "note"


@dataclass
class EvidenceIndex:
    items: dict[str, Evidence] = field(default_factory=dict)
    survey_counted: int = 0
    known: dict[str, Evidence] = field(default_factory=dict)
    """Evidence that resolves but is not offered any more: a note its group no longer raises."""

    def options(self) -> list[Evidence]:
        return list(self.items.values())

    def offered(self) -> set[str]:
        return set(self.items)

    def resolve(self, ref: EvidenceRef) -> Evidence | None:
        key = str(ref)
        return self.items.get(key) or self.known.get(key)


def build_index(
    survey: SurveySummary | None, workshop: WorkshopSummary | None, notes: Iterable[Note] = (),
    raised: set[str] | frozenset[str] = frozenset(),
) -> EvidenceIndex:
    index = EvidenceIndex(survey_counted=survey.counted if survey is not None else 0)
    if survey is not None:
        _survey(index, survey)
    if workshop is not None:
        _workshop(index, workshop, notes, raised)
    return index


def _question_label(survey: SurveySummary, section_id: str, number: str, text: str) -> str:
    section = survey.section_titles.get(section_id, "")
    numbered = f"{number}. {text}" if number else text
    return f"{section}, {numbered}" if section else numbered


def _answered(survey: SurveySummary, question_id: str) -> tuple[str, ...]:
    return tuple(o.name for o, answers in survey.submitted if answers.get(question_id) not in (None, "", [], {}))


def _survey(index: EvidenceIndex, survey: SurveySummary) -> None:
    def add(ref: EvidenceRef, evidence: Evidence) -> None:
        index.items[str(ref)] = evidence

    for d in survey.distributions:
        ref = EvidenceRef(EvidenceKind.SURVEY_QUESTION, d.question_id)
        counts = tuple(
            Count(bar.label, tuple(o.name for o, a in survey.submitted if str(a.get(d.question_id)) == bar.key))
            for bar in d.bars if bar.count
        )
        add(ref, Evidence(ref, _question_label(survey, d.section_id, d.number, d.text),
                          organisations=_answered(survey, d.question_id), counts=counts))
    for r in survey.goal_rankings:
        ref = EvidenceRef(EvidenceKind.SURVEY_QUESTION, r.question_id)
        counts = tuple(Count(g.label, tuple(o.name for o in g.organisations)) for g in r.goals[:5])
        add(ref, Evidence(ref, _question_label(survey, r.section_id, r.number, r.text),
                          organisations=_answered(survey, r.question_id), counts=counts))
    for m in survey.methods:
        ref = EvidenceRef(EvidenceKind.SURVEY_QUESTION, m.question_id)
        proposing = sorted({p.organisation.name for _, proposals in m.by_area for p in proposals})
        add(ref, Evidence(ref, _question_label(survey, m.section_id, "", m.text),
                          organisations=tuple(proposing)))
    for t in survey.texts:
        question = _question_label(survey, t.section_id, t.number, t.text)
        ref = EvidenceRef(EvidenceKind.SURVEY_QUESTION, t.question_id)
        add(ref, Evidence(ref, question, organisations=tuple(a.organisation.name for a in t.answers)))
        for theme in t.themes:
            if not theme.key or "," in theme.key:
                continue
            theme_ref = EvidenceRef(EvidenceKind.SURVEY_THEME, t.question_id, theme.key)
            add(theme_ref, Evidence(
                theme_ref, question, label=theme.label, organisations=tuple(o.name for o in theme.organisations),
                quote=theme.quotes[0].text if theme.quotes else "",
            ))


def _workshop(index: EvidenceIndex, workshop: WorkshopSummary, notes: Iterable[Note], raised: set[str] | frozenset[str]) -> None:
    groups = {g.channel_id: g.name for g in workshop.groups}
    questions = {q.question.id: f"{q.question.number}. {q.question.text}" for q in workshop.questions}
    live = sorted((n for n in notes if not n.deleted and not n.late and n.text.strip() and n.channel_id in groups),
                  key=lambda n: (groups_order(workshop, n.channel_id), n.created_at, n.message_id))
    for note in live:
        ref = EvidenceRef(EvidenceKind.WORKSHOP_NOTE, "", note.key)
        offered = note.key in raised or note.highlight
        (index.items if offered else index.known)[str(ref)] = Evidence(
            ref, questions.get(note.question_id or "", ""), label=point_text(workshop.definition, note),
            groups=(groups[note.channel_id],), raised=note.key in raised, highlight=note.highlight,
        )
    for summary in workshop.questions:
        for theme in summary.themes:
            if not theme.key or "," in theme.key:
                continue
            ref = EvidenceRef(EvidenceKind.WORKSHOP_THEME, summary.question.id, theme.key)
            index.items[str(ref)] = Evidence(
                ref, questions[summary.question.id], label=theme.label, groups=tuple(g.name for g in theme.groups),
                quote=theme.quotes[0] if theme.quotes else "",
            )


def groups_order(workshop: WorkshopSummary, channel_id: str) -> int:
    for group in workshop.groups:
        if group.channel_id == channel_id:
            return group.position
    return 1_000_000


def raised_by_group(workshop: WorkshopSummary, notes: Sequence[Note], raised: set[str]) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """Per workshop question ("1. …"), each group's raised points (texts), groups in order; only
    questions and groups with something raised."""
    groups = sorted(workshop.groups, key=lambda g: g.position)
    live = [n for n in notes if not n.deleted and not n.late and n.key in raised and n.text.strip()]
    live.sort(key=lambda n: (n.created_at, n.message_id))
    result = []
    for summary in workshop.questions:
        per_group = []
        for group in groups:
            texts = [point_text(workshop.definition, n) for n in live
                     if n.channel_id == group.channel_id and n.question_id == summary.question.id]
            if texts:
                per_group.append((group.name, texts))
        result.append((f"{summary.question.number}. {summary.question.text}", per_group))
    return result
