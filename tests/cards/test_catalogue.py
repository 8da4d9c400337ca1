"""The message catalogue read as a Finnish civil servant would (Suomi.fi style): one voice.

- *sinä* to one reader (1:1 chat, the survey), *te* only in what is posted to a group (the board
  channel's announcements, a workshop question's post, the welcome in a team);
- the bot speaks in the first person, never of itself as "botti" (but for introducing itself);
- Finnish quotation marks ”…”, never "…";
- a command named in a sentence is in bold, so that "Kirjoita **ohje**" does not read as broken
  Finnish;
- no English and no file names: the manifest's English is in manifest/en.template.json.
"""

from __future__ import annotations

import re
from string import Formatter

import pytest

from bot.routes import build_router
from cards.catalogue import MESSAGES

FINNISH = MESSAGES["fi"]
TO_A_GROUP = ("announce.", "workshop.question_instructions", "workshop.welcome_body")
"""Messages posted to a channel: the only ones that say *te*."""
TE_FORMS = re.compile(
    r"\b(?:voitte|olette|näette|painatte|teidän|käykää|vastatkaa|kirjoittakaa|mainitkaa|lähettäkää|viimeistelkää"
    r"|tehkää|valitkaa|\w+(?:aationne|uksenne|männe|uunne))\b",
    re.IGNORECASE,
)
"""*Te* forms: second person plural verbs and the possessive suffix -nne."""
SINA_FORMS = re.compile(r"\b(?:Voit|Kirjoita|Vastaa|Käy)\b|\b\w+(?:aatiosi|uksesi|keskustelusi|keskusteluusi)\b")
"""*Sinä* forms: a singular imperative opening a sentence, the possessive suffix -si."""
ENGLISH = re.compile(r"\.ya?ml\b|\b(?:error|failed|attempts|summary|survey|workshop|help|status|timeline|export)\b")


def _literal(text: str) -> str:
    """The message without its {placeholders}."""
    return "".join(literal for literal, *_ in Formatter().parse(text))


def test_one_reader_is_addressed_as_sina_and_a_group_as_te():
    to_one = {k: v for k, v in FINNISH.items() if not k.startswith(TO_A_GROUP)}
    to_group = {k: v for k, v in FINNISH.items() if k.startswith(TO_A_GROUP)}
    assert to_group and [k for k, v in to_one.items() if TE_FORMS.search(_literal(v))] == []
    assert [k for k, v in to_group.items() if SINA_FORMS.search(_literal(v))] == []


def test_the_forms_are_recognised():
    """The patterns catch the mixed register the catalogue used to have."""
    for mixed in ("Kirjoita vastauksenne", "Organisaationne vastaus on lähetetty", "Voitte muokata",
                  "vastatkaa kyselyyn"):
        assert TE_FORMS.search(mixed), mixed
    for mixed in ("Vastaa organisaatiosi puolesta", "Kirjoita ohje"):
        assert SINA_FORMS.search(mixed), mixed


def test_first_person_finnish_quotes_no_english():
    texts = {key: _literal(text) for key, text in FINNISH.items()}
    third_person = re.compile(r"\b[Bb]ott(?:i|in|ia|ille|ilta)\b")
    assert [k for k, v in texts.items() if third_person.search(v.replace("Olen HYTE-neuvottelujen botti", ""))] == []
    assert [k for k, v in texts.items() if '"' in v] == []
    assert [k for k, v in texts.items() if ENGLISH.search(v)] == []
    assert third_person.search("Botti kirjoittaa") and ENGLISH.search("(workshop.yaml)")


def test_commands_named_in_a_sentence_are_bold():
    names = sorted({name for command in build_router().commands for name in command.finnish}, key=len, reverse=True)
    named = re.compile(r"(?:[Kk]irjoita(?: sitten)?|komennolla) (?!\*\*)(?:" + "|".join(map(re.escape, names)) + r")\b")
    assert [text for text in FINNISH.values() if named.search(text)] == []
    assert named.search("Kirjoita ohje, niin näet komennot.")


