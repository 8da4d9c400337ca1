"""The workshop's result, in plain Python: `consolidate` turns the stored notes into the summary
(hyte/workshop.py has the questions and the notes): per question each group's points (near-
identical points merged), the themes that recur across groups, the highlights first, the
unassigned notes and, separately, the late ones. Free-text grouping is hyte/themes.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from hyte.lemmas import lemmatiser_available
from hyte.phrases import ThemeInput, merge_near_duplicates
from hyte.themes import find_themes
from hyte.thesaurus import Thesaurus
from hyte.workshop import (
    Assignment, Group, Note, WorkshopDefinition, WorkshopQuestion, WorkshopStatus, question_prefix,
)


@dataclass(frozen=True)
class Point:
    """One bullet: a note, or near-identical notes of one group merged."""

    text: str
    group: Group
    question_id: str | None
    note_keys: tuple[str, ...]
    reactions: int = 0
    highlight: bool = False

    @property
    def merged(self) -> int:
        return len(self.note_keys)


@dataclass(frozen=True)
class GroupPoints:
    group: Group
    points: tuple[Point, ...]


@dataclass(frozen=True)
class RecurringTheme:
    label: str
    groups: tuple[Group, ...]
    quotes: tuple[str, ...] = ()
    key: str = ""
    """The theme's stable key (`hyte.themes.Theme.key`), for curation."""

    @property
    def group_count(self) -> int:
        return len(self.groups)


@dataclass(frozen=True)
class QuestionSummary:
    question: WorkshopQuestion
    highlights: tuple[Point, ...]
    themes: tuple[RecurringTheme, ...]
    groups: tuple[GroupPoints, ...]


@dataclass(frozen=True)
class WorkshopSummary:
    definition: WorkshopDefinition
    groups: tuple[Group, ...]
    questions: tuple[QuestionSummary, ...]
    unassigned: tuple[GroupPoints, ...]
    late: tuple[GroupPoints, ...]
    note_count: int = 0
    late_count: int = 0
    status: WorkshopStatus | None = None


def point_text(definition: WorkshopDefinition, note: Note) -> str:
    """A note's text as a bullet: without the question prefix that assigned it."""
    if note.assignment is Assignment.PREFIX:
        question, rest = question_prefix(definition, note.text)
        if question is not None and question.id == note.question_id and rest:
            return rest
    return note.text


def consolidate(
    definition: WorkshopDefinition,
    groups: Sequence[Group],
    notes: Iterable[Note],
    *,
    max_themes: int = 10,
    status: WorkshopStatus | None = None,
    thesaurus: Thesaurus | None = None,
) -> WorkshopSummary:
    """The workshop's result from its notes (deleted and empty notes left out). Themes across
    groups are found as the survey's are: the round's `thesaurus` applies, and a question's own
    words are never its themes."""
    groups = tuple(sorted(groups, key=lambda g: g.position))
    by_channel = {g.channel_id: g for g in groups}
    live = [n for n in notes if not n.deleted and n.text.strip() and n.channel_id in by_channel]
    live.sort(key=lambda n: (n.created_at, n.message_id))
    on_time = [n for n in live if not n.late]
    late = [n for n in live if n.late]

    questions = []
    for question in definition.questions:
        mine = [n for n in on_time if n.question_id == question.id]
        per_group = _points_per_group(definition, groups, mine)
        highlights = tuple(p for gp in per_group for p in gp.points if p.highlight)
        questions.append(
            QuestionSummary(
                question, highlights, _themes(definition, by_channel, mine, question, max_themes, thesaurus), per_group,
            )
        )
    unassigned = _points_per_group(definition, groups, [n for n in on_time if n.question_id is None])
    late_points = _points_per_group(definition, groups, late, merge=False)
    return WorkshopSummary(
        definition=definition,
        groups=groups,
        questions=tuple(questions),
        unassigned=unassigned,
        late=late_points,
        note_count=len(on_time),
        late_count=len(late),
        status=status,
    )


def _points_per_group(
    definition: WorkshopDefinition, groups: Sequence[Group], notes: Sequence[Note], *, merge: bool = True
) -> tuple[GroupPoints, ...]:
    result = []
    for group in groups:
        mine = [n for n in notes if n.channel_id == group.channel_id]
        if not mine:
            continue
        by_key = {n.key: n for n in mine}
        if merge and lemmatiser_available():
            items = [ThemeInput(id=n.key, source=group.channel_id, text=point_text(definition, n)) for n in mine]
            clusters = [[by_key[item.id] for item in cluster] for cluster in merge_near_duplicates(items)]
        else:
            clusters = [[n] for n in mine]
        points = [_point(definition, group, cluster) for cluster in clusters if cluster]
        order = {n.key: i for i, n in enumerate(mine)}
        points.sort(key=lambda p: (not p.highlight, -p.reactions, min(order[k] for k in p.note_keys)))
        result.append(GroupPoints(group, tuple(points)))
    return tuple(result)


def _point(definition: WorkshopDefinition, group: Group, cluster: list[Note]) -> Point:
    cluster = sorted(cluster, key=lambda n: (n.created_at, n.message_id))
    shown = next((n for n in cluster if n.highlight), cluster[0])
    return Point(
        text=point_text(definition, shown),
        group=group,
        question_id=shown.question_id,
        note_keys=tuple(n.key for n in cluster),
        reactions=sum(n.reactions for n in cluster),
        highlight=any(n.highlight for n in cluster),
    )


def _themes(
    definition: WorkshopDefinition, by_channel: dict[str, Group], notes: Sequence[Note], question: WorkshopQuestion,
    limit: int, thesaurus: Thesaurus | None,
) -> tuple[RecurringTheme, ...]:
    languages = definition.languages
    if len({n.channel_id for n in notes}) < 2 or not all(lemmatiser_available(code) for code in languages):
        return ()
    items = [ThemeInput(id=n.key, source=n.channel_id, text=point_text(definition, n)) for n in notes]
    texts = {item.id: item.text for item in items}
    themes = []
    # A bilingual round's notes: each in its own language, merged by the thesaurus, labelled in the
    # reader's (the definition's version).
    asked: str | dict[str, str] = question.text
    in_languages: dict[str, object] = {}
    if len(languages) > 1:
        asked = {code: definition.in_language(code).question(question.id).text for code in languages}
        in_languages = {"language": definition.language, "languages": languages}
    for theme in find_themes(items, min_sources=2, limit=limit, question=asked, thesaurus=thesaurus, **in_languages):
        groups = tuple(sorted((by_channel[s] for s in theme.sources if s in by_channel), key=lambda g: g.position))
        if len(groups) < 2:
            continue
        quotes = tuple(texts[q] for q in theme.quotes[:2] if q in texts)
        themes.append(RecurringTheme(theme.label, groups, quotes, theme.key))
    themes.sort(key=lambda t: -t.group_count)
    return tuple(themes)
