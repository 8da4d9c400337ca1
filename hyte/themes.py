"""Recurring themes in Finnish and Swedish free text: the survey's open answers and the workshop's
notes. Finnish is described below; Swedish goes the same way with simplemma's dictionary instead
of Voikko (hyte/swedish.py), and a bilingual round's answers are summarised per language and merged
by the thesaurus (`find_themes`, "Languages").

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
  tapahtuma") or a genitive before a noun ("avustusten hakuajat") (hyte/phrases.py). Stop words
  are removed (hyte/finnish.py `STOP_WORDS`, base forms: function words, and the words every
  answer in this process uses: "järjestö", "kunta", "yhteistyö"...). Where Voikko reads a word as
  two nouns, the one a person means is taken: the one an adjective before it agrees with, else
  one used unambiguously elsewhere in the inputs or named in the thesaurus ("yhteisistä
  tapahtumista" -> "tapahtuma", not the verbal noun "tapahtuminen"). Compounds are split at hyphens too, and an
  elided first part is completed ("toiminta- ja kohdeavustukset" -> "toiminta-avustus").
- Never a theme: the question's own words (and their compounds' last parts, and the thesaurus
  themes they belong to: "vuosiraportti", "raportti" for the annual report question), and words
  too general to be a theme by themselves (hyte/finnish.py `GENERAL_WORDS` and the thesaurus's
  stop words: "vuosi", "tieto", "tuki"; a two-word phrase may hold one: "kuntakohtainen tieto").
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

The words are hyte/finnish.py's (Voikko, imported on first use: without it a theme function raises
`LemmatiserUnavailable`), the key phrases hyte/phrases.py's.

Everything here is deterministic: the same inputs in the same order give the same output.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal

from hyte.lemmas import analyse_text, detect_language, general_words, tokenise
from hyte.words import ADJ, NOUN
from hyte.phrases import Phrase, ThemeInput, phrases_of, unambiguous_nouns
from hyte.thesaurus import Thesaurus

HeadMode = Literal["off", "standalone", "all"]


@dataclass(frozen=True)
class Theme:
    key: str  # stable: the base form(s) of its phrase ("järjestöfoorumi"), or its thesaurus theme's key
    label: str  # readable Finnish label in base form ("yhteinen tapahtuma"), or the thesaurus's label
    item_ids: tuple[str, ...]  # the inputs grouped under it, in input order
    sources: frozenset[str]  # distinct sources that raised it
    quotes: tuple[str, ...]  # ids of 0–2 inputs (from item_ids) that illustrate it and no other theme
    terms: tuple[str, ...] = ()  # the key phrases grouped under it (base forms), most inputs first


# ---------------------------------------------------------------------------------------------
# The thesaurus, with the base forms of its terms (found here, where Voikko is at hand).

@dataclass(frozen=True)
class _Vocabulary:
    theme_of: dict[str, str]  # a term's key (base forms) -> its theme's key
    labels: dict[str, str]  # theme key -> label
    general: frozenset[str]  # never a theme by itself: GENERAL_WORDS and the thesaurus's stop words
    named: frozenset[str]  # every term's key: a theme even when a general word
    lemmas: frozenset[str]  # the base forms in the terms (evidence for `_resolve`)
    positions: dict[str, int] = field(default_factory=dict)  # theme key -> its place in the thesaurus


def _term_keys(term: str, language: str = "fi") -> tuple[str, ...]:
    """The keys a thesaurus term stands for: its base form(s), and the term as written."""
    words = [w for w in analyse_text(term, language) if w is not None]
    keys = [" ".join(w.lemma for w in words)] if words else []
    if term not in keys:
        keys.append(term)
    return tuple(keys)


@lru_cache(maxsize=32)
def _vocabulary(thesaurus: Thesaurus | None, language: str = "fi") -> _Vocabulary:
    """The thesaurus in `language` (its version in that language, if it has one) with the base
    forms of its terms, and the words too general to be a theme in that language."""
    if thesaurus is not None:  # its version in the language; none if it has none
        thesaurus = thesaurus.in_language(language) if language in thesaurus.languages else None
    theme_of: dict[str, str] = {}
    labels: dict[str, str] = {}
    positions: dict[str, int] = {}
    lemmas: set[str] = set()
    general = set(general_words(language))
    for position, theme in enumerate(thesaurus.themes if thesaurus else ()):
        keys = [_term_keys(term, language) for term in theme.terms]
        key = theme.key or keys[0][0]
        labels[key] = theme.label
        positions.setdefault(key, position)
        for term_keys in keys:
            for k in term_keys:
                theme_of.setdefault(k, key)
                lemmas.update(k.split(" "))
    for word in (thesaurus.stop_words if thesaurus else ()):
        general.update(_term_keys(word, language))
    return _Vocabulary(theme_of, labels, frozenset(general - set(theme_of)), frozenset(theme_of), frozenset(lemmas),
                       positions)


@dataclass(frozen=True)
class _Excluded:
    """What the question asks about: its words (and their compounds' last parts) and its themes."""

    words: frozenset[str] = frozenset()
    keys: frozenset[str] = frozenset()


def _question(question: str | None, vocab: _Vocabulary, language: str = "fi") -> _Excluded:
    if not question:
        return _Excluded()
    toks = tokenise(question, language)
    found, heads = phrases_of(toks, vocab.lemmas | unambiguous_nouns([toks]), language)
    words = {word for phrase in found.values() for word in phrase.words} | set(heads)
    for word in analyse_text(question, language):  # adjectives and nouns however they are used in it
        if word is not None and word.kind in (NOUN, ADJ):
            words.add(word.lemma)
    keys = set(found) | set(heads)
    keys |= {vocab.theme_of[k] for k in keys | words if k in vocab.theme_of}
    return _Excluded(frozenset(words), frozenset(keys))


def _item_themes(
    found: dict[str, Phrase], heads: dict[str, Phrase], vocab: _Vocabulary, excluded: _Excluded,
    use_head: Callable[[str], bool],
) -> dict[str, list[Phrase]]:
    """The themes one input raises, each with the key phrases that raise it, in order of appearance.

    A key phrase is a thesaurus theme's when it is one of its terms, a two-word phrase ending in
    one ("järjestöjen tapahtumat"), or a compound ending in one ("liikuntatapahtuma"); otherwise it
    is a theme of its own. Left out: what the question asks about, and phrases whose words are all
    too general or the question's own ("yhteinen", "tieto"; "yhteinen tieto").
    """
    themes: dict[str, list[Phrase]] = {}
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


def theme_keys(text: str, *, thesaurus: Thesaurus | None = None, question: str | None = None,
               language: str = "fi") -> list[str]:
    """The keys of the themes a text in `language` raises, as `find_themes` would group it: for a
    later answer, which of a round's (curated) themes it joins."""
    vocab = _vocabulary(thesaurus, language)
    toks = tokenise(text, language)
    found, heads = phrases_of(toks, vocab.lemmas | unambiguous_nouns([toks]), language)
    shared = _shared_keys(thesaurus, language)
    raised = _item_themes(found, heads, vocab, _question(question, vocab, language), lambda _: False)
    return list(dict.fromkeys(shared.get(key, key) for key in raised))


def _shared_keys(thesaurus: Thesaurus | None, language: str) -> dict[str, str]:
    """A thesaurus theme's key in `language` -> its key in the thesaurus's first language, the one
    key the theme has whichever language its answers are in."""
    if thesaurus is None or language not in thesaurus.languages:
        return {}
    first = {p: k for k, p in _vocabulary(thesaurus, thesaurus.languages[0]).positions.items()}
    return {k: first[p] for k, p in _vocabulary(thesaurus, language).positions.items()}


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
    question: str | Mapping[str, str] | None = None,
    language: str = "fi",
    languages: Sequence[str] | None = None,
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

    Languages: the inputs are in `language` ("fi" or "sv"), unless `languages` (the round's) names
    more than one; then an input is in its own `language`, or in the one of `languages` whose words
    it uses most (`detect_language`). Each language's inputs are summarised in that language, with
    the thesaurus's version in it and the question in it (`question` may be one text per
    language); a thesaurus theme found in several languages is then one theme. A thesaurus theme's
    key is always the thesaurus's first language's, its label in `language` (the reader's). Other
    themes stay apart by language, and `min_sources` and `limit` apply to the merged list.
    """
    if not items or limit <= 0:
        return []
    offered = tuple(languages or (language,))
    by_language: dict[str, list[ThemeInput]] = {}
    for item in items:
        code = item.language or (offered[0] if len(offered) == 1 else detect_language(item.text, offered))
        by_language.setdefault(code, []).append(item)
    options = dict(compound_heads=compound_heads, covered=covered, together=together, thesaurus=thesaurus)
    if len(by_language) == 1:
        (code, mine), = by_language.items()
        found = _find_themes_in(mine, code, min_sources=min_sources, limit=limit,
                                question=_question_in(question, code), **options)
        return _relabel(found, thesaurus, code, language)  # a theme's key is the same in every language
    per_language = {
        code: _find_themes_in(mine, code, min_sources=1, limit=max(limit * 3, 30),
                              question=_question_in(question, code), **options)
        for code, mine in by_language.items()
    }
    return _merge_languages(items, per_language, thesaurus, language, min_sources, limit)


def _question_in(question: str | Mapping[str, str] | None, language: str) -> str | None:
    if isinstance(question, Mapping):
        return question.get(language)
    return question


def _relabel(found: list[Theme], thesaurus: Thesaurus | None, language: str, reader: str) -> list[Theme]:
    """Themes of inputs in `language` with a thesaurus theme's key in the thesaurus's first
    language and its label in the reader's, so that the same theme in two languages is one."""
    if thesaurus is None or language not in thesaurus.languages:
        return found
    positions = _vocabulary(thesaurus, language).positions
    shared = _shared_keys(thesaurus, language)
    labels = thesaurus.in_language(reader).themes if reader in thesaurus.languages else ()
    out = []
    for theme in found:
        position = positions.get(theme.key)
        if position is None:
            out.append(theme)
        else:
            label = labels[position].label if labels else theme.label
            out.append(replace(theme, key=shared[theme.key], label=label))
    return out


def _merge_languages(items: Sequence[ThemeInput], per_language: dict[str, list[Theme]], thesaurus: Thesaurus | None,
                     reader: str, min_sources: int, limit: int) -> list[Theme]:
    """One list from each language's themes: the same key (a thesaurus theme) is one theme, with
    the inputs, sources and terms of all, a quote from each language first, the reader's label."""
    order = {item.id: n for n, item in enumerate(items)}
    merged: dict[str, list[Theme]] = {}
    for code in sorted(per_language, key=lambda c: c != reader):  # the reader's language first
        for theme in _relabel(per_language[code], thesaurus, code, reader):
            merged.setdefault(theme.key, []).append(theme)
    themes = []
    for key, parts in merged.items():
        item_ids = tuple(sorted({i for t in parts for i in t.item_ids}, key=order.__getitem__))
        quotes = tuple(q for rank in (0, 1) for t in parts for q in t.quotes[rank:rank + 1])[:2]
        terms = tuple(dict.fromkeys(term for t in parts for term in t.terms))
        themes.append(Theme(key, parts[0].label, item_ids, frozenset().union(*(t.sources for t in parts)), quotes, terms))
    themes = [t for t in themes if len(t.sources) >= max(1, min_sources)]
    themes.sort(key=lambda t: (-len(t.sources), -len(t.item_ids), -t.key.count(" "), t.key))
    return themes[:limit]


def _find_themes_in(
    items: Sequence[ThemeInput],
    language: str,
    *,
    min_sources: int,
    limit: int,
    compound_heads: HeadMode,
    covered: float,
    together: float,
    thesaurus: Thesaurus | None,
    question: str | None,
) -> list[Theme]:
    """`find_themes` for inputs in one language."""
    vocab = _vocabulary(thesaurus, language)
    tokens = [tokenise(item.text, language) for item in items]
    evidence = vocab.lemmas | unambiguous_nouns(tokens)
    parsed = [phrases_of(toks, evidence, language) for toks in tokens]
    excluded = _question(question, vocab, language)
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


def _label(key: str, idx: list[int], per_item: list[dict[str, list[Phrase]]],
           parsed: list[tuple[dict[str, Phrase], dict[str, Phrase]]]) -> str:
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


def _terms(key: str, idx: list[int], per_item: list[dict[str, list[Phrase]]]) -> tuple[str, ...]:
    """The key phrases grouped under a theme, most inputs first (then by key)."""
    counts: dict[str, int] = defaultdict(int)
    for i in idx:
        for phrase_key in {p.key for p in per_item[i][key]}:
            counts[phrase_key] += 1
    return tuple(sorted(counts, key=lambda k: (-counts[k], k)))


def _assign_quotes(items: Sequence[ThemeInput], themes: list[list[int]],
                   per_item: list[dict[str, list[Phrase]]]) -> list[list[int]]:
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
