"""The round configuration: the bundled demo loads, relative dates, readable errors."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from hyte.round import HELSINKI, Category, SurveyWindow, load_round
from hyte.configuration import ConfigurationError

DEMO = Path(__file__).resolve().parents[2] / "config" / "pohjois-savo" / "round.yaml"


def test_demo_round_has_the_boards_seats():
    round_ = load_round(DEMO, today=date(2024, 5, 1))
    categories = [o.category for o in round_.config.organisations]
    assert categories.count(Category.MUNICIPALITY) == 10
    assert categories.count(Category.WELLBEING_COUNTY) == 6
    assert categories.count(Category.EDUCATION) == 2
    assert categories.count(Category.OTHER) == 7  # six other actors and the regional government
    assert len(round_.survey.sections) == 5


def test_relative_dates_count_from_today_in_helsinki_time():
    round_ = load_round(DEMO, today=date(2024, 3, 20))
    closes = round_.timetable.survey_closes
    assert closes == datetime(2024, 4, 3, 16, 0, tzinfo=HELSINKI)
    assert closes.utcoffset().total_seconds() == 3 * 3600  # summer time after the March change
    assert round_.timetable.survey_opens.utcoffset().total_seconds() == 2 * 3600
    assert round_.survey_state(datetime(2024, 3, 20, 12, 0, tzinfo=HELSINKI)) is SurveyWindow.OPEN
    assert round_.survey_state(closes) is SurveyWindow.CLOSED


def _write(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    change(data)
    data["survey_file"] = str(DEMO.parent / "survey.yaml")
    path = tmp_path / "round.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("change, field", [
    (lambda d: d["representatives"][0].update(organisation="nowhere"), "unknown organisation 'nowhere'"),
    (lambda d: d["timetable"].update(survey_closes="2020-01-01T10:00"), "survey_closes"),
    (lambda d: d["organisations"][0].update(category="city"), "organisations.0.category"),
    (lambda d: d["representatives"][0].pop("aad_object_id") and d["representatives"][0].pop("upn"), "give aad_object_id or upn"),
    (lambda d: d.pop("tenant_id"), "tenant_id"),
])
def test_invalid_round_names_file_and_field(tmp_path: Path, change, field):
    path = _write(tmp_path, change)
    with pytest.raises(ConfigurationError) as error:
        load_round(path, today=date(2024, 5, 1))
    assert str(path) in str(error.value) and field in str(error.value)


def test_absolute_dates_are_helsinki_local(tmp_path: Path):
    def absolute(d):
        d["timetable"] = {
            "material_review": "2024-02-14T13:00", "survey_opens": "2024-04-02T08:00",
            "survey_closes": "2024-04-30T16:00", "negotiation_meeting": "2024-05-20T09:00",
            "summary_to_government": "2024-06-17T12:00", "results_into_plan": "2024-09-30T12:00",
        }
    round_ = load_round(_write(tmp_path, absolute))
    assert round_.timetable.survey_closes == datetime(2024, 4, 30, 16, 0, tzinfo=HELSINKI)
