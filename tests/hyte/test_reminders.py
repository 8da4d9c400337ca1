"""The reminder plan in plain Python: defaults and the round file's `reminders:` section, due times in
Helsinki local time across the DST changes, targets, who still needs a reminder, the timetable's
phases as people see them, and moved dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from hyte.clock import helsinki_instant, local_days_between
from hyte.jobs import retry_delay
from hyte.reminders import (
    SPECS, Audience, ReminderId, due_time, manual_jobs, needs_reminder, non_respondents, person_key, plan,
)
from hyte.timetable import PhaseState, Stage, apply_moves, current_phase, phase_rows, stage, with_timetable
from hyte.responses import Response, ResponseKey, ResponseState
from hyte.round import HELSINKI, Phase, ReminderRule, RemindersConfig, load_round
from hyte.configuration import ConfigurationError

DEMO = Path(__file__).resolve().parents[2] / "config" / "pohjois-savo" / "round.yaml"
TIMETABLE_2024 = {
    "material_review": "2024-02-14T13:00", "survey_opens": "2024-03-18T08:00", "survey_closes": "2024-04-03T16:00",
    "negotiation_meeting": "2024-04-17T09:00", "summary_to_government": "2024-05-31T12:00",
    "results_into_plan": "2024-09-16T12:00",
}


def round_with(tmp_path: Path, reminders: dict | None = None, timetable: dict | None = None):
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    data["survey_file"] = str(DEMO.parent / "survey.yaml")
    data.pop("workshop_file", None)
    data["timetable"] = timetable or TIMETABLE_2024
    if reminders is not None:
        data["reminders"] = reminders
    path = tmp_path / "round.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_round(path)


def local(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=HELSINKI)


def test_every_reminder_has_a_rule_in_the_round_file_and_a_spec():
    assert {r.value for r in ReminderId} == set(RemindersConfig.model_fields)
    assert set(SPECS) == set(ReminderId)


def test_nine_oclock_stays_nine_oclock_across_the_march_and_october_changes():
    rule = ReminderRule(days=-3, at=time(9, 0))
    closes_in_april = local("2024-04-03T16:00")
    assert due_time(closes_in_april, rule) == datetime(2024, 3, 31, 6, 0, tzinfo=UTC)  # 31.3. is summer time already
    assert due_time(local("2024-03-31T16:00"), rule) == datetime(2024, 3, 28, 7, 0, tzinfo=UTC)  # winter time
    assert due_time(local("2024-10-29T16:00"), rule) == datetime(2024, 10, 26, 6, 0, tzinfo=UTC)
    assert due_time(local("2024-10-30T16:00"), rule) == datetime(2024, 10, 27, 7, 0, tzinfo=UTC)  # back to winter


def test_a_time_in_the_skipped_hour_moves_forward_and_the_phases_own_time_is_kept():
    assert helsinki_instant(date(2024, 3, 31), time(3, 30)) == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)  # 04.30 EEST
    opens = local("2024-03-18T08:00")
    assert due_time(opens, ReminderRule(days=0, at=None)) == opens.astimezone(UTC)


def test_calendar_days_count_in_helsinki():
    assert local_days_between(local("2024-04-02T23:30"), local("2024-04-03T00:10")) == 1
    assert local_days_between(local("2024-04-02T09:00"), local("2024-04-02T16:00")) == 0


def test_the_default_plan_of_the_demo_round(tmp_path):
    round_ = round_with(tmp_path)
    jobs = plan(round_, round_.timetable)
    by_audience = {a: [j for j in jobs if j.audience is a] for a in Audience}
    assert len(by_audience[Audience.BOARD_CHANNEL]) == 5
    assert len(by_audience[Audience.NON_RESPONDENTS]) == 2 * len(round_.config.representatives)
    assert len(by_audience[Audience.HYTE_TEAM]) == 3 * len(round_.config.hyte_team)
    early = [j for j in jobs if j.reminder == "nonrespondents_early"]
    assert {j.target for j in early} == {person_key(r) for r in round_.config.representatives}
    assert "upn:anna.makinen@example.fi" in {j.target for j in early}  # configured by UPN only
    assert all(j.expires_at == datetime(2024, 4, 3, 13, 0, tzinfo=UTC) for j in early)
    assert {j.organisation_id for j in early} >= {"kuopio", "iisalmi"}
    summary_ready = next(j for j in jobs if j.reminder == "survey_summary_ready")
    assert summary_ready.expires_at == datetime(2024, 4, 17, 6, 0, tzinfo=UTC)  # relevant until the meeting


def test_the_round_file_changes_only_what_it_names(tmp_path):
    round_ = round_with(tmp_path, {"survey_closing": {"days": -5}, "meeting_tomorrow": {"enabled": False},
                                   "team_results_due": {"at": 570}})  # YAML 1.1 reads an unquoted 9:30 as 570
    rules = round_.config.reminders
    assert rules.survey_closing == ReminderRule(days=-5, at=time(9, 0))
    assert rules.team_results_due == ReminderRule(days=-14, at=time(9, 30))
    jobs = plan(round_, round_.timetable)
    assert "meeting_tomorrow" not in {j.reminder for j in jobs}
    closing = next(j for j in jobs if j.reminder == "survey_closing")
    assert closing.due_at == datetime(2024, 3, 29, 7, 0, tzinfo=UTC)


def test_quoted_times_and_unknown_reminders_in_the_round_file(tmp_path):
    round_ = round_with(tmp_path, {"survey_open": {"at": "07:45"}})
    assert round_.config.reminders.survey_open.at == time(7, 45)
    with pytest.raises(ConfigurationError, match="reminders"):
        round_with(tmp_path, {"survey_closes_soon": {"days": -2}})
    with pytest.raises(ConfigurationError, match="days"):
        round_with(tmp_path, {"survey_closing": {"days": 1000}})


def test_only_organisations_that_have_not_submitted_are_reminded(tmp_path):
    round_ = round_with(tmp_path)
    def response(organisation: str, state: ResponseState) -> Response:
        key = ResponseKey(round_.tenant_id, round_.id, organisation)
        answers = {"q": 1}
        match state:
            case ResponseState.DRAFT:
                return Response(key, answers, None, 1)
            case ResponseState.SUBMITTED:
                return Response(key, answers, answers, 2)
            case ResponseState.SUBMITTED_WITH_CHANGES:
                return Response(key, {"q": 2}, answers, 3)
        raise ValueError(state)

    responses = [response("kuopio", ResponseState.DRAFT), response("iisalmi", ResponseState.SUBMITTED),
                 response("savonia", ResponseState.SUBMITTED_WITH_CHANGES)]
    recipients = non_respondents(round_, responses)
    assert [(r.representative.name, r.state) for r in recipients] == [
        ("Maija Meikäläinen", ResponseState.DRAFT), ("Matti Virtanen", ResponseState.DRAFT),
        ("Pekka Nieminen", ResponseState.NOT_STARTED), ("Juha Hämäläinen", ResponseState.NOT_STARTED),
    ]
    assert needs_reminder(None) and needs_reminder(responses[0]) and not needs_reminder(responses[2])


def test_phases_as_people_see_them():
    from hyte.round import Timetable

    timetable = Timetable.model_validate(TIMETABLE_2024)
    assert stage(timetable, local("2024-02-01T00:00")) is Stage.PREPARATION
    assert current_phase(timetable, local("2024-02-01T00:00")) is None
    now = local("2024-03-20T12:00")
    states = [row.state for row in phase_rows(timetable, now)]
    assert states == [PhaseState.DONE, PhaseState.CURRENT] + [PhaseState.UPCOMING] * 4
    assert stage(timetable, now) is Stage.SURVEY_OPEN
    assert stage(timetable, local("2024-04-03T16:00")) is Stage.SURVEY_CLOSED
    assert stage(timetable, local("2024-06-01T00:00")) is Stage.SUMMARY_DELIVERED
    over = local("2024-09-16T12:00")
    assert stage(timetable, over) is Stage.OVER
    assert {row.state for row in phase_rows(timetable, over)} == {PhaseState.DONE}


def test_moved_dates_apply_over_the_configured_ones_and_must_stay_in_order(tmp_path):
    round_ = round_with(tmp_path)
    moved = apply_moves(round_.timetable, {Phase.SURVEY_CLOSES: local("2024-04-10T16:00")})
    assert moved.survey_closes == local("2024-04-10T16:00") and moved.survey_opens == round_.timetable.survey_opens
    effective = with_timetable(round_, moved)
    assert effective.timetable.survey_closes == local("2024-04-10T16:00") and effective.id == round_.id
    assert round_.timetable.survey_closes == local("2024-04-03T16:00")  # the configuration is untouched
    assert with_timetable(round_, round_.timetable) is round_
    with pytest.raises(ValidationError, match="survey_closes"):
        apply_moves(round_.timetable, {Phase.SURVEY_CLOSES: local("2024-03-01T16:00")})


def test_a_manual_reminder_is_due_now_and_pointless_after_the_close(tmp_path):
    round_ = round_with(tmp_path)
    now = local("2024-03-20T10:15")
    reps = round_.config.representatives[:2]
    jobs = manual_jobs(round_, round_.timetable, "b" * 32, reps, now)
    assert [(j.reminder, j.target, j.due_at) for j in jobs] == [
        ("manual-" + "b" * 32, person_key(r), now.astimezone(UTC)) for r in reps
    ]
    assert all(j.audience is Audience.NON_RESPONDENTS and j.expires_at == round_.timetable.survey_closes for j in jobs)


def test_job_retries_wait_longer_each_time():
    assert [retry_delay(n) for n in range(1, 7)] == [
        timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 180)
    ]
