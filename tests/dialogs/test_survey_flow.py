"""The survey flow as a state machine over plain objects: events in, views and changes out."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from dialogs.survey_flow import (
    REVIEW, FlowContext, GoTo, Move, NoticeKind, Open, ReviewView, SectionView, Step, Submit, SubmittedView,
    WindowView, decide, on_conflict,
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


def ctx(now: datetime = NOW, position: str | None = None) -> FlowContext:
    return FlowContext(ROUND, now, MAIJA, position)


def applied(response: Response, outcome) -> Response:
    change = outcome.change
    submitted = {"submitted_answers": change.answers, "submitted_at": NOW, "submitted_by": "Maija"} if change.action is ChangeAction.SUBMIT else {}
    return replace(response, answers=change.answers, version=change.expected_version + 1, updated_by="Maija", updated_at=NOW, **submitted)


def test_open_starts_at_the_first_section_and_resumes_where_the_person_was():
    assert decide(Open(), EMPTY, ctx()).view.section_id == "goals_measures"
    resumed = decide(Open(), replace(EMPTY, version=3), ctx(position="methods"))
    assert resumed.view.section_id == "methods" and resumed.view.notice.kind is NoticeKind.RESUMED
    assert decide(Open(), EMPTY, ctx(position="no-such-section")).view.section_id == "goals_measures"
    first_visit = decide(Open(), replace(EMPTY, version=3, updated_by="Matti"), ctx())
    assert first_visit.view.notice.kind is NoticeKind.STARTED_BY_OTHERS and first_visit.view.notice.by == "Matti"


def test_next_validates_strictly_and_a_refused_step_changes_nothing():
    outcome = decide(Step(Move.NEXT, "goals_measures", {"goals_progress": "very_well"}, 0), EMPTY, ctx())
    assert outcome.change is None and outcome.position is None
    assert isinstance(outcome.view, SectionView) and outcome.view.notice.kind is NoticeKind.FIX_ERRORS
    assert outcome.view.values["goals_progress"] == "very_well"  # what was typed is shown again


def test_save_keeps_a_partial_draft_and_stays():
    outcome = decide(Step(Move.SAVE, "goals_measures", {"goals_progress": "very_well"}, 0), EMPTY, ctx())
    assert outcome.change.answers == {"goals_progress": "very_well"} and outcome.change.expected_version == 0
    assert outcome.view.section_id == "goals_measures" and outcome.view.notice.kind is NoticeKind.DRAFT_SAVED
    assert outcome.view.version == 1


def test_walk_to_review_and_submit():
    response = EMPTY
    outcome = decide(Step(Move.NEXT, "goals_measures", SECTION_1, 0), response, ctx())
    assert outcome.view.section_id == "monitoring" and outcome.position == "monitoring"
    response = applied(response, outcome)
    outcome = decide(Step(Move.BACK, "monitoring", {"annual_report_scale": "3"}, response.version), response, ctx())
    assert outcome.view.section_id == "goals_measures" and outcome.change.answers["annual_report_scale"] == 3
    response = applied(response, outcome)
    outcome = decide(Step(Move.NEXT, "interfaces", {}, response.version), response, ctx())
    assert outcome.change is None and outcome.view.errors  # last section is strict too
    outcome = decide(Submit(response.version), response, ctx())
    assert isinstance(outcome.view, ReviewView) and outcome.change is None
    assert set(outcome.view.problems) == {"monitoring", "methods", "ngo_cooperation", "interfaces"}


def test_unchanged_step_writes_nothing_even_from_a_stale_card():
    response = replace(EMPTY, answers=dict(SECTION_1), version=4)
    outcome = decide(Step(Move.NEXT, "goals_measures", SECTION_1, 2), response, ctx())
    assert outcome.change is None and outcome.view.section_id == "monitoring"


def test_changed_step_from_a_stale_card_is_a_conflict():
    response = replace(EMPTY, answers=dict(SECTION_1), version=4, updated_by="Matti", updated_at=NOW)
    outcome = decide(Step(Move.SAVE, "goals_measures", {**SECTION_1, "goals_progress": "cannot_say"}, 3), response, ctx())
    assert outcome.change is None
    assert outcome.view.notice.kind is NoticeKind.CONFLICT and outcome.view.notice.by == "Matti"
    assert outcome.view.values["goals_progress"] == "very_well"


def test_submit_from_a_stale_review_is_a_conflict():
    outcome = decide(Submit(1), replace(EMPTY, version=2), ctx())
    assert outcome.change is None and outcome.view.notice.kind is NoticeKind.CONFLICT


def test_submitted_response_opens_as_submitted_and_edits_are_tracked():
    submitted = replace(EMPTY, answers={"x": 1}, submitted_answers={"x": 1}, version=5, submitted_at=NOW, submitted_by="Maija")
    assert submitted.state is ResponseState.SUBMITTED
    assert isinstance(decide(Open(), submitted, ctx()).view, SubmittedView)
    edit = decide(GoTo("goals_measures"), submitted, ctx())
    assert edit.view.section_id == "goals_measures" and edit.position == "goals_measures"
    assert edit.view.notice.kind is NoticeKind.EDITING_SUBMITTED  # told to submit again
    assert replace(submitted, answers={"x": 2}).state is ResponseState.SUBMITTED_WITH_CHANGES


def test_nothing_happens_outside_the_survey_window():
    closes = ROUND.timetable.survey_closes
    for event in (Open(), Step(Move.SAVE, "goals_measures", SECTION_1, 0), Submit(0), GoTo("methods")):
        outcome = decide(event, EMPTY, ctx(now=closes))
        assert isinstance(outcome.view, WindowView) and outcome.view.window is SurveyWindow.CLOSED
        assert outcome.change is None and outcome.position is None
    early = decide(Open(), EMPTY, ctx(now=ROUND.timetable.survey_opens - timedelta(seconds=1)))
    assert early.view.window is SurveyWindow.NOT_YET_OPEN


def test_conflict_at_write_time_shows_the_current_answers_where_the_person_was():
    current = replace(EMPTY, answers={"goals_progress": "cannot_say"}, version=7, updated_by="Matti", updated_at=NOW)
    outcome = on_conflict(Step(Move.NEXT, "goals_measures", SECTION_1, 6), current, ctx())
    assert outcome.view.section_id == "goals_measures" and outcome.view.version == 7
    assert outcome.view.values == {"goals_progress": "cannot_say"}
    assert on_conflict(Submit(6), current, ctx()).position == REVIEW


COMPLETE = {
    **SECTION_1,
    "annual_report_scale": 3, "annual_report_development": "c",
    "methods": {"none": True, "areas": {}},
    "ngo_good_practices": "d", "ngo_at_its_best": "e", "ngo_discussion_needs": "f",
    "interfaces_strategy_goal": "g", "partners_found": "yes", "roles_clear": "no", "more_cooperation": "h",
}


def test_a_repeated_submit_is_answered_as_submitted_without_a_second_write():
    response = replace(EMPTY, answers=dict(COMPLETE), version=4)
    first = decide(Submit(4), response, ctx())
    assert first.change is not None and first.change.action is ChangeAction.SUBMIT
    after = applied(response, first)
    again = decide(Submit(4), after, ctx())
    assert again.change is None and isinstance(again.view, SubmittedView)
    stale = decide(Submit(2), after, ctx())  # an older card is still a conflict
    assert stale.change is None and stale.view.notice.kind is NoticeKind.CONFLICT
