"""The negotiation meeting's joint discussion, in plain Python: the points the breakout groups raise,
the conclusions ("kirjaukset") the HYTE team writes under the law's four topics with the evidence
each rests on, and the finished, numbered versions of the summary (evidence: hyte/meeting_evidence.py).

* A group raises a note to the joint discussion with the RAISE_REACTION (❤️) on it: a reaction
  targets exactly one note (Teams' channel threads are flat, so a reply cannot point at a note),
  works on a phone, is taken back by removing it, and reaches the bot as `messageReaction` already.
  A HYTE team member's reaction of any kind stays a highlight, as before.
* A conclusion is edited with optimistic versioning, as a survey response is: an edit names the
  version it was made on; a stale one is refused with what is stored now (`ConclusionConflict`),
  so that two members writing at once never lose each other's text. Every change leaves a history
  row (who, when, the text before).
* Evidence is referred to by stable references (`EvidenceRef`): a survey question (its
  distribution or answers), a survey theme, a workshop note (a raised point or a highlight), a
  workshop theme. A reference whose source has gone (a deleted note) resolves to nothing and is
  shown as such; it is never silently dropped from the stored conclusion.
* "Viimeistele yhteenveto" freezes the conclusions as version N (who, when); later edits make the
  next version when finished again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, Sequence

from hyte.survey import LegalTopic

RAISE_REACTION = "heart"
"""The reaction a breakout group marks a note with to raise it to the joint discussion."""
MAX_CONCLUSION_CHARS = 2_000
MAX_EVIDENCE = 30
TOPICS: tuple[LegalTopic, ...] = (LegalTopic.GOALS, LegalTopic.MEASURES, LegalTopic.COOPERATION, LegalTopic.MONITORING)


class EvidenceKind(StrEnum):
    SURVEY_QUESTION = "sq"
    """A survey question: its distribution, ranking or answers."""
    SURVEY_THEME = "st"
    WORKSHOP_NOTE = "wn"
    """A workshop note: a point a group raised, or a HYTE team's highlight."""
    WORKSHOP_THEME = "wt"


@dataclass(frozen=True, order=True)
class EvidenceRef:
    """`sq:<question>`, `st:<question>:<theme key>`, `wn:<channel>|<message>`, `wt:<question>:<theme key>`."""

    kind: EvidenceKind
    question_id: str = ""
    key: str = ""
    """A theme's key, or a note's key (channel|message)."""

    def __str__(self) -> str:
        match self.kind:
            case EvidenceKind.SURVEY_QUESTION:
                return f"sq:{self.question_id}"
            case EvidenceKind.WORKSHOP_NOTE:
                return f"wn:{self.key}"
        return f"{self.kind.value}:{self.question_id}:{self.key}"

    @classmethod
    def parse(cls, value: str) -> EvidenceRef:
        """The reference a string names; ValueError for anything else."""
        kind_text, _, rest = value.partition(":")
        kind = EvidenceKind(kind_text)
        if not rest or "," in rest:
            raise ValueError(f"not an evidence reference: {value!r}")
        if kind is EvidenceKind.SURVEY_QUESTION:
            return cls(kind, rest)
        if kind is EvidenceKind.WORKSHOP_NOTE:
            channel, bar, message = rest.rpartition("|")
            if not bar or not channel or not message:
                raise ValueError(f"not a note reference: {value!r}")
            return cls(kind, "", rest)
        question, colon, key = rest.partition(":")
        if not colon or not question or not key:
            raise ValueError(f"not a theme reference: {value!r}")
        return cls(kind, question, key)


def parse_refs(values: str | Sequence[str]) -> tuple[EvidenceRef, ...]:
    """A multi-select's comma-separated value (or a list) as references, in order, once each."""
    items = values.split(",") if isinstance(values, str) else list(values)
    seen: dict[str, EvidenceRef] = {}
    for item in items:
        item = item.strip()
        if item and item not in seen:
            seen[item] = EvidenceRef.parse(item)
    return tuple(seen.values())


@dataclass(frozen=True)
class Author:
    """Who changed something: the name shown, and the Entra object id an erasure finds."""

    name: str
    aad: str | None = None

    @classmethod
    def of(cls, by: str | Author) -> Author:
        return by if isinstance(by, Author) else cls(by)


@dataclass(frozen=True)
class Conclusion:
    id: int
    topic: LegalTopic
    position: int
    text: str
    evidence: tuple[EvidenceRef, ...]
    version: int
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    updated_by_aad: str | None = None
    """The last editor's Entra object id (what an erasure of their personal data finds)."""

    def frozen(self) -> dict[str, Any]:
        """As a finished version keeps it (JSON)."""
        return {"id": self.id, "topic": self.topic.value, "position": self.position, "text": self.text,
                "evidence": [str(r) for r in self.evidence], "version": self.version,
                "updated_by": self.updated_by, "updated_by_aad": self.updated_by_aad,
                "updated_at": self.updated_at.isoformat()}


def by_topic(conclusions: Sequence[Conclusion]) -> list[tuple[LegalTopic, list[Conclusion]]]:
    """The conclusions under each of the four topics, in the order the team set."""
    return [(topic, sorted((c for c in conclusions if c.topic is topic), key=lambda c: (c.position, c.id)))
            for topic in TOPICS]


