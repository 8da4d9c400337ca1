"""The HYTE team's curation applied to a question's themes (hyte/curation.py), and its flow
(dialogs/curation_flow.py), with plain objects."""

from __future__ import annotations

from dataclasses import replace

import pytest

from auxil import realistic_round
from conftest import DEMO_ROUND, TODAY
from dialogs.curation_flow import Apply, CurationState, StoreEdit, decide
from hyte.curation import CurationAction, CurationEdit, curate, curate_result
from hyte.responses import Response, ResponseKey
from hyte.results import TextAnswer, summarise
from hyte.round import load_round

ROUND = load_round(DEMO_ROUND, today=TODAY)
Q = "ngo_good_practices"
MERGE, RENAME, HIDE, QUOTE = CurationAction.MERGE, CurationAction.RENAME, CurationAction.HIDE, CurationAction.QUOTE


@pytest.fixture(scope="module")
def summary():
    return summarise(ROUND, realistic_round.responses(ROUND), realistic_round.NOW)


@pytest.fixture(scope="module")
def result(summary):
    return next(r for r in summary.texts if r.question_id == Q)


def _themes(result) -> list[tuple[str, int]]:
    return [(t.label, t.count) for t in result.themes]


def test_the_themes_found_before_any_curation(result):
    assert _themes(result) == [("järjestöfoorumit", 4), ("yhteiset tapahtumat ja tilaisuudet", 3), ("yhteyshenkilöt", 3),
                               ("järjestö- ja toiminta-avustukset", 2), ("koulut ja oppilaitokset", 2)]


def test_merge_rename_hide(result):
    edits = [CurationEdit(Q, MERGE, "yhteyshenkilö", "järjestöfoorumi", label="järjestöfoorumit"),
             CurationEdit(Q, RENAME, "järjestöfoorumi", label="Foorumit ja yhteyshenkilöt"),
             CurationEdit(Q, HIDE, "koulu")]
    curated = curate_result(result, edits, thesaurus=ROUND.thesaurus)
    assert _themes(curated) == [("Foorumit ja yhteyshenkilöt", 7), ("yhteiset tapahtumat ja tilaisuudet", 3),
                                ("järjestö- ja toiminta-avustukset", 2)]
    merged = curated.themes[0]
    both = {a.organisation.id for t in result.themes[::2][:2] for a in t.answers}
    assert {a.organisation.id for a in merged.answers} == both
    assert curated.answers == result.answers  # every answer stays (the appendix lists them all)


def test_edits_of_another_question_change_nothing(result):
    assert curate_result(result, [CurationEdit("ngo_at_its_best", HIDE, "järjestöfoorumi")]) is result


def test_the_theme_merged_into_keeps_its_name_and_visibility(result):
    edits = [CurationEdit(Q, RENAME, "yhteyshenkilö", label="Yhdyshenkilöt"),
             CurationEdit(Q, RENAME, "järjestöfoorumi", label="Foorumit"),
             CurationEdit(Q, HIDE, "koulu"),
             CurationEdit(Q, MERGE, "järjestöfoorumi", "yhteyshenkilö", label="yhteyshenkilöt"),
             CurationEdit(Q, MERGE, "koulu", "tapahtuma", label="yhteiset tapahtumat ja tilaisuudet")]
    curated = curate_result(result, edits, thesaurus=ROUND.thesaurus)
    assert _themes(curated)[:2] == [("Yhdyshenkilöt", 7), ("yhteiset tapahtumat ja tilaisuudet", 5)]
    assert "Foorumit" not in [label for label, _ in _themes(curated)]


def test_the_chosen_quote_represents_its_theme_and_no_other(result):
    events = next(t for t in result.themes if t.key == "tapahtuma")
    kuopio = next(a for a in result.answers if a.organisation.id == "kuopio")
    assert kuopio in events.answers
    curated = curate_result(result, [CurationEdit(Q, QUOTE, "tapahtuma", organisation_id="kuopio")])
    themes = {t.key: t for t in curated.themes}
    assert themes["tapahtuma"].quotes[0] == kuopio
    assert all(kuopio not in t.quotes for key, t in themes.items() if key != "tapahtuma")
    quoted = [q for t in curated.themes for q in t.quotes]
    assert len(quoted) == len(set(quoted))


def test_a_later_answer_joins_the_curated_theme_it_matches(result):
    edits = [CurationEdit(Q, MERGE, "yhteyshenkilö", "järjestöfoorumi", label="järjestöfoorumit")]
    later = TextAnswer(ROUND.organisation("apteekit"), "Apteekeille nimettiin yhdyshenkilö järjestöjä varten.")
    # The themes as found before it: the new answer is in none of them, but it raises the key of a
    # theme merged into a curated one ("yhdyshenkilö" is the thesaurus's contact person): it joins.
    grown = replace(result, answers=(*result.answers, later))
    assert all(later not in t.answers for t in grown.themes)
    assert curate_result(grown, edits, thesaurus=ROUND.thesaurus).themes[0].count == 7 + 1
    assert curate_result(grown, [CurationEdit(Q, HIDE, "koulu")], thesaurus=ROUND.thesaurus).themes[0].count == 4


