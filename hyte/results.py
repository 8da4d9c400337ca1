"""Consolidation of a round's pre-survey: response status and the survey summary, in plain Python.

Only submitted responses count, each with its latest submitted version (`submitted_answers`);
edits made after submitting and not submitted again are not counted. Drafts are reported
separately (which organisations are drafting, never what they wrote).

Free-text answers are grouped into recurring themes by `hyte.themes` (lemmatised locally; no text
leaves the process). Everything here is pure: responses and the round in, frozen results out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

from hyte.responses import Response
from hyte.round import Organisation, Round
from hyte.status import Status, response_status
from hyte.survey import (
    EvidenceLevel, LegalTopic, MethodsQuestion, MultiChoiceQuestion, PriorityArea, ScaleQuestion,
    SingleChoiceQuestion, TextQuestion,
)

from hyte.thesaurus import Thesaurus
from hyte.lemmas import lemmatiser_available
from hyte.phrases import ThemeInput
from hyte.themes import find_themes

QUOTES_PER_THEME = 2
THEME_LIMIT = 10
THEME_RESERVE = 5
"""Themes ranked after the shown ones, kept to move up when the HYTE team hides or merges one."""
EVIDENCE_ORDER = {level: index for index, level in enumerate(EvidenceLevel)}


# The survey summary ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Distribution:
    """How the submitted responses answered one choice question (single choice, scale)."""

    question_id: str
    number: str
    text: str
    section_id: str
    bars: tuple[Bar, ...]

    @property
    def answered(self) -> int:
        return sum(bar.count for bar in self.bars)


@dataclass(frozen=True)
class RankedGoal:
    option_id: str
    label: str
    organisations: tuple[Organisation, ...]

    @property
    def count(self) -> int:
        return len(self.organisations)


@dataclass(frozen=True)
class OtherText:
    organisation: Organisation
    text: str


@dataclass(frozen=True)
class GoalRanking:
    question_id: str
    number: str
    text: str
    section_id: str
    goals: tuple[RankedGoal, ...]
    """Options chosen at least once, most chosen first (ties in the survey's order)."""
    others: tuple[OtherText, ...]
    """The "Jokin muu, mikä" texts."""
    other_label: str = ""
    """The label of the option those texts were written for ("Jokin muu, mikä")."""


@dataclass(frozen=True)
class MethodProposal:
    area: PriorityArea
    organisation: Organisation
    name: str
    description: str | None
    level: EvidenceLevel | None
    level_label: str | None


@dataclass(frozen=True)
class MethodsResult:
    question_id: str
    section_id: str
    text: str
    by_area: tuple[tuple[PriorityArea, tuple[MethodProposal, ...]], ...]
    """Every priority area in order, its proposals strongest evidence first."""
    none_label: str
    none_organisations: tuple[Organisation, ...]
    """Organisations that answered "cannot name one now"."""
    none_numeral: str | None = None
    """How the survey numbers that choice ("VII"), if it does."""


@dataclass(frozen=True)
class TextAnswer:
    organisation: Organisation
    text: str


@dataclass(frozen=True)
class ThemeResult:
    label: str
    organisations: tuple[Organisation, ...]
    """Organisations that raised the theme."""
    quotes: tuple[TextAnswer, ...]
    """Up to two representative answers; an answer illustrates one theme of its question at most."""
    key: str = ""
    """The theme's stable key (`hyte.themes.Theme.key`): its base form(s) or its thesaurus theme's
    key. With the question id and a quote's organisation id it names what curation refers to."""
    answers: tuple[TextAnswer, ...] = ()
    """Every answer grouped under the theme, in organisation order."""

    @property
    def count(self) -> int:
        return len(self.organisations)


@dataclass(frozen=True)
class TextResult:
    question_id: str
    number: str
    text: str
    section_id: str
    answers: tuple[TextAnswer, ...]
    themes: tuple[ThemeResult, ...]
    reserve: tuple[ThemeResult, ...] = ()
    """The next themes (at most THEME_RESERVE), not shown; hyte/curation.py moves them up."""


@dataclass(frozen=True)
class SurveySummary:
    round_id: str
    year: int
    status: Status
    distributions: tuple[Distribution, ...]
    goal_rankings: tuple[GoalRanking, ...]
    methods: tuple[MethodsResult, ...]
    texts: tuple[TextResult, ...]
    topics: dict[str, tuple[LegalTopic, ...]] = field(default_factory=dict)
    """Section id -> the legal topics it informs (from the survey file)."""
    section_titles: dict[str, str] = field(default_factory=dict)
    """Section id -> its title: question numbers restart in every section, so a question is
    referred to with its section's title."""
    submitted: tuple[tuple[Organisation, dict[str, Any]], ...] = ()
    """The counted answers, by organisation (for the exports)."""

    @property
    def counted(self) -> int:
        return self.status.overall.submitted

    def section_topics(self, section_id: str) -> tuple[LegalTopic, ...]:
        return self.topics.get(section_id, ())


def summarise(round_: Round, responses: Iterable[Response], now: datetime) -> SurveySummary:
    """The summary of the round's submitted responses (latest submitted version of each)."""
    responses = [r for r in responses if r.key.round_id == round_.id]
    status = response_status(round_, responses, now)
    organisations = {o.id: o for o in round_.config.organisations}
    counted = [
        (organisations[r.key.organisation_id], r.submitted_answers)
        for r in responses
        if r.submitted_answers is not None and r.key.organisation_id in organisations
    ]
    order = {o.id: i for i, o in enumerate(round_.config.organisations)}
    counted.sort(key=lambda pair: order[pair[0].id])
    distributions, rankings, methods, texts = [], [], [], []
    for section in round_.survey.sections:
        for question in section.questions:
            match question:
                case SingleChoiceQuestion():
                    counts = Counter(a.get(question.id) for _, a in counted)
                    bars = tuple(Bar(o.id, o.label, counts.get(o.id, 0)) for o in question.options)
                    distributions.append(Distribution(question.id, question.number, question.text, section.id, bars))
                case ScaleQuestion():
                    counts = Counter(a.get(question.id) for _, a in counted)
                    bars = tuple(
                        Bar(str(v), _scale_label(question, v), counts.get(v, 0))
                        for v in range(question.min, question.max + 1)
                    )
                    distributions.append(Distribution(question.id, question.number, question.text, section.id, bars))
                case MultiChoiceQuestion():
                    rankings.append(_rank(question, section.id, counted))
                case MethodsQuestion():
                    methods.append(_methods(question, section.id, counted))
                case TextQuestion():
                    texts.append(_texts(question, section.id, counted, round_.thesaurus, round_=round_))
    return SurveySummary(
        round_id=round_.id,
        year=round_.year,
        status=status,
        distributions=tuple(distributions),
        goal_rankings=tuple(rankings),
        methods=tuple(methods),
        texts=tuple(texts),
        topics={s.id: s.topics for s in round_.survey.sections},
        section_titles={s.id: s.title for s in round_.survey.sections},
        submitted=tuple(counted),
    )


def _scale_label(question: ScaleQuestion, value: int) -> str:
    if value == question.min:
        return f"{value} – {question.min_label}"
    if value == question.max:
        return f"{value} – {question.max_label}"
    return str(value)


def _rank(question: MultiChoiceQuestion, section_id: str, counted) -> GoalRanking:
    chosen: dict[str, list[Organisation]] = {o.id: [] for o in question.options}
    others = []
    for organisation, answers in counted:
        answer = answers.get(question.id)
        if not isinstance(answer, dict):
            continue
        for option_id in answer.get("selected") or []:
            if option_id in chosen:
                chosen[option_id].append(organisation)
        if answer.get("other"):
            others.append(OtherText(organisation, answer["other"]))
    position = {o.id: i for i, o in enumerate(question.options)}
    goals = sorted(
        (RankedGoal(o.id, o.label, tuple(chosen[o.id])) for o in question.options if chosen[o.id]),
        key=lambda goal: (-goal.count, position[goal.option_id]),
    )
    other_label = question.other_option.label if question.other_option is not None else ""
    return GoalRanking(question.id, question.number, question.text, section_id, tuple(goals), tuple(others),
                       other_label)


def _methods(question: MethodsQuestion, section_id: str, counted) -> MethodsResult:
    proposals: dict[str, list[MethodProposal]] = {a.id: [] for a in question.areas}
    areas = {a.id: a for a in question.areas}
    none = []
    for organisation, answers in counted:
        answer = answers.get(question.id)
        if not isinstance(answer, dict):
            continue
        if answer.get("none"):
            none.append(organisation)
        for area_id, entry in (answer.get("areas") or {}).items():
            if area_id not in areas or not isinstance(entry, dict) or not entry.get("name"):
                continue
            level = EvidenceLevel(entry["level"]) if entry.get("level") in set(EvidenceLevel) else None
            proposals[area_id].append(MethodProposal(
                areas[area_id], organisation, entry["name"], entry.get("description"), level,
                question.evidence_levels.get(level) if level else None,
            ))
    by_area = tuple(
        (area, tuple(sorted(proposals[area.id], key=lambda p: EVIDENCE_ORDER.get(p.level, len(EVIDENCE_ORDER)))))
        for area in question.areas
    )
    return MethodsResult(question.id, section_id, question.text, by_area, question.none_option.label, tuple(none),
                         question.none_numeral)


def _texts(question: TextQuestion, section_id: str, counted, thesaurus: Thesaurus | None = None,
           round_: Round | None = None) -> TextResult:
    answers = tuple(
        TextAnswer(organisation, answers[question.id])
        for organisation, answers in counted
        if isinstance(answers.get(question.id), str) and answers[question.id].strip()
    )
    if round_ is not None and len(round_.languages) > 1:
        # A bilingual round: each answer summarised in its own language, merged by the thesaurus,
        # labelled in the reader's (the survey's version: round_.in_language).
        asked = {code: round_.survey.in_language(code).question(question.id).text for code in round_.languages}
        themes = themes_of(answers, question=asked, thesaurus=thesaurus, language=round_.survey.language,
                           languages=round_.languages, limit=THEME_LIMIT + THEME_RESERVE)
    else:
        themes = themes_of(answers, question=question.text, thesaurus=thesaurus, limit=THEME_LIMIT + THEME_RESERVE)
    return TextResult(question.id, question.number, question.text, section_id, answers, themes[:THEME_LIMIT],
                      themes[THEME_LIMIT:])


def themes_of(
    answers: Sequence[TextAnswer], *, limit: int = THEME_LIMIT, question: str | Mapping[str, str] | None = None,
    thesaurus: Thesaurus | None = None, language: str = "fi", languages: Sequence[str] | None = None,
) -> tuple[ThemeResult, ...]:
    """Recurring themes of one question's answers: raised by at least two organisations, most
    organisations first, each with up to two representative answers. The question's own words
    are never its themes; the round's thesaurus merges synonyms, names themes and adds stop words."""
    if len(answers) < 2 or not all(lemmatiser_available(code) for code in (languages or (language,))):
        return ()
    items = [ThemeInput(id=str(index), source=a.organisation.id, text=a.text) for index, a in enumerate(answers)]
    by_id = {item.id: answer for item, answer in zip(items, answers)}
    organisations = {a.organisation.id: a.organisation for a in answers}
    results = []
    in_languages = {"language": language, "languages": languages} if languages else {}
    for theme in find_themes(items, min_sources=2, limit=limit, question=question, thesaurus=thesaurus, **in_languages):
        raised = tuple(o for o in organisations.values() if o.id in set(theme.sources))
        quotes = tuple(by_id[q] for q in theme.quotes[:QUOTES_PER_THEME] if q in by_id)
        grouped = tuple(by_id[i] for i in theme.item_ids if i in by_id)
        results.append(ThemeResult(theme.label, raised, quotes, theme.key, grouped))
    results.sort(key=lambda t: -t.count)
    return tuple(results)
