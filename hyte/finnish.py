"""Recurring themes in Finnish free text: the survey's open answers and the workshop's notes.

What the HYTE team did by hand (the source document, docs/seed/000_e4ccb39e4b0ae1ff.txt: the
pre-survey's summary, "Useimmiten vastauksissa tulivat esille: järjestöfoorumit ja muut foorumit,
järjestöavustukset, yhteiset tapahtumat ja tilaisuudet"): group the free-text answers under the
themes that recur, count who raised each, pick a representative quote or two; and for the
workshop, list each group's points with the near-identical ones merged.

How:
- Words are lemmatised with Voikko (libvoikko + the voikko-fi morphology, the maintained Finnish
  analyser behind LibreOffice's and other Finnish spell checkers), locally: no answer text leaves
  the process. Voikko knows inflection and compounds ("järjestöfoorumeihin" -> "järjestöfoorumi",
  parts "järjestö" + "foorumi").
- Key phrases of an input: the base forms of its nouns (with -minen nouns, "tiedottamista" ->
  "tiedottaminen", and plural adjectives standing for people, "vapaaehtoiset"), and two-word
  phrases: an adjective agreeing with the noun after it ("yhteisiä tapahtumia" -> "yhteinen
  tapahtuma") or a genitive before a noun ("avustusten hakuajat"). Stop words are removed
  (`STOP_WORDS`, base forms: function words, and the words every answer in this process uses:
  "järjestö", "kunta", "yhteistyö"...). Where Voikko reads a word as two nouns, the one a person
  means is taken (`_resolve`): the one an adjective before it agrees with, else one used
  unambiguously elsewhere in the inputs or named in the thesaurus ("yhteisistä tapahtumista" ->
  "tapahtuma", not the verbal noun "tapahtuminen"). Compounds are split at hyphens too, and an
  elided first part is completed ("toiminta- ja kohdeavustukset" -> "toiminta-avustus").
- Never a theme: the question's own words (and their compounds' last parts, and the thesaurus
  themes they belong to: "vuosiraportti", "raportti" for the annual report question), and words
  too general to be a theme by themselves (`GENERAL_WORDS` and the thesaurus's stop words: "vuosi",
  "tieto", "tuki"; a two-word phrase may hold one: "kuntakohtainen tieto").
- The county's thesaurus (`hyte.thesaurus`) groups key phrases under one theme with its label
  ("tapahtuma", "tilaisuus", "messut" -> "yhteiset tapahtumat ja tilaisuudet"), also a compound
  or a phrase ending in one of its terms ("liikuntatapahtuma", "järjestöjen tapahtumat").
- Compounds: by default (`compound_heads="standalone"`) a compound also counts for its last part
  when someone uses that part alone ("järjestöavustuksia" joins "avustuksia" under "avustus"),
  but a last part nobody uses alone makes no theme ("henkilö" from "yhteyshenkilö"). Measured on
  tests/hyte/fixtures/themes_fi.yaml (top 21): the same theme precision and recall as "off"
  (0.76 / 0.76) with more of the labelled answers grouped (0.70 against 0.64); "all" loses
  precision (0.57: generic last parts such as "päivä", "ryhmä", "huolto" become themes).
- A key phrase counts once per input; a theme is a key phrase raised by at least `min_sources`
  distinct sources. Themes are ranked by distinct sources, then inputs, then key. A phrase is
  not reported again when an earlier theme sharing a word already covers most of its inputs
  ("yhteinen tapahtuma" after "tapahtuma"), or when it nearly always comes with an earlier one
  ("rooli" after "vastuu", from "roolit ja vastuut"). Labels are base forms ("yhteinen tapahtuma",
  "yksinäisyyden vähentäminen") or the thesaurus's. An input is quoted under one theme at most.
- For curation to build on: a theme's `key` is stable (its base form(s), or its thesaurus theme's
  key), its `terms` are the key phrases it groups, and `theme_keys(text)` says which themes a
  later input raises.

The library is imported on first use, not at import: the rest of the application (and its tests)
starts without it, and using a theme function without it raises `LemmatiserUnavailable` with the
install instructions. Call `check_lemmatiser()` at start-up to fail fast instead.

Everything here is deterministic: the same inputs in the same order give the same output.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from hyte.thesaurus import Thesaurus

logger = logging.getLogger(__name__)

__all__ = [
    "GENERAL_WORDS",
    "LemmatiserUnavailable",
    "STOP_WORDS",
    "Theme",
    "ThemeInput",
    "HeadMode",
    "Word",
    "analyse_text",
    "analyse_word",
    "check_lemmatiser",
    "find_themes",
    "key_phrases",
    "merge_near_duplicates",
    "theme_keys",
]


@dataclass(frozen=True)
class ThemeInput:
    id: str  # e.g. response or note id
    source: str  # who raised it: organisation id, or workshop group
    text: str


@dataclass(frozen=True)
class Theme:
    key: str  # stable: the base form(s) of its phrase ("järjestöfoorumi"), or its thesaurus theme's key
    label: str  # readable Finnish label in base form ("yhteinen tapahtuma"), or the thesaurus's label
    item_ids: tuple[str, ...]  # the inputs grouped under it, in input order
    sources: frozenset[str]  # distinct sources that raised it
    quotes: tuple[str, ...]  # ids of 0–2 inputs (from item_ids) that illustrate it and no other theme
    terms: tuple[str, ...] = ()  # the key phrases grouped under it (base forms), most inputs first


class LemmatiserUnavailable(RuntimeError):
    """Voikko (the Finnish morphology library) is not installed or cannot load its dictionary."""


INSTALL_HINT = (
    "Finnish themes need Voikko: the system packages libvoikko1 and voikko-fi "
    "(Debian/Ubuntu: apt-get install libvoikko1 voikko-fi) and the Python binding libvoikko "
    "(pip install libvoikko==4.3, a dependency in pyproject.toml)."
)

# ---------------------------------------------------------------------------------------------
# Stop words, as base forms (lemmas): what is left after lemmatising is compared with them.
# Function words first (pronouns, conjunctions, particles, auxiliary and very general verbs,
# general adverbs and quantifiers), then the words of this process that every answer uses and
# that are never a theme by themselves (they are the subject of the questions).

_FUNCTION_WORDS = """
ja tai sekä että mutta vaan kun jos koska jotta kuin kuten niin näin siis eli myös jo vielä nyt
sitten aina usein joskus ehkä kyllä ei en älä vain vasta ainakin esimerkiksi esim mm jne yms ym
eg ks tms ns n noin yli alle ilman kautta kanssa kesken väli välillä välille lisäksi erityisesti
etenkin varsinkin mukaan mukana myöten kohti luona osalta osalle puolesta takia vuoksi avulla
olla voida pitää tulla saada tehdä täytyä kannattaa tarvita haluta alkaa ruveta jäädä käydä
mennä antaa ottaa pystyä osata ymmärtää tietää toivoa nähdä löytyä ilmetä liittyä koskea
minä sinä hän me te he se ne tämä tuo nämä nuo joka mikä kuka kumpi jokin joku jokainen kukin
kaikki muu moni monta usea useampi harva kumpikin itse oma sama toinen ainoa eri erilainen
mikään kukaan mitään kumpikaan molempi molemmat
paljon vähän enemmän vähemmän eniten hyvin huonosti paremmin parhaiten liikaa tarpeeksi melko
aika todella erittäin hieman lähes täysin yhä edelleen entistä yhdessä erikseen toisaalta
ennen jälkeen aikana asti saakka lähtien heti pian nykyään tällä hetkellä tähän
tällainen sellainen millainen kaikenlainen
hyvä tärkeä selkeä uusi iso suuri pieni mahdollinen tietty nykyinen keskeinen
yksi kaksi kolme neljä viisi ensimmäinen toinen
asia osa tapa kerta tavoite tarve mahdollisuus keino esimerkki puoli suunta taho toimija mieli
koko lisä
""".split()

_PROCESS_WORDS = """
hyte hyte-työ hyvinvointi terveys edistäminen yhteistyö järjestöyhteistyö
järjestö yhdistys kunta hyvinvointialue hva alue toiminta työ kehittäminen organisaatio
käytäntö malli toimintamalli palvelu asiakas asukas kuntalainen ihminen järjestäminen tekeminen
""".split()

STOP_WORDS: frozenset[str] = frozenset(_FUNCTION_WORDS) | frozenset(_PROCESS_WORDS)

# Words too general to be a theme by themselves in this domain, though a two-word theme may hold
# one ("kuntakohtainen tieto", "yhteinen tapahtuma"): time words ("kahdesti vuodessa"), the
# organisations themselves, and what every answer about wellbeing work mentions. A county adds
# its own in the thesaurus (`stop_words`); a word its thesaurus names as a term is a theme again.
GENERAL_WORDS: frozenset[str] = frozenset("""
vuosi kuukausi viikko päivä hetki vuosittain kausi kevät kesä syksy talvi
tieto tuki tila yhteinen nuori kaupunki maakunta seutu paikkakunta sektori ala luku tulos
määrä taso kohta muoto kokonaisuus näkökulma merkitys kyse ongelma haaste tilanne aihe teema
toimenpide lähtökohta kehitys yhteys henkilö ryhmä jäsen kokemus ajatus idea näkemys
painopiste hyvinvointitavoite osallistuminen sivu
""".split())

# Voikko word classes (CLASS) and what they are here.
_NOUN_CLASSES = frozenset({"nimisana", "nimisana_laatusana", "lyhenne"})
_ADJ_CLASSES = frozenset({"laatusana"})
_NAME_CLASSES = frozenset({"nimi", "etunimi", "sukunimi", "paikannimi"})
_STOP_CLASSES = frozenset({
    "asemosana", "sidesana", "suhdesana", "huudahdussana", "kieltosana", "lukusana", "etuliite",
})

NOUN, ADJ, VERB, OTHER, STOP = "noun", "adj", "verb", "other", "stop"


@dataclass(frozen=True, slots=True)
class Word:
    """One analysed word form: its base form, its kind, and for a compound its last part."""

    lemma: str
    kind: str  # NOUN, ADJ, VERB, OTHER (adverbs, names, unknown words) or STOP
    head: str | None = None  # base form of the compound's last part, e.g. "foorumi"
    case: str = ""  # Voikko's SIJAMUOTO ("nimento", "omanto"...), for nouns and adjectives
    number: str = ""  # "singular" or "plural"
    adjective_too: bool = False  # a noun that is an adjective before a noun ("nuori", "matala")
    label: str = ""  # how a theme names it, when not its lemma: "HYTE-koordinaattori"
    alternatives: tuple[Word, ...] = ()  # Voikko's other noun readings ("tapahtuma" of "tapahtumista")


# ---------------------------------------------------------------------------------------------
# The analyser: one Voikko instance per process, created on first use. libvoikko's handle must
# not be used from two threads at once (its documentation), hence the lock; analyses are cached
# per word form, so the lock is taken once per new form.

class _Analyser:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._voikko = None

    def _load(self):
        try:
            import libvoikko  # noqa: PLC0415 - imported on first use, see the module docstring
        except ImportError as e:
            raise LemmatiserUnavailable(f"The libvoikko Python binding is missing. {INSTALL_HINT}") from e
        try:
            voikko = libvoikko.Voikko("fi")
        except (OSError, libvoikko.VoikkoException) as e:
            raise LemmatiserUnavailable(f"Voikko could not start ({e}). {INSTALL_HINT}") from e
        logger.info("Voikko %s loaded for Finnish themes", libvoikko.Voikko.getVersion())
        return voikko

    def analyse(self, form: str) -> list[dict]:
        with self._lock:
            if self._voikko is None:
                self._voikko = self._load()
            return self._voikko.analyze(form)


_ANALYSER = _Analyser()


def check_lemmatiser() -> None:
    """Raise `LemmatiserUnavailable` now if Voikko cannot be used (for a fail-fast start-up)."""
    _ANALYSER.analyse("järjestöfoorumeihin")


def lemmatiser_available() -> bool:
    """Whether Voikko can be used; summaries leave themes out (and merge nothing) when it cannot."""
    try:
        check_lemmatiser()
    except LemmatiserUnavailable:
        return False
    return True


_MINEN = re.compile(r"^(.*m)i(?:nen|s[a-zåäö]*)$")
_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*-?|\d+|[.!?;:()\[\]\"”–—•/,\n]|(?<!\w)-(?!\w)")


def _compound_prefix(wordbases: str | None) -> str | None:
    """The surface text of a compound's parts before its last one, from Voikko's WORDBASES.

    "+järjestö(järjestö)+foorumi(foorumi)" -> "järjestö"; "+yhteis+työ(työ)" -> None (a bound
    first part belongs to the word: "yhteistyö" is not a kind of "työ");
    "+järjestö(järjestö)+avust(avustaa)+us(+us)" -> "järjestö"; "+sote(sote)+-+järjestö(järjestö)"
    -> "sote-".
    """
    if not wordbases:
        return None
    parts = wordbases.split("+")[1:]
    components: list[str] = []  # surface text of each compound component
    bound = ""  # a bound part ("yhteis", "yhdys") waiting for the part it belongs to
    for i, part in enumerate(parts):
        if part == "":  # "+-" splits into "", "-"; handled as "-" below
            continue
        surface, _, base = part.partition("(")
        is_suffix = base.startswith("+")
        is_root = bool(base) and not is_suffix
        if surface == "-":
            if components:
                components[-1] += "-"
            continue
        if not base:  # bare: a bound first part or derivational glue ("m", "n")
            nxt = parts[i + 1] if i + 1 < len(parts) else ""
            nxt_base = nxt.partition("(")[2]
            if nxt_base and not nxt_base.startswith("+"):
                bound += surface
            elif components:
                components[-1] += surface
            else:
                bound += surface
            continue
        if is_root:
            components.append(bound + surface)
            bound = ""
        elif components:
            components[-1] += surface
        else:
            components.append(bound + surface)
            bound = ""
    if len(components) < 2:
        return None
    return "".join(components[:-1])


def _is_agent_noun(a: dict) -> bool:
    """An agent participle read as a noun ("tapahtuma" of "tapahtua", "seuloma" of "seuloa"):
    never what a person means by the word in a free-text answer."""
    return a.get("CLASS") in _NOUN_CLASSES and a.get("PARTICIPLE") == "agent"


def _noun_like(a: dict) -> bool:
    return (a.get("CLASS") in _NOUN_CLASSES and not _is_agent_noun(a)) or a.get("MOOD") == "MINEN-infinitive"


def _choose(analyses: list[dict]) -> tuple[dict, list[dict]]:
    """Of Voikko's analyses: proper names and agent-participle nouns last, then the one with the
    fewest compound parts, then Voikko's own order (its most likely reading first). Also, when the
    chosen reading is a noun, the other noun readings (another base form), for `_resolve`.

    "hyvinvointikertomusta" is "hyvinvointi+kertomus" (not "+kerto+musta"); "voisi" is the verb
    "voida" (not the noun "voi"), as Voikko orders them; "tapahtumista" is first the verbal noun
    "tapahtuminen", with the noun "tapahtuma" as the other reading.
    """
    def rank(item: tuple[int, dict]) -> tuple[bool, bool, int, int]:
        i, a = item
        bases = a.get("WORDBASES") or ""
        parts = bases.count("(") - bases.count("(+")
        return (a.get("CLASS") in _NAME_CLASSES, _is_agent_noun(a), parts, i)

    ranked = [a for _, a in sorted(enumerate(analyses), key=rank)]
    chosen = ranked[0]
    if not _noun_like(chosen):
        return chosen, []
    return chosen, [a for a in ranked[1:] if _noun_like(a) and a.get("CLASS") not in _NAME_CLASSES]


def _word_from_analysis(form: str, a: dict) -> Word:
    cls = a.get("CLASS", "")
    lemma = (a.get("BASEFORM") or form).lower()
    if a.get("MOOD") == "MINEN-infinitive":
        m = _MINEN.match(form.lower())
        lemma = m.group(1) + "inen" if m else lemma
        return Word(lemma, STOP if lemma in STOP_WORDS else NOUN, case=a.get("SIJAMUOTO") or "",
                    number=a.get("NUMBER") or "")
    if lemma in STOP_WORDS or cls in _STOP_CLASSES:
        return Word(lemma, STOP)
    if cls in _NOUN_CLASSES:
        kind = NOUN
    elif cls in _ADJ_CLASSES:
        # "kirjattava", "nimetty": no theme words; but the active past participle may stand for
        # people like an adjective ("ikääntyneet", "ikääntyneiden toimintakyky")
        kind = ADJ if a.get("PARTICIPLE") in (None, "past_active") else VERB
    elif cls == "teonsana":
        kind = VERB
    else:
        kind = OTHER
    case, number = a.get("SIJAMUOTO") or "", a.get("NUMBER") or ""
    if case == "vajanto":
        return Word(lemma, OTHER)  # the abessive is adverbial: "maksutta", "syyttä"
    if kind == ADJ:
        if a.get("COMPARISON") in ("comparative", "superlative"):
            return Word(lemma, OTHER)  # "selkeämpää viestintää": the noun is the theme
        return Word(lemma, ADJ, case=case, number=number)
    head = None
    if kind == NOUN:
        prefix = _compound_prefix(a.get("WORDBASES"))
        if prefix and lemma.startswith(prefix.lower()) and len(lemma) > len(prefix) + 2:
            head = lemma[len(prefix):].lstrip("-")
        elif "-" in lemma.strip("-"):  # split at the hyphen too: "sote-palvelu" -> "palvelu"
            last = lemma.rpartition("-")[2]
            head = last if len(last) > 2 else None
    return Word(lemma, kind, head, case, number, cls == "nimisana_laatusana")


@lru_cache(maxsize=200_000)
def analyse_word(form: str) -> Word:
    """The analysis of one word form as written ("Järjestöfoorumeja", "HYTE-työtä")."""
    if form.lower() in STOP_WORDS or len(form) < 2:  # "kuin" (not the moons of "kuu"), "välillä", "x"
        return Word(form.lower(), STOP)
    analyses = _ANALYSER.analyse(form)
    if not analyses and form[:1].isupper():
        analyses = _ANALYSER.analyse(form.lower())
    if analyses:
        chosen, others = _choose(analyses)
        word = _word_from_analysis(form, chosen)
        if word.kind == NOUN and others:
            alternatives = []
            for other in others:
                alt = _word_from_analysis(form, other)
                if alt.kind == NOUN and alt.lemma != word.lemma and alt not in alternatives:
                    alternatives.append(alt)
            if alternatives:
                word = replace(word, alternatives=tuple(alternatives))
        return word
    low = form.lower()
    if low in STOP_WORDS:
        return Word(low, STOP)
    if "-" in form:  # "HYTE-koordinaattorit": Voikko does not know the abbreviation; split at the hyphen
        first, _, rest = form.rpartition("-")
        last = analyse_word(rest)
        if last.kind in (NOUN, ADJ, STOP) and last.lemma:
            lemma = f"{first.lower()}-{last.lemma}"
            if lemma in STOP_WORDS:
                return Word(lemma, STOP)
            label = f"{first}-{last.lemma}" if first.isupper() else ""  # "HYTE-koordinaattori"
            if last.kind == ADJ:
                return Word(lemma, ADJ, case=last.case, number=last.number, label=label)
            return Word(lemma, NOUN, last.lemma if last.kind == NOUN else None, last.case, last.number, label=label)
    if form.isdigit() or len(form) < 3:
        return Word(low, STOP)
    return Word(low, OTHER)  # unknown to Voikko: a name, a typo, an English word


_ELISION_LINKS = frozenset({"ja", "tai", "sekä", "eli", ","})


def _elided(raw: list[str], n: int) -> Word | None:
    """The word a hyphen-ended first part stands for: "toiminta- ja kohdeavustukset" writes
    "toiminta-avustukset"; "mielenterveys- ja päihdetyö", "mielenterveystyö". The first part is
    joined to the last part of the compound that follows the conjunction (a comma or another
    hyphen-ended part may come between)."""
    for tok in raw[n + 1:]:
        if tok.lower() in _ELISION_LINKS or (tok.endswith("-") and tok[0].isalpha()):
            continue
        if not tok[0].isalpha():
            return None
        full = analyse_word(tok.replace("’", "'"))
        if full.kind != NOUN or not full.head:
            return None
        prefix_length = len(full.lemma) - len(full.head)
        if tok[:prefix_length].lower() != full.lemma[:prefix_length]:
            return None
        ending = tok[prefix_length:].lstrip("-").lower()
        first = raw[n][:-1]
        for joined in (first + ending, f"{first}-{ending}"):
            word = analyse_word(joined)
            if word.kind == NOUN and word.lemma.endswith(full.head):
                return word
        return Word(f"{first.lower()}-{full.head}", NOUN, full.head, full.case, full.number)
    return None


_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


def _tokens(text: str) -> list[tuple[str, Word | None]]:
    out: list[tuple[str, Word | None]] = []
    raw = _TOKEN.findall(_URL.sub(" . ", text))  # a link is no theme ("http", "www")
    for n, tok in enumerate(raw):
        if tok[0].isalpha():
            if tok.endswith("-"):
                word = _elided(raw, n) or analyse_word(tok[:-1].replace("’", "'"))
                out.append((tok[:-1], word))
            else:
                out.append((tok, analyse_word(tok.replace("’", "'"))))
        elif tok.isdigit():
            out.append((tok, Word(tok, STOP)))
        else:
            out.append((tok, None))
    return out


def analyse_text(text: str) -> list[Word | None]:
    """The words of a text in order; None where a phrase breaks (punctuation)."""
    return [w for _, w in _tokens(text)]


def _resolve(toks: list[tuple[str, Word | None]], evidence: frozenset[str] | set[str]) -> list[Word | None]:
    """The words of a text with, where Voikko offers several noun readings, the one a person
    would mean: one that the adjective before it agrees with ("yhteisistä tapahtumista" is about
    "tapahtuma", not the verbal noun "tapahtuminen"), else one that is a base form used
    unambiguously elsewhere (in the same inputs, or a thesaurus term), else Voikko's choice."""
    words = [w for _, w in toks]
    for n, word in enumerate(words):
        if word is None or not word.alternatives:
            continue
        before = words[n - 1] if n else None
        if before is not None and before.kind == ADJ and not _agrees(before, word):
            agreeing = next((alt for alt in word.alternatives if _agrees(before, alt)), None)
            if agreeing is not None:
                words[n] = agreeing
                continue
        if word.lemma not in evidence:
            words[n] = next((alt for alt in word.alternatives if alt.lemma in evidence), word)
    return words


