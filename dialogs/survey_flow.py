"""The pre-survey conversation as a state machine: `decide(state, event) -> Outcome(view, effects)`.

Pure: no SDK, no database. The bot loads the organisation's response and the person's position,
asks `decide`, carries out the effects (`Save`: the change and the new position in one write,
which the repository may refuse as stale; then the flow is asked again with what is stored now and
a `Conflict` event, whose effect is `KeepPosition`) and renders the view as a card (survey_render).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Mapping

from dialogs.flow import Outcome
from hyte.answers import FieldError, validate_all, validate_section
from hyte.responses import (
    Actor,
    Change,
    ChangeAction,
    Response,
    ResponseState,
)
from hyte.round import Round, SurveyWindow


class Move(StrEnum):
    NEXT = "next"
    BACK = "back"
    SAVE = "save"


# Events ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Open:
    """`kysely` or "Aloita kysely": start, or resume where this person was."""


@dataclass(frozen=True)
class Step:
    """Next, back or save on a section card, with the card's inputs as raw answers."""

    move: Move
    section_id: str
    raw: Mapping[str, Any]
    version: int


@dataclass(frozen=True)
class GoTo:
    """Open a section to edit it (from the review card, or "edit" after submit)."""

    section_id: str


@dataclass(frozen=True)
class Submit:
    version: int


Event = Open | Step | GoTo | Submit


@dataclass(frozen=True)
class Conflict:
    """The repository refused the event's change as stale: the state's response is what is stored now."""

    event: Event


# Views ----------------------------------------------------------------------------------------


class NoticeKind(StrEnum):
    DRAFT_SAVED = "draft_saved"
    CONFLICT = "conflict"
    FIX_ERRORS = "fix_errors"
    RESUMED = "resumed"
    STARTED_BY_OTHERS = "started_by_others"
    EDITING_SUBMITTED = "editing_submitted"


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    by: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class SectionView:
    section_id: str
    values: Mapping[str, Any]
    """What to show in the inputs: stored answers, or what the person just sent if it was refused."""
    version: int
    errors: tuple[FieldError, ...] = ()
    notice: Notice | None = None
    state: ResponseState = ResponseState.NOT_STARTED


@dataclass(frozen=True)
class ReviewView:
    answers: Mapping[str, Any]
    version: int
    problems: Mapping[str, tuple[FieldError, ...]] = field(default_factory=dict)
    notice: Notice | None = None
    state: ResponseState = ResponseState.DRAFT


@dataclass(frozen=True)
class SubmittedView:
    response: Response
    just_now: bool = False


@dataclass(frozen=True)
class WindowView:
    """The survey is not open: not yet, or closed. Nothing is changed."""

    window: SurveyWindow
    opens: datetime
    closes: datetime


View = SectionView | ReviewView | SubmittedView | WindowView

REVIEW = "review"
"""The position after the last section."""


# Effects --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Save:
    """Write the change (if any) and the person's new position (if it moved), in one transaction;
    the change only if the stored version is still the one it was made from."""

    change: Change | None
    position: str | None


@dataclass(frozen=True)
class KeepPosition:
    position: str


@dataclass(frozen=True)
class SurveyState:
    round: Round
    now: datetime
    actor: Actor
    response: Response
    """The organisation's response as stored now (empty when there is none yet)."""
    position: str | None = None
    """Where this person was last (a section id or REVIEW), if anywhere (read for `Open`)."""


@dataclass(frozen=True)
class _Decision:
    view: View
    change: Change | None = None
    position: str | None = None


def decide(state: SurveyState, event: Event | Conflict) -> Outcome[View]:
    if isinstance(event, Conflict):
        decision = _on_conflict(event.event, state.response, state)
        return Outcome(decision.view, (KeepPosition(decision.position),) if decision.position is not None else ())
    decision = _decide(event, state.response, state)
    moved = decision.position is not None and decision.position != state.position
    if decision.change is None and not moved:
        return Outcome(decision.view)
    return Outcome(decision.view, (Save(decision.change, decision.position if moved else None),))


def _decide(event: Event, response: Response, ctx: SurveyState) -> _Decision:
    window = ctx.round.survey_state(ctx.now)
    if window is not SurveyWindow.OPEN:
        timetable = ctx.round.timetable
        return _Decision(WindowView(window, timetable.survey_opens, timetable.survey_closes))
    match event:
        case Open():
            return _open(response, ctx)
        case Step():
            return _step(event, response, ctx)
        case GoTo():
            return _goto(event.section_id, response, ctx)
        case Submit():
            return _submit(event, response, ctx)
    raise TypeError(f"unknown event {event!r}")


def _sections(ctx: SurveyState) -> list[str]:
    return [s.id for s in ctx.round.survey.sections]


def _on_conflict(event: Event, current: Response, ctx: SurveyState) -> _Decision:
    """The repository refused the change as stale: show what is stored now, where the person was."""
    notice = Notice(NoticeKind.CONFLICT, current.updated_by, current.updated_at)
    match event:
        case Step() | GoTo() if event.section_id in _sections(ctx):
            return _Decision(_section(event.section_id, current, notice=notice), position=event.section_id)
        case Submit():
            return _Decision(_review(current, notice), position=REVIEW)
    return _Decision(_section(_sections(ctx)[0], current, notice=notice))


