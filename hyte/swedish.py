"""Swedish words for the free-text themes (`hyte.themes`): base forms, word classes, compounds.

Voikko is Finnish only. Swedish answers are lemmatised with simplemma (pinned in pyproject.toml):
a maintained, dependency-free lemmatiser whose Swedish dictionary (about 960,000 word forms, each
with its base form) ships inside the package, so nothing is downloaded and no answer text leaves
the process. simplemma gives a base form only; what else the themes need is read from the same
dictionary:

- Word classes from the forms a base form has: a noun has definite forms ("förening" ->
  "föreningen", "föreningarna"), an adjective comparison or agreement forms ("tydlig" ->
  "tydligare", "gemensam" -> "gemensamma", "gemensamt"), a verb tense forms ("ordna" -> "ordnar",
  "ordnade"). A form can read both ways ("träffar": the meetings, or meets): `readings` gives
  every reading, and `hyte.themes` picks by the word before it ("vi träffar" is the verb,
  "regelbundna träffar" the noun; a noun otherwise, since themes are nouns).
- Compounds: a word the dictionary does not know is split into a known first part (with its
  linking -s: "organisations-") and a known last part ("organisationsforumen" ->
  "organisationsforum", last part "forum"); a known compound gets its last part the same way
  ("föreningsbidrag" -> "bidrag"). A prefix or particle is never a first part ("samarbete" is no
  kind of "arbete", "uppföljning" no kind of "följning"). Hyphens split too ("HYTE-koordinatorer"
  -> "HYTE-koordinator").
- A two-word theme (an adjective with its noun) is named in base form with the adjective agreeing
  with the noun's gender (`agree`: "gemensamt evenemang", "regelbundna möten" -> "regelbundet
  möte", "lokal förening").

`tokenise` reads a text into the words hyte/phrases.py makes key phrases of. The dictionary is
loaded on first use (about a second), not at import.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from hyte.words import ADJ, NOUN, OTHER, STOP, VERB, LemmatiserUnavailable, Word, raw_tokens

INSTALL_HINT = "Swedish themes need simplemma (pip install simplemma==2.0.0, a dependency in pyproject.toml)."


class SwedishUnavailable(RuntimeError):
    """simplemma is not installed or its Swedish dictionary cannot be read."""


# ---------------------------------------------------------------------------------------------
# Stop words, as base forms (what simplemma gives): function words, auxiliary and very general
# verbs, general adverbs and adjectives, then the words every answer in this process uses.

_FUNCTION_WORDS = """
och eller samt att men utan som om när då där här så också även redan ännu nu sedan alltid ofta
ska skall skulle
ibland kanske ja nej inte icke bara endast just dock ju nog väl bl t ex bla tex osv mm etc ca cirka
över under genom med mot mellan efter före inför inom hos från av på i till för vid kring enligt
bland trots per via runt utöver emellan tillsammans dessutom särskilt främst framför allt exempel
jag du han hon den det vi ni de man sig mig dig oss er dem denna detta dessa vilken vilket vilka
vem vad varje all alla allt annan annat andra någon något några ingen inget inga egen eget egna
själv samma sådan sådant sådana vår vårt våra min mitt mina din ditt dina sin sitt sina hans
hennes deras dess ert era flera många mycket lite få fler färre mest minst båda varandra
vara ha kunna vilja måste böra få göra bli finnas behöva ge ta gå komma se säga hålla sätta
ställa stå ligga gälla tycka tro veta känna lägga låta använda hitta försöka börja fortsätta
innebära handla bidra syfta önska fungera ske fås önskas kännas ordna skapa öka stärka förbättra
bra god bättre bäst mer mindre gärna viktig stor liten ny hel olik olika särskild vanlig möjlig
nuvarande befintlig central lik fler gammal tydligt tydlig klar enkel lätt svår bred stark
en ett två tre fyra fem första tredje
sak gång sätt del fråga behov möjlighet mål mening slag typ form
""".split()

_PROCESS_WORDS = """
hyte hyte-arbete välfärd hälsa främjande hälsofrämjande främja samarbete samarbeta samverkan
organisation förening kommun välfärdsområde område verksamhet arbete utveckling utveckla praxis
modell verksamhetsmodell tjänst service klient kund invånare kommuninvånare människa person aktör
part
""".split()

STOP_WORDS: frozenset[str] = frozenset(_FUNCTION_WORDS) | frozenset(_PROCESS_WORDS)

GENERAL_WORDS: frozenset[str] = frozenset("""
år månad vecka dag tid stund vår sommar höst vinter årligen uppgift stöd ung stad region landskap
sektor antal nivå punkt helhet perspektiv synvinkel betydelse problem utmaning situation ämne tema
åtgärd utgångspunkt kontakt grupp medlem erfarenhet tanke idé syn fokusområde välfärdsmål
deltagande sida ort trakt fält resultat
""".split())
"""Too general to be a theme by themselves, though a two-word theme may hold one ("kommunvisa
uppgifter"); a county adds its own in the thesaurus (`stop_words: {sv: [...]}`)."""

VERB_CONTEXT: frozenset[str] = frozenset("""
att inte vi jag du ni man de han hon den det som också ofta redan alltid gärna aldrig sällan
kan ska skall skulle bör borde måste vill kunde får fick har hade kommer brukar hinner orkar
""".split())
"""A word after one of these reads as a verb when it can ("vi träffar", "att stöda")."""

PREDICATIVE_CONTEXT: frozenset[str] = frozenset("""
är var blir blev vara bli varit blivit känns kändes verkar verkade anses ansågs förblir mer mest
mycket så alltför ganska rätt helt lika tillräckligt inte
""".split())
"""An adjective in -a or -e with no noun after it stands for people ("de frivilliga", "barn och
unga", "föreningarnas frivilliga"), unless it follows one of these ("rollerna är oklara")."""

_BOUND_FIRST_PARTS = frozenset("""
sam samman för före be an till upp ut in över under efter mot om vid bi fram av på ned ner åter
miss van all med o gen ur mellan genom kring fort hem bort emot förut
""".split())
"""Prefixes and particles: a word beginning with one is a derivation, not a compound."""

_NOUN_ENDINGS = ("ens", "ets", "ernas", "arnas", "ornas")
_NOUN_ENDINGS_AFTER_VOWEL = ("ns", "ts", "nas")
"""A noun's definite genitives ("föreningens", "mötets", "skolornas"): no verb or adjective has them."""
_DERIVATIONS = frozenset("skap het ande ende ning else dom ism tion ion itet are ist lek ende".split())
"""Endings that are words too ("skap", "ande") but make no compound's last part ("partnerskap")."""
_LINKS = ("s", "")
"""A compound's first part ends in its linking -s or in nothing ("förenings-bidrag", "skol-hälsa"
is read as "skol" + "hälsa": "skol" is in the dictionary as a form of "skola")."""


@dataclass(frozen=True, slots=True)
class Reading:
    kind: str  # NOUN, ADJ, VERB, OTHER or STOP
    lemma: str
    head: str | None = None  # a compound noun's last part in base form: "forum" of "organisationsforum"
    label: str = ""  # how a theme names it when not its lemma: "HYTE-koordinator"


class SwedishLexicon:
    """simplemma's Swedish dictionary, read on first use; thread-safe (read only after loading)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._forms: Mapping[str, str] | None = None

    def _load(self) -> Mapping[str, str]:
        try:
            from simplemma.strategies.dictionaries.dictionary_factory import (  # noqa: PLC0415 - on first use
                DEFAULT_DICTIONARY_FACTORY,
            )
        except ImportError as e:
            raise SwedishUnavailable(f"The simplemma package is missing. {INSTALL_HINT}") from e
        try:
            return DEFAULT_DICTIONARY_FACTORY.get_dictionary("sv")
        except (OSError, ValueError) as e:
            raise SwedishUnavailable(f"simplemma's Swedish dictionary could not be read ({e}). {INSTALL_HINT}") from e

    @property
    def forms(self) -> Mapping[str, str]:
        if self._forms is None:
            with self._lock:
                if self._forms is None:
                    self._forms = self._load()
        return self._forms

    def base(self, form: str) -> str | None:
        """simplemma's base form of a lower-case word form, None for a form it does not know."""
        return self.forms.get(form)

    def _has(self, form: str, lemma: str) -> bool:
        return self.forms.get(form) == lemma

    # Word classes from the paradigm ---------------------------------------------------------

    def is_noun(self, lemma: str) -> bool:
        if lemma.endswith("a"):  # "skolans", "skolornas"; a verb's "-ats" is no noun's
            endings: tuple[str, ...] = _NOUN_ENDINGS + ("ns",)
            return any(self._has(lemma + e, lemma) for e in endings) or self._has(lemma[:-1] + "ornas", lemma)
        endings = _NOUN_ENDINGS + (_NOUN_ENDINGS_AFTER_VOWEL if lemma[-1:] in "eiouyåäö" else ())
        if lemma.endswith(("er", "el", "ar", "or")):
            endings += ("ns",)  # "partnerns", "nyckelns"
        return any(self._has(lemma + e, lemma) for e in endings) or any(
            self._has(stem + e, lemma) for stem in (lemma + lemma[-1:], lemma[:-2] + lemma[-1:]) for e in ("ets", "ens")
        ) or (self._has(lemma + "et", lemma) and self._has(lemma + "en", lemma))  # "diagrammets"; "förslaget", "förslagen"

    def noun_form(self, form: str, noun: str) -> bool:
        """Whether `form` can be the noun's: its base form, a definite or genitive form, or a
        plural whose definite plural is the noun's ("träffar" -> "träffarna"; not "driver")."""
        if form == noun or (form.startswith(noun) and form[len(noun):] in ("s", "n", "t", "en", "et", "ns", "ts", "ens", "ets")):
            return True
        if form.endswith(("na", "nas")):
            return self.forms.get(form) == noun
        if form.endswith("r"):
            return self._has(form + "na", noun)
        if form.endswith("n"):
            return self._has(form + "a", noun)  # "möten" -> "mötena"
        return False

    def is_adjective(self, lemma: str) -> bool:
        if lemma.endswith(("ande", "ende")):  # a present participle: "hälsofrämjande"
            return True
        has, double = self._has, lemma + lemma[-1:]
        return (
            has(lemma + "are", lemma) or has(lemma + "ast", lemma) or has(lemma[:-2] + "nare", lemma)
            or has(double + "are", lemma)
            or ((has(lemma + "a", lemma) or has(double + "a", lemma)) and (has(lemma + "t", lemma) or has(lemma + "tt", lemma)))
            or (lemma.endswith(("ad", "d")) and has(lemma + "e", lemma) and has(lemma[:-1] + "t", lemma))
        )

    def adjective_form(self, form: str, lemma: str) -> bool:
        """Whether a form can be the adjective's ("lokala", not the noun's "lokaler")."""
        if form == lemma or form.endswith(("ande", "ende")):
            return True
        ending = form[len(lemma):] if form.startswith(lemma) else None
        return ending in ("a", "t", "tt", "e", "are", "ast", "aste", "s") or form in (
            lemma + lemma[-1:] + "a", lemma + lemma[-1:] + "are", lemma[:-2] + "na", lemma[:-1] + "t", lemma[:-1] + "e",
        )

    def is_verb(self, lemma: str) -> bool:
        if not lemma.endswith("a"):
            return False  # the few others ("gå", "se", "tro") are stop words
        has, stem, short = self._has, lemma[:-1], lemma[:-2]
        present = has(lemma + "r", lemma) or has(stem + "er", lemma) or has(short + "er", lemma)
        past = any(has(f, lemma) for f in (
            lemma + "de", stem + "de", stem + "te", lemma + "t", stem + "t", short + "de", short + "dde", short + "t",
            stem + "it",  # a strong verb's supine: "drivit"
        ))
        return present and past

    def noun_reading(self, form: str) -> str | None:
        """The noun a form is an inflection of, if any ("träffar" -> "träff", "understöd" ->
        "understöd"), whatever base form the dictionary gives it ("träffar" -> the verb "träffa")."""
        candidates = [form]
        base = self.forms.get(form)
        if base is not None:
            candidates.append(base)
        for ending in ("arna", "erna", "orna", "ar", "er", "or", "en", "et", "na", "n", "t", "r", "s"):
            if form.endswith(ending) and len(form) - len(ending) >= 3:
                stem = form[: -len(ending)]
                candidates.append(stem)
                if ending in ("or", "orna"):
                    candidates.append(stem + "a")  # "skolor" -> "skola"
        for candidate in dict.fromkeys(candidates):
            if self.is_noun(candidate) and self.noun_form(form, candidate):
                return candidate
        return None

    # Compounds --------------------------------------------------------------------------------

    def _first_part(self, prefix: str, depth: int = 0, shortest: int = 2) -> bool:
        if len(prefix) < 3 or prefix in _BOUND_FIRST_PARTS:
            return False
        for link in _LINKS:
            stem = prefix[: len(prefix) - len(link)] if link and prefix.endswith(link) else (prefix if not link else None)
            if stem is None or len(stem) < max(shortest, 3 - len(link)) or stem in _BOUND_FIRST_PARTS:
                continue
            if self.forms.get(stem) is not None or self.forms.get(stem + "a") is not None or self.forms.get(stem + "e") is not None:
                return True
            if depth == 0 and (self._split(stem, depth + 1) or self._split(stem + "a", depth + 1)):
                return True  # a compound first part: "gränsyt-" of "gränsyta" + "avtal"
        return False

    def _split(self, word: str, depth: int = 0) -> tuple[str, str] | None:
        """The longest last part the dictionary knows, after a first part it knows."""
        for i in range(3, len(word) - 2):  # "års-hjul"
            prefix, tail = word[:i], word[i:]
            if self.forms.get(tail) is not None and self._first_part(prefix, depth):
                return prefix, tail
        return None

    def head(self, lemma: str) -> str | None:
        """The last part of a compound noun in base form ("föreningsbidrag" -> "bidrag")."""
        if "-" in lemma.strip("-"):
            last = lemma.rpartition("-")[2]
            return last if len(last) > 2 else None
        for i in range(4, len(lemma) - 3):  # "kontakt" is no "takt", "nätverk" no "verk"
            prefix, tail = lemma[:i], lemma[i:]
            if tail not in _DERIVATIONS and self.is_noun(tail) and self._first_part(prefix, shortest=4):
                return None if tail in STOP_WORDS else tail
        return None

    # Readings -----------------------------------------------------------------------------------

    @lru_cache(maxsize=200_000)  # noqa: B019 - one lexicon per process
    def readings(self, form: str) -> tuple[Reading, ...]:
        """The readings of a word form as written, the most likely first: a noun before a verb."""
        low = form.lower()
        if low in STOP_WORDS or len(low) < 2 or low.isdigit():
            return (Reading(STOP, low),)
        if low == "äldre":  # the elderly, not the comparative of "gammal" ("för äldre", "äldre personer")
            return (Reading(ADJ, low),)
        if "-" in low.strip("-"):
            return self._hyphenated(form)
        base = self.base(low)
        if base is None and low.endswith(("vis", "visa", "vist")):  # "kommunvisa": by municipality
            return (Reading(ADJ, low[: low.rindex("vis") + 3]),)
        if base is None:
            parts = self._split(low)
            if parts is None:
                return (Reading(OTHER, low),)  # a name, a typo, an English word
            prefix, tail = parts
            return tuple(
                Reading(ADJ if r.kind == ADJ else NOUN, prefix + r.lemma, r.lemma if r.kind == NOUN else None)
                for r in self.readings(tail) if r.kind in (NOUN, ADJ) or (r.kind == STOP and self.is_noun(r.lemma))
            ) or (Reading(OTHER, low),)
        if base in STOP_WORDS:
            return (Reading(STOP, base),)
        readings: list[Reading] = []
        noun = self.noun_reading(low)
        if noun is not None and low == noun + "s" and self.is_verb(base):
            noun = None  # a passive ("bidragen söks"), not the genitive of a noun "sök"
        if noun is not None and noun not in STOP_WORDS:
            readings.append(Reading(NOUN, noun, self.head(noun)))
        elif noun in STOP_WORDS:
            return (Reading(STOP, noun),)
        if self.is_adjective(base) and self.adjective_form(low, base):
            readings.insert(0, Reading(ADJ, base))  # "lokala föreningar": the adjective when a noun follows
        if self.is_verb(base):
            readings.append(Reading(VERB, base))
        return tuple(readings) or (Reading(OTHER, base),)

    def _hyphenated(self, form: str) -> tuple[Reading, ...]:
        first, _, rest = form.rpartition("-")
        out = []
        for r in self.readings(rest):
            if r.kind not in (NOUN, ADJ):
                continue
            lemma = f"{first.lower()}-{r.lemma}"
            if lemma in STOP_WORDS:
                return (Reading(STOP, lemma),)
            label = f"{first}-{r.lemma}" if first.isupper() else ""
            out.append(Reading(r.kind, lemma, r.lemma if r.kind == NOUN else None, label))
        return tuple(out) or (Reading(OTHER, form.lower()),)

    def agree(self, adjective: str, noun: str) -> str:
        """The adjective's form for the noun in indefinite singular: "gemensamt evenemang", "lokal
        förening" (a neuter noun takes the -t form, as the dictionary writes it)."""
        neuter = self._has(noun + "ets", noun) or self._has(noun + "ts", noun)  # "evenemangets", "mötets"
        if not neuter:
            return adjective
        vowel = adjective[-1:] in "aeiouyåäö"
        candidates = (adjective + "tt", adjective + "t") if vowel else (
            adjective + "t", adjective[:-2] + "et", adjective[:-1] + "tt", adjective[:-1] + "t")
        for form in candidates:
            if form != adjective and self._has(form, adjective):
                return form
        return adjective


LEXICON = SwedishLexicon()


def check() -> None:
    """Raise `LemmatiserUnavailable` now if simplemma's Swedish dictionary cannot be used."""
    try:
        LEXICON.readings("föreningsforumen")
    except SwedishUnavailable as e:
        raise LemmatiserUnavailable(str(e)) from e


def tokenise(text: str) -> list[tuple[str, Word | None]]:
    """Swedish words, each with the reading its neighbours call for: a form that is a noun or a
    verb is the verb after a pronoun, "att", a modal or an adverb ("vi träffar"), or in the
    present tense after a definite noun ("föreningarna driver"), else the noun ("regelbundna
    träffar"); an adjective or noun is the adjective before a noun ("lokala föreningar"); an
    adjective in -a or -e with no noun after it stands for people ("de frivilliga", "barn och
    unga"), unless it is said of something ("rollerna är oklara")."""
    raw = raw_tokens(text)
    try:
        readings = [_readings(raw, n) if tok[0].isalpha() else None for n, tok in enumerate(raw)]
    except SwedishUnavailable as e:
        raise LemmatiserUnavailable(str(e)) from e
    out: list[tuple[str, Word | None]] = []
    for n, tok in enumerate(raw):
        options = readings[n]
        if options is None:
            out.append((tok, Word(tok, STOP) if tok.isdigit() else None))
            continue
        kinds = [r.kind for r in options]
        before = raw[n - 1].lower() if n and readings[n - 1] is not None else None
        after = readings[n + 1] if n + 1 < len(raw) else None
        noun_after = after is not None and (any(r.kind in (NOUN, ADJ) for r in after) or (
            after[0].kind == STOP and LEXICON.noun_reading(raw[n + 1].lower()) is not None))  # "lokala föreningar"
        chosen = options[0]
        after_subject = (tok.lower().endswith("r") and before is not None and before.endswith(("na", "en", "et"))
                         and readings[n - 1][0].kind in (NOUN, STOP))  # "föreningarna driver"
        if VERB in kinds and NOUN in kinds:
            chosen = options[kinds.index(VERB if before in VERB_CONTEXT or after_subject else NOUN)]
        elif ADJ in kinds and NOUN in kinds:
            chosen = options[kinds.index(ADJ if noun_after else NOUN)]
        kind = chosen.kind
        if kind == ADJ and not noun_after and tok.lower().endswith(("a", "e")) and before not in PREDICATIVE_CONTEXT:
            kind = NOUN  # "de frivilliga": people
        out.append((tok.rstrip("-"), Word(chosen.lemma, kind, chosen.head, label=chosen.label)))
    return out


def _readings(raw: list[str], n: int) -> tuple[Reading, ...]:
    """The readings of token `n`; a first part ending in a hyphen stands for the compound that
    follows the conjunction: "verksamhets- och projektbidrag" writes "verksamhetsbidrag"."""
    tok = raw[n].replace("’", "'")
    if not tok.endswith("-"):
        return LEXICON.readings(tok)
    for later in raw[n + 1:]:
        if later.lower() in ("och", "eller", "samt", ",") or later.endswith("-"):
            continue
        full = next((r for r in LEXICON.readings(later) if r.kind == NOUN and r.head), None) if later[0].isalpha() else None
        if full is not None:
            return (Reading(NOUN, tok[:-1].lower() + full.head, full.head),)
        break
    return LEXICON.readings(tok[:-1])