def _evidence(tokens: Iterable[list[tuple[str, Word | None]]]) -> set[str]:
    return {w.lemma for toks in tokens for _, w in toks if w is not None and w.kind == NOUN and not w.alternatives}


@dataclass(frozen=True, slots=True)
class _Phrase:
    key: str  # base forms joined by a space
    label: str  # in base form, as a theme is named: "yhteinen tapahtuma", "avustusten haku"
    words: tuple[str, ...]  # the base forms of its words
    related: frozenset[str]  # its base forms and their compound heads
    head: str | None = None  # a one-word compound's last part: "foorumi" of "järjestöfoorumi"


HeadMode = Literal["off", "standalone", "all"]


def _phrases(
    toks: list[tuple[str, Word | None]], evidence: frozenset[str] | set[str] = frozenset()
) -> tuple[dict[str, _Phrase], dict[str, _Phrase]]:
    """Key phrases of a tokenised text by key, each once (first occurrence), in order of
    appearance; and apart, the last parts of its compound nouns ("foorumi" of "järjestöfoorumeissa")."""
    found: dict[str, _Phrase] = {}
    heads: dict[str, _Phrase] = {}
    prev: tuple[str, Word] | None = None
    words = _resolve(toks, evidence)
    for n, (tok, w) in enumerate(zip((tok for tok, _ in toks), words)):
        if w is None or w.kind == STOP:
            prev = None
            continue
        nxt = words[n + 1] if n + 1 < len(words) else None
        if w.kind == ADJ and w.number == "plural" and w.case != "keinonto" and not _agrees(w, nxt):
            # an adjective standing for people: "vapaaehtoiset pääsevät", "vapaaehtoisten jaksaminen"
            w = Word(w.lemma, NOUN, case=w.case, number=w.number)
        elif w.adjective_too and _agrees(Word(w.lemma, ADJ, case=w.case, number=w.number), nxt):
            w = Word(w.lemma, ADJ, case=w.case, number=w.number)  # "matalan kynnyksen", "nuoret aikuiset"
        if w.kind == NOUN:
            related = frozenset((w.lemma, w.head) if w.head else (w.lemma,))
            label = w.label or w.lemma
            if w.lemma not in found:
                found[w.lemma] = _Phrase(w.lemma, label, (w.lemma,), related, w.head)
            if w.head and w.head not in STOP_WORDS and w.head not in heads:
                heads[w.head] = _Phrase(w.head, w.head, (w.head,), frozenset((w.head,)))
            if prev is not None and (_agrees(prev[1], w) or (prev[1].kind == NOUN and prev[1].case == "omanto")):
                p_tok, p_w = prev
                key = f"{p_w.lemma} {w.lemma}"
                if key not in found:
                    # an adjective in its base form; a genitive stays a genitive ("avustusten haku")
                    first = p_w.lemma if p_w.kind == ADJ else (p_tok if p_w.label else p_tok.lower())
                    p_rel = (p_w.lemma, p_w.head) if p_w.head else (p_w.lemma,)
                    found[key] = _Phrase(key, f"{first} {label}", (p_w.lemma, w.lemma), related | frozenset(p_rel))
        prev = (tok, w)
    return found, heads