def _open(response: Response, ctx: SurveyState) -> _Decision:
    if response.state is ResponseState.SUBMITTED:
        return _Decision(SubmittedView(response))
    position = ctx.position if ctx.position in (*_sections(ctx), REVIEW) else _sections(ctx)[0]
    notice = None
    if response.version:
        kind = NoticeKind.RESUMED if ctx.position else NoticeKind.STARTED_BY_OTHERS
        notice = Notice(kind, response.updated_by, response.updated_at)
    if position == REVIEW:
        return _Decision(_review(response, notice))
    return _Decision(_section(position, response, notice=notice), position=position)


def _goto(section_id: str, response: Response, ctx: SurveyState) -> _Decision:
    if section_id not in _sections(ctx):
        section_id = _sections(ctx)[0]
    notice = Notice(NoticeKind.EDITING_SUBMITTED) if response.state is ResponseState.SUBMITTED else None
    return _Decision(_section(section_id, response, notice=notice), position=section_id)


def _step(event: Step, response: Response, ctx: SurveyState) -> _Decision:
    sections = _sections(ctx)
    if event.section_id not in sections:
        return _open(response, ctx)
    section = ctx.round.survey.section(event.section_id)
    strict = event.move is Move.NEXT
    result = validate_section(section, event.raw, strict=strict)
    sent_values = {**response.answers, **{q.id: event.raw.get(q.id) for q in section.questions}}
    stored_section = {q.id: response.answers.get(q.id) for q in section.questions}
    new_section = {q.id: result.answers.get(q.id) for q in section.questions}
    changed = tuple(qid for qid in new_section if new_section[qid] != stored_section[qid])

    if event.version != response.version and (changed or not result.ok):
        # Someone else changed the response since this card was built: show what is stored now.
        notice = Notice(NoticeKind.CONFLICT, response.updated_by, response.updated_at)
        return _Decision(_section(section.id, response, notice=notice), position=section.id)
    if not result.ok:
        view = SectionView(
            section.id, sent_values, response.version, tuple(result.errors),
            Notice(NoticeKind.FIX_ERRORS), response.state,
        )
        return _Decision(view)

    answers = {k: v for k, v in {**response.answers, **new_section}.items() if v is not None}
    change = Change(answers, response.version, ChangeAction.SAVE, changed) if changed else None
    after = _after_change(response, answers, change, ctx)
    index = sections.index(section.id)
    match event.move:
        case Move.SAVE:
            notice = Notice(NoticeKind.DRAFT_SAVED, ctx.actor.name, ctx.now)
            return _Decision(_section(section.id, after, notice=notice), change, section.id)
        case Move.BACK:
            target = sections[max(index - 1, 0)]
            return _Decision(_section(target, after), change, target)
        case Move.NEXT if index + 1 < len(sections):
            target = sections[index + 1]
            return _Decision(_section(target, after), change, target)
        case _:
            return _Decision(_review(after), change, REVIEW)


def _submit(event: Submit, response: Response, ctx: SurveyState) -> _Decision:
    if response.state is ResponseState.SUBMITTED and event.version == response.version - 1:
        # The same submit delivered again (Teams re-sends when a turn is slow): already done.
        return _Decision(SubmittedView(response))
    if event.version != response.version:
        notice = Notice(NoticeKind.CONFLICT, response.updated_by, response.updated_at)
        return _Decision(_review(response, notice), position=REVIEW)
    problems = validate_all(ctx.round.survey, response.answers)
    if problems:
        view = ReviewView(
            response.answers, response.version, {k: tuple(v) for k, v in problems.items()},
            Notice(NoticeKind.FIX_ERRORS), response.state,
        )
        return _Decision(view, position=REVIEW)
    if response.state is ResponseState.SUBMITTED:
        return _Decision(SubmittedView(response))
    changed = tuple(
        q.id for q in ctx.round.survey.questions
        if (response.submitted_answers or {}).get(q.id) != response.answers.get(q.id)
    )
    change = Change(dict(response.answers), response.version, ChangeAction.SUBMIT, changed)
    after = replace(
        _after_change(response, response.answers, change, ctx),
        submitted_answers=dict(response.answers), submitted_at=ctx.now, submitted_by=ctx.actor.name,
    )
    return _Decision(SubmittedView(after, just_now=True), change, REVIEW)


def _after_change(response: Response, answers: dict, change: Change | None, ctx: SurveyState) -> Response:
    """The response as it will be once the change is applied (for the next view)."""
    if change is None:
        return response
    return replace(
        response, answers=answers, version=response.version + 1, updated_at=ctx.now, updated_by=ctx.actor.name
    )


def _section(section_id: str, response: Response, notice: Notice | None = None) -> SectionView:
    return SectionView(section_id, response.answers, response.version, (), notice, response.state)


def _review(response: Response, notice: Notice | None = None) -> ReviewView:
    return ReviewView(response.answers, response.version, {}, notice, response.state)
