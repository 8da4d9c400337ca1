"""Moving dates as a state machine, with plain objects: Helsinki wall-clock input, refusals, no-ops."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from auxil.cards import block_text
from dialogs.timeline_flow import DatesForm, EditDates, Moved, SaveDates, Unchanged, conflict, decide, render
from hyte.round import HELSINKI, Phase, load_round

ROUND = load_round(Path(__file__).resolve().parents[2] / "config" / "pohjois-savo" / "round.yaml", today=date(2024, 5, 1))


def typed(**changes: tuple[str | None, str | None]) -> dict:
    values = {p: (f"{ROUND.timetable.at(p):%Y-%m-%d}", f"{ROUND.timetable.at(p):%H:%M}") for p in Phase}
    return values | {Phase(k): v for k, v in changes.items()}


def test_editing_starts_from_the_current_dates():
    assert decide(EditDates(), ROUND, 3) == DatesForm(3)


def test_a_moved_date_is_helsinki_wall_clock_time():
    outcome = decide(SaveDates(typed(survey_closes=("2024-05-20", "15:30")), 0), ROUND, 0)
    assert isinstance(outcome, Moved)
    assert outcome.moves == {Phase.SURVEY_CLOSES: (ROUND.timetable.survey_closes, datetime(2024, 5, 20, 15, 30, tzinfo=HELSINKI))}
    assert outcome.moves[Phase.SURVEY_CLOSES][1].astimezone(UTC).hour == 12  # summer time


def test_nothing_changed_is_not_a_change():
    assert decide(SaveDates(typed(), 0), ROUND, 0) == Unchanged()


def test_malformed_and_out_of_order_dates_are_refused_per_phase():
    outcome = decide(SaveDates(typed(material_review=("2024-02-30", "13:00"), survey_closes=("2024-04-01", "16:00"),
                                     results_into_plan=(None, "12:00")), 0), ROUND, 0)
    assert isinstance(outcome, DatesForm)
    assert {p: key for p, (key, _) in outcome.errors.items()} == {
        Phase.MATERIAL_REVIEW: "dates.error.invalid",
        Phase.SURVEY_CLOSES: "dates.error.order",
        Phase.RESULTS_INTO_PLAN: "dates.error.invalid",
    }
    card = render(outcome, ROUND)
    assert "2024-02-30" in str(card)  # what was typed is shown again


def test_a_stale_card_shows_who_changed_the_timetable_neutralised():
    card = render(conflict(2, "Sanna <at>Kaikki</at>", datetime(2024, 5, 2, 10, 0, tzinfo=HELSINKI)), ROUND)
    notice = block_text(card["body"][1]["items"][0])
    assert notice.startswith("Sanna ‹at›Kaikki‹/at› muutti aikataulua 2.5.2024 klo 10.00")