def _agrees(adj: Word, noun: Word | None) -> bool:
    """Whether an adjective modifies the noun after it: they agree in case and number
    ("yhteisiä tapahtumia"; not "vapaaehtoisten jaksaminen", where the adjective is a noun)."""
    return (adj.kind == ADJ and noun is not None and noun.kind == NOUN
            and adj.case == noun.case and adj.number == noun.number)


def key_phrases(text: str, *, compound_heads: bool = False) -> list[str]:
    """The key phrases of a text, each once, in order of first appearance.

    Nouns' base forms (and plural adjectives standing alone: "vapaaehtoiset") and adjective/noun
    + noun pairs written next to each other; with `compound_heads`, also a compound's last part
    ("järjestöfoorumi" counts for "foorumi" too).
    """
    toks = _tokens(text)
    found, heads = _phrases(toks, _evidence([toks]))
    if compound_heads:
        return list(found) + [h for h in heads if h not in found]
    return list(found)


def _content_lemmas(text: str) -> frozenset[str]:
    return frozenset(w.lemma for w in analyse_text(text) if w is not None and w.kind != STOP)


# ---------------------------------------------------------------------------------------------
# The thesaurus, with the base forms of its terms (found here, where Voikko is at hand).

@dataclass(frozen=True)
class _Vocabulary:
    theme_of: dict[str, str]  # a term's key (base forms) -> its theme's key
    labels: dict[str, str]  # theme key -> label
    general: frozenset[str]  # never a theme by itself: GENERAL_WORDS and the thesaurus's stop words
    named: frozenset[str]  # every term's key: a theme even when a general word
    lemmas: frozenset[str]  # the base forms in the terms (evidence for `_resolve`)


