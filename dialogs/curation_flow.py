"""The HYTE team's curation of a question's themes, as a flow: `decide(state, event) -> Outcome(view, effects)`.

Pure: the state is the question's themes as they are now (curated); the event is the pressed
button with the card's inputs and who pressed it when. A complete edit gives the effect
`StoreEdit` and a view that says what was done; anything missing or stale (a theme no longer in
the summary) gives the view with an error and no effect. Rendered by cards/curation.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from dialogs.flow import Outcome
from hyte.curation import MAX_LABEL, CurationAction, CurationEdit
from hyte.results import TextResult


@dataclass(frozen=True)
class CurationState:
    result: TextResult


@dataclass(frozen=True)
class Apply:
    action: CurationAction
    theme: str | None
    target: str | None = None
    label: str | None = None
    quote: str | None = None
    by_name: str | None = None
    by_aad: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class CurationView:
    notice: str
    """Catalogue key of what the card says at its top."""
    ok: bool
    params: dict[str, object] = field(default_factory=dict)
    typed: dict[str, str] = field(default_factory=dict)
    """What the person had typed, kept on an error."""


@dataclass(frozen=True)
class StoreEdit:
    edit: CurationEdit


def _error(key: str, event: Apply, **params: object) -> Outcome[CurationView]:
    typed = {k: v for k, v in (("theme", event.theme), ("target", event.target), ("label", event.label),
                                ("quote", event.quote)) if v}
    return Outcome(CurationView(key, False, params, typed))


def decide(state: CurationState, event: Apply) -> Outcome[CurationView]:
    themes = {theme.key: theme for theme in state.result.themes}
    if not event.theme:
        return _error("curation.error.theme", event)
    if event.theme not in themes:
        return _error("curation.error.gone", event)
    edit = CurationEdit(state.result.question_id, event.action, event.theme, by_name=event.by_name,
                        by_aad=event.by_aad, at=event.at)
    match event.action:
        case CurationAction.MERGE:
            if not event.target or event.target == event.theme or event.target not in themes:
                return _error("curation.error.target", event)
            edit = replace(edit, target_key=event.target, label=themes[event.target].label)
        case CurationAction.RENAME:
            label = " ".join((event.label or "").split())
            if not label or len(label) > MAX_LABEL:
                return _error("curation.error.label", event, max=MAX_LABEL)
            edit = replace(edit, label=label)
        case CurationAction.QUOTE:
            if not event.quote or event.quote not in {a.organisation.id for a in state.result.answers}:
                return _error("curation.error.quote", event)
            edit = replace(edit, organisation_id=event.quote)
    return Outcome(CurationView(f"curation.saved.{event.action.value}", True), (StoreEdit(edit),))
