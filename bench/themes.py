"""Benchmark of the Finnish theme finder (hyte/themes.py) on one core.

    .venv/bin/python -m bench.themes [--answers 10000] [--repeat 3] [--seed 1]

Builds `--answers` short answers (1–3 sentences, 30 organisations) from the sentences of the test
fixtures (tests/hyte/fixtures/) and of the seed slide deck's text (docs/seed/), and
times, in this process:
  * the start of Voikko (first use);
  * find_themes with a cold word cache (every word form analysed by Voikko once) and warm (the
    same answers again: only tokenising, counting and ranking);
  * a worst case where every answer also brings two word forms never seen before (made-up
    compounds of the nouns in the text, "kuntakierrosraportissa"), so Voikko runs for each;
  * merge_near_duplicates on 300 workshop-sized notes and on all the answers.
Prints wall-clock and CPU seconds; asserts nothing (timings depend on the machine).
"""

from __future__ import annotations

import argparse
import random
import re
import time
from pathlib import Path

import yaml

from hyte import themes
from hyte.themes import ThemeInput, find_themes, merge_near_duplicates

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "hyte" / "fixtures"
SEED = ROOT / "docs" / "seed"
ENDINGS = ["", "a", "t", "n", "ssa", "sta", "lla", "ksi", "ihin", "issa", "ista", "jen", "ja"]


def sentences() -> list[str]:
    texts = [r["text"] for r in yaml.safe_load((FIXTURES / "themes_fi.yaml").read_text(encoding="utf-8"))["answers"]]
    texts += [n["text"] for n in yaml.safe_load((FIXTURES / "workshop_notes_fi.yaml").read_text(encoding="utf-8"))["notes"]]
    if SEED.is_dir():
        for path in sorted(SEED.glob("*.txt")):
            texts += [line for line in path.read_text(encoding="utf-8").splitlines() if len(line.split()) >= 4]
    out = []
    for text in texts:
        out += [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 2]
    return out


def answers(n: int, rng: random.Random, pool: list[str], nouns: list[str] | None = None) -> list[ThemeInput]:
    out = []
    for i in range(n):
        text = " ".join(rng.sample(pool, rng.randint(1, 3)))
        if nouns:  # two never-seen compounds per answer
            text += " " + " ".join(f"{rng.choice(nouns)}{rng.choice(nouns)}{rng.choice(ENDINGS)}" for _ in range(2)) + "."
        out.append(ThemeInput(f"r{i}", f"org{rng.randrange(30)}", text))
    return out


def timed(label: str, fn, *args, **kwargs):
    w0, c0 = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    print(f"  {label:<62} {wall:7.3f} s wall  {cpu:7.3f} s CPU")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    timed("Voikko start (first use)", themes.check_lemmatiser)
    pool = sentences()
    items = answers(args.answers, rng, pool)
    words = sum(len(it.text.split()) for it in items)
    print(f"{len(items)} answers, {words} words ({words / len(items):.1f} per answer), "
          f"{len(pool)} distinct sentences, 30 organisations")

    for r in range(args.repeat):
        themes.analyse_word.cache_clear()
        found = timed(f"find_themes, cold word cache (run {r + 1})", find_themes, items)
        timed(f"find_themes, warm word cache (run {r + 1})", find_themes, items)
    forms = themes.analyse_word.cache_info().currsize
    print(f"  distinct word forms: {forms}; top themes: {', '.join(t.label for t in found[:10])}")

    nouns = sorted({w.lemma for it in items[:2000] for w in themes.analyse_text(it.text)
                    if w is not None and w.kind == themes.NOUN and w.head is None and "-" not in w.lemma})
    fresh = answers(args.answers, rng, pool, nouns)
    for r in range(args.repeat):
        themes.analyse_word.cache_clear()
        timed(f"find_themes, 2 new word forms in every answer (run {r + 1})", find_themes, fresh)
    print(f"  distinct word forms: {themes.analyse_word.cache_info().currsize}")

    notes = answers(300, rng, pool)
    timed("merge_near_duplicates, 300 notes", merge_near_duplicates, notes)
    timed(f"merge_near_duplicates, {len(items)} answers", merge_near_duplicates, items)


if __name__ == "__main__":
    main()
