"""Recurring themes in Finnish free text: the survey's open answers and the workshop's notes.

What the HYTE team did by hand (DOMAIN.md, "What the HYTE team made of the answers"): group the
free-text answers under the themes that recur ("most often mentioned: NGO forums, NGO grants, joint
events"), count who raised each, pick a representative quote or two; and for the workshop, list
each group's points with the near-identical ones merged.

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
  "järjestö", "kunta", "yhteistyö"...).
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
  ("rooli" after "vastuu", from "roolit ja vastuut").

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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

logger = logging.getLogger(__name__)

__all__ = [
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
]


@dataclass(frozen=True)
class ThemeInput:
    id: str  # e.g. response or note id
    source: str  # who raised it: organisation id, or workshop group
    text: str


@dataclass(frozen=True)
class Theme:
    key: str  # normalised lemma phrase, stable
    label: str  # readable Finnish label: the base form(s), e.g. "järjestöfoorumi", "yhteinen tapahtuma"
    item_ids: tuple[str, ...]  # the inputs grouped under it, in input order
    sources: frozenset[str]  # distinct sources that raised it
    quotes: tuple[str, ...]  # ids of 1–2 representative inputs (from item_ids)


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
eg ks tms ns n noin yli alle ilman kautta kanssa kesken välillä välille lisäksi erityisesti
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
""".split()

_PROCESS_WORDS = """
hyte hyte-työ hyvinvointi terveys edistäminen yhteistyö järjestöyhteistyö
järjestö yhdistys kunta hyvinvointialue hva alue toiminta työ kehittäminen organisaatio
käytäntö malli toimintamalli palvelu asiakas asukas kuntalainen ihminen järjestäminen tekeminen
""".split()

STOP_WORDS: frozenset[str] = frozenset(_FUNCTION_WORDS) | frozenset(_PROCESS_WORDS)

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
_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+|[.!?;:()\[\]\"”–—•/,\n]|(?<!\w)-(?!\w)")


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


def _choose(analyses: list[dict]) -> dict:
    """Of Voikko's analyses: proper names last, then the one with the fewest compound parts, then
    Voikko's own order (its most likely reading first).

    "hyvinvointikertomusta" is "hyvinvointi+kertomus" (not "+kerto+musta"); "voisi" is the verb
    "voida" (not the noun "voi"), as Voikko orders them.
    """
    def rank(item: tuple[int, dict]) -> tuple[int, int, int]:
        i, a = item
        bases = a.get("WORDBASES") or ""
        parts = bases.count("(") - bases.count("(+")
        return (a.get("CLASS") in _NAME_CLASSES, parts, i)

    return min(enumerate(analyses), key=rank)[1]


def _word_from_analysis(form: str, a: dict) -> Word:
    cls = a.get("CLASS", "")
    lemma = (a.get("BASEFORM") or form).lower()
    if a.get("MOOD") == "MINEN-infinitive":
        m = _MINEN.match(form.lower())
        lemma = m.group(1) + "inen" if m else lemma
        return Word(lemma, STOP if lemma in STOP_WORDS else NOUN)
    if lemma in STOP_WORDS or cls in _STOP_CLASSES:
        return Word(lemma, STOP)
    if cls in _NOUN_CLASSES:
        kind = NOUN
    elif cls in _ADJ_CLASSES:
        kind = VERB if a.get("PARTICIPLE") else ADJ  # "kirjattava", "nimetty": no theme words
    elif cls == "teonsana":
        kind = VERB
    else:
        kind = OTHER
    case, number = a.get("SIJAMUOTO") or "", a.get("NUMBER") or ""
    if kind == ADJ:
        if a.get("COMPARISON") in ("comparative", "superlative"):
            return Word(lemma, OTHER)  # "selkeämpää viestintää": the noun is the theme
        return Word(lemma, ADJ, case=case, number=number)
    head = None
    if kind == NOUN:
        prefix = _compound_prefix(a.get("WORDBASES"))
        if prefix and lemma.startswith(prefix.lower()) and len(lemma) > len(prefix) + 2:
            head = lemma[len(prefix):].lstrip("-")
    return Word(lemma, kind, head, case, number, cls == "nimisana_laatusana")


