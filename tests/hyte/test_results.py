"""Consolidation of the pre-survey: status by category, distributions, goal ranking, methods, themes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from conftest import DEMO_ROUND, DEMO_TENANT, NOW, TODAY
from hyte import results
from hyte.responses import Response, ResponseKey, ResponseState
from hyte.timetable import Stage, current_phase, stage
from hyte.round import Category, Phase, load_round
from hyte.status import response_status

ROUND = load_round(DEMO_ROUND, today=TODAY)
AT = NOW - timedelta(hours=1)


def answers(progress="need_more_effort", goals=("g03", "g14"), other=None, scale=4, partners="yes", roles="cannot_say",
            effectiveness="Yhteiset tavoitteet.", methods=None) -> dict:
    selected = list(goals) + (["other"] if other else [])
    return {
        "goals_progress": progress,
        "hyte_effectiveness": effectiveness,
        "goals_to_strengthen": {"selected": selected, "other": other},
        "organisation_actions": "Järjestöfoorumi.",
        "annual_report_scale": scale,
        "annual_report_development": "Kuntakohtaiset tiedot.",
        "methods": methods or {"none": True, "areas": {}},
        "ngo_good_practices": "Avustukset.",
        "ngo_at_its_best": "Yhteistyötä.",
        "ngo_discussion_needs": "Tilat.",
        "interfaces_strategy_goal": "Roolit.",
        "partners_found": partners,
        "roles_clear": roles,
        "more_cooperation": "Koulut.",
    }


def submitted(org: str, submitted_answers: dict, working: dict | None = None, version: int = 2) -> Response:
    return Response(
        key=ResponseKey(DEMO_TENANT, ROUND.id, org), answers=working if working is not None else submitted_answers,
        submitted_answers=submitted_answers, version=version, updated_at=AT, updated_by="X", submitted_at=AT,
        submitted_by="Edustaja " + org,
    )


def draft(org: str, working: dict) -> Response:
    return Response(key=ResponseKey(DEMO_TENANT, ROUND.id, org), answers=working, version=1, updated_at=AT, updated_by="Y")


@pytest.fixture
def known() -> list[Response]:
    return [
        submitted("kuopio", answers(goals=("g03", "g14"), other="Ikäihmisten digituki", scale=4,
                                    methods={"none": False, "areas": {
                                        "area_1": {"name": "Osallisuusryhmä", "description": "Nuoret", "level": "pilot"},
                                        "area_4": {"name": "Lapset puheeksi", "description": None, "level": "research_based"},
                                    }})),
        # Edited after submitting: the submitted version counts, not the unsent edit.
        submitted("iisalmi", answers(progress="very_well", goals=("g14",), scale=2, partners="no"),
                  working=answers(progress="cannot_say", goals=("g01",), scale=5), version=3),
        submitted("hva_perhe", answers(goals=("g14", "g05"), scale=4, roles="yes",
                                       methods={"none": False, "areas": {
                                           "area_1": {"name": "Perhekeskus", "description": None, "level": "research_based"},
                                       }})),
        submitted("savonia", answers(goals=("all_equal",), scale=3)),
        draft("jarjestoneuvosto", answers(progress="cannot_say", goals=("g27",))),
    ]


def test_status_counts_by_category_with_drafts_apart(known):
    status = response_status(ROUND, known, NOW)
    assert (status.overall.total, status.overall.submitted, status.overall.drafting, status.overall.not_started) == (25, 4, 1, 20)
    by = {t.category: t for t in status.by_category}
    assert [t.category for t in status.by_category] == [Category.MUNICIPALITY, Category.WELLBEING_COUNTY, Category.EDUCATION, Category.OTHER]
    assert (by[Category.MUNICIPALITY].submitted, by[Category.MUNICIPALITY].total) == (2, 10)
    assert by[Category.MUNICIPALITY].rate == pytest.approx(0.2)
    assert (by[Category.WELLBEING_COUNTY].submitted, by[Category.EDUCATION].submitted) == (1, 1)
    assert (by[Category.OTHER].drafting, by[Category.OTHER].submitted, by[Category.OTHER].total) == (1, 0, 7)
    assert [s.organisation.id for s in status.drafts] == ["jarjestoneuvosto"]
    assert "kuopio" not in {s.organisation.id for s in status.missing}
    assert len(status.missing) == 21
    states = {s.organisation.id: s.state for s in status.organisations}
    assert states["iisalmi"] is ResponseState.SUBMITTED_WITH_CHANGES
    assert status.phase is Phase.SURVEY_OPENS


def test_phase_follows_the_timetable_as_the_timetable_card_says_it():
    def status_at(at):
        return response_status(ROUND, [], at)

    timetable = ROUND.timetable
    before = status_at(timetable.material_review - timedelta(days=1))
    assert (before.phase, before.over) == (None, False)
    assert status_at(timetable.survey_closes).phase is Phase.SURVEY_CLOSES
    assert status_at(timetable.summary_to_government).phase is Phase.SUMMARY_TO_GOVERNMENT
    ended = timetable.results_into_plan + timedelta(days=1)
    assert (status_at(ended).phase, status_at(ended).over) == (None, True)  # `tila` and `aikataulu` agree: over
    assert stage(timetable, ended) is Stage.OVER and current_phase(timetable, ended) is None


def test_distributions_count_only_latest_submitted_versions(known):
    summary = results.summarise(ROUND, known, NOW)
    dist = {d.question_id: {b.key: b.count for b in d.bars} for d in summary.distributions}
    assert list(dist) == ["goals_progress", "annual_report_scale", "partners_found", "roles_clear"]
    assert dist["goals_progress"] == {"very_well": 1, "need_more_effort": 3, "cannot_say": 0}
    assert dist["annual_report_scale"] == {"1": 0, "2": 1, "3": 1, "4": 2, "5": 0}
    assert dist["partners_found"] == {"yes": 3, "no": 1, "cannot_say": 0}
    assert dist["roles_clear"] == {"yes": 1, "no": 0, "cannot_say": 3}
    scale = next(d for d in summary.distributions if d.question_id == "annual_report_scale")
    assert scale.bars[0].label == "1 – näin on hyvä, ei kehitettävää"
    assert scale.answered == 4
    assert summary.counted == 4


def test_goals_ranked_by_organisations_with_other_texts(known):
    ranking = results.summarise(ROUND, known, NOW).goal_rankings[0]
    assert [(g.option_id, g.count) for g in ranking.goals] == [("g14", 3), ("g03", 1), ("g05", 1), ("all_equal", 1), ("other", 1)]
    assert [o.id for o in ranking.goals[0].organisations] == ["kuopio", "iisalmi", "hva_perhe"]
    assert "g01" not in {g.option_id for g in ranking.goals}  # only in iisalmi's unsent edit
    assert "g27" not in {g.option_id for g in ranking.goals}  # only in a draft
    assert [(o.organisation.id, o.text) for o in ranking.others] == [("kuopio", "Ikäihmisten digituki")]


def test_methods_by_area_strongest_evidence_first(known):
    methods = results.summarise(ROUND, known, NOW).methods[0]
    by_area = {area.id: proposals for area, proposals in methods.by_area}
    assert [(p.name, p.organisation.id, p.level_label) for p in by_area["area_1"]] == [
        ("Perhekeskus", "hva_perhe", "Tutkittu, näyttöön perustuva"),
        ("Osallisuusryhmä", "kuopio", "Pilotointi"),
    ]
    assert [p.name for p in by_area["area_4"]] == ["Lapset puheeksi"]
    assert by_area["area_2"] == ()
    assert [o.id for o in methods.none_organisations] == ["iisalmi", "savonia"]


def test_free_text_answers_of_submitted_versions_only(known):
    texts = {t.question_id: t for t in results.summarise(ROUND, known, NOW).texts}
    assert list(texts) == [
        "hyte_effectiveness", "organisation_actions", "annual_report_development", "ngo_good_practices",
        "ngo_at_its_best", "ngo_discussion_needs", "interfaces_strategy_goal", "more_cooperation",
    ]
    assert [a.organisation.id for a in texts["hyte_effectiveness"].answers] == ["kuopio", "iisalmi", "hva_perhe", "savonia"]


def test_summary_knows_the_legal_topics_of_sections(known):
    summary = results.summarise(ROUND, known, NOW)
    assert [t.value for t in summary.section_topics("goals_measures")] == ["goals", "measures"]
    assert [t.value for t in summary.section_topics("interfaces")] == ["cooperation"]


@dataclass(frozen=True)
class FakeTheme:
    key: str
    label: str
    item_ids: tuple[str, ...]
    sources: tuple[str, ...]
    quotes: tuple[str, ...]


def test_themes_come_from_the_theme_engine_with_organisations_and_at_most_two_quotes(monkeypatch, known):
    seen = {}

    def find_themes(items, *, min_sources=2, limit=10, question=None, thesaurus=None):
        seen["items"] = list(items)
        seen["min_sources"] = min_sources
        seen.setdefault("calls", []).append((question, thesaurus))
        ids = tuple(i.id for i in items)
        return [
            FakeTheme("a", "yhteistyö", ids[:2], tuple(i.source for i in items[:2]), ids[:1]),
            FakeTheme("b", "tavoitteet", ids, tuple(i.source for i in items), ids[1:]),
        ]

    @dataclass(frozen=True)
    class Input:
        id: str
        source: str
        text: str

    monkeypatch.setattr(results, "find_themes", find_themes)
    monkeypatch.setattr(results, "ThemeInput", Input)
    text = results.summarise(ROUND, known, NOW).texts[0]
    assert {i.source for i in seen["items"]} == {"kuopio", "iisalmi", "hva_perhe", "savonia"}
    assert seen["min_sources"] == 2
    # the question's own words are left out, the round's thesaurus applies
    summary_texts = [q.text for q in ROUND.survey.questions if q.type == "text"]
    assert [question for question, _ in seen["calls"]] == summary_texts
    assert all(thesaurus is ROUND.thesaurus for _, thesaurus in seen["calls"]) and ROUND.thesaurus.themes
    assert [(t.label, t.key, t.count) for t in text.themes] == [("tavoitteet", "b", 4), ("yhteistyö", "a", 2)]
    # the engine's quotes, at most two; every grouped answer kept with its organisation
    assert [q.organisation.id for q in text.themes[0].quotes] == ["iisalmi", "hva_perhe"]
    assert [q.organisation.id for q in text.themes[1].quotes] == ["kuopio"]
    assert [a.organisation.id for a in text.themes[0].answers] == ["kuopio", "iisalmi", "hva_perhe", "savonia"]


def test_no_responses_summarises_to_zeros():
    summary = results.summarise(ROUND, [], NOW)
    assert summary.counted == 0 and summary.status.overall.rate == 0
    assert all(d.answered == 0 for d in summary.distributions)
    assert summary.goal_rankings[0].goals == ()
