"""Benchmark of the Finnish theme finder (hyte/themes.py) on one core.

    .venv/bin/python -m bench.themes [--answers 10000] [--repeat 3] [--seed 1]
    .venv/bin/python -m bench.themes --print [--before REV]

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

With `--print`, it times nothing: it prints every free-text question's top themes for the
benchmark round, so that a person can judge them. The benchmark round is the demo round's survey
(config/pohjois-savo/) answered by every organisation of the labelled fixtures (themes_fi.yaml,
themes_annual_report_fi.yaml), each answer under the survey question its fixture names, with the
round's thesaurus; themes as the summary finds them (hyte.results.themes_of). `--before REV` also
prints what hyte/themes.py of git revision REV found for the same answers (as the summary of that
time called it), to compare.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

from hyte import finnish
from hyte.phrases import ThemeInput, merge_near_duplicates
from hyte.themes import find_themes
from hyte.text import cut

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

    timed("Voikko start (first use)", finnish.check_lemmatiser)
    pool = sentences()
    items = answers(args.answers, rng, pool)
    words = sum(len(it.text.split()) for it in items)
    print(f"{len(items)} answers, {words} words ({words / len(items):.1f} per answer), "
          f"{len(pool)} distinct sentences, 30 organisations")

    for r in range(args.repeat):
        finnish.analyse_word.cache_clear()
        found = timed(f"find_themes, cold word cache (run {r + 1})", find_themes, items)
        timed(f"find_themes, warm word cache (run {r + 1})", find_themes, items)
    forms = finnish.analyse_word.cache_info().currsize
    print(f"  distinct word forms: {forms}; top themes: {', '.join(t.label for t in found[:10])}")

    nouns = sorted({w.lemma for it in items[:2000] for w in finnish.analyse_text(it.text)
                    if w is not None and w.kind == finnish.NOUN and w.head is None and "-" not in w.lemma})
    fresh = answers(args.answers, rng, pool, nouns)
    for r in range(args.repeat):
        finnish.analyse_word.cache_clear()
        timed(f"find_themes, 2 new word forms in every answer (run {r + 1})", find_themes, fresh)
    print(f"  distinct word forms: {finnish.analyse_word.cache_info().currsize}")

    notes = answers(300, rng, pool)
    timed("merge_near_duplicates, 300 notes", merge_near_duplicates, notes)
    timed(f"merge_near_duplicates, {len(items)} answers", merge_near_duplicates, items)


# The benchmark round's top themes, for a person to judge ------------------------------------------

FIXTURE_QUESTIONS = {  # the fixtures' question names -> the survey's question ids
    "hyte_effectiveness": "hyte_effectiveness",
    "own_contribution": "organisation_actions",
    "monitoring_text": "annual_report_development",
    "ngo_good_practices": "ngo_good_practices",
    "ngo_at_best": "ngo_at_its_best",
    "ngo_to_discuss": "ngo_discussion_needs",
    "interfaces_text": "interfaces_strategy_goal",
}


def benchmark_round():
    """The demo round's survey and thesaurus, and per survey question the fixtures' answers, one
    per organisation (an organisation's answers to one question joined)."""
    from hyte.results import TextAnswer
    from hyte.round import Category, Organisation, load_round

    round_ = load_round(ROOT / "config" / "pohjois-savo" / "round.yaml", today=date(2024, 5, 1))
    survey = yaml.safe_load((FIXTURES / "themes_fi.yaml").read_text(encoding="utf-8"))["answers"]
    report = yaml.safe_load((FIXTURES / "themes_annual_report_fi.yaml").read_text(encoding="utf-8"))["answers"]
    rows = [(FIXTURE_QUESTIONS[r["question"]], r) for r in survey]
    rows += [("annual_report_development", r) for r in report]
    texts: dict[str, dict[str, list[str]]] = {}
    for question_id, r in rows:
        texts.setdefault(question_id, {}).setdefault(r["source"], []).append(r["text"])
    organisations = {}
    for _, r in rows:
        organisations.setdefault(r["source"], Organisation(
            id=re.sub(r"[^a-z0-9_]", "_", r["source"]), name=r["source"], category=Category.OTHER))
    answers = {
        question_id: [TextAnswer(organisations[source], " ".join(parts)) for source, parts in by_source.items()]
        for question_id, by_source in texts.items()
    }
    return round_, answers, len(organisations)


def themes_before(revision: str):
    """hyte/themes.py as it was at `revision`, loaded apart from the current one."""
    source = subprocess.run(["git", "show", f"{revision}:hyte/themes.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp(prefix="themes-before-")) / "themes_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("themes_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["themes_before"] = module
    spec.loader.exec_module(module)
    return module


def print_round_themes(before: str | None) -> None:
    from hyte.results import THEME_LIMIT, themes_of
    from hyte.survey import TextQuestion

    round_, answers, organisations = benchmark_round()
    old = themes_before(before) if before else None
    print(f"Benchmark round: the demo survey answered by {organisations} organisations of the labelled fixtures; "
          f"thesaurus: {len(round_.thesaurus.themes)} themes, {len(round_.thesaurus.stop_words)} stop words")
    for section in round_.survey.sections:
        for question in section.questions:
            if not isinstance(question, TextQuestion):
                continue
            mine = answers.get(question.id, [])
            print(f"\n## {section.title} {question.number}. {question.text} ({len(mine)} answers)")
            if old is not None:
                items = [old.ThemeInput(str(i), a.organisation.id, a.text) for i, a in enumerate(mine)]
                found = sorted(old.find_themes(items, min_sources=2, limit=THEME_LIMIT) if len(mine) >= 2 else [],
                               key=lambda t: -len(t.sources))
                print(f"before ({before}):")
                for n, theme in enumerate(found, 1):
                    quotes = " | ".join(f"”{cut(items[int(q)].text, 60, one_line=True)}”" for q in theme.quotes)
                    print(f"  {n:2}. {theme.label}: {len(theme.sources)}   {quotes}")
                if not found:
                    print("   (no themes)")
                print("after:")
            for n, theme in enumerate(themes_of(mine, question=question.text, thesaurus=round_.thesaurus), 1):
                quotes = " | ".join(f"”{cut(q.text, 60, one_line=True)}” ({q.organisation.id})" for q in theme.quotes)
                print(f"  {n:2}. {theme.label}: {theme.count}   [{theme.key}]   {quotes}")


if __name__ == "__main__":
    if "--print" in sys.argv[1:]:
        parser = argparse.ArgumentParser(description="the benchmark round's top themes")
        parser.add_argument("--print", action="store_true")
        parser.add_argument("--before", metavar="REV", help="also the themes hyte/themes.py of this git revision finds")
        print_round_themes(parser.parse_args().before)
    else:
        main()