@lru_cache(maxsize=200_000)
def analyse_word(form: str) -> Word:
    """The analysis of one word form as written ("Järjestöfoorumeja", "HYTE-työtä")."""
    analyses = _ANALYSER.analyse(form)
    if not analyses and form[:1].isupper():
        analyses = _ANALYSER.analyse(form.lower())
    if analyses:
        return _word_from_analysis(form, _choose(analyses))
    low = form.lower()
    if low in STOP_WORDS:
        return Word(low, STOP)
    if "-" in form:  # "HYTE-koordinaattorit": Voikko does not know the abbreviation
        first, _, rest = form.rpartition("-")
        last = analyse_word(rest)
        if last.kind in (NOUN, ADJ, STOP) and last.lemma:
            lemma = f"{first.lower()}-{last.lemma}"
            if lemma in STOP_WORDS:
                return Word(lemma, STOP)
            return Word(lemma, NOUN if last.kind != ADJ else ADJ, last.lemma if last.kind == NOUN else None)
    if form.isdigit() or len(form) < 3:
        return Word(low, STOP)
    return Word(low, OTHER)  # unknown to Voikko: a name, a typo, an English word


def _tokens(text: str) -> list[tuple[str, Word | None]]:
    out: list[tuple[str, Word | None]] = []
    for tok in _TOKEN.findall(text):
        if tok[0].isalpha():
            out.append((tok, analyse_word(tok.replace("’", "'"))))
        elif tok.isdigit():
            out.append((tok, Word(tok, STOP)))
        else:
            out.append((tok, None))
    return out


def analyse_text(text: str) -> list[Word | None]:
    """The words of a text in order; None where a phrase breaks (punctuation)."""
    return [w for _, w in _tokens(text)]


@dataclass(frozen=True, slots=True)
class _Phrase:
    key: str  # base forms joined by a space
    surface: str  # as written, lower case
    related: frozenset[str]  # its base forms and their compound heads


HeadMode = Literal["off", "standalone", "all"]


def _phrases(text: str) -> tuple[dict[str, _Phrase], dict[str, _Phrase]]:
    """Key phrases of a text by key, each once (first occurrence), in order of appearance; and
    apart, the last parts of its compound nouns ("foorumi" of "järjestöfoorumeissa")."""
    found: dict[str, _Phrase] = {}
    heads: dict[str, _Phrase] = {}
    toks = _tokens(text)
    prev: tuple[str, Word] | None = None
    for n, (tok, w) in enumerate(toks):
        if w is None or w.kind == STOP:
            prev = None
            continue
        nxt = toks[n + 1][1] if n + 1 < len(toks) else None
        if w.kind == ADJ and w.number == "plural" and w.case != "keinonto" and not _agrees(w, nxt):
            # an adjective standing for people: "vapaaehtoiset pääsevät", "vapaaehtoisten jaksaminen"
            w = Word(w.lemma, NOUN, case=w.case, number=w.number)
        elif w.adjective_too and _agrees(Word(w.lemma, ADJ, case=w.case, number=w.number), nxt):
            w = Word(w.lemma, ADJ, case=w.case, number=w.number)  # "matalan kynnyksen", "nuoret aikuiset"
        if w.kind == NOUN:
            related = frozenset((w.lemma, w.head) if w.head else (w.lemma,))
            if w.lemma not in found:
                found[w.lemma] = _Phrase(w.lemma, tok.lower(), related)
            if w.head and w.head not in STOP_WORDS and w.head not in heads:
                heads[w.head] = _Phrase(w.head, w.head, frozenset((w.head,)))
            if prev is not None and (_agrees(prev[1], w) or (prev[1].kind == NOUN and prev[1].case == "omanto")):
                p_tok, p_w = prev
                key = f"{p_w.lemma} {w.lemma}"
                if key not in found:
                    p_rel = (p_w.lemma, p_w.head) if p_w.head else (p_w.lemma,)
                    found[key] = _Phrase(key, f"{p_tok} {tok}".lower(), related | frozenset(p_rel))
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
    found, heads = _phrases(text)
    if compound_heads:
        return list(found) + [h for h in heads if h not in found]
    return list(found)


def _content_lemmas(text: str) -> frozenset[str]:
    return frozenset(w.lemma for w in analyse_text(text) if w is not None and w.kind != STOP)


# ---------------------------------------------------------------------------------------------