def _term_keys(term: str) -> tuple[str, ...]:
    """The keys a thesaurus term stands for: its base form(s), and the term as written."""
    words = [w for w in analyse_text(term) if w is not None]
    keys = [" ".join(w.lemma for w in words)] if words else []
    if term not in keys:
        keys.append(term)
    return tuple(keys)


@lru_cache(maxsize=32)
def _vocabulary(thesaurus: Thesaurus | None) -> _Vocabulary:
    theme_of: dict[str, str] = {}
    labels: dict[str, str] = {}
    lemmas: set[str] = set()
    general = set(GENERAL_WORDS)
    for theme in (thesaurus.themes if thesaurus else ()):
        keys = [_term_keys(term) for term in theme.terms]
        key = theme.key or keys[0][0]
        labels[key] = theme.label
        for term_keys in keys:
            for k in term_keys:
                theme_of.setdefault(k, key)
                lemmas.update(k.split(" "))
    for word in (thesaurus.stop_words if thesaurus else ()):
        general.update(_term_keys(word))
    return _Vocabulary(theme_of, labels, frozenset(general - set(theme_of)), frozenset(theme_of), frozenset(lemmas))


@dataclass(frozen=True)
class _Excluded:
    """What the question asks about: its words (and their compounds' last parts) and its themes."""

    words: frozenset[str] = frozenset()
    keys: frozenset[str] = frozenset()


