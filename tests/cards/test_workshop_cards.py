"""The workshop cards, every kind: Adaptive Card 1.5 with Action.Execute only, the start button's
data a payload the bot accepts, channel names and note texts neutralised (never read as Markdown),
a snapshot of a question's post, and no errors from Microsoft's own parser."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auxil.cards import assert_parsed_cleanly, markdown_texts, shown_texts, walk
from cards.inputs import WORKSHOP_GROUPS as INPUT_GROUPS
from cards.pager import CARD_BUDGET, size
from cards.payloads import WorkshopStart, parse_payload
from cards.text import neutralise
from cards.workshop import (
    channel_choice_card, question_card, running_notice, started_card, stopped_notice, summary_cards, welcome_card,
)
from hyte.teams import Channel
from hyte.workshop import Assignment, Group, Note, WorkshopRun, WorkshopStatus, load_workshop
from hyte.workshop_summary import consolidate

HERE = Path(__file__).resolve().parent
DEFINITION = load_workshop(HERE.parents[1] / "config" / "pohjois-savo" / "workshop.yaml")
T0 = datetime(2024, 5, 22, 7, 0, tzinfo=UTC)
INJECTED = "Ryhmä **1** <at>Kaikki</at> [x](http://evil.example)"
"""A channel name (and a note) is user-controlled."""
GROUPS = (Group("19:a@thread.tacv2", INJECTED, 1), Group("19:b@thread.tacv2", "Ryhmä 2", 2))
RUN = WorkshopRun("t", "r", "19:team@thread.tacv2", WorkshopStatus.STOPPED, T0, T0, GROUPS)
SNAPSHOT = HERE / "workshop_snapshots" / "question_1.json"
"""Apart from snapshots/, which holds the survey cards' snapshots only (test_survey_cards checks it)."""


def _note(group: Group, message: str, text: str, question: str | None, **extra) -> Note:
    return Note(group.channel_id, message, question, Assignment.THREAD, "aad", "Nimi", text, T0, T0, **extra)


NOTES = [
    _note(GROUPS[0], "1", "Järjestöfoorumi seudullisesti **heti** [x](http://evil.example)", "ngo_cooperation_structures",
          highlight=True, reactions=2),
    _note(GROUPS[1], "2", "Seudullinen järjestöfoorumi", "ngo_cooperation_structures"),
    _note(GROUPS[1], "3", "Kahvi <at>Kaikki</at>", None),
    _note(GROUPS[0], "4", "Myöhässä", "interface_work", late=True),
]

CARDS: dict[str, dict[str, Any]] = {
    "choice": channel_choice_card("pohjois-savo-demo", DEFINITION, [Channel("19:a@thread.tacv2", INJECTED),
                                  Channel("19:b@thread.tacv2", "Ryhmä 2")], ["19:a@thread.tacv2"]),
    "choice.running": channel_choice_card("pohjois-savo-demo", DEFINITION, [Channel("19:b@thread.tacv2", "Ryhmä 2")],
                                          ["19:b@thread.tacv2"], running=RUN),
    **{f"question.{q.number}": question_card(DEFINITION, q) for q in DEFINITION.questions},
    "started": started_card(GROUPS, 3, [INJECTED]),
    "running": running_notice(GROUPS),
    "stopped": stopped_notice(RUN, 12),
    "welcome.board": welcome_card(True),
    "welcome.other": welcome_card(False),
    "summary": summary_cards(consolidate(DEFINITION, GROUPS, NOTES))[0],
}



@pytest.mark.parametrize("name", sorted(CARDS))
def test_envelope_actions_and_size(name: str):
    card = CARDS[name]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert all(a["type"] == "Action.Execute" for a in walk(card) if str(a.get("type", "")).startswith("Action."))
    assert size(card) < CARD_BUDGET


def test_the_start_button_carries_a_payload_the_bot_accepts():
    (action,) = CARDS["choice"]["actions"]
    payload = parse_payload({**action["data"], INPUT_GROUPS: "19:a@thread.tacv2,19:b@thread.tacv2"})
    assert isinstance(payload, WorkshopStart) and payload.groups.split(",") == ["19:a@thread.tacv2", "19:b@thread.tacv2"]
    choice = next(e for e in walk(CARDS["choice"]) if e.get("type") == "Input.ChoiceSet")
    assert (choice["id"], choice["isMultiSelect"], choice["value"]) == (INPUT_GROUPS, True, "19:a@thread.tacv2")


def test_user_controlled_texts_show_neutralised():
    for name in ("started", "running", "summary", "choice.running"):
        shown = "\n".join(shown_texts(CARDS[name]))
        assert neutralise(INJECTED) in shown, name
        assert "<at>" not in shown and "](http" not in shown and "**1**" not in shown and "**heti**" not in shown, name
        assert "\\" not in shown, name
        assert not any("Kaikki" in text for text in markdown_texts(CARDS[name])), name
    choice = next(e for e in walk(CARDS["choice"]) if e.get("type") == "Input.ChoiceSet")
    assert choice["choices"][0]["title"] == neutralise(INJECTED)


def test_a_question_post_matches_its_snapshot():
    card = CARDS["question.1"]
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert card == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_microsofts_parser_finds_no_errors(tmp_path: Path):
    assert_parsed_cleanly(CARDS, tmp_path)