class ChangeKind(StrEnum):
    CREATED = "created"
    EDITED = "edited"
    MOVED = "moved"
    DELETED = "deleted"


@dataclass(frozen=True)
class ConclusionChange:
    conclusion_id: int
    version: int
    kind: ChangeKind
    by: str
    at: datetime
    old_text: str | None = None
    old_topic: LegalTopic | None = None


@dataclass(frozen=True)
class SummaryVersion:
    number: int
    finished_by: str
    finished_at: datetime
    conclusions: tuple[dict[str, Any], ...] = ()

    def conclusions_as_objects(self) -> list[Conclusion]:
        return [
            Conclusion(
                id=c["id"], topic=LegalTopic(c["topic"]), position=c["position"], text=c["text"],
                evidence=parse_refs(c["evidence"]), version=c["version"], created_by=c.get("updated_by", ""),
                created_at=datetime.fromisoformat(c["updated_at"]), updated_by=c.get("updated_by", ""),
                updated_at=datetime.fromisoformat(c["updated_at"]),
            )
            for c in self.conclusions
        ]


@dataclass(frozen=True)
class Draft:
    """What a HYTE member writes on the card: a conclusion's topic, text and evidence."""

    topic: LegalTopic
    text: str
    evidence: tuple[EvidenceRef, ...] = ()


class DraftProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    TOO_MUCH_EVIDENCE = "too_much_evidence"
    UNKNOWN_EVIDENCE = "unknown_evidence"


def check_draft(draft: Draft, offered: set[str] | None = None) -> DraftProblem | None:
    """What is wrong with a draft; `offered`: the references the card offered (anything else, a
    forged or stale payload, is refused)."""
    if not draft.text.strip():
        return DraftProblem.EMPTY
    if len(draft.text) > MAX_CONCLUSION_CHARS:
        return DraftProblem.TOO_LONG
    if len(draft.evidence) > MAX_EVIDENCE:
        return DraftProblem.TOO_MUCH_EVIDENCE
    if offered is not None and any(str(r) not in offered for r in draft.evidence):
        return DraftProblem.UNKNOWN_EVIDENCE
    return None


class ConclusionConflict(Exception):
    """The conclusion changed (or was deleted) since the version the edit was made on."""

    def __init__(self, current: Conclusion | None) -> None:
        super().__init__("stale conclusion version")
        self.current = current


@dataclass(frozen=True)
class MeetingPost:
    """A card the bot keeps up to date in place: where it is and its message id."""

    kind: str
    service_url: str
    channel_id: str
    message_id: str


@dataclass
class MeetingState:
    conclusions: list[Conclusion] = field(default_factory=list)
    versions: list[SummaryVersion] = field(default_factory=list)

    @property
    def latest(self) -> SummaryVersion | None:
        return self.versions[-1] if self.versions else None

    def changed_since_latest(self) -> bool:
        """Whether the conclusions differ from the latest finished version (or none is finished)."""
        latest = self.latest
        if latest is None:
            return bool(self.conclusions)
        return _comparable([c.frozen() for c in self.conclusions]) != _comparable(list(latest.conclusions))


def _comparable(items: list[dict[str, Any]]) -> list[tuple]:
    return sorted((c["id"], c["topic"], c["position"], c["text"], tuple(c["evidence"])) for c in items)


class MeetingRepository(Protocol):
    """Conclusions, their history, finished versions and the cards kept in place (storage/meeting.py)."""

    async def conclusions(self, tenant_id: str, round_id: str) -> list[Conclusion]: ...

    async def add(self, tenant_id: str, round_id: str, draft: Draft, by: str | Author, at: datetime) -> Conclusion: ...

    async def edit(
        self, tenant_id: str, round_id: str, conclusion_id: int, version: int, draft: Draft, by: str | Author, at: datetime,
    ) -> Conclusion:
        """Raises ConclusionConflict when the stored version is not `version`."""
        ...

    async def move(
        self, tenant_id: str, round_id: str, conclusion_id: int, version: int, step: int, by: str | Author, at: datetime,
    ) -> Conclusion: ...

    async def delete(
        self, tenant_id: str, round_id: str, conclusion_id: int, version: int, by: str | Author, at: datetime,
    ) -> None: ...

    async def history(self, tenant_id: str, round_id: str) -> list[ConclusionChange]: ...

    async def finish(self, tenant_id: str, round_id: str, by: str | Author, at: datetime) -> SummaryVersion | None:
        """Freeze the conclusions as the next version; None when nothing changed since the latest."""
        ...

    async def versions(self, tenant_id: str, round_id: str) -> list[SummaryVersion]: ...

    async def raised(self, tenant_id: str, round_id: str) -> set[str]:
        """The keys of the notes a group raised (a non-HYTE RAISE_REACTION on them)."""
        ...

    async def post(self, tenant_id: str, round_id: str, kind: str) -> MeetingPost | None: ...

    async def keep_post(self, tenant_id: str, round_id: str, post: MeetingPost) -> None: ...
