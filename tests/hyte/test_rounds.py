"""The rounds folder: every county's rounds loaded and checked together, found through a tenant only;
the previous round of a round and its submitted responses; next year's round from last year's."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

from hyte.clock import HELSINKI
from hyte.configuration import ConfigurationError
from hyte.next_year import a_year_on, moved_timetable, next_round_id, write_next_round
from hyte.responses import Response, ResponseKey
from hyte.round import Phase, county_key, load_round
from hyte.rounds import RoundCatalogue, RoundFile, load_rounds, previous_results, question_changes, round_files

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "config"
TODAY = date(2024, 5, 1)
TIMETABLE_2024 = {
    "material_review": "2024-02-14T13:00", "survey_opens": "2024-03-18T08:00", "survey_closes": "2024-04-03T16:00",
    "negotiation_meeting": "2024-04-17T09:00", "summary_to_government": "2024-05-31T12:00",
    "results_into_plan": "2024-09-16T12:00",
}


def county_round(folder: Path, name: str, source: str = "pohjois-savo", **changes) -> Path:
    """A round of `source`'s files in `folder`/`name`, with `changes` to its round file."""
    shutil.copytree(CONFIG / source, folder / name)
    path = folder / name / "round.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_bundled_folder_serves_two_counties_in_two_tenants():
    catalogue = load_rounds(CONFIG, today=TODAY)
    assert [(c.key, c.current.id, c.current.languages) for c in catalogue.counties] == [
        ("pohjois-savo", "pohjois-savo-demo", ("fi",)), ("saaristo", "saaristo-demo", ("fi", "sv"))]
    savo, saaristo = catalogue.counties
    assert savo.tenant_id != saaristo.tenant_id and catalogue.tenants == {savo.tenant_id, saaristo.tenant_id}
    assert catalogue.current(saaristo.tenant_id).workshop is not None  # each round with its own workshop
    assert catalogue.current(saaristo.tenant_id).survey.in_language("sv").title == "Förhandsenkät inför HYTE-förhandlingarna"
    assert catalogue.current("some-other-tenant") is None and catalogue.current(None) is None
    # a round is found through its own county's tenant only
    assert catalogue.find(saaristo.tenant_id, "saaristo-demo") is not None
    assert catalogue.find(saaristo.tenant_id, "pohjois-savo-demo") is None
    assert catalogue.in_year(saaristo.tenant_id, 2024).id == "saaristo-demo"
    assert catalogue.in_year(saaristo.tenant_id, 2023) is None


def test_one_round_file_is_a_folder_of_one():
    catalogue = load_rounds(CONFIG / "pohjois-savo" / "round.yaml", today=TODAY)
    assert [r.id for r in catalogue.current_rounds()] == ["pohjois-savo-demo"] and catalogue.default.id == "pohjois-savo-demo"


def test_round_files_are_found_below_the_folder_and_hidden_folders_left_out(tmp_path):
    county_round(tmp_path, "a")
    (tmp_path / "deep" / "b").mkdir(parents=True)
    shutil.copy(CONFIG / "pohjois-savo" / "round.yaml", tmp_path / "deep" / "b" / "round.yaml")
    (tmp_path / ".old").mkdir()
    shutil.copy(CONFIG / "pohjois-savo" / "round.yaml", tmp_path / ".old" / "round.yaml")
    assert round_files(tmp_path) == [tmp_path / "a" / "round.yaml", tmp_path / "deep" / "b" / "round.yaml"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigurationError, match="no round files"):
        load_rounds(tmp_path / "empty", today=TODAY)


def test_every_files_errors_are_reported_together(tmp_path):
    county_round(tmp_path, "a", organisations=[{"id": "x", "name": "X", "category": "city"}])
    county_round(tmp_path, "b", tenant_id="")
    with pytest.raises(ConfigurationError) as error:
        load_rounds(tmp_path, today=TODAY)
    message = str(error.value)
    assert f"{tmp_path / 'a' / 'round.yaml'}" in message and "organisations.0.category" in message
    assert f"{tmp_path / 'b' / 'round.yaml'}" in message and "tenant_id" in message


@pytest.mark.parametrize("second, problem", [
    ({"id": "pohjois-savo-demo", "tenant_id": "t2", "region": "Muu"}, "is already the id of the round in"),
    ({"id": "other", "county": "Muun hyvinvointialue"}, "is claimed by two counties"),
    ({"id": "other"}, "a county has one round a year"),
    ({"id": "other", "tenant_id": "t2", "county": "Toinen", "region": "Pohjois-Savo"}, "gives the county key 'pohjois-savo'"),
])
def test_what_does_not_fit_together_is_an_error(tmp_path, second, problem):
    county_round(tmp_path, "a")
    path = county_round(tmp_path, "b", **second)
    with pytest.raises(ConfigurationError, match=problem) as error:
        load_rounds(tmp_path, today=TODAY)
    assert str(path) in str(error.value) or str(tmp_path / "a" / "round.yaml") in str(error.value)


