"""Moving dates as a state machine, with plain objects: Helsinki wall-clock input, refusals, no-ops."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from auxil.cards import block_text
from dialogs.timeline_flow import (
    DatesForm, EditDates, MoveDates, SaveDates, Saved, Stale, TimelineState, Unchanged, decide,
)
from dialogs.timeline_render import render
from hyte.round import HELSINKI, Phase, load_round

ROUND = load_round(Path(__file__).resolve().parents[2] / "config" / "pohjois-savo" / "round.yaml", today=date(2024, 5, 1))


def typed(**changes: tuple[str | None, str | None]) -> dict:
    values = {p: (f"{ROUND.timetable.at(p):%Y-%m-%d}", f"{ROUND.timetable.at(p):%H:%M}") for p in Phase}
    return values | {Phase(k): v for k, v in changes.items()}


def test_editing_starts_from_the_current_dates():
    outcome = decide(TimelineState(ROUND, 3), EditDates())
    assert outcome.view == DatesForm(3) and outcome.effects == ()


def test_a_moved_date_is_helsinki_wall_clock_time():
    outcome = decide(TimelineState(ROUND, 0), SaveDates(typed(survey_closes=("2024-05-20", "15:30")), 0))
    assert outcome.view == Saved(1)
    (move,) = outcome.effects
    assert isinstance(move, MoveDates) and move.revision == 0
    assert move.moves == {Phase.SURVEY_CLOSES: (ROUND.timetable.survey_closes, datetime(2024, 5, 20, 15, 30, tzinfo=HELSINKI))}
    assert move.moves[Phase.SURVEY_CLOSES][1].astimezone(UTC).hour == 12  # summer time


def test_nothing_changed_is_not_a_change():
    outcome = decide(TimelineState(ROUND, 0), SaveDates(typed(), 0))
    assert outcome.view == Unchanged() and outcome.effects == ()


def test_malformed_and_out_of_order_dates_are_refused_per_phase():
    outcome = decide(TimelineState(ROUND, 0), SaveDates(typed(
        material_review=("2024-02-30", "13:00"), survey_closes=("2024-04-01", "16:00"), results_into_plan=(None, "12:00"),
    ), 0))
    assert outcome.effects == ()
    form = outcome.view
    assert isinstance(form, DatesForm)
    assert {p: key for p, (key, _) in form.errors.items()} == {
        Phase.MATERIAL_REVIEW: "dates.error.invalid",
        Phase.SURVEY_CLOSES: "dates.error.order",
        Phase.RESULTS_INTO_PLAN: "dates.error.invalid",
    }
    card = render(form, ROUND)
    assert "2024-02-30" in str(card)  # what was typed is shown again


def test_a_stale_card_shows_who_changed_the_timetable_neutralised():
    stale = decide(TimelineState(ROUND, 1), Stale(2, "Sanna <at>Kaikki</at>", datetime(2024, 5, 2, 10, 0, tzinfo=HELSINKI)))
    assert stale.effects == ()
    card = render(stale.view, ROUND)
    notice = block_text(card["body"][1]["items"][0])
    assert notice.startswith("Sanna ‹at›Kaikki‹/at› muutti aikataulua 2.5.2024 klo 10.00")