def _question(question: str | None, vocab: _Vocabulary) -> _Excluded:
    if not question:
        return _Excluded()
    toks = _tokens(question)
    found, heads = _phrases(toks, vocab.lemmas | _evidence([toks]))
    words = {word for phrase in found.values() for word in phrase.words} | set(heads)
    for word in analyse_text(question):  # adjectives and nouns however they are used in it
        if word is not None and word.kind in (NOUN, ADJ):
            words.add(word.lemma)
    keys = set(found) | set(heads)
    keys |= {vocab.theme_of[k] for k in keys | words if k in vocab.theme_of}
    return _Excluded(frozenset(words), frozenset(keys))


def _item_themes(
    found: dict[str, _Phrase], heads: dict[str, _Phrase], vocab: _Vocabulary, excluded: _Excluded,
    use_head: Callable[[str], bool],
) -> dict[str, list[_Phrase]]:
    """The themes one input raises, each with the key phrases that raise it, in order of appearance.

    A key phrase is a thesaurus theme's when it is one of its terms, a two-word phrase ending in
    one ("järjestöjen tapahtumat"), or a compound ending in one ("liikuntatapahtuma"); otherwise it
    is a theme of its own. Left out: what the question asks about, and phrases whose words are all
    too general or the question's own ("yhteinen", "tieto"; "yhteinen tieto").
    """
    themes: dict[str, list[_Phrase]] = {}
    phrases = list(found.values()) + [h for k, h in heads.items() if k not in found and use_head(k)]
    for phrase in phrases:
        if phrase.key in excluded.keys:
            continue
        key = vocab.theme_of.get(phrase.key)
        if key is None:
            # by its last word or part, unless the question asks about that theme: then
            # "sähköinen raportti" and "verkkoraportti" are themes of the report question
            key = (vocab.theme_of.get(phrase.words[-1]) if len(phrase.words) > 1 else None) or (
                vocab.theme_of.get(phrase.head) if phrase.head else None)
            if key is None or key in excluded.keys:
                if all(w in vocab.general or w in excluded.words for w in phrase.words):
                    continue
                key = phrase.key
        if key in excluded.keys:
            continue
        themes.setdefault(key, []).append(phrase)
    return themes