def test_no_question_is_quoted_whole_in_an_error():
    """The methods question's "cannot name one now" is 170 characters: errors call it "kohta VII"."""
    assert "{numeral}" in FINNISH["error.methods_none_combined"]
    assert "{option}" not in FINNISH["error.methods_none_combined"]


# --- every language: the same keys and placeholders ----------------------------------------------

from cards.catalogue import LANGUAGES, format_datetime, t  # noqa: E402

SWEDISH = MESSAGES["sv"]
PARTIAL = {"en"}
"""English is the Teams app package's only (manifest/build.py's command descriptions): partial on
purpose. Every other language has every Finnish key."""


def _placeholders(text: str) -> set[str]:
    return {field for _, field, *_ in Formatter().parse(text) if field is not None}


def test_every_language_has_every_key():
    assert set(LANGUAGES) == {"fi", "sv"} and set(MESSAGES) == set(LANGUAGES) | PARTIAL
    for language in LANGUAGES:
        assert sorted(set(FINNISH) - set(MESSAGES[language])) == [], language
        assert sorted(set(MESSAGES[language]) - set(FINNISH)) == [], language
    for language in PARTIAL:
        assert MESSAGES[language] and set(MESSAGES[language]) < set(FINNISH), language


def test_placeholders_are_the_same_in_every_language():
    for language, messages in MESSAGES.items():
        differ = [k for k, v in messages.items() if _placeholders(v) != _placeholders(FINNISH[k])]
        assert differ == [], language
    assert _placeholders("{at} ({by})") == {"at", "by"}


def test_a_missing_key_is_an_error_not_a_finnish_text():
    with pytest.raises(KeyError):
        t("no.such.key", "sv")
    with pytest.raises(KeyError):
        t("greeting.team", "en")  # the partial English has no bot texts


def test_dates_and_times_as_each_language_writes_them():
    from datetime import datetime, timezone

    at = datetime(2024, 5, 15, 13, 0, tzinfo=timezone.utc)  # 16.00 in Helsinki (summer time)
    assert format_datetime(at) == "15.5.2024 klo 16.00"
    assert format_datetime(at, "sv") == "15.5.2024 kl. 16.00"
    assert t("survey.edit_until", "sv", at=format_datetime(at, "sv")) == (
        "Du kan ändra svaret och skicka det på nytt fram till 15.5.2024 kl. 16.00."
    )


# --- Swedish as a Finland-Swedish public body writes it ------------------------------------------

DU_FORMS = re.compile(r"\b(?:du|dig|din|ditt|dina)\b", re.IGNORECASE)
"""*Du*: to one reader."""
NI_FORMS = re.compile(r"\b(?:ni|er|era|ert|eder)\b", re.IGNORECASE)
"""*Ni*: to a group (the channel's posts)."""
SWEDISH_COMMANDS = (
    "hjälp", "enkät", "status", "tidtabell", "påminn", "export", "starta workshop", "avsluta workshop",
    "enkätsammanfattning", "workshopsammanfattning", "språk",
)
"""The Swedish commands the texts name (cards/catalogue/sv.py): the router is to accept each."""
SWEDISH_ENGLISH = re.compile(r"\.ya?ml\b|\b(?:error|failed|attempts|summary|survey|help|timeline|meeting)\b")
"""English that has no place in Swedish ("workshop", "status" and "export" are Swedish words too)."""
SHARED_WORDS = {"hyte", "teams", "excel", "word", "onedrive", "en", "alla", "se", "mm", "tt", "suomi", "svenska"}
"""Words Finnish and Swedish texts may both hold: names, the homographs "en" (a / Finnish "I do
not"), "alla" (all / "below"), "se" (see / "it"), the date format's letters, and the languages'
own names on the language card's buttons ("Suomi", "Svenska", each language named in itself)."""


def _words(text: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"[^\W\d_]+", _literal(text))}


