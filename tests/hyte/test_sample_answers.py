"""Generated answers (hyte/sample_answers.py): valid for the survey, the same for the same seed,
another spread for another seed."""

from __future__ import annotations

from collections import Counter

from conftest import DEMO_ROUND, TODAY
from hyte.answers import validate_all
from hyte.round import load_round
from hyte.sample_answers import sample_answers

ROUND = load_round(DEMO_ROUND, today=TODAY)


def test_every_generated_response_passes_the_surveys_strict_validation():
    generated = sample_answers(ROUND, 2025)
    assert 12 <= len(generated) < len(ROUND.config.organisations)
    for organisation, answers in generated.items():
        assert validate_all(ROUND.survey, answers) == {}, organisation
        assert set(answers) == {q.id for q in ROUND.survey.questions}


def test_deterministic_by_seed_and_another_seed_leans_otherwise():
    assert sample_answers(ROUND, 7) == sample_answers(ROUND, 7)
    one, other = sample_answers(ROUND, 2025), sample_answers(ROUND, 2026)
    spread = [Counter(a["goals_progress"] for a in year.values()) for year in (one, other)]
    goals = [Counter(g for a in year.values() for g in a["goals_to_strengthen"]["selected"]) for year in (one, other)]
    assert spread[0] != spread[1] and goals[0].most_common(3) != goals[1].most_common(3)
