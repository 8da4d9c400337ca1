"""The survey flow as a state machine over plain objects: a state and an event in, a view and effects out."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from dialogs.flow import Outcome
from dialogs.survey_flow import (
    REVIEW, Conflict, GoTo, KeepPosition, Move, NoticeKind, Open, ReviewView, Save, SectionView, Step, Submit,
    SubmittedView, SurveyState, WindowView, decide,
)
from hyte.responses import Actor, ChangeAction, Response, ResponseKey, ResponseState
from hyte.round import HELSINKI, SurveyWindow, load_round

ROUND = load_round(Path(__file__).resolve().parents[2] / "config" / "pohjois-savo" / "round.yaml", today=date(2024, 5, 1))
NOW = datetime(2024, 5, 2, 10, 0, tzinfo=HELSINKI)
KEY = ResponseKey(ROUND.tenant_id, ROUND.id, "kuopio")
MAIJA = Actor("aad-maija", "Maija")
EMPTY = Response.empty(KEY)
SECTION_1 = {
    "goals_progress": "very_well", "hyte_effectiveness": "a", "organisation_actions": "b",
    "goals_to_strengthen": {"selected": ["g01"], "other": None},
}


def ctx(now: datetime = NOW, position: str | None = None) -> SurveyState:
    return SurveyState(ROUND, now, MAIJA, EMPTY, position)


def on(event, response: Response, state: SurveyState) -> Outcome:
    """What the flow decides for `event` with `response` stored."""
    return decide(replace(state, response=response), event)


def on_conflict(event, current: Response, state: SurveyState) -> Outcome:
    return decide(replace(state, response=current), Conflict(event))


def change_of(outcome: Outcome):
    save = outcome.effect(Save)
    return save.change if save is not None else None


def position_of(outcome: Outcome) -> str | None:
    moved = outcome.effect(Save) or outcome.effect(KeepPosition)
    return moved.position if moved is not None else None


def applied(response: Response, outcome) -> Response:
    change = change_of(outcome)
    submitted = {"submitted_answers": change.answers, "submitted_at": NOW, "submitted_by": "Maija"} if change.action is ChangeAction.SUBMIT else {}
    return replace(response, answers=change.answers, version=change.expected_version + 1, updated_by="Maija", updated_at=NOW, **submitted)


def test_open_starts_at_the_first_section_and_resumes_where_the_person_was():
    assert on(Open(), EMPTY, ctx()).view.section_id == "goals_measures"
    resumed = on(Open(), replace(EMPTY, version=3), ctx(position="methods"))
    assert resumed.view.section_id == "methods" and resumed.view.notice.kind is NoticeKind.RESUMED
    assert on(Open(), EMPTY, ctx(position="no-such-section")).view.section_id == "goals_measures"
    first_visit = on(Open(), replace(EMPTY, version=3, updated_by="Matti"), ctx())
    assert first_visit.view.notice.kind is NoticeKind.STARTED_BY_OTHERS and first_visit.view.notice.by == "Matti"


def test_next_validates_strictly_and_a_refused_step_changes_nothing():
    outcome = on(Step(Move.NEXT, "goals_measures", {"goals_progress": "very_well"}, 0), EMPTY, ctx())
    assert change_of(outcome) is None and position_of(outcome) is None
    assert isinstance(outcome.view, SectionView) and outcome.view.notice.kind is NoticeKind.FIX_ERRORS
    assert outcome.view.values["goals_progress"] == "very_well"  # what was typed is shown again


def test_save_keeps_a_partial_draft_and_stays():
    outcome = on(Step(Move.SAVE, "goals_measures", {"goals_progress": "very_well"}, 0), EMPTY, ctx())
    assert change_of(outcome).answers == {"goals_progress": "very_well"} and change_of(outcome).expected_version == 0
    assert outcome.view.section_id == "goals_measures" and outcome.view.notice.kind is NoticeKind.DRAFT_SAVED
    assert outcome.view.version == 1


def test_walk_to_review_and_submit():
    response = EMPTY
    outcome = on(Step(Move.NEXT, "goals_measures", SECTION_1, 0), response, ctx())
    assert outcome.view.section_id == "monitoring" and position_of(outcome) == "monitoring"
    response = applied(response, outcome)
    outcome = on(Step(Move.BACK, "monitoring", {"annual_report_scale": "3"}, response.version), response, ctx())
    assert outcome.view.section_id == "goals_measures" and change_of(outcome).answers["annual_report_scale"] == 3
    response = applied(response, outcome)
    outcome = on(Step(Move.NEXT, "interfaces", {}, response.version), response, ctx())
    assert change_of(outcome) is None and outcome.view.errors  # last section is strict too
    outcome = on(Submit(response.version), response, ctx())
    assert isinstance(outcome.view, ReviewView) and change_of(outcome) is None
    assert set(outcome.view.problems) == {"monitoring", "methods", "ngo_cooperation", "interfaces"}


def test_unchanged_step_writes_nothing_even_from_a_stale_card():
    response = replace(EMPTY, answers=dict(SECTION_1), version=4)
    outcome = on(Step(Move.NEXT, "goals_measures", SECTION_1, 2), response, ctx())
    assert change_of(outcome) is None and outcome.view.section_id == "monitoring"


def test_changed_step_from_a_stale_card_is_a_conflict():
    response = replace(EMPTY, answers=dict(SECTION_1), version=4, updated_by="Matti", updated_at=NOW)
    outcome = on(Step(Move.SAVE, "goals_measures", {**SECTION_1, "goals_progress": "cannot_say"}, 3), response, ctx())
    assert change_of(outcome) is None
    assert outcome.view.notice.kind is NoticeKind.CONFLICT and outcome.view.notice.by == "Matti"
    assert outcome.view.values["goals_progress"] == "very_well"


def test_submit_from_a_stale_review_is_a_conflict():
    outcome = on(Submit(1), replace(EMPTY, version=2), ctx())
    assert change_of(outcome) is None and outcome.view.notice.kind is NoticeKind.CONFLICT


def test_submitted_response_opens_as_submitted_and_edits_are_tracked():
    submitted = replace(EMPTY, answers={"x": 1}, submitted_answers={"x": 1}, version=5, submitted_at=NOW, submitted_by="Maija")
    assert submitted.state is ResponseState.SUBMITTED
    assert isinstance(on(Open(), submitted, ctx()).view, SubmittedView)
    edit = on(GoTo("goals_measures"), submitted, ctx())
    assert edit.view.section_id == "goals_measures" and position_of(edit) == "goals_measures"
    assert edit.view.notice.kind is NoticeKind.EDITING_SUBMITTED  # told to submit again
    assert replace(submitted, answers={"x": 2}).state is ResponseState.SUBMITTED_WITH_CHANGES


def test_nothing_happens_outside_the_survey_window():
    closes = ROUND.timetable.survey_closes
    for event in (Open(), Step(Move.SAVE, "goals_measures", SECTION_1, 0), Submit(0), GoTo("methods")):
        outcome = on(event, EMPTY, ctx(now=closes))
        assert isinstance(outcome.view, WindowView) and outcome.view.window is SurveyWindow.CLOSED
        assert change_of(outcome) is None and position_of(outcome) is None
    early = on(Open(), EMPTY, ctx(now=ROUND.timetable.survey_opens - timedelta(seconds=1)))
    assert early.view.window is SurveyWindow.NOT_YET_OPEN


def test_conflict_at_write_time_shows_the_current_answers_where_the_person_was():
    current = replace(EMPTY, answers={"goals_progress": "cannot_say"}, version=7, updated_by="Matti", updated_at=NOW)
    outcome = on_conflict(Step(Move.NEXT, "goals_measures", SECTION_1, 6), current, ctx())
    assert outcome.view.section_id == "goals_measures" and outcome.view.version == 7
    assert outcome.view.values == {"goals_progress": "cannot_say"}
    assert position_of(on_conflict(Submit(6), current, ctx())) == REVIEW


COMPLETE = {
    **SECTION_1,
    "annual_report_scale": 3, "annual_report_development": "c",
    "methods": {"none": True, "areas": {}},
    "ngo_good_practices": "d", "ngo_at_its_best": "e", "ngo_discussion_needs": "f",
    "interfaces_strategy_goal": "g", "partners_found": "yes", "roles_clear": "no", "more_cooperation": "h",
}


def test_a_repeated_submit_is_answered_as_submitted_without_a_second_write():
    response = replace(EMPTY, answers=dict(COMPLETE), version=4)
    first = on(Submit(4), response, ctx())
    assert change_of(first) is not None and change_of(first).action is ChangeAction.SUBMIT
    after = applied(response, first)
    again = on(Submit(4), after, ctx())
    assert change_of(again) is None and isinstance(again.view, SubmittedView)
    stale = on(Submit(2), after, ctx())  # an older card is still a conflict
    assert change_of(stale) is None and stale.view.notice.kind is NoticeKind.CONFLICT
