"""Key phrases of a text, and near-identical texts, from its words (hyte/lemmas.py: Finnish by
Voikko, Swedish by simplemma; Finnish is described below, Swedish goes the same way).

- Key phrases: the base forms of its nouns (with -minen nouns, "tiedottamista" -> "tiedottaminen",
  and plural adjectives standing for people, "vapaaehtoiset"), and two-word phrases: an adjective
  agreeing with the noun after it ("yhteisiä tapahtumia" -> "yhteinen tapahtuma") or a genitive
  before a noun ("avustusten hakuajat"). Where Voikko reads a word as two nouns, the one a person
  means is taken (`_resolve`).
- `merge_near_duplicates`: the workshop's points that say the same thing, whoever wrote them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hyte.finnish import STOP_WORDS
from hyte.lemmas import analyse_text, tokenise
from hyte.words import ADJ, NOUN, STOP, Word


@dataclass(frozen=True)
class ThemeInput:
    id: str  # e.g. response or note id
    source: str  # who raised it: organisation id, or workshop group
    text: str
    language: str | None = None  # "fi" or "sv"; None: as `find_themes` is told (or finds out)


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


def unambiguous_nouns(tokens: Iterable[list[tuple[str, Word | None]]]) -> set[str]:
    return {w.lemma for toks in tokens for _, w in toks if w is not None and w.kind == NOUN and not w.alternatives}


@dataclass(frozen=True, slots=True)
class Phrase:
    key: str  # base forms joined by a space
    label: str  # in base form, as a theme is named: "yhteinen tapahtuma", "avustusten haku"
    words: tuple[str, ...]  # the base forms of its words
    related: frozenset[str]  # its base forms and their compound heads
    head: str | None = None  # a one-word compound's last part: "foorumi" of "järjestöfoorumi"


def phrases_of(
    toks: list[tuple[str, Word | None]], evidence: frozenset[str] | set[str] = frozenset(), language: str = "fi",
) -> tuple[dict[str, Phrase], dict[str, Phrase]]:
    """Key phrases of a tokenised text by key, each once (first occurrence), in order of
    appearance; and apart, the last parts of its compound nouns ("foorumi" of "järjestöfoorumeissa")."""
    found: dict[str, Phrase] = {}
    heads: dict[str, Phrase] = {}
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
                found[w.lemma] = Phrase(w.lemma, label, (w.lemma,), related, w.head)
            if w.head and w.head not in STOP_WORDS and w.head not in heads:
                heads[w.head] = Phrase(w.head, w.head, (w.head,), frozenset((w.head,)))
            if prev is not None and (_agrees(prev[1], w) or (prev[1].kind == NOUN and prev[1].case == "omanto")):
                p_tok, p_w = prev
                key = f"{p_w.lemma} {w.lemma}"
                if key not in found:
                    # an adjective in its base form; a genitive stays a genitive ("avustusten haku")
                    first = p_w.lemma if p_w.kind == ADJ else (p_tok if p_w.label else p_tok.lower())
                    if language == "sv" and p_w.kind == ADJ:  # agreeing: "gemensamt evenemang"
                        from hyte.swedish import LEXICON  # noqa: PLC0415 - loaded with the Swedish words

                        first = LEXICON.agree(p_w.lemma, w.lemma)
                    p_rel = (p_w.lemma, p_w.head) if p_w.head else (p_w.lemma,)
                    found[key] = Phrase(key, f"{first} {label}", (p_w.lemma, w.lemma), related | frozenset(p_rel))
        prev = (tok, w)
    return found, heads


def _agrees(adj: Word, noun: Word | None) -> bool:
    """Whether an adjective modifies the noun after it: they agree in case and number
    ("yhteisiä tapahtumia"; not "vapaaehtoisten jaksaminen", where the adjective is a noun)."""
    return (adj.kind == ADJ and noun is not None and noun.kind == NOUN
            and adj.case == noun.case and adj.number == noun.number)


def key_phrases(text: str, *, compound_heads: bool = False, language: str = "fi") -> list[str]:
    """The key phrases of a text, each once, in order of first appearance.

    Nouns' base forms (and plural adjectives standing alone: "vapaaehtoiset") and adjective/noun
    + noun pairs written next to each other; with `compound_heads`, also a compound's last part
    ("järjestöfoorumi" counts for "foorumi" too).
    """
    toks = tokenise(text, language)
    found, heads = phrases_of(toks, unambiguous_nouns([toks]), language)
    if compound_heads:
        return list(found) + [h for h in heads if h not in found]
    return list(found)


def content_lemmas(text: str, language: str = "fi") -> frozenset[str]:
    return frozenset(w.lemma for w in analyse_text(text, language) if w is not None and w.kind != STOP)


def merge_near_duplicates(
    items: Sequence[ThemeInput], *, threshold: float = 0.6, language: str = "fi"
) -> list[list[ThemeInput]]:
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
        lemmas = content_lemmas(item.text, item.language or language)
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
