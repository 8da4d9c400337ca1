"""Benchmark of the survey summary and both exports (hyte/results.py, hyte/exports.py), one core.

    .venv/bin/python -m bench.results [--scales 25,250,2500,10000] [--repeat 3]

For each scale N it builds a round of N organisations (the demo round's, then generated ones),
every one with a submitted response answering every question (free texts drawn from the theme
fixtures), and 12·N workshop notes (300 at the real size of 25), and times, in this process:
  * summarise (status, distributions, ranking, methods, free-text themes via hyte.themes);
  * the summary cards (cards/results.py, split under 80 KB);
  * write_xlsx and write_docx (with matplotlib charts).
10,000 responses and 120,000 notes is the national-scale store read whole (the per-round figure a
real summary needs is the 25-organisation row; a store of many rounds is filtered by the
database's index before any of this runs). Prints the best of `--repeat` wall-clock seconds and
the growth against the first scale; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from cards.catalogue import t
from cards.results import summary_cards
from hyte.exports import ExportNote, write_docx, write_xlsx
from hyte.responses import Response, ResponseKey
from hyte.results import summarise
from hyte.round import Category, Organisation, Round, load_round
from hyte.survey import MethodsQuestion, MultiChoiceQuestion, ScaleQuestion, SingleChoiceQuestion, TextQuestion

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2024, 5, 20, 12, 0, tzinfo=UTC)


def texts() -> list[str]:
    try:
        from bench.themes import sentences
        found = sentences()
    except Exception:  # the theme fixtures missing: plain generated sentences
        found = []
    return found or [f"Yhteistyö kuntien ja järjestöjen kanssa vahvistuu {i}." for i in range(200)]


def make_round(size: int) -> Round:
    base = load_round(ROOT / "config" / "pohjois-savo" / "round.yaml", today=date(2024, 5, 1))
    organisations = list(base.config.organisations)
    categories = list(Category)
    for i in range(len(organisations), size):
        organisations.append(Organisation(id=f"org_{i}", name=f"Organisaatio {i}", category=categories[i % 4]))
    config = base.config.model_copy(update={"organisations": tuple(organisations[:size])})
    return Round(config=config, survey=base.survey)


def answers_for(round_: Round, rng: random.Random, pool: list[str]) -> dict:
    out: dict = {}
    for question in round_.survey.questions:
        match question:
            case SingleChoiceQuestion():
                out[question.id] = rng.choice(question.options).id
            case ScaleQuestion():
                out[question.id] = rng.randint(question.min, question.max)
            case MultiChoiceQuestion():
                goals = [o.id for o in question.options if not o.exclusive and not o.needs_text]
                out[question.id] = {"selected": rng.sample(goals, 3) + ["other"], "other": rng.choice(pool)[:200]}
            case MethodsQuestion():
                out[question.id] = {"none": False, "areas": {
                    area.id: {"name": rng.choice(pool)[:60], "description": rng.choice(pool), "level": "good_practice"}
                    for area in rng.sample(list(question.areas), 2)
                }}
            case TextQuestion():
                out[question.id] = " ".join(rng.sample(pool, 2))[: question.max_length]
    return out


def build(size: int, pool: list[str], seed: int = 1):
    rng = random.Random(seed)
    round_ = make_round(size)
    responses = []
    for organisation in round_.config.organisations:
        a = answers_for(round_, rng, pool)
        responses.append(Response(ResponseKey(round_.tenant_id, round_.id, organisation.id), a, a, 2, NOW, "X", NOW, "X"))
    notes = [
        ExportNote(f"Ryhmä {i % 5 + 1}", f"{i % 3 + 1}.", f"Osallistuja {i % 40}", NOW - timedelta(minutes=i), rng.choice(pool), i % 4)
        for i in range(12 * size)
    ]
    return round_, responses, notes


def best(repeat: int, fn) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="25,250,2500,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pool = texts()
    started = time.perf_counter()
    write_docx(summarise(*build(25, pool)[:2], NOW), make_round(25).survey, "x", [], t)  # warm: imports, fonts
    print(f"warm-up (imports, matplotlib fonts, Voikko): {time.perf_counter() - started:.2f} s")
    rows = []
    print(f"{'responses':>9} {'notes':>7} {'summary s':>10} {'cards s':>8} {'xlsx s':>8} {'docx s':>8}")
    for size in [int(s) for s in args.scales.split(",")]:
        round_, responses, notes = build(size, pool)
        s_time, summary = best(args.repeat, lambda: summarise(round_, responses, NOW))
        c_time, _ = best(args.repeat, lambda: summary_cards(summary, round_.config.county))
        x_time, _ = best(max(1, args.repeat if size <= 2500 else 1), lambda: write_xlsx(summary, round_.survey, notes, t))
        d_time, _ = best(max(1, args.repeat if size <= 2500 else 1), lambda: write_docx(summary, round_.survey, round_.config.county, [], t))
        rows.append((size, s_time, c_time, x_time, d_time))
        print(f"{size:>9} {len(notes):>7} {s_time:>10.3f} {c_time:>8.3f} {x_time:>8.3f} {d_time:>8.3f}")
    base = rows[0]
    print("growth against the first scale (time ratio / size ratio; 1.0 = linear):")
    for size, *times in rows[1:]:
        factor = size / base[0]
        print(f"  x{factor:>6.0f}: " + "  ".join(
            f"{name} {(t_ / b) / factor:.2f}" for name, t_, b in zip(("summary", "cards", "xlsx", "docx"), times, base[1:])
        ))


if __name__ == "__main__":
    main()
