"""The HYTE team's curation of a free-text question's themes, in plain Python.

The team knows better than any algorithm: on the survey summary, per free-text question, a HYTE
team member merges two themes, renames one, hides one, or picks the answer that represents a
theme. Each edit is stored with who and when (`CurationEdit`), and `curate` applies a question's
edits, in the order they were made, to the themes `hyte.results` finds now: the cards and both
exports show the curated themes.

Edits refer to a theme by its stable key (`hyte.themes.Theme.key`), never by its place or label,
so they hold when answers arrive later: the themes are found again from every counted answer, a
merged theme's answers go to the theme it was merged into, and an answer that raises a curated
theme's key (`hyte.themes.theme_keys`: as `find_themes` would group it) joins that theme even when
its own key is not frequent enough to be a theme by itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Iterable, Protocol, Sequence

from hyte.lemmas import detect_language, lemmatiser_available
from hyte.results import QUOTES_PER_THEME, THEME_LIMIT, SurveySummary, TextAnswer, TextResult, ThemeResult
from hyte.round import Round
from hyte.themes import theme_keys
from hyte.thesaurus import Thesaurus

MAX_LABEL = 80


class CurationAction(StrEnum):
    MERGE = "merge"
    """Merge the theme into `target_key`'s theme."""
    RENAME = "rename"
    """Give the theme the label `label`."""
    HIDE = "hide"
    """Leave the theme out of the summary and the exports (its answers stay in the appendix)."""
    QUOTE = "quote"
    """`organisation_id`'s answer represents the theme."""


@dataclass(frozen=True)
class CurationEdit:
    question_id: str
    action: CurationAction
    theme_key: str
    target_key: str | None = None
    label: str | None = None
    """Rename: the new label. Merge: the target theme's label when it was merged (used if the
    target is later no theme by itself)."""
    organisation_id: str | None = None
    by_name: str | None = None
    by_aad: str | None = None
    at: datetime | None = None


class CurationRepository(Protocol):
    async def edits(self, tenant_id: str, round_id: str) -> list[CurationEdit]:
        """The round's edits, oldest first."""
        ...

    async def add(self, tenant_id: str, round_id: str, edit: CurationEdit) -> None: ...


@dataclass(frozen=True)
class _Plan:
    into: dict[str, str]
    labels: dict[str, str]
    hidden: set[str]
    quotes: dict[str, str]
    fallback_labels: dict[str, str]

    def final(self, key: str) -> str:
        seen = {key}
        while key in self.into and self.into[key] not in seen:
            key = self.into[key]
            seen.add(key)
        return key


def _plan(edits: Iterable[CurationEdit]) -> _Plan:
    plan = _Plan({}, {}, set(), {}, {})
    for edit in edits:
        match edit.action:
            case CurationAction.MERGE if edit.target_key and edit.target_key != edit.theme_key:
                plan.into[edit.theme_key] = edit.target_key
                if edit.label:
                    plan.fallback_labels.setdefault(edit.target_key, edit.label)
            case CurationAction.RENAME if edit.label:
                plan.labels[edit.theme_key] = edit.label
            case CurationAction.HIDE:
                plan.hidden.add(edit.theme_key)
            case CurationAction.QUOTE if edit.organisation_id:
                plan.quotes[edit.theme_key] = edit.organisation_id
    # A theme merged into another takes the other's name and visibility (the one merged into is
    # what stays); a quote picked for it represents the merged theme, unless that has its own.
    for key in list(plan.quotes):
        final = plan.final(key)
        if final != key:
            plan.quotes.setdefault(final, plan.quotes.pop(key))
    return plan


