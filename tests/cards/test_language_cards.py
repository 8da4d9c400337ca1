"""The language cards (issue 19): `kieli` / `språk`, the export's language choice, and a channel post
in every language the round offers (one card, the round's first language first, a button that does
the same once, titled in each language). Parsed by Microsoft's Adaptive Cards parser as the other
cards are."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from auxil.cards import assert_parsed_cleanly, shown_texts, walk
from cards.catalogue import current_language, speaking, t
from cards.language import export_language_card, in_languages, language_card, not_offered_text
from cards.payloads import ExportLanguage, LanguageChoose, parse_payload
from cards.timeline import announcement_card
from cards.workshop import question_card
from hyte.reminders import ReminderId
from hyte.round import HELSINKI, load_round

REPO = Path(__file__).resolve().parents[2]
SAARISTO = load_round(REPO / "config" / "saaristo" / "round.yaml", date(2024, 5, 2))
NOW = datetime(2024, 5, 6, 9, 0, tzinfo=HELSINKI)


def _announcement(code: str) -> dict:
    return announcement_card(SAARISTO.in_language(code), ReminderId.SURVEY_OPEN, NOW, submitted=1, total=5)


def _question(code: str) -> dict:
    workshop = SAARISTO.in_language(code).workshop
    return question_card(workshop, workshop.questions[0])


CARDS = {
    "language.fi": language_card(SAARISTO.id, "fi", SAARISTO.languages),
    "language.chosen_sv": language_card(SAARISTO.id, "sv", SAARISTO.languages, chosen=True),
    "export_language": export_language_card(SAARISTO.id, SAARISTO.languages, "sv"),
    "announcement.both": in_languages(SAARISTO.languages, _announcement),
    "question.both": in_languages(SAARISTO.languages, _question),
}


def test_the_language_card_offers_each_language_named_in_itself():
    card = CARDS["language.fi"]
    assert [a["title"] for a in card["actions"]] == ["Suomi", "Svenska"]
    assert [parse_payload(a["data"]) for a in card["actions"]] == [
        LanguageChoose(verb="language.choose", r=SAARISTO.id, language=code) for code in ("fi", "sv")]
    assert t("language.current", "fi", name="suomeksi") in shown_texts(card)
    with speaking("sv"):
        chosen = language_card(SAARISTO.id, "sv", ("fi", "sv"), chosen=True)
    assert "Från och med nu skriver jag till dig på svenska." in shown_texts(chosen)
    assert "actions" not in language_card("pohjois-savo-demo", "fi", ("fi",))


def test_a_one_language_round_says_so_in_the_readers_language():
    assert not_offered_text(("fi",)) == "Tässä neuvottelukierroksessa kirjoitan vain suomeksi."
    with speaking("sv"):
        assert not_offered_text(("fi", "sv")) == (
            "I den här förhandlingsomgången skriver jag bara på följande språk: finska, svenska.")


def test_the_export_card_puts_the_readers_language_first():
    card = CARDS["export_language"]
    payloads = [parse_payload(a["data"]) for a in card["actions"]]
    assert payloads == [ExportLanguage(verb="export.language", r=SAARISTO.id, language=code) for code in ("sv", "fi")]


def test_a_channel_post_is_in_both_languages_one_after_the_other_with_one_button():
    card = CARDS["announcement.both"]
    shown = "\n".join(shown_texts(card))
    with speaking("fi"):
        finnish = "\n".join(shown_texts(_announcement("fi")))
    with speaking("sv"):
        swedish = "\n".join(shown_texts(_announcement("sv")))
    assert shown == finnish + "\n" + swedish
    (button,) = card["actions"]
    assert button["title"] == "Aloita kysely / Börja svara"
    separators = [e for e in card["body"] if e.get("separator")]
    assert len(separators) == 1
    question = "\n".join(shown_texts(CARDS["question.both"]))
    assert question.index("Kysymys 1") < question.index("Fråga 1")
    assert current_language() == "fi"  # nothing leaks out of the block


def test_a_one_language_round_posts_the_one_card():
    round_ = load_round(REPO / "config" / "pohjois-savo" / "round.yaml", date(2024, 5, 2))
    card = in_languages(round_.languages, lambda code: announcement_card(round_, ReminderId.SURVEY_OPEN, NOW))
    assert card == announcement_card(round_, ReminderId.SURVEY_OPEN, NOW)
    assert not [e for e in walk(card) if e.get("separator") and "Öppna" in str(e)]


def test_microsofts_parser_reads_the_language_cards(tmp_path):
    assert_parsed_cleanly(CARDS, tmp_path)
