"""Writing the joint discussion's conclusions, as a pure flow: `decide(state, event)` gives the view
and the effects (dialogs/flow.py).

Saving a conclusion card: the draft is checked (text, length, that every evidence reference is one
the card offered, a known topic); a new conclusion is added, an edit names the version it was made
on. When the repository refuses the edit as stale (another HYTE member saved first, or deleted it),
the flow is asked again with `Conflict`: the card comes back with the member's own text kept in its
inputs and the other member's stored text shown above, at the stored version, so that the next
save is made knowingly and nobody's words are lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from typing import Any, Sequence

from cards.meeting import write_card
from dialogs.flow import Outcome
from hyte.meeting import MAX_CONCLUSION_CHARS, Conclusion, Draft, DraftProblem, check_draft, parse_refs
from hyte.meeting_evidence import Evidence
from hyte.survey import LegalTopic


@dataclass(frozen=True)
class MeetingState:
    offered: frozenset[str]
    """The evidence references the card offers now (hyte.meeting_evidence.EvidenceIndex.offered)."""


# Events --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Save:
    conclusion_id: int | None
    version: int | None
    topic: str
    text: str
    evidence: str
    """The multi-select's value: references, comma-separated."""


@dataclass(frozen=True)
class Conflict:
    """The repository refused the save as stale; `current` is what is stored now (None: deleted)."""

    save: Save
    current: Conclusion | None


# Effects ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddConclusion:
    draft: Draft


@dataclass(frozen=True)
class EditConclusion:
    conclusion_id: int
    version: int
    draft: Draft


# Views ------------------------------------------------------------------------------------------------


class NoticeKind(StrEnum):
    PROBLEM = "problem"
    CHANGED_MEANWHILE = "changed_meanwhile"
    DELETED_MEANWHILE = "deleted_meanwhile"


@dataclass(frozen=True)
class WriteView:
    """The conclusion card again: the values as written, a notice, the id and version to save on."""

    conclusion_id: int | None
    version: int | None
    topic: str
    text: str
    evidence: tuple[str, ...]
    notice: NoticeKind | None = None
    problem: DraftProblem | None = None
    other: Conclusion | None = None
    """The conclusion as the other member left it (CHANGED_MEANWHILE)."""


@dataclass(frozen=True)
class Saved:
    """Stored; the view says nothing more (the bot shows the conclusion as saved)."""

    draft: Draft


def _topic(value: str) -> LegalTopic | None:
    try:
        return LegalTopic(value)
    except ValueError:
        return None


def _as_written(save: Save) -> tuple[str, ...]:
    return tuple(item for item in (part.strip() for part in save.evidence.split(",")) if item)


def decide(state: MeetingState, event: Save | Conflict) -> Outcome[WriteView | Saved]:
    if isinstance(event, Conflict):
        save, current = event.save, event.current
        if current is None:  # deleted meanwhile: saving again makes it a new conclusion
            return Outcome(WriteView(None, None, save.topic, save.text, _as_written(save),
                                     NoticeKind.DELETED_MEANWHILE))
        return Outcome(WriteView(current.id, current.version, save.topic, save.text, _as_written(save),
                                 NoticeKind.CHANGED_MEANWHILE, other=current))
    topic = _topic(event.topic)
    try:
        evidence = parse_refs(event.evidence)
    except ValueError:
        evidence = None
    if topic is None or evidence is None:
        return Outcome(WriteView(event.conclusion_id, event.version, event.topic, event.text, (),
                                 NoticeKind.PROBLEM, DraftProblem.UNKNOWN_EVIDENCE))
    draft = Draft(topic, event.text.strip(), evidence)
    problem = check_draft(draft, set(state.offered))
    if problem is not None:
        kept = _as_written(event) if problem is not DraftProblem.UNKNOWN_EVIDENCE else ()
        return Outcome(WriteView(event.conclusion_id, event.version, event.topic, event.text, kept,
                                 NoticeKind.PROBLEM, problem))
    if event.conclusion_id is None:
        return Outcome(Saved(draft), (AddConclusion(draft),))
    if event.version is None:
        return Outcome(WriteView(event.conclusion_id, None, event.topic, event.text, _as_written(event),
                                 NoticeKind.PROBLEM, DraftProblem.UNKNOWN_EVIDENCE))
    return Outcome(Saved(draft), (EditConclusion(event.conclusion_id, event.version, draft),))


def render(round_id: str, view: WriteView, options: Sequence[Evidence]) -> dict[str, Any]:
    """The conclusion card of a view."""
    return write_card(
        round_id, options, conclusion_id=view.conclusion_id, version=view.version, topic=view.topic, text=view.text,
        evidence=view.evidence, max_chars=MAX_CONCLUSION_CHARS, notice=view.notice.value if view.notice else None,
        problem=view.problem.value if view.problem else None, other=view.other,
    )
