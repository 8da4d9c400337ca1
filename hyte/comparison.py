"""This year against last: a round's survey summary read against its previous round's.

The law's fourth topic, monitoring, is about change over time. A question is compared only where
its id is the same in both rounds and it did not change (`changes`): the same kind of question,
the same option ids (or scale, or priority areas) and the same wording. Every other question is
listed without comparison, with why (`ChangedQuestion`): a new question, one dropped, another kind,
other options, another scale, other areas, or a reworded question (the answers to a question asked
in other words are not the same measure, so they are not set side by side).

What is compared:
- each choice question's distribution (single choice, scale): counts and shares per option in
  both years, and the difference of the shares in percentage points (organisations that answered
  differ from year to year, so shares are what can be read against each other);
- the goals' ranking (many choices): each goal's place this year and last, and how it moved (up,
  down, same, new in the ranking; goals chosen last year and not this year are "dropped");
- the response rate by organisation category (and overall);
- the free-text themes of each text question, marked new, recurring or dropped, matched by the
  theme's key or by its label (after the county's thesaurus: a theme the thesaurus names keeps its
  name from year to year).

Plain Python: summaries in, a frozen `Comparison` out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hyte.results import Distribution, GoalRanking, SurveySummary, TextResult, summarise
from hyte.round import Category, Round
from hyte.rounds import PreviousRound, question_changes
from hyte.status import CATEGORY_ORDER, Tally
from hyte.survey import Survey


class ChangeReason(StrEnum):
    """Why a question is not compared (the keys of `question_changes`, and "text")."""

    NEW = "new"
    DROPPED = "dropped"
    TYPE = "type"
    OPTIONS = "options"
    SCALE = "scale"
    AREAS = "areas"
    TEXT = "text"


class Movement(StrEnum):
    UP = "up"
    DOWN = "down"
    SAME = "same"
    NEW = "new"
    DROPPED = "dropped"


class ThemeMark(StrEnum):
    NEW = "new"
    RECURRING = "recurring"
    DROPPED = "dropped"


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def changes(old: Survey, new: Survey) -> dict[str, ChangeReason]:
    """The questions that cannot be read against last year's, with why: `question_changes` (what
    makes stored answers incompatible) and the questions whose wording changed."""
    found = {question_id: ChangeReason(why) for question_id, why in question_changes(old, new).items()}
    before = {q.id: q for q in old.questions}
    for question in new.questions:
        earlier = before.get(question.id)
        if question.id not in found and earlier is not None and _words(earlier.text) != _words(question.text):
            found[question.id] = ChangeReason.TEXT
    return found


def _share(count: int, of: int) -> float:
    return count / of if of else 0.0


@dataclass(frozen=True)
class OptionChange:
    key: str
    label: str
    count: int
    answered: int
    previous_count: int
    previous_answered: int

    @property
    def share(self) -> float:
        return _share(self.count, self.answered)

    @property
    def previous_share(self) -> float:
        return _share(self.previous_count, self.previous_answered)

    @property
    def percent(self) -> int:
        return round(self.share * 100)

    @property
    def previous_percent(self) -> int:
        return round(self.previous_share * 100)

    @property
    def difference(self) -> int:
        """This year's share less last year's, in percentage points, rounded as the shares shown are."""
        return self.percent - self.previous_percent


@dataclass(frozen=True)
class DistributionChange:
    question_id: str
    number: str
    text: str
    section_id: str
    options: tuple[OptionChange, ...]
    answered: int
    previous_answered: int


@dataclass(frozen=True)
class GoalMove:
    option_id: str
    label: str
    rank: int | None
    """This year's place in the ranking (1 = most chosen); None when no organisation chose it."""
    previous_rank: int | None
    count: int
    previous_count: int

    @property
    def movement(self) -> Movement:
        if self.rank is None:
            return Movement.DROPPED
        if self.previous_rank is None:
            return Movement.NEW
        if self.rank < self.previous_rank:
            return Movement.UP
        if self.rank > self.previous_rank:
            return Movement.DOWN
        return Movement.SAME

    @property
    def places(self) -> int:
        """How many places the goal rose (negative: fell); 0 for new and dropped goals."""
        if self.rank is None or self.previous_rank is None:
            return 0
        return self.previous_rank - self.rank


@dataclass(frozen=True)
class RankingChange:
    question_id: str
    number: str
    text: str
    section_id: str
    goals: tuple[GoalMove, ...]
    """This year's ranking in order, then the goals chosen last year and not this year."""


@dataclass(frozen=True)
class RateChange:
    category: Category | None
    """None: all organisations."""
    submitted: int
    total: int
    previous_submitted: int
    previous_total: int

    @property
    def percent(self) -> int:
        return round(_share(self.submitted, self.total) * 100)

    @property
    def previous_percent(self) -> int:
        return round(_share(self.previous_submitted, self.previous_total) * 100)

    @property
    def difference(self) -> int:
        return self.percent - self.previous_percent


@dataclass(frozen=True)
class ThemeChange:
    label: str
    mark: ThemeMark
    count: int
    """Organisations that raised it this year (0 for a dropped theme)."""
    previous_count: int


@dataclass(frozen=True)
class ThemesChange:
    question_id: str
    number: str
    text: str
    section_id: str
    themes: tuple[ThemeChange, ...]
    """This year's themes in their order (new or recurring), then last year's dropped ones."""


@dataclass(frozen=True)
class ChangedQuestion:
    question_id: str
    number: str
    text: str
    section_title: str
    reason: ChangeReason
    """Why it is not compared. A dropped question is named as last year's survey asked it."""


