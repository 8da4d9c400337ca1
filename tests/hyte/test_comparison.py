"""This year against last (hyte/comparison.py): distributions side by side, the goals' movement,
response rate by category, themes new / recurring / dropped, and changed questions not compared."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import DEMO_ROUND, DEMO_TENANT, NOW, TODAY
from hyte.comparison import ChangeReason, Movement, ThemeMark, against_previous, changes, compare, no_previous
from hyte.finnish import lemmatiser_available
from hyte.responses import Response, ResponseKey
from hyte.results import summarise
from hyte.round import Category, load_round
from hyte.rounds import PreviousRound
from hyte.survey import Survey

THIS_YEAR = load_round(DEMO_ROUND, today=TODAY)
LAST_YEAR = THIS_YEAR.model_copy(update={"config": THIS_YEAR.config.model_copy(
    update={"id": "pohjois-savo-2023", "year": THIS_YEAR.year - 1})})
AT = NOW - timedelta(hours=1)


def answers(progress="need_more_effort", goals=("g03", "g14"), scale=4, partners="yes",
            ngo="Järjestöavustukset ja yhteiset tapahtumat.") -> dict:
    return {
        "goals_progress": progress,
        "hyte_effectiveness": "Yhteiset tavoitteet.",
        "goals_to_strengthen": {"selected": list(goals), "other": None},
        "organisation_actions": "Järjestöfoorumi.",
        "annual_report_scale": scale,
        "annual_report_development": "Kuntakohtaiset tiedot.",
        "methods": {"none": True, "areas": {}},
        "ngo_good_practices": ngo,
        "ngo_at_its_best": "Yhteistyötä.",
        "ngo_discussion_needs": "Tilat.",
        "interfaces_strategy_goal": "Roolit.",
        "partners_found": partners,
        "roles_clear": "cannot_say",
        "more_cooperation": "Koulut.",
    }


def response(round_, org: str, given: dict) -> Response:
    return Response(key=ResponseKey(DEMO_TENANT, round_.id, org), answers=given, submitted_answers=given, version=2,
                    updated_at=AT, updated_by="X", submitted_at=AT, submitted_by="Edustaja")


def edited(survey: Survey, question_id: str, **update) -> Survey:
    sections = []
    for section in survey.sections:
        questions = tuple(q.model_copy(update=update) if q.id == question_id else q for q in section.questions)
        sections.append(section.model_copy(update={"questions": questions}))
    return survey.model_copy(update={"sections": tuple(sections)})


def without(survey: Survey, question_id: str) -> Survey:
    sections = [s.model_copy(update={"questions": tuple(q for q in s.questions if q.id != question_id)})
                for s in survey.sections]
    return survey.model_copy(update={"sections": tuple(sections)})


@pytest.fixture
def years():
    now = [
        response(THIS_YEAR, "kuopio", answers("very_well", goals=("g03", "g14"), scale=4)),
        response(THIS_YEAR, "iisalmi", answers("very_well", goals=("g14",), scale=5)),
        response(THIS_YEAR, "hva_perhe", answers("need_more_effort", goals=("g14", "g07"), scale=4)),
        response(THIS_YEAR, "savonia", answers("very_well", goals=("g03",), scale=2, partners="no")),
    ]
    before = [
        response(LAST_YEAR, "kuopio", answers("need_more_effort", goals=("g03", "g01"), scale=2)),
        response(LAST_YEAR, "varkaus", answers("need_more_effort", goals=("g03", "g01"), scale=3)),
        response(LAST_YEAR, "hva_terveys", answers("cannot_say", goals=("g03", "g14"), scale=4)),
    ]
    return now, before


def test_a_choice_questions_distribution_side_by_side_with_the_difference_of_shares(years):
    now, before = years
    comparison = against_previous(THIS_YEAR, summarise(THIS_YEAR, now, NOW), PreviousRound(LAST_YEAR, tuple(before)), NOW)
    assert (comparison.year, comparison.previous_year) == (THIS_YEAR.year, THIS_YEAR.year - 1)
    progress = next(d for d in comparison.distributions if d.question_id == "goals_progress")
    assert (progress.answered, progress.previous_answered) == (4, 3)
    rows = {o.key: (o.count, o.percent, o.previous_count, o.previous_percent, o.difference) for o in progress.options}
    assert rows == {"very_well": (3, 75, 0, 0, 75), "need_more_effort": (1, 25, 2, 67, -42),
                    "cannot_say": (0, 0, 1, 33, -33)}
    scale = next(d for d in comparison.distributions if d.question_id == "annual_report_scale")
    assert [(o.key, o.count, o.previous_count) for o in scale.options] == [
        ("1", 0, 0), ("2", 1, 1), ("3", 0, 1), ("4", 2, 1), ("5", 1, 0)]


def test_the_goals_ranking_with_how_each_goal_moved(years):
    now, before = years
    comparison = compare(summarise(THIS_YEAR, now, NOW), summarise(LAST_YEAR, before, NOW), THIS_YEAR.survey,
                         LAST_YEAR.survey)
    (ranking,) = comparison.rankings
    moves = [(g.option_id, g.rank, g.previous_rank, g.count, g.previous_count, g.movement, g.places)
             for g in ranking.goals]
    # This year: g14 (3), g03 (2), g07 (1); last year: g03 (3), g01 (2), g14 (1).
    assert moves == [
        ("g14", 1, 3, 3, 1, Movement.UP, 2),
        ("g03", 2, 1, 2, 3, Movement.DOWN, -1),
        ("g07", 3, None, 1, 0, Movement.NEW, 0),
        ("g01", None, 2, 0, 2, Movement.DROPPED, 0),
    ]


def test_response_rate_overall_and_by_category(years):
    now, before = years
    comparison = compare(summarise(THIS_YEAR, now, NOW), summarise(LAST_YEAR, before, NOW), THIS_YEAR.survey,
                         LAST_YEAR.survey)
    rates = {r.category: (r.submitted, r.total, r.previous_submitted, r.previous_total, r.difference)
             for r in comparison.rates}
    assert [r.category for r in comparison.rates] == [None, Category.MUNICIPALITY, Category.WELLBEING_COUNTY,
                                                      Category.EDUCATION, Category.OTHER]
    assert rates[None] == (4, 25, 3, 25, 4)
    assert rates[Category.MUNICIPALITY] == (2, 10, 2, 10, 0)
    assert rates[Category.WELLBEING_COUNTY] == (1, 6, 1, 6, 0)
    assert rates[Category.EDUCATION] == (1, 2, 0, 2, 50)
    assert rates[Category.OTHER] == (0, 7, 0, 7, 0)


@pytest.mark.skipif(not lemmatiser_available(), reason="Voikko is not installed: no themes to compare")
def test_free_text_themes_marked_new_recurring_and_dropped():
    now = [response(THIS_YEAR, org, answers(ngo=text)) for org, text in (
        ("kuopio", "Järjestöavustukset ovat tärkeitä."), ("iisalmi", "Järjestöavustukset auttavat."),
        ("varkaus", "Liikuntapaikat kouluissa."), ("savonia", "Liikuntapaikat iltaisin."))]
    before = [response(LAST_YEAR, org, answers(ngo=text)) for org, text in (
        ("kuopio", "Järjestöavustukset tukevat."), ("iisalmi", "Järjestöavustukset ovat hyviä."),
        ("varkaus", "Vapaaehtoistoiminta vahvistuu."), ("savonia", "Vapaaehtoistoiminta kasvaa."))]
    comparison = compare(summarise(THIS_YEAR, now, NOW), summarise(LAST_YEAR, before, NOW), THIS_YEAR.survey,
                         LAST_YEAR.survey)
    themes = next(t for t in comparison.themes if t.question_id == "ngo_good_practices")
    marks = {theme.label.casefold(): (theme.mark, theme.count, theme.previous_count) for theme in themes.themes}
    # The thesaurus names the themes (config/pohjois-savo/thesaurus.yaml).
    assert marks["järjestö- ja toiminta-avustukset"] == (ThemeMark.RECURRING, 2, 2), marks
    assert marks["liikuntapaikka"] == (ThemeMark.NEW, 2, 0), marks
    assert marks["vapaaehtoiset ja vapaaehtoistoiminta"] == (ThemeMark.DROPPED, 0, 2), marks
    assert [t.mark for t in themes.themes][-1] is ThemeMark.DROPPED


def test_changed_questions_are_listed_with_why_and_not_compared(years):
    now, before = years
    old = LAST_YEAR.survey
    new = edited(THIS_YEAR.survey, "goals_progress", text="Miten tavoitteet ovat edenneet?")
    progress = next(q for q in old.questions if q.id == "partners_found")
    new = edited(new, "partners_found", options=progress.options[:2])
    new = without(new, "roles_clear")
    comparison = compare(summarise(THIS_YEAR, now, NOW), summarise(LAST_YEAR, before, NOW), new, old)
    assert {(c.question_id, c.reason) for c in comparison.changed} == {
        ("goals_progress", ChangeReason.TEXT), ("partners_found", ChangeReason.OPTIONS),
        ("roles_clear", ChangeReason.DROPPED)}
    dropped = next(c for c in comparison.changed if c.question_id == "roles_clear")
    assert dropped.text == next(q.text for q in old.questions if q.id == "roles_clear")
    compared = {d.question_id for d in comparison.distributions}
    assert "goals_progress" not in compared and "partners_found" not in compared
    assert "annual_report_scale" in compared
    # New question: in this year's survey only.
    assert changes(without(old, "more_cooperation"), THIS_YEAR.survey) == {"more_cooperation": ChangeReason.NEW}
    # Whitespace and case are not a change of wording.
    assert changes(old, edited(old, "roles_clear", text="  " + next(
        q.text for q in old.questions if q.id == "roles_clear").upper())) == {}


def test_a_round_without_a_previous_one():
    comparison = against_previous(THIS_YEAR, summarise(THIS_YEAR, [], NOW), None, NOW)
    assert comparison == no_previous(THIS_YEAR.year) and not comparison.available


def test_a_bilingual_round_read_in_swedish_is_compared_with_last_year_in_swedish_too():
    """The reader's language is this year's; last year's round is read in it as well, or every
    question would look reworded (Finnish text against Swedish)."""
    bilingual = load_round(DEMO_ROUND.parent.parent / "saaristo" / "round.yaml", today=TODAY)
    last = bilingual.model_copy(update={"config": bilingual.config.model_copy(
        update={"id": "saaristo-previous", "year": bilingual.year - 1})})
    swedish = bilingual.in_language("sv")
    assert swedish.survey.language == "sv" and last.survey.language != "sv"
    comparison = against_previous(swedish, summarise(swedish, [], NOW), PreviousRound(last, ()), NOW)
    assert comparison.available and comparison.changed == ()