def test_the_current_round_is_the_countys_latest_year(tmp_path):
    county_round(tmp_path, "2024", id="savo-2024", timetable=TIMETABLE_2024)
    county_round(tmp_path, "2025", id="savo-2025", year=2025, previous_round="savo-2024",
                 timetable={k: v.replace("2024-", "2025-") for k, v in TIMETABLE_2024.items()})
    county_round(tmp_path, "saaristo", source="saaristo")
    catalogue = load_rounds(tmp_path, today=TODAY)
    savo = catalogue.county("00000000-0000-0000-0000-0000000000001")
    assert savo.years == (2025, 2024) and savo.current.id == "savo-2025"
    assert catalogue.previous(savo.current).id == "savo-2024"
    assert catalogue.previous(catalogue.find(savo.tenant_id, "savo-2024")) is None
    assert catalogue.previous(catalogue.current("5aa70000-0000-4000-8000-000000000002")) is None  # no previous round
    assert catalogue.is_current(savo.current) and not catalogue.is_current(savo.rounds[1])


def test_previous_round_must_be_the_same_countys_and_earlier(tmp_path):
    county_round(tmp_path, "savo", id="savo-2024", timetable=TIMETABLE_2024)
    county_round(tmp_path, "saaristo", source="saaristo", previous_round="savo-2024")
    with pytest.raises(ConfigurationError, match="previous_round: 'savo-2024' is a round of another county"):
        load_rounds(tmp_path, today=TODAY)
    shutil.rmtree(tmp_path / "saaristo")
    county_round(tmp_path, "later", id="savo-2023", year=2023, previous_round="savo-2024",
                 timetable={k: v.replace("2024-", "2023-") for k, v in TIMETABLE_2024.items()})
    with pytest.raises(ConfigurationError, match="is of 2024, not a year before 2023"):
        load_rounds(tmp_path, today=TODAY)


def test_a_previous_round_not_in_the_folder_is_noted_not_an_error(tmp_path):
    county_round(tmp_path, "savo", previous_round="deleted-2023")
    catalogue = load_rounds(tmp_path, today=TODAY)
    assert catalogue.previous(catalogue.default) is None
    assert catalogue.notes and "previous_round 'deleted-2023' is not in the rounds folder" in catalogue.notes[0]


