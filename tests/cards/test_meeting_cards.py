"""The meeting's cards, every kind: Adaptive Card 1.5 with Action.Execute only, every button's data
a payload the bot accepts, notes, names and conclusions neutralised (never read as Markdown), the
representative's card without buttons, and no errors from Microsoft's own parser."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auxil.cards import assert_parsed_cleanly, markdown_texts, shown_texts, walk
from cards.catalogue import t
from cards.meeting import EVIDENCE_INPUT, TEXT_INPUT, TOPIC_INPUT, board_notice, conclusions_card, finished_card, joint_card, saved_card
from cards.pager import CARD_BUDGET, size
from cards.payloads import MeetingDelete, MeetingMove, MeetingSave, MeetingWrite, parse_payload
from cards.text import neutralise
from dialogs.meeting_flow import NoticeKind, WriteView, render
from hyte.meeting import Conclusion, EvidenceKind, EvidenceRef, SummaryVersion
from hyte.meeting_evidence import Evidence
from hyte.survey import LegalTopic

T0 = datetime(2024, 5, 22, 7, 0, tzinfo=UTC)
INJECTED = "Roolit **heti** <at>Kaikki</at> [x](http://evil.example)"
NOTE = EvidenceRef(EvidenceKind.WORKSHOP_NOTE, key="19:g1@thread.tacv2|101")
QUESTION = EvidenceRef(EvidenceKind.SURVEY_QUESTION, "roles_clear")
CONCLUSIONS = [
    Conclusion(1, LegalTopic.COOPERATION, 1, INJECTED, (NOTE, QUESTION), 2, "Sanna Laine", T0, "Heikki **K**", T0),
    Conclusion(2, LegalTopic.COOPERATION, 2, "Toinen kirjaus", (), 1, "Sanna Laine", T0, "Sanna Laine", T0),
    Conclusion(3, LegalTopic.GOALS, 1, "Kolmas kirjaus", (QUESTION,), 1, "Sanna Laine", T0, "Sanna Laine", T0),
]
VERSION = SummaryVersion(1, "Sanna Laine", T0, tuple(c.frozen() for c in CONCLUSIONS))
OPTIONS = [
    Evidence(QUESTION, "Yhdyspinnat, 3. Ovatko HYTE-roolit selkeät?", organisations=("Kuopion kaupunki",)),
    Evidence(NOTE, "1. Työnjako", label=INJECTED, groups=("Ryhmä 1",), raised=True),
    Evidence(EvidenceRef(EvidenceKind.WORKSHOP_THEME, "q1", "sopimus"), "1. Työnjako", label="sopimus",
             groups=("Ryhmä 1", "Ryhmä 2")),
]
RAISED = [("1. Miten työnjakoa selkeytetään?", [("Ryhmä 1", [INJECTED]), ("Ryhmä 2", ["Yhteiset palaverit"])]),
          ("2. Mitä on yhdyspintatyö?", [])]
THEMES = [("1. Miten työnjakoa selkeytetään?", [("sopimus", "Ryhmä 1, Ryhmä 2")])]

CARDS: dict[str, dict[str, Any]] = {
    "joint": joint_card("HYTE-neuvottelut: työpaja", RAISED, THEMES, T0),
    "conclusions.team": conclusions_card("pohjois-savo-demo", 2024, CONCLUSIONS, [VERSION], True, team=True, at=T0,
                                         notice="Kirjaus oli muuttunut sillä välin."),
    "conclusions.board": conclusions_card("pohjois-savo-demo", 2024, CONCLUSIONS, [], False, team=False, at=T0),
    "conclusions.empty": conclusions_card("pohjois-savo-demo", 2024, [], [], False, team=True, at=T0),
    "write.new": render("pohjois-savo-demo", WriteView(None, None, "", "", ()), OPTIONS),
    "write.conflict": render("pohjois-savo-demo", WriteView(1, 2, "cooperation", "Oma teksti", (str(NOTE),),
                                                            NoticeKind.CHANGED_MEANWHILE, other=CONCLUSIONS[0]), OPTIONS),
    "write.deleted": render("pohjois-savo-demo", WriteView(None, None, "goals", "Oma", (), NoticeKind.DELETED_MEANWHILE), []),
    "saved": saved_card("meeting.topic.goals", INJECTED),
    "finished": finished_card(2024, VERSION, [(t("meeting.download_summary"), "https://hyte.example.fi/api/exports/x")], T0),
    "board": board_notice(2024, VERSION, 3),
}


def test_envelope_actions_and_size():
    for name, card in CARDS.items():
        assert card["type"] == "AdaptiveCard" and card["version"] == "1.5", name
        kinds = {a["type"] for a in walk(card) if str(a.get("type", "")).startswith("Action.")}
        assert kinds <= {"Action.Execute", "Action.OpenUrl"}, name
        assert size(card) < CARD_BUDGET, name


def test_every_button_carries_a_payload_the_bot_accepts():
    kinds = set()
    for name in ("conclusions.team", "write.new", "write.conflict"):
        for action in (a for a in walk(CARDS[name]) if a.get("type") == "Action.Execute"):
            payload = parse_payload(action["data"] | ({TEXT_INPUT: "x", TOPIC_INPUT: "goals"}
                                                      if action["verb"] == "meeting.save" else {}))
            kinds.add(type(payload))
    assert {MeetingWrite, MeetingMove, MeetingDelete, MeetingSave} <= kinds


def test_the_first_of_a_topic_has_no_up_and_the_last_no_down():
    titles = [[a["title"] for a in e["actions"]] for e in walk(CARDS["conclusions.team"]) if e.get("type") == "ActionSet"]
    assert titles == [["Muokkaa", "Poista"], ["Muokkaa", "Alas", "Poista"], ["Muokkaa", "Ylös", "Poista"]]


def test_the_board_reads_the_conclusions_without_buttons():
    card = CARDS["conclusions.board"]
    assert [a for a in walk(card) if str(a.get("type", "")).startswith("Action")] == []
    assert "Kolmas kirjaus" in "\n".join(shown_texts(card)) and "Tavoitteet" in "\n".join(shown_texts(card))


def test_the_conflict_shows_the_other_text_and_keeps_ones_own():
    card = CARDS["write.conflict"]
    shown = "\n".join(shown_texts(card))
    assert "Heikki ∗∗K∗∗ muutti tätä kirjausta sillä välin" in shown  # the other member named, neutralised
    assert neutralise(INJECTED) in shown
    text = next(e for e in walk(card) if e.get("id") == TEXT_INPUT)
    assert text["value"] == "Oma teksti"
    chooser = next(e for e in walk(card) if e.get("id") == EVIDENCE_INPUT)
    assert chooser["isMultiSelect"] and chooser["value"] == str(NOTE)
    save = next(a for a in walk(card) if a.get("verb") == "meeting.save")
    assert (save["data"]["id"], save["data"]["v"]) == (1, 2)


def test_user_controlled_texts_show_neutralised():
    for name in ("joint", "conclusions.team", "saved"):
        shown = "\n".join(shown_texts(CARDS[name]))
        assert neutralise(INJECTED) in shown, name
        assert "<at>" not in shown and "](http" not in shown and "**heti**" not in shown, name
        assert not any("Kaikki" in text for text in markdown_texts(CARDS[name])), name
    chooser = next(e for e in walk(CARDS["write.new"]) if e.get("id") == EVIDENCE_INPUT)
    assert all("<at>" not in c["title"] and "](http" not in c["title"] for c in chooser["choices"])


def test_microsofts_parser_finds_no_errors(tmp_path: Path):
    assert_parsed_cleanly(CARDS, tmp_path)


def test_the_hyte_teams_reminders_refer_to_the_meetings_summary():
    from cards.timeline import team_reminder_card
    from hyte.reminders import ReminderId
    from hyte.round import load_round

    round_ = load_round(Path(__file__).resolve().parents[2] / "config" / "pohjois-savo" / "round.yaml")
    for reminder, words in ((ReminderId.TEAM_FINISH_SUMMARY, "Viimeistele yhteenveto"),
                            (ReminderId.TEAM_RESULTS_DUE, "neuvottelujen yhteenveto")):
        card = team_reminder_card(round_, reminder, T0)
        assert words in "\n".join(shown_texts(card)), reminder
        show = next(a for a in walk(card) if a.get("verb") == "meeting.show")
        assert parse_payload(show["data"]).round == round_.id


def test_a_person_erased_since_is_named_as_such_not_left_blank():
    erased = Conclusion(4, LegalTopic.GOALS, 2, "Neljäs kirjaus", (), 1, "", T0, "", T0)
    card = conclusions_card("pohjois-savo-demo", 2024, [*CONCLUSIONS, erased], [SummaryVersion(2, "", T0, ())],
                            False, team=True, at=T0)
    shown = "\n".join(shown_texts(card))
    assert f"· {t('person.erased')}, " in shown and "· , " not in shown
    assert t("meeting.version_line", number=2, by=t("person.erased"), at="").rstrip(", ") in shown