def curate_result(result: TextResult, edits: Sequence[CurationEdit], *, thesaurus: Thesaurus | None = None,
                  languages: Sequence[str] = ("fi",), limit: int = THEME_LIMIT) -> TextResult:
    """One question's themes with its edits applied (edits of other questions are ignored). An
    answer is read in the round's language, or in the one of `languages` whose words it uses most.
    At most `limit` themes are shown: a hidden or merged theme's place goes to the next one found
    (`TextResult.reserve`)."""
    mine = [e for e in edits if e.question_id == result.question_id]
    if not mine:
        return result
    plan = _plan(mine)
    order = {a.organisation.id: i for i, a in enumerate(result.answers)}
    groups: dict[str, dict] = {}
    for theme in (*result.themes, *result.reserve):
        key = plan.final(theme.key)
        group = groups.setdefault(key, {"label": None, "answers": [], "quotes": []})
        if key == theme.key:
            group["label"] = theme.label
        group["answers"] += [a for a in theme.answers if a not in group["answers"]]
        group["quotes"] += [q for q in theme.quotes if q not in group["quotes"]]
    curated = set(plan.into.values()) | set(plan.into) | set(plan.labels) | set(plan.quotes)
    if curated:
        _join_later_answers(result, groups, plan, curated, thesaurus, tuple(languages) or ("fi",))
    used: set[tuple[str, str]] = set()
    themes: list[ThemeResult] = []
    for key, group in groups.items():
        if key in plan.hidden:
            continue
        answers = sorted(group["answers"], key=lambda a: order.get(a.organisation.id, len(order)))
        label = plan.labels.get(key) or group["label"] or plan.fallback_labels.get(key) or key
        wanted = plan.quotes.get(key)
        pick = next((a for a in result.answers if a.organisation.id == wanted), None) if wanted else None
        quotes = ([pick] if pick else []) + [q for q in group["quotes"] if q != pick]
        if pick is not None and pick not in answers:
            answers = sorted([*answers, pick], key=lambda a: order.get(a.organisation.id, len(order)))
        organisations = tuple(dict.fromkeys(a.organisation for a in answers))
        themes.append(ThemeResult(label, organisations, tuple(quotes), key, tuple(answers)))
    # A quote illustrates one theme: a chosen quote stays with the theme it was chosen for.
    themes.sort(key=lambda t: -t.count)
    chosen = {t.key: (t.quotes[0].organisation.id, t.quotes[0].text) for t in themes
              if t.quotes and plan.quotes.get(t.key) == t.quotes[0].organisation.id}
    taken = set(chosen.values())
    final_themes = []
    themes, reserve = themes[:limit], themes[limit:]
    for theme in themes:
        keep: list[TextAnswer] = []
        for quote in theme.quotes:
            ident = (quote.organisation.id, quote.text)
            if len(keep) >= QUOTES_PER_THEME or ident in used or (ident in taken and chosen.get(theme.key) != ident):
                continue
            keep.append(quote)
            used.add(ident)
        final_themes.append(replace(theme, quotes=tuple(keep)))
    return replace(result, themes=tuple(final_themes), reserve=tuple(reserve))


def _join_later_answers(result: TextResult, groups: dict[str, dict], plan: _Plan, curated: set[str],
                        thesaurus: Thesaurus | None, languages: tuple[str, ...]) -> None:
    """An answer not in a curated theme joins it when it raises the theme's key (or a key merged
    into it), as `find_themes` would group it."""
    targets = {plan.final(k) for k in curated} & set(groups)
    for answer in result.answers:
        missing = [k for k in targets if answer not in groups[k]["answers"]]
        if not missing:
            continue
        language = languages[0] if len(languages) == 1 else detect_language(answer.text, languages)
        if not lemmatiser_available(language):
            continue
        raised = {plan.final(k) for k in theme_keys(answer.text, thesaurus=thesaurus, question=result.text,
                                                   language=language)}
        for key in missing:
            if key in raised:
                groups[key]["answers"].append(answer)


def curate(summary: SurveySummary, edits: Sequence[CurationEdit], round_: Round | None = None) -> SurveySummary:
    """The summary with every free-text question's curation applied."""
    if not edits:
        return summary
    thesaurus = round_.thesaurus if round_ is not None else None
    languages = round_.languages if round_ is not None else ("fi",)
    return replace(summary, texts=tuple(curate_result(r, edits, thesaurus=thesaurus, languages=languages)
                                        for r in summary.texts))