def find_themes(
    items: Sequence[ThemeInput],
    *,
    min_sources: int = 2,
    limit: int = 10,
    compound_heads: HeadMode = "standalone",
    covered: float = 0.5,
    together: float = 0.75,
) -> list[Theme]:
    """The themes that recur in `items`, most widely raised first.

    A theme is a key phrase (see `key_phrases`) raised by at least `min_sources` distinct sources;
    its items are the inputs that use it. Ranked by distinct sources, then items, a two-word
    phrase before a one-word one it ties with, then by key. A phrase is left out when a theme
    ranked before it shares a word (or a compound's last part) with it and already holds at least
    `covered` of its items, or when its items and an earlier theme's overlap by at least
    `together` (Jaccard): the two are one theme in practice. At most `limit` themes.

    The label is the base form for one word ("järjestöfoorumi") and the most common written form
    for two ("yhteiset tapahtumat"; ties: the first written).
    """
    if not items or limit <= 0:
        return []
    per_item = []
    parsed = [_phrases(item.text) for item in items]
    standalone = {k for found, _ in parsed for k in found} if compound_heads == "standalone" else set()
    for found, heads in parsed:
        if compound_heads != "off":
            found = dict(found)
            for h, phrase in heads.items():
                if h not in found and (compound_heads == "all" or h in standalone):
                    found[h] = phrase
        per_item.append(found)
    phrase_items: dict[str, list[int]] = defaultdict(list)
    for i, phrases in enumerate(per_item):
        for key in phrases:
            phrase_items[key].append(i)

    candidates = []
    for key, idx in phrase_items.items():
        sources = frozenset(items[i].source for i in idx)
        if len(sources) >= max(1, min_sources):
            candidates.append((key, idx, sources))
    candidates.sort(key=lambda c: (-len(c[2]), -len(c[1]), -c[0].count(" "), c[0]))

    chosen: list[tuple[str, list[int], frozenset[str], set[int], frozenset[str]]] = []
    for key, idx, sources in candidates:
        mine = set(idx)
        related = per_item[idx[0]][key].related
        if any(_redundant(mine, related, theirs, their_related, covered, together)
               for _, _, _, theirs, their_related in chosen):
            continue
        chosen.append((key, idx, sources, mine, related))
        if len(chosen) >= limit:
            break

    return [
        Theme(
            key=key,
            label=_label(key, idx, per_item),
            item_ids=tuple(items[i].id for i in idx),
            sources=sources,
            quotes=_quotes(items, idx, per_item),
        )
        for key, idx, sources, _, _ in chosen
    ]


def _redundant(mine: set[int], related: frozenset[str], theirs: set[int], their_related: frozenset[str],
               covered: float, together: float) -> bool:
    shared = len(mine & theirs)
    if not shared:
        return False
    if related & their_related and shared >= covered * len(mine):
        return True
    return shared >= together * len(mine | theirs)


def _label(key: str, idx: list[int], per_item: list[dict[str, _Phrase]]) -> str:
    """The most common written form of a two-word phrase ("yhteiset tapahtumat"); for one word,
    that of the two-word phrase ending in it that at least half its inputs (and two or more) use,
    else its base form ("järjestöfoorumi"). Ties go to the form written first."""
    if " " not in key:
        pairs: dict[str, int] = {}
        for i in idx:
            for k in per_item[i]:
                if k.endswith(" " + key):
                    pairs[k] = pairs.get(k, 0) + 1
        best = max(pairs, key=lambda k: pairs[k], default=None)
        if best is None or pairs[best] < 2 or 2 * pairs[best] < len(idx):
            return key
        key = best
    counts: dict[str, int] = {}
    for i in idx:
        phrase = per_item[i].get(key)
        if phrase is not None:
            counts[phrase.surface] = counts.get(phrase.surface, 0) + 1
    return max(counts, key=lambda s: counts[s])  # dicts keep order: the first written wins a tie


def _quotes(items: Sequence[ThemeInput], idx: list[int], per_item: list[dict[str, _Phrase]]) -> tuple[str, ...]:
    """One or two representative inputs: those sharing most key phrases with the theme's other
    inputs (so they speak about what the others do), a second one from another source if any;
    ties go to the shorter text, then to input order."""
    shared: dict[str, int] = defaultdict(int)
    for i in idx:
        for k in per_item[i]:
            shared[k] += 1
    scores = {i: sum(shared[k] - 1 for k in per_item[i]) for i in idx}
    ranked = sorted(idx, key=lambda i: (-scores[i], len(items[i].text), i))
    first = ranked[0]
    second = next((i for i in ranked[1:] if items[i].source != items[first].source), None)
    if second is None and len(ranked) > 1:
        second = ranked[1]
    return (items[first].id,) if second is None else (items[first].id, items[second].id)


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