def theme_keys(text: str, *, thesaurus: Thesaurus | None = None, question: str | None = None) -> list[str]:
    """The keys of the themes a text raises, as `find_themes` would group it: for a later answer,
    which of a round's (curated) themes it joins."""
    vocab = _vocabulary(thesaurus)
    toks = _tokens(text)
    found, heads = _phrases(toks, vocab.lemmas | _evidence([toks]))
    return list(_item_themes(found, heads, vocab, _question(question, vocab), lambda _: False))


# ---------------------------------------------------------------------------------------------

def find_themes(
    items: Sequence[ThemeInput],
    *,
    min_sources: int = 2,
    limit: int = 10,
    compound_heads: HeadMode = "standalone",
    covered: float = 0.5,
    together: float = 0.75,
    thesaurus: Thesaurus | None = None,
    question: str | None = None,
) -> list[Theme]:
    """The themes that recur in `items`, most widely raised first.

    A theme is a key phrase (see `key_phrases`), or a thesaurus theme that groups several, raised
    by at least `min_sources` distinct sources; its items are the inputs that raise it. The words
    of `question` (the question the inputs answer) are never its themes, nor are words too general
    (`GENERAL_WORDS`, the thesaurus's stop words) by themselves. Ranked by distinct sources, then
    items, a two-word phrase before a one-word one it ties with, then by key. A phrase is left out
    when a theme ranked before it shares a word (or a compound's last part) with it and already
    holds at least `covered` of its items, or when its items and an earlier theme's overlap by at
    least `together` (Jaccard): the two are one theme in practice. At most `limit` themes.

    The label is the thesaurus's, or the base form ("järjestöfoorumi", "yhteinen tapahtuma",
    "avustusten haku"). Quotes: an input illustrates one theme at most (see `_assign_quotes`).
    """
    if not items or limit <= 0:
        return []
    vocab = _vocabulary(thesaurus)
    tokens = [_tokens(item.text) for item in items]
    evidence = vocab.lemmas | _evidence(tokens)
    parsed = [_phrases(toks, evidence) for toks in tokens]
    excluded = _question(question, vocab)
    standalone = {k for found, _ in parsed for k in found} if compound_heads == "standalone" else set()

    def use_head(head: str) -> bool:
        return compound_heads == "all" or (compound_heads == "standalone" and head in standalone)

    per_item = [_item_themes(found, heads, vocab, excluded, use_head) for found, heads in parsed]
    theme_items: dict[str, list[int]] = defaultdict(list)
    related: dict[str, set[str]] = defaultdict(set)
    for i, raised in enumerate(per_item):
        for key, phrases in raised.items():
            theme_items[key].append(i)
            for phrase in phrases:
                if key == phrase.key:
                    related[key] |= phrase.related
                else:  # a thesaurus theme: what its phrases are about, not their attributes
                    related[key] |= {phrase.words[-1], phrase.head} - {None}

    candidates = []
    for key, idx in theme_items.items():
        sources = frozenset(items[i].source for i in idx)
        if len(sources) >= max(1, min_sources):
            candidates.append((key, idx, sources))
    candidates.sort(key=lambda c: (-len(c[2]), -len(c[1]), -c[0].count(" "), c[0]))

    chosen: list[tuple[str, list[int], frozenset[str], set[int], frozenset[str]]] = []
    for key, idx, sources in candidates:
        mine, mine_related = set(idx), frozenset(related[key])
        if any(_redundant(mine, mine_related, theirs, their_related, covered, together)
               for _, _, _, theirs, their_related in chosen):
            continue
        chosen.append((key, idx, sources, mine, mine_related))
        if len(chosen) >= limit:
            break

    quotes = _assign_quotes(items, [idx for _, idx, _, _, _ in chosen], per_item)
    return [
        Theme(
            key=key,
            label=vocab.labels.get(key) or _label(key, idx, per_item, parsed),
            item_ids=tuple(items[i].id for i in idx),
            sources=sources,
            quotes=tuple(items[i].id for i in picked),
            terms=_terms(key, idx, per_item),
        )
        for (key, idx, sources, _, _), picked in zip(chosen, quotes)
    ]


