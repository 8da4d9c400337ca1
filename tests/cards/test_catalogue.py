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
