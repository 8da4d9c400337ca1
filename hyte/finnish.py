"""Finnish words, read with Voikko: each word form's base form and kind, a compound's last part,
and the stop words and too general words that are never a theme by themselves.

Voikko (libvoikko + the voikko-fi morphology, the maintained Finnish analyser behind LibreOffice's
and other Finnish spell checkers) runs locally: no text leaves the process. It knows inflection
and compounds ("järjestöfoorumeihin" -> "järjestöfoorumi", parts "järjestö" + "foorumi"). The
library is imported on first use, not at import: the rest of the application (and its tests)
starts without it, and analysing a word without it raises `LemmatiserUnavailable` with the install
instructions (`check_lemmatiser()` at start-up fails fast instead). How the words make key phrases
and themes: hyte/phrases.py, hyte/themes.py. Another language's words would be a module beside this.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import replace
from functools import lru_cache

from hyte.words import ADJ, NOUN, OTHER, STOP, VERB, LemmatiserUnavailable, Word, raw_tokens

logger = logging.getLogger(__name__)


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
painopiste hyvinvointitavoite osallistuminen sivu käyttö
""".split())

# Voikko word classes (CLASS) and what they are here.
_NOUN_CLASSES = frozenset({"nimisana", "nimisana_laatusana", "lyhenne"})
_ADJ_CLASSES = frozenset({"laatusana"})
_NAME_CLASSES = frozenset({"nimi", "etunimi", "sukunimi", "paikannimi"})
_STOP_CLASSES = frozenset({
    "asemosana", "sidesana", "suhdesana", "huudahdussana", "kieltosana", "lukusana", "etuliite",
})

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




def tokenise(text: str) -> list[tuple[str, Word | None]]:
    out: list[tuple[str, Word | None]] = []
    raw = raw_tokens(text)
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
    return [w for _, w in tokenise(text)]
