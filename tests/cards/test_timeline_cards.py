"""The timetable and reminder cards, every kind, checked as Teams uses them: Adaptive Card 1.5 with
Action.Execute only, every button's data a payload the bot accepts, Teams names neutralised,
configured names as typed, failure reasons in Finnish, under Teams' size limit, and no errors from
Microsoft's own parser."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from auxil.cards import assert_parsed_cleanly, assert_snapshot, markdown_texts, shown_texts, walk
from cards.catalogue import t
from cards.payloads import ReminderSurvey, RemindSend, TimelineSave, parse_payload
from cards.text import Config, neutralise, phrase
from cards.timeline import (
    PreviewLine, Role, TeamPanel, announcement_card, dates_card, message_card, nudge_card, remind_preview_card,
    team_reminder_card, timeline_card, todo_text,
)
from hyte.jobs import FailureReason
from hyte.reminders import ReminderId
from hyte.timetable import TimetableChange
from hyte.responses import Response, ResponseKey, ResponseState
from hyte.round import HELSINKI, Phase, load_round

HERE = Path(__file__).resolve().parent
ROUND = load_round(HERE.parents[1] / "config" / "pohjois-savo" / "round.yaml", today=date(2024, 5, 1))
NOW = datetime(2024, 5, 2, 10, 0, tzinfo=HELSINKI)
KUOPIO = ROUND.organisation("kuopio")
INJECTED = "Maija **Boss** <at>Kaikki</at> [x](http://evil.example)"
"""A Teams display name (who moved dates, who saved a draft) is user-controlled."""
CARD_LIMIT = 28 * 1024


def _cards() -> dict[str, dict[str, Any]]:
    panel = TeamPanel(
        upcoming=[(NOW, "survey_closing", 1), (NOW, "nonrespondents_early", 6), (NOW, "manual-" + "a" * 32, 2)],
        unreachable=[(Config("Pekka Nieminen"), FailureReason.NOT_IN_TEAM, NOW)],
        failed=[("survey_open", t("timeline.board_channel"), FailureReason.UNAVAILABLE, NOW),
                ("nonrespondents_early", Config("Liisa Korhonen"), None, NOW)],
        changes=[TimetableChange(1, NOW, "aad", INJECTED, {Phase.SURVEY_CLOSES: (NOW, NOW)})],
        revision=1,
    )
    key = ResponseKey(ROUND.tenant_id, ROUND.id, "kuopio")
    draft = Response(key, {"q": 1}, None, 1, NOW, INJECTED)
    cards = {
        "timeline.representative": timeline_card(
            ROUND, NOW, Role.REPRESENTATIVE,
            todo_text(ROUND, Role.REPRESENTATIVE, NOW, organisation=KUOPIO, response_state=ResponseState.DRAFT),
            survey_action="action.resume"),
        "timeline.hyte_team": timeline_card(ROUND, NOW, Role.HYTE_TEAM,
                                            todo_text(ROUND, Role.HYTE_TEAM, NOW, submitted=3, total=25), panel=panel,
                                            notice=(phrase("dates.saved", count=1), "good")),
        "timeline.hyte_team.overdue_and_sending": timeline_card(
            ROUND, NOW, Role.HYTE_TEAM, todo_text(ROUND, Role.HYTE_TEAM, NOW, submitted=0, total=25),
            panel=TeamPanel(
                upcoming=[(datetime(2024, 5, 12, 9, 0, tzinfo=HELSINKI), "survey_closing", 1)],
                overdue=[(datetime(2024, 4, 24, 8, 0, tzinfo=HELSINKI), "survey_open", 1)],
                sending=[("nonrespondents_early", Config("Liisa *Korhonen*"), datetime(2024, 5, 2, 7, 10, tzinfo=UTC))],
            )),
        "dates": dates_card(ROUND, 1),
        "dates.errors": dates_card(ROUND, 1, values={p: ("2024-13-01", "25:00") for p in Phase},
                                   errors={Phase.SURVEY_CLOSES: phrase("dates.error.invalid")},
                                   notice=(phrase("dates.unchanged"), "warning")),
        "remind.preview": remind_preview_card(ROUND, [
            PreviewLine("Maija Meikäläinen", KUOPIO.name, ResponseState.DRAFT),
            PreviewLine("Liisa *Korhonen*", "Iisalmen kaupunki", ResponseState.NOT_STARTED, FailureReason.BLOCKED),
        ], "b" * 32),
        "message": message_card(ROUND, "Muistutusta ei lähetetty."),
        "nudge.not_started": nudge_card(ROUND, KUOPIO, None, NOW),
        "nudge.draft": nudge_card(ROUND, KUOPIO, draft, NOW),
    }
    for reminder in (ReminderId.REVIEW_MEETING_AHEAD, ReminderId.SURVEY_OPEN, ReminderId.SURVEY_CLOSING,
                     ReminderId.MEETING_TOMORROW, ReminderId.SURVEY_SUMMARY_READY):
        cards[f"announce.{reminder.value}"] = announcement_card(ROUND, reminder, NOW, submitted=3, total=25)
    for reminder in (ReminderId.TEAM_FINISH_SUMMARY, ReminderId.TEAM_SUMMARY_DUE, ReminderId.TEAM_RESULTS_DUE):
        cards[f"team.{reminder.value}"] = team_reminder_card(ROUND, reminder, NOW)
    return cards


CARDS = _cards()



@pytest.mark.parametrize("name", sorted(CARDS))
def test_envelope_actions_and_size(name: str):
    card = CARDS[name]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert all(element for element in card["body"])
    assert len(json.dumps(card).encode()) < CARD_LIMIT
    card_inputs = {e["id"]: e.get("value") or "" for e in walk(card) if str(e.get("type", "")).startswith("Input.")}
    assert len(card_inputs) == len([e for e in walk(card) if str(e.get("type", "")).startswith("Input.")])
    for action in card.get("actions", []):
        assert action["type"] == "Action.Execute"
        data = dict(action["data"])
        if action["associatedInputs"] == "auto":
            data |= card_inputs
        payload = parse_payload(data)
        assert payload.round == ROUND.id and payload.verb == action["verb"]


def test_the_buttons_that_matter_carry_what_the_bot_needs():
    (save,) = [a for a in CARDS["dates"]["actions"] if a["verb"] == "timeline.save"]
    inputs = {e["id"]: e["value"] for e in walk(CARDS["dates"]) if str(e.get("type", "")).startswith("Input.")}
    payload = parse_payload(save["data"] | inputs)
    assert isinstance(payload, TimelineSave) and payload.revision == 1
    assert payload.inputs["t.survey_closes.date"] == "2024-05-15" and payload.inputs["t.survey_closes.time"] == "16:00"
    (send,) = [a for a in CARDS["remind.preview"]["actions"] if a["verb"] == "remind.send"]
    assert parse_payload(send["data"]) == RemindSend(verb="remind.send", r=ROUND.id, batch="b" * 32)
    (start,) = CARDS["announce.survey_open"]["actions"]
    assert isinstance(parse_payload(start["data"]), ReminderSurvey) and start["title"] == "Aloita kysely"


def test_user_controlled_names_show_neutralised():
    for name in ("timeline.hyte_team", "nudge.draft"):
        shown = "\n".join(shown_texts(CARDS[name]))
        assert neutralise(INJECTED) in shown, name
        assert "<at>" not in shown and "**Boss**" not in shown and "\\" not in shown
        assert not any("Maija" in text for text in markdown_texts(CARDS[name]))


def test_configured_names_show_as_typed_and_failures_in_finnish():
    preview = "\n".join(shown_texts(CARDS["remind.preview"]))
    assert "• Liisa *Korhonen*, Iisalmen kaupunki: ei aloitettu (viimeksi en tavoittanut: on estänyt minut" in preview
    panel = "\n".join(shown_texts(CARDS["timeline.hyte_team"]))
    assert "Pekka Nieminen: ei ole neuvottelukunnan tiimin jäsen" in panel
    assert "neuvottelukunnan kanava: Teams ei ollut tavoitettavissa" in panel
    assert "Liisa Korhonen: lähetyksessä tapahtui virhe" in panel  # a job from before reasons were kept


def test_microsofts_parser_finds_no_errors(tmp_path: Path):
    assert_parsed_cleanly(CARDS, tmp_path)


SNAPSHOTS = HERE / "snapshots_timeline"
SNAPSHOT_CARDS = ("timeline.hyte_team", "timeline.representative", "dates.errors", "remind.preview",
                  "announce.survey_open", "nudge.draft")
"""Kept apart from the survey's snapshots (tests/cards/snapshots/ holds exactly those). After an
intended change: `UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/cards/test_timeline_cards.py` and review
the diff of tests/cards/snapshots_timeline/."""


@pytest.mark.parametrize("name", SNAPSHOT_CARDS)
def test_snapshot(name: str):
    assert_snapshot(SNAPSHOTS, name, CARDS[name])


def test_no_stale_snapshots():
    assert {p.stem for p in SNAPSHOTS.glob("*.json")} <= set(SNAPSHOT_CARDS)


def test_overdue_reminders_are_apart_from_upcoming_ones_and_an_unfinished_send_says_when_it_is_checked():
    shown = shown_texts(CARDS["timeline.hyte_team.overdue_and_sending"])
    upcoming, overdue, sending = (shown.index(t(k)) for k in (
        "timeline.reminders_title", "timeline.overdue_title", "timeline.sending_title"))
    assert shown[upcoming + 1].startswith("• 12.5.2024 klo 09.00:")
    assert shown[overdue + 1].startswith("• 24.4.2024 klo 08.00:") and "ei vielä lähetetty" in shown[overdue + 1]
    assert shown[sending + 1].endswith("Liisa *Korhonen*: lähetys kesken, tarkistetaan klo 10.10")  # Helsinki time