@dataclass(frozen=True)
class Comparison:
    year: int
    previous_year: int | None
    """None: the round has no previous round (none named, or not in the rounds folder)."""
    rates: tuple[RateChange, ...] = ()
    """All organisations first, then each category."""
    distributions: tuple[DistributionChange, ...] = ()
    rankings: tuple[RankingChange, ...] = ()
    themes: tuple[ThemesChange, ...] = ()
    """The text questions with a theme in either year."""
    changed: tuple[ChangedQuestion, ...] = ()

    @property
    def available(self) -> bool:
        return self.previous_year is not None


def no_previous(year: int) -> Comparison:
    """What is shown for a round without a previous one."""
    return Comparison(year, None)


# Comparing ------------------------------------------------------------------------------------------


def _rates(current: SurveySummary, previous: SurveySummary) -> tuple[RateChange, ...]:
    def pair(now: Tally, before: Tally) -> RateChange:
        return RateChange(now.category, now.submitted, now.total, before.submitted, before.total)

    earlier = {t.category: t for t in previous.status.by_category}
    rates = [pair(current.status.overall, previous.status.overall)]
    for tally in current.status.by_category:
        before = earlier.get(tally.category, Tally(tally.category, 0, 0, 0))
        rates.append(pair(tally, before))
    rates[1:] = sorted(rates[1:], key=lambda r: CATEGORY_ORDER.index(r.category))
    return tuple(rates)


def _distribution(now: Distribution, before: Distribution) -> DistributionChange:
    counts = {bar.key: bar.count for bar in before.bars}
    options = tuple(
        OptionChange(bar.key, bar.label, bar.count, now.answered, counts.get(bar.key, 0), before.answered)
        for bar in now.bars
    )
    return DistributionChange(now.question_id, now.number, now.text, now.section_id, options, now.answered,
                              before.answered)


def _ranking(now: GoalRanking, before: GoalRanking) -> RankingChange:
    earlier = {goal.option_id: (rank, goal) for rank, goal in enumerate(before.goals, start=1)}
    goals = []
    for rank, goal in enumerate(now.goals, start=1):
        previous_rank, previous = earlier.get(goal.option_id, (None, None))
        goals.append(GoalMove(goal.option_id, goal.label, rank, previous_rank, goal.count,
                              previous.count if previous else 0))
    chosen = {goal.option_id for goal in now.goals}
    goals += [GoalMove(goal.option_id, goal.label, None, rank, 0, goal.count)
              for goal_id, (rank, goal) in earlier.items() if goal_id not in chosen]
    return RankingChange(now.question_id, now.number, now.text, now.section_id, tuple(goals))


def _themes(now: TextResult, before: TextResult) -> ThemesChange:
    by_label = {_words(theme.label): i for i, theme in enumerate(before.themes)}
    by_key = {theme.key: i for i, theme in enumerate(before.themes) if theme.key}
    matched: set[int] = set()
    themes = []
    for theme in now.themes:
        index = by_key.get(theme.key, by_label.get(_words(theme.label)))
        if index is not None and index not in matched:
            matched.add(index)
            themes.append(ThemeChange(theme.label, ThemeMark.RECURRING, theme.count, before.themes[index].count))
        else:
            themes.append(ThemeChange(theme.label, ThemeMark.NEW, theme.count, 0))
    themes += [ThemeChange(theme.label, ThemeMark.DROPPED, 0, theme.count)
               for i, theme in enumerate(before.themes) if i not in matched]
    return ThemesChange(now.question_id, now.number, now.text, now.section_id, tuple(themes))


def _changed(old: Survey, new: Survey, reasons: dict[str, ChangeReason]) -> tuple[ChangedQuestion, ...]:
    listed = []
    for survey, dropped in ((new, False), (old, True)):
        for section in survey.sections:
            for question in section.questions:
                reason = reasons.get(question.id)
                if reason is not None and (reason is ChangeReason.DROPPED) == dropped:
                    listed.append(ChangedQuestion(question.id, question.number, question.text, section.title, reason))
    return tuple(listed)


def compare(current: SurveySummary, previous: SurveySummary, new: Survey, old: Survey) -> Comparison:
    """`current` (of a round asking `new`) against `previous` (of the round before, asking `old`)."""
    reasons = changes(old, new)

    def same(question_id: str) -> bool:
        return question_id not in reasons

    before_distributions = {d.question_id: d for d in previous.distributions}
    before_rankings = {r.question_id: r for r in previous.goal_rankings}
    before_texts = {r.question_id: r for r in previous.texts}
    return Comparison(
        year=current.year,
        previous_year=previous.year,
        rates=_rates(current, previous),
        distributions=tuple(_distribution(d, before_distributions[d.question_id]) for d in current.distributions
                            if same(d.question_id) and d.question_id in before_distributions),
        rankings=tuple(_ranking(r, before_rankings[r.question_id]) for r in current.goal_rankings
                       if same(r.question_id) and r.question_id in before_rankings),
        themes=tuple(change for change in (_themes(r, before_texts[r.question_id]) for r in current.texts
                                           if same(r.question_id) and r.question_id in before_texts)
                     if change.themes),
        changed=_changed(old, new, reasons),
    )


def against_previous(
    round_: Round, summary: SurveySummary, previous: PreviousRound | None, now: datetime,
) -> Comparison:
    """The round's summary against its previous round's submitted responses (`previous_results`);
    `no_previous` when there is none. CPU-bound (the previous round's themes): callers in the bot
    run it in a worker thread."""
    if previous is None:
        return no_previous(round_.year)
    # Last year's texts in this year's language, or a bilingual round read in Swedish would find
    # every question reworded.
    last_round = previous.round.in_language(round_.survey.language)
    before = summarise(last_round, previous.responses, now)
    return compare(summary, before, round_.survey, last_round.survey)