def test_curate_applies_to_every_question_of_the_summary(summary):
    curated = curate(summary, [CurationEdit(Q, HIDE, "järjestöfoorumi")], ROUND)
    assert "järjestöfoorumit" not in [t.label for r in curated.texts for t in r.themes if r.question_id == Q]
    assert [r.question_id for r in curated.texts] == [r.question_id for r in summary.texts]
    assert curate(summary, [], ROUND) is summary


@pytest.mark.parametrize("event, error", [
    (Apply(MERGE, None), "curation.error.theme"),
    (Apply(MERGE, "ei-teema", "järjestöfoorumi"), "curation.error.gone"),
    (Apply(MERGE, "järjestöfoorumi", "järjestöfoorumi"), "curation.error.target"),
    (Apply(MERGE, "järjestöfoorumi", None), "curation.error.target"),
    (Apply(RENAME, "järjestöfoorumi", label="   "), "curation.error.label"),
    (Apply(RENAME, "järjestöfoorumi", label="x" * 81), "curation.error.label"),
    (Apply(QUOTE, "järjestöfoorumi", quote="ei-organisaatio"), "curation.error.quote"),
])
def test_the_flow_refuses_incomplete_edits_and_stores_nothing(result, event, error):
    outcome = decide(CurationState(result), event)
    assert outcome.view.notice == error and not outcome.view.ok and outcome.effects == ()


def test_the_flow_stores_a_complete_edit_with_who_and_when(result):
    at = realistic_round.NOW
    outcome = decide(CurationState(result), Apply(RENAME, "koulu", label="  Koulut  ja oppilaitokset ", by_name="Sanna",
                                                  by_aad="aad-1", at=at))
    assert outcome.view.notice == "curation.saved.rename" and outcome.view.ok
    assert outcome.effects == (StoreEdit(CurationEdit(Q, RENAME, "koulu", label="Koulut ja oppilaitokset",
                                                      by_name="Sanna", by_aad="aad-1", at=at)),)
    merge = decide(CurationState(result), Apply(MERGE, "koulu", "järjestöfoorumi")).effects[0].edit
    assert (merge.target_key, merge.label) == ("järjestöfoorumi", "järjestöfoorumit")


def test_a_hidden_themes_place_goes_to_the_next_theme_found(result):
    shown, reserve = result.themes[:4], result.themes[4:]
    assert [t.label for t in reserve] == ["koulut ja oppilaitokset"]
    fewer = replace(result, themes=shown, reserve=reserve)
    renamed = curate_result(fewer, [CurationEdit(Q, RENAME, "avustus", label="Avustukset")], limit=4)
    assert [t.label for t in renamed.themes] == ["järjestöfoorumit", "yhteiset tapahtumat ja tilaisuudet",
                                                 "yhteyshenkilöt", "Avustukset"]
    assert [t.label for t in renamed.reserve] == ["koulut ja oppilaitokset"]
    hidden = curate_result(fewer, [CurationEdit(Q, HIDE, "yhteyshenkilö")], limit=4)
    assert [t.label for t in hidden.themes] == ["järjestöfoorumit", "yhteiset tapahtumat ja tilaisuudet",
                                                "järjestö- ja toiminta-avustukset", "koulut ja oppilaitokset"]
    assert hidden.reserve == ()


TWELVE = ["järjestöfoorumi", "avustus", "yhteyshenkilö", "viestintä", "vapaaehtoinen", "vertaistuki",
          "kumppanuus", "rahoitus", "palveluohjaus", "koulutus", "osallisuus", "kuntakierros"]
"""Terms of twelve different themes of the bundled thesaurus."""


def test_the_summary_shows_ten_themes_and_keeps_the_next_in_reserve(summary):
    """Twelve themes, each raised by two organisations: ten shown, the rest in reserve, and hiding one
    of the ten brings the eleventh up."""
    at = realistic_round.NOW
    said = [{Q: f"{TWELVE[i // 2].capitalize()} on meille tärkeä asia."} for i in range(24)]
    made = [Response(ResponseKey(ROUND.tenant_id, ROUND.id, o.id), answers=given, submitted_answers=given, version=1,
                     updated_at=at, updated_by="Edustaja", submitted_at=at, submitted_by="Edustaja")
            for o, given in zip(ROUND.config.organisations, said)]
    result = next(r for r in summarise(ROUND, made, realistic_round.NOW).texts if r.question_id == Q)
    assert len(result.themes) == 10 and result.reserve, [t.label for t in (*result.themes, *result.reserve)]
    first_reserve = result.reserve[0]
    hidden = curate_result(result, [CurationEdit(Q, HIDE, result.themes[0].key)], thesaurus=ROUND.thesaurus)
    assert len(hidden.themes) == 10 and hidden.themes[-1].key == first_reserve.key