def test_questions_changed_without_a_new_survey_version_stop_the_start(tmp_path):
    county_round(tmp_path, "2024", id="savo-2024", timetable=TIMETABLE_2024)
    path = county_round(tmp_path, "2025", id="savo-2025", year=2025, previous_round="savo-2024",
                        timetable={k: v.replace("2024-", "2025-") for k, v in TIMETABLE_2024.items()})
    survey_path = path.parent / "survey.yaml"
    survey = yaml.safe_load(survey_path.read_text(encoding="utf-8"))
    survey["sections"][0]["questions"][0]["options"].pop()  # an option dropped
    survey_path.write_text(yaml.safe_dump(survey, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"questions changed since 'savo-2024' \(goals_progress \(options\)\).*raise `version`"):
        load_rounds(tmp_path, today=TODAY)
    survey["version"] += 1
    survey_path.write_text(yaml.safe_dump(survey, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert load_rounds(tmp_path, today=TODAY).default.survey.version == survey["version"]


def test_question_changes_name_what_cannot_be_compared():
    savo = load_round(CONFIG / "pohjois-savo" / "round.yaml", today=TODAY).survey
    saaristo = load_round(CONFIG / "saaristo" / "round.yaml", today=TODAY).survey
    assert question_changes(savo, saaristo) == {}  # other texts, the same ids: comparable
    data = savo.model_dump(mode="json", exclude={"translations"})
    first = data["sections"][0]["questions"]
    first[0]["options"] = first[0]["options"][:2]  # goals_progress: an option fewer
    first[1]["text"] = "Korjattu kysymyksen teksti"  # a text corrected: still comparable
    data["sections"][1]["questions"][0]["max"] = 10  # the scale's range
    first.append({**first[1], "id": "new_question", "number": "9"})
    del data["sections"][4]["questions"][-1]
    changed = type(savo).model_validate(data)
    dropped = savo.sections[4].questions[-1].id
    assert question_changes(savo, changed) == {
        "goals_progress": "options", "annual_report_scale": "scale", "new_question": "new", dropped: "dropped"}


class _Responses:
    """What a response repository holds, by (tenant, round): the previous round's answers."""

    def __init__(self, responses: list[Response]) -> None:
        self._responses = responses

    async def list_for_round(self, tenant_id: str, round_id: str) -> list[Response]:
        return [r for r in self._responses if (r.key.tenant_id, r.key.round_id) == (tenant_id, round_id)]


async def test_previous_results_are_the_previous_rounds_submitted_responses(tmp_path):
    county_round(tmp_path, "2024", id="savo-2024", timetable=TIMETABLE_2024)
    county_round(tmp_path, "2025", id="savo-2025", year=2025, previous_round="savo-2024",
                 timetable={k: v.replace("2024-", "2025-") for k, v in TIMETABLE_2024.items()})
    catalogue = load_rounds(tmp_path, today=TODAY)
    tenant = catalogue.default.tenant_id
    submitted = Response(ResponseKey(tenant, "savo-2024", "kuopio"), {"q": 1}, {"q": 1}, 2)
    draft = Response(ResponseKey(tenant, "savo-2024", "iisalmi"), {"q": 2}, None, 1)
    this_year = Response(ResponseKey(tenant, "savo-2025", "kuopio"), {"q": 3}, {"q": 3}, 1)
    elsewhere = Response(ResponseKey("another-tenant", "savo-2024", "kuopio"), {"q": 4}, {"q": 4}, 1)
    previous = await previous_results(catalogue, _Responses([submitted, draft, this_year, elsewhere]), catalogue.default)
    assert previous.round.id == "savo-2024" and previous.responses == (submitted,) and previous.changed == {}
    assert await previous_results(catalogue, _Responses([submitted]), previous.round) is None


def test_catalogue_needs_a_round():
    with pytest.raises(ConfigurationError):
        RoundCatalogue([])


def test_county_keys_are_plain_ascii():
    assert county_key("Pohjois-Savo") == "pohjois-savo"
    assert county_key("Etelä-Pohjanmaa") == "etela-pohjanmaa"
    assert county_key("Vantaa ja Kerava") == "vantaa-ja-kerava"
    assert county_key("Åland") == "aland"


# Next year's round -------------------------------------------------------------------------------------


def test_next_round_id_and_a_year_on():
    assert next_round_id("pohjois-savo-2024", 2024, 2025) == "pohjois-savo-2025"
    assert next_round_id("pohjois-savo-demo", 2024, 2025) == "pohjois-savo-demo-2025"
    leap = datetime(2024, 2, 29, 9, 0, tzinfo=HELSINKI)
    assert a_year_on(leap, 1) == datetime(2025, 2, 28, 9, 0, tzinfo=HELSINKI)
    winter = datetime(2024, 3, 30, 9, 0, tzinfo=HELSINKI)  # the wall clock is kept across the change
    assert a_year_on(winter, 1).hour == 9 and a_year_on(winter, 1).utcoffset() != winter.utcoffset()


def test_moved_dates_to_check_are_weekends_and_public_holidays(tmp_path):
    round_ = load_round(county_round(tmp_path, "x", timetable={
        **TIMETABLE_2024, "survey_opens": "2024-03-18T08:00", "survey_closes": "2024-04-03T16:00",
        "results_into_plan": "2024-12-06T12:00"}), today=TODAY)
    moved = {m.phase: m for m in moved_timetable(round_.timetable, 1)}
    assert moved[Phase.SURVEY_OPENS].new == datetime(2025, 3, 18, 8, 0, tzinfo=HELSINKI) and not moved[Phase.SURVEY_OPENS].check
    assert moved[Phase.MATERIAL_REVIEW].check == ()  # 14.2.2025 is a Friday
    assert "Saturday" in moved[Phase.RESULTS_INTO_PLAN].check  # 6.12.2025, Independence Day, a Saturday
    assert any("Independence" in why for why in moved[Phase.RESULTS_INTO_PLAN].check)


def test_write_next_round_copies_the_files_and_sets_previous_round(tmp_path):
    path = county_round(tmp_path, "savo-2024", id="savo-2024", timetable=TIMETABLE_2024)
    entry = RoundFile(path, load_round(path, today=TODAY))
    written = write_next_round(entry, 2025)
    assert written.id == "savo-2025" and written.round_file == tmp_path / "savo-2025" / "round.yaml"
    assert sorted(p.name for p in written.copied) == [
        "kayttoehdot.html", "sivu.html", "survey.yaml", "thesaurus.yaml", "tietosuoja.html", "workshop.yaml"]
    new = load_round(written.round_file)
    assert (new.id, new.year, new.config.previous_round) == ("savo-2025", 2025, "savo-2024")
    assert new.timetable.survey_closes == datetime(2025, 4, 3, 16, 0, tzinfo=HELSINKI)
    assert new.survey == entry.round.survey and new.config.organisations == entry.round.config.organisations
    assert "# Written by `python app.py round new --from savo-2024 --year 2025`" in written.round_file.read_text()
    catalogue = load_rounds(tmp_path, today=TODAY)
    assert catalogue.default.id == "savo-2025" and catalogue.previous(catalogue.default).id == "savo-2024"
    with pytest.raises(ConfigurationError, match="exists already"):
        write_next_round(entry, 2025)
    with pytest.raises(ConfigurationError, match="not after the round's year"):
        write_next_round(entry, 2024, new_id="again")
