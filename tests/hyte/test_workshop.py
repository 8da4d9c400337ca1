"""The workshop in plain Python: its questions (verbatim from the seed), the question a note names,
the flow's decisions, consolidation, and the summary cards."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from auxil.seed import read_seed
from cards.text import neutralise
from auxil.cards import markdown_texts, shown_texts
from cards.pager import CARD_BUDGET, size
from cards.workshop import summary_cards
from dialogs.workshop_flow import (
    ChannelMessage, Choose, Edit, EditNote, NoteSkip, NotANote, Noted, Refuse, Start, StartCommand, StartConfirmed,
    Started, StoreNote, WorkshopState, classify, decide,
)
from hyte.configuration import ConfigurationError
from hyte.thesaurus import load_thesaurus
from hyte.teams import Channel, Team
from hyte.workshop import (
    MAX_NOTE_CHARS, Assignment, Group, MessageContext, Note, WorkshopRun, WorkshopStatus,
    load_round_workshop, load_workshop, question_prefix,
)
from hyte.workshop_summary import consolidate

REPO = Path(__file__).resolve().parents[2]
WORKSHOP_FILE = REPO / "config" / "pohjois-savo" / "workshop.yaml"
T0 = datetime(2024, 5, 22, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def definition():
    return load_workshop(WORKSHOP_FILE)


# The questions -------------------------------------------------------------------------------------


def _normalised_seed() -> tuple[str, str]:
    """The seed's text with whitespace collapsed, and the same with lines that end in a hyphen
    joined to the next without a space (the slide layout broke compounds: "kunta-" / "hva")."""
    raw = read_seed()
    joined = re.sub(r"-[ \t]*\n\s*", "-", raw)
    return " ".join(raw.split()), " ".join(joined.split())


def test_the_three_workshop_questions_and_their_prompts_are_the_seeds_verbatim(definition):
    plain, joined = _normalised_seed()
    assert [q.number for q in definition.questions] == [1, 2, 3]
    for question in definition.questions:
        for text in (f"{question.number}. {question.text}", *(f"• {p}" for p in question.prompts)):
            assert text in plain or text in joined, text
    assert [len(q.prompts) for q in definition.questions] == [2, 1, 1]
    assert definition.questions[0].text.startswith("Miten saadaan selkeytettyä HYTE-työnjakoa")
    assert definition.questions[2].text == "Miten tulisi kehittää järjestöyhteistyön rakenteita Pohjois-Savossa?"


def test_a_bad_workshop_file_names_the_file_and_the_field(tmp_path: Path, definition):
    data = yaml.safe_load(WORKSHOP_FILE.read_text(encoding="utf-8"))
    data["questions"][1]["number"] = 1
    path = tmp_path / "workshop.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"workshop\.yaml.*\n.*duplicate question numbers"):
        load_workshop(path)


def test_the_round_finds_workshop_yaml_beside_it_or_the_file_it_names(tmp_path: Path):
    round_file = tmp_path / "round.yaml"
    assert load_round_workshop(round_file, None) is None  # no workshop: the commands say so
    (tmp_path / "workshop.yaml").write_text(WORKSHOP_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_round_workshop(round_file, None).id == "hyte_tyopaja"
    with pytest.raises(ConfigurationError, match="file not found"):
        load_round_workshop(round_file, "missing.yaml")


# The question a note names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, number, rest",
    [
        ("1. Selkeät roolit", 1, "Selkeät roolit"),
        ("2) Yhteiset palaverit", 2, "Yhteiset palaverit"),
        ("#3 Järjestöfoorumi", 3, "Järjestöfoorumi"),
        ("# 3: Järjestöfoorumi", 3, "Järjestöfoorumi"),
        ("Kysymys 2: yhdyspinnat", 2, "yhdyspinnat"),
        ("kysymys 1 - roolit", 1, "roolit"),
        ("K1 roolit", 1, "roolit"),
        ("k3: foorumit", 3, "foorumit"),
        ("Q2 interfaces", 2, "interfaces"),
        ("Fråga 1: tydliga roller", 1, "tydliga roller"),
        ("fråga 2 - gränsytor", 2, "gränsytor"),
        ("F3 föreningsforum", 3, "föreningsforum"),
        ("Fraga 1 roller", 1, "roller"),
        ("Fler möten 1.", None, None),
        ("1.5.2024 sovittiin", None, None),
        ("4. Ei tällaista kysymystä", None, None),
        ("Kunnat ja järjestöt 1.", None, None),
        ("12 kuntaa mukana", None, None),
        ("Kuntien rooli", None, None),
    ],
)
def test_a_top_level_note_names_its_question_at_the_start(definition, text: str, number, rest):
    question, after = question_prefix(definition, text)
    assert (question.number if question else None) == number
    assert after == (rest if number else text)


# The flow's decisions ------------------------------------------------------------------------------

GROUPS = (Group("19:r1@thread.tacv2", "Ryhmä 1", 1), Group("19:r2@thread.tacv2", "Ryhmä 2", 2),
          Group("19:r3@thread.tacv2", "Group 3", 3))


def _run(status=WorkshopStatus.RUNNING) -> WorkshopRun:
    return WorkshopRun("t", "r", "19:team@thread.tacv2", status, T0, None, GROUPS)


def _message(text: str, *, root: str | None = None, from_bot: bool = False) -> ChannelMessage:
    return ChannelMessage(GROUPS[0].channel_id, "1001", root, text, "aad-1", "Maija", from_bot, T0)


def test_a_reply_under_a_question_post_is_a_note_for_that_question_whatever_it_starts_with(definition):
    context = MessageContext(_run(), GROUPS[0], post_question_id="interface_work")
    assert classify(definition, "1. tämä on listan kohta", context) == ("interface_work", Assignment.THREAD)


def test_prefix_then_the_root_note_then_unassigned(definition):
    top = MessageContext(_run(), GROUPS[0])
    assert classify(definition, "K3 foorumit", top) == ("ngo_cooperation_structures", Assignment.PREFIX)
    assert classify(definition, "foorumit", top) == (None, Assignment.NONE)
    under_note = MessageContext(_run(), GROUPS[0], root_note_question_id="roles_and_responsibilities")
    assert classify(definition, "samaa mieltä", under_note) == ("roles_and_responsibilities", Assignment.ROOT_NOTE)


def _on_message(definition, message: ChannelMessage, context: MessageContext):
    return decide(WorkshopState(definition, context=context), message)


def test_what_is_not_a_note(definition):
    for definition_, message, context, reason in (
        (definition, _message("hei", from_bot=True), MessageContext(_run(), GROUPS[0]), NoteSkip.FROM_BOT),
        (definition, _message("hei"), MessageContext(None, None), NoteSkip.NO_WORKSHOP),
        (definition, _message("hei"), MessageContext(_run(), None), NoteSkip.NOT_A_GROUP),
        (definition, _message(""), MessageContext(_run(), GROUPS[0]), NoteSkip.EMPTY),
        (None, _message("hei"), MessageContext(_run(), GROUPS[0]), NoteSkip.NO_WORKSHOP),
    ):
        outcome = _on_message(definition_, message, context)
        assert (outcome.view, outcome.effects) == (NotANote(reason), ())


def test_a_note_after_the_stop_is_kept_marked_late(definition):
    outcome = _on_message(definition, _message("2. myöhässä"), MessageContext(_run(WorkshopStatus.STOPPED), GROUPS[0]))
    (store,) = outcome.effects
    assert outcome.view == Noted() and isinstance(store, StoreNote)
    assert store.note.late and store.note.question_id == "interface_work"


def test_a_very_long_note_is_stored_cut_and_so_is_its_edit(definition):
    outcome = _on_message(definition, _message("x" * 20_000), MessageContext(_run(), GROUPS[0]))
    assert len(outcome.effect(StoreNote).note.text) == MAX_NOTE_CHARS == 8000
    note = outcome.effect(StoreNote).note
    edited = decide(WorkshopState(definition, context=MessageContext(_run(), GROUPS[0]), note=note), Edit("1. " + "y" * 9000))
    assert edited.effect(EditNote) == EditNote(("1. " + "y" * 9000)[:MAX_NOTE_CHARS], "roles_and_responsibilities",
                                               Assignment.PREFIX)


def test_start_preselects_channels_named_as_groups_and_refuses_clearly(definition):
    team = Team("t", "19:team@thread.tacv2", "HYTE", "http://x/", True, (
        Channel("19:team@thread.tacv2", None), Channel("19:a@thread.tacv2", "Group A"),
        Channel("19:b@thread.tacv2", "Ryhmä B"), Channel("19:c@thread.tacv2", "Muut asiat"),
    ))
    choice = decide(WorkshopState(definition, team), StartCommand()).view
    assert isinstance(choice, Choose)
    assert [c.name for c in choice.channels] == ["Group A", "Ryhmä B", "Muut asiat"]
    assert choice.preselected == ("19:a@thread.tacv2", "19:b@thread.tacv2")
    assert decide(WorkshopState(definition, None), StartCommand()).view == Refuse("workshop.no_board_team")
    assert decide(WorkshopState(None, team), StartCommand()).view == Refuse("workshop.not_configured")
    for chosen, refusal in (([""], "workshop.no_groups_chosen"), (["19:team@thread.tacv2"], "workshop.unknown_channel")):
        refused = decide(WorkshopState(definition, team), StartConfirmed(chosen))
        assert (refused.view, refused.effects) == (Refuse(refusal), ())
    started = decide(WorkshopState(definition, team),
                     StartConfirmed(["19:c@thread.tacv2", "19:a@thread.tacv2", "19:a@thread.tacv2"]))
    (start,) = started.effects
    assert started.view == Started() and isinstance(start, Start)
    assert start.groups == (("19:c@thread.tacv2", "Muut asiat"), ("19:a@thread.tacv2", "Group A"))


# Consolidation -----------------------------------------------------------------------------------


def _note(group: int, message: str, text: str, question: str | None = "ngo_cooperation_structures", *,
          minutes: int = 0, **extra) -> Note:
    at = T0 + timedelta(minutes=minutes)
    return Note(GROUPS[group].channel_id, message, question, Assignment.THREAD if question else Assignment.NONE,
                "aad", "Nimi", text, at, at, **extra)


NOTES = [
    _note(0, "1", "Alueellinen järjestöfoorumi useamman kunnan alueelle", minutes=1),
    _note(0, "2", "Alueellinen järjestöfoorumi useamman kunnan alueelle!", minutes=2),
    _note(0, "3", "Järjestöavustusten jakajille yhteistyörakenne", minutes=3, reactions=2, highlight=True),
    _note(1, "4", "Seudullinen järjestöfoorumi tavoittaisi kaikki toimijat", minutes=4, reactions=1),
    _note(1, "5", "Viestinnän vahvistaminen", minutes=5, deleted=True),
    _note(2, "6", "Järjestöfoorumi myös pienemmille alueille", minutes=6),
    _note(2, "7", "Kuka kutsuu koolle?", None, minutes=7),
    _note(1, "8", "Myöhässä tullut ajatus", "roles_and_responsibilities", minutes=90, late=True),
]


def test_consolidation_merges_near_duplicates_per_group_and_finds_themes_across_groups(definition):
    summary = consolidate(definition, list(reversed(GROUPS)), NOTES)
    assert [g.name for g in summary.groups] == ["Ryhmä 1", "Ryhmä 2", "Group 3"]
    ngo = summary.questions[2]
    assert ngo.question.number == 3
    first_group = ngo.groups[0]
    assert first_group.group.name == "Ryhmä 1"
    # the highlight first, then the two near-identical notes merged into one point
    assert [p.text for p in first_group.points] == [
        "Järjestöavustusten jakajille yhteistyörakenne", "Alueellinen järjestöfoorumi useamman kunnan alueelle",
    ]
    assert first_group.points[1].merged == 2
    assert [p.text for p in ngo.highlights] == ["Järjestöavustusten jakajille yhteistyörakenne"]
    # the deleted note is gone; the recurring theme counts the groups that raised it
    assert all("Viestinnän" not in p.text for gp in ngo.groups for p in gp.points)
    forum = next(t for t in ngo.themes if "järjestöfoorumi" in t.label)
    assert forum.group_count == 3
    assert forum.quotes
    # unassigned and late notes are shown apart
    assert [(gp.group.name, [p.text for p in gp.points]) for gp in summary.unassigned] == [("Group 3", ["Kuka kutsuu koolle?"])]
    assert [(gp.group.name, [p.text for p in gp.points]) for gp in summary.late] == [("Ryhmä 2", ["Myöhässä tullut ajatus"])]
    assert summary.questions[0].groups == ()
    assert (summary.note_count, summary.late_count) == (6, 1)


def test_workshop_themes_use_the_thesaurus_and_leave_out_the_questions_own_words(definition):
    thesaurus = load_thesaurus(WORKSHOP_FILE.parent / "thesaurus.yaml")
    notes = [
        _note(0, "1", "Roolit ja vastuut kirjattava", "roles_and_responsibilities"),
        _note(0, "2", "Yhteiset tapahtumat kouluilla", "roles_and_responsibilities"),
        _note(1, "3", "Vastuut epäselviä", "roles_and_responsibilities"),
        _note(1, "4", "Hyvinvointimessut ja tilaisuudet yhdessä", "roles_and_responsibilities"),
    ]
    roles = consolidate(definition, GROUPS, notes).questions[0]
    # question 1 asks about "rooleja ja vastuita": they are not its themes
    assert [t.label for t in roles.themes] == []
    roles = consolidate(definition, GROUPS, notes, thesaurus=thesaurus).questions[0]
    assert [(t.key, t.label, t.group_count) for t in roles.themes] == [
        ("tapahtuma", "yhteiset tapahtumat ja tilaisuudet", 2)]
    forum = next(t for t in consolidate(definition, GROUPS, NOTES, thesaurus=thesaurus).questions[2].themes
                 if t.key == "järjestöfoorumi")
    assert forum.label == "järjestöfoorumit" and forum.group_count == 3


def test_a_prefix_that_assigned_the_note_is_not_repeated_in_the_bullet(definition):
    note = Note(GROUPS[0].channel_id, "9", "interface_work", Assignment.PREFIX, None, None, "K2: Yhteiset palaverit", T0, T0)
    note = Note(GROUPS[0].channel_id, "9", "interface_work", Assignment.PREFIX, None, None, "K2: Yhteiset palaverit", T0, T0)
    summary = consolidate(definition, GROUPS, [note])
    assert summary.questions[1].groups[0].points[0].text == "Yhteiset palaverit"


# Summary cards ---------------------------------------------------------------------------------


def test_the_summary_card_neutralises_note_text(definition):
    evil = "[klikkaa](https://evil.example) **lihava** <at>Kaikki</at> @channel\n- lista"
    summary = consolidate(definition, GROUPS, [_note(0, "1", evil)])
    (card,) = summary_cards(summary)
    shown = "\n".join(shown_texts(card))
    assert f"• {neutralise(evil)}" in shown
    assert "](https://" not in shown and "<at>" not in shown and "**lihava**" not in shown and "\\" not in shown
    assert not any("klikkaa" in text for text in markdown_texts(card))  # the note is never read as Markdown


def test_a_big_summary_is_split_into_cards_under_the_teams_limit(definition):
    rng = random.Random(3)
    notes = [  # made-up words: no two notes are near-identical
        _note(i % 3, str(i), f"Muistiinpano {i}: " + " ".join(
            "".join(rng.choice("aeiouklmnprst") for _ in range(9)) for _ in range(25)
        ), minutes=i)
        for i in range(400)
    ]
    cards = summary_cards(consolidate(definition, GROUPS, notes))
    assert len(cards) > 1
    assert all(size(c) < CARD_BUDGET for c in cards)
    assert cards[0]["body"][0]["text"] == f"Työpajan yhteenveto (1/{len(cards)})"
    assert any("(jatkuu)" in text for c in cards[1:] for text in shown_texts(c))
    shown = "".join(text for c in cards for text in shown_texts(c))
    assert [i for i in range(0, 400, 37) if f"Muistiinpano {i}:" not in shown] == []