def test_swedish_one_reader_is_du_and_a_group_is_ni():
    to_one = {k: v for k, v in SWEDISH.items() if not k.startswith(TO_A_GROUP)}
    to_group = {k: v for k, v in SWEDISH.items() if k.startswith(TO_A_GROUP)}
    assert to_group and [k for k, v in to_one.items() if NI_FORMS.search(_literal(v))] == []
    assert [k for k, v in to_group.items() if DU_FORMS.search(_literal(v))] == []
    assert any(NI_FORMS.search(_literal(v)) for v in to_group.values())
    assert NI_FORMS.search("svara för er organisation") and DU_FORMS.search("Din organisations svar")


def test_swedish_first_person_swedish_quotes_no_english():
    texts = {key: _literal(text) for key, text in SWEDISH.items()}
    third_person = re.compile(r"\b[Bb]ot(?:en|ar|arna|tens)?\b")
    introduction = "Jag är HYTE-förhandlingarnas bot"
    assert [k for k, v in texts.items() if third_person.search(v.replace(introduction, ""))] == []
    assert sum(introduction in v for v in texts.values()) == 2  # the greeting and the team's welcome
    assert [k for k, v in texts.items() if re.search("[\"“„«»]", v)] == []
    assert [k for k, v in texts.items() if SWEDISH_ENGLISH.search(v)] == []
    assert any("”" in v for v in texts.values())
    assert third_person.search("Boten skriver") and SWEDISH_ENGLISH.search("(survey.yaml)")


def test_no_finnish_word_is_left_in_a_swedish_text():
    finnish = set().union(*map(_words, FINNISH.values())) - SHARED_WORDS
    left = {k: sorted(_words(v) & finnish) for k, v in SWEDISH.items() if _words(v) & finnish}
    assert left == {}
    # and none of the Finnish letters' tell-tale doubled vowels of a Finnish word form
    doubled = re.compile(r"(?:aa|ii|uu|yy|ää|öö)", re.IGNORECASE)
    assert [k for k, v in SWEDISH.items() if doubled.search(_literal(v))] == []


def test_swedish_commands_named_in_a_sentence_are_bold_and_swedish():
    names = sorted(SWEDISH_COMMANDS, key=len, reverse=True)
    named = re.compile(r"(?:[Ss]kriv(?: sedan)?|kommandot) (?!\*\*)(?:" + "|".join(map(re.escape, names)) + r")\b")
    assert [text for text in SWEDISH.values() if named.search(text)] == []
    assert named.search("Skriv hjälp så ser du kommandona.")
    bold = {m for text in SWEDISH.values() for m in re.findall(r"(?:[Ss]kriv(?: sedan)?|kommandot) \*\*([^*]+)\*\*", text)}
    assert bold and bold <= set(SWEDISH_COMMANDS)
    finnish_names = {name for command in build_router().commands for name in command.finnish}
    assert not bold & finnish_names


def test_swedish_texts_read_as_swedish():
    """simplemma (the Swedish themes' lemmatiser) knows most words of every longer Swedish text as
    Swedish, and few of the Finnish ones: a message left in Finnish would stand out."""
    from simplemma import in_target_language

    longer = {k: v for k, v in SWEDISH.items() if len(_words(v)) >= 6}
    assert len(longer) > 100
    low = {k: round(in_target_language(_literal(v), lang="sv"), 2) for k, v in longer.items()}
    assert {k: share for k, share in low.items() if share < 0.7} == {}
    finnish = [in_target_language(_literal(v), lang="sv") for v in FINNISH.values() if len(_words(v)) >= 6]
    assert max(finnish) < 0.5  # the measure tells the two languages apart


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_survey_draft_and_the_meetings_summary_are_named_apart(language):
    """`vienti`'s Word draft and the meeting's finished summary reach the same people and the same
    download folder: the same name would make one "(1)" of the other, or replace it. The draft's
    footer repeats the draft's title."""
    messages = MESSAGES[language]
    draft, summary = messages["export.docx_title"], messages["docx.meeting.title"]
    assert draft.format(year=2024) != summary.format(year=2024)
    assert messages["docx.footer"].startswith(draft)