def _redundant(mine: set[int], related: frozenset[str], theirs: set[int], their_related: frozenset[str],
               covered: float, together: float) -> bool:
    shared = len(mine & theirs)
    if not shared:
        return False
    if related & their_related and shared >= covered * len(mine):
        return True
    return shared >= together * len(mine | theirs)


def _most_common(values: Iterable[str]) -> str:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return max(counts, key=lambda v: counts[v])  # dicts keep order: the first written wins a tie


def _label(key: str, idx: list[int], per_item: list[dict[str, list[_Phrase]]],
           parsed: list[tuple[dict[str, _Phrase], dict[str, _Phrase]]]) -> str:
    """The base form of the theme's phrase ("yhteinen tapahtuma", "HYTE-koordinaattori"); for one
    word, that of the two-word phrase ending in it that at least half its inputs (and two or more)
    use ("tapahtuma" -> "yhteinen tapahtuma"). Ties go to the form written first."""
    if " " not in key:
        pairs: dict[str, int] = {}
        for i in idx:
            for k in parsed[i][0]:
                if k.endswith(" " + key):
                    pairs[k] = pairs.get(k, 0) + 1
        best = max(pairs, key=lambda k: pairs[k], default=None)
        if best is not None and pairs[best] >= 2 and 2 * pairs[best] >= len(idx):
            return _most_common(parsed[i][0][best].label for i in idx if best in parsed[i][0])
    own = [p.label for i in idx for p in per_item[i][key] if p.key == key]
    return _most_common(own) if own else key


def _terms(key: str, idx: list[int], per_item: list[dict[str, list[_Phrase]]]) -> tuple[str, ...]:
    """The key phrases grouped under a theme, most inputs first (then by key)."""
    counts: dict[str, int] = defaultdict(int)
    for i in idx:
        for phrase_key in {p.key for p in per_item[i][key]}:
            counts[phrase_key] += 1
    return tuple(sorted(counts, key=lambda k: (-counts[k], k)))


def _assign_quotes(items: Sequence[ThemeInput], themes: list[list[int]],
                   per_item: list[dict[str, list[_Phrase]]]) -> list[list[int]]:
    """Up to two quotes per theme, an input quoting one theme at most: first one quote for every
    theme in rank order, then a second, from another source where there is one.

    A theme's best quote is the input that raises fewest of the chosen themes (it is about this
    one), then shares most key themes with the theme's other inputs (it speaks of what the others
    do), then the shorter text, then input order. A theme all of whose inputs already quote an
    earlier theme has no quote of its own."""
    in_themes: dict[int, int] = defaultdict(int)
    for idx in themes:
        for i in idx:
            in_themes[i] += 1
    scores: list[dict[int, int]] = []
    for idx in themes:
        shared: dict[str, int] = defaultdict(int)
        for i in idx:
            for k in per_item[i]:
                shared[k] += 1
        scores.append({i: sum(shared[k] - 1 for k in per_item[i]) for i in idx})
    used: set[int] = set()
    picked: list[list[int]] = [[] for _ in themes]
    for round_ in (0, 1):
        for t, idx in enumerate(themes):
            if len(picked[t]) != round_:
                continue
            free = [i for i in idx if i not in used]
            if round_ == 1:
                other = [i for i in free if items[i].source != items[picked[t][0]].source]
                free = other or free
            if not free:
                continue
            best = min(free, key=lambda i: (in_themes[i], -scores[t][i], len(items[i].text), i))
            picked[t].append(best)
            used.add(best)
    return picked


# ---------------------------------------------------------------------------------------------

def merge_near_duplicates(items: Sequence[ThemeInput], *, threshold: float = 0.6) -> list[list[ThemeInput]]:
    """Groups of near-identical points, whoever wrote them, in input order.

    Two points are near-identical when the base forms of their content words (stop words left out)
    overlap by at least `threshold` (Jaccard): "Roolit ja vastuut kirjattava
    yhdyspintasopimukseen" and "Yhdyspintasopimukseen kirjataan roolit ja vastuut" are one point.
    Points without content words merge only when their texts are equal after normalising case
    and spacing. Groups are transitive (single link); each group keeps input order, and groups are
    in the order of their first point.

    Pairs are found with a prefix filter (a pair with Jaccard >= t shares one of the rarest
    |A| - ceil(t|A|) + 1 words of each side), so thousands of inputs need not be compared pairwise.
    """
    n = len(items)
    if n == 0:
        return []
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    # Equal word sets (or equal texts without content words) are one point at once.
    first_with: dict[frozenset[str] | str, int] = {}
    distinct: list[tuple[int, frozenset[str]]] = []
    for i, item in enumerate(items):
        lemmas = _content_lemmas(item.text)
        key: frozenset[str] | str = lemmas if lemmas else " ".join(item.text.lower().split())
        if key in first_with:
            union(first_with[key], i)
            continue
        first_with[key] = i
        if lemmas:
            distinct.append((i, lemmas))

    freq: dict[str, int] = defaultdict(int)
    for _, lemmas in distinct:
        for lemma in lemmas:
            freq[lemma] += 1
    index: dict[str, list[int]] = defaultdict(list)  # word -> positions in `distinct` whose prefix holds it
    for pos, (i, lemmas) in enumerate(distinct):
        ordered = sorted(lemmas, key=lambda w: (freq[w], w))
        prefix = ordered[: len(ordered) - math.ceil(threshold * len(ordered) - 1e-9) + 1]
        seen: set[int] = set()
        for word in prefix:
            for other in index[word]:
                if other in seen:
                    continue
                seen.add(other)
                j, theirs = distinct[other]
                if len(lemmas & theirs) >= threshold * len(lemmas | theirs):
                    union(i, j)
            index[word].append(pos)

    groups: dict[int, list[ThemeInput]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(items[i])
    return list(groups.values())
