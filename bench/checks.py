"""The benchmarks' statistics, report table and end checks: every acknowledged save is stored in
the bot's database, one reply per acknowledged message turn."""

from __future__ import annotations

import math
import statistics
from collections import Counter

from bench.harness import TARGETS, TEXT_QUESTION, Rep, Result
from bench.stores import Store, as_json


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f}"


def report(results: dict[tuple[str, int], Result], levels: list[int]) -> list[str]:
    lines = []
    header = (f"{'target':31} {'conc':>4} {'n':>6} {'errors':>6} {'srv p50':>8} {'srv p99':>8} "
              f"{'cli p50':>8} {'cli p99':>8} {'req/s':>8} {'srv CPU':>8} {'srv CPU':>7} {'cli CPU':>7}")
    units = f"{'':31} {'':>4} {'':>6} {'':>6} {'ms':>8} {'ms':>8} {'ms':>8} {'ms':>8} {'':>8} {'ms/req':>8} {'%':>7} {'%':>7}"
    lines += [header, units, "-" * len(header)]
    for level in levels:
        for target in TARGETS:
            r = results.get((target.key, level))
            if r is None or r.n == 0:
                continue
            lines.append(
                f"{target.label:31} {level:>4} {r.n:>6} {sum(r.errors.values()):>6} "
                f"{ms(statistics.median(r.server))} {ms(percentile(r.server, 0.99))} "
                f"{ms(statistics.median(r.client))} {ms(percentile(r.client, 0.99))} "
                f"{r.n / r.wall:8.1f} {ms(r.server_cpu / r.n)} {100 * r.server_cpu / r.wall:7.0f} "
                f"{100 * r.client_cpu / r.wall:7.0f}"
            )
        lines.append("")
    return lines


# Database check -------------------------------------------------------------------------------


async def verify_database(store: Store, round_id: str, reps: list[Rep]) -> list[str]:
    """Every acknowledged save is stored: per organisation, the stored version equals the number of
    acknowledged saves (each changed answers), there is one audit row per version, and the stored
    answer is the last acknowledged one."""
    expected: dict[str, tuple[int, Rep | None]] = {}
    for rep in reps:
        acked, last = expected.get(rep.organisation, (0, None))
        if rep.acked and (last is None or rep.last_acked_at > last.last_acked_at):
            last = rep
        expected[rep.organisation] = (acked + rep.acked, last)
    rows = {
        org: (version, as_json(answers), changes)
        for org, version, answers, changes in await store.query(
            "SELECT r.organisation_id, r.version, r.answers, "
            "(SELECT count(*) FROM response_changes c WHERE c.response_id = r.id) "
            "FROM responses r WHERE r.round_id = ?", (round_id,))
    }
    problems = []
    for org, (acked, last) in expected.items():
        version, answers, changes = rows.get(org, (0, {}, 0))
        if version != acked:
            problems.append(f"{org}: stored version {version}, acknowledged saves {acked}")
        if changes != version:
            problems.append(f"{org}: {changes} audit rows for version {version}")
        if last is not None and answers.get(TEXT_QUESTION) != last.last_answer:
            problems.append(f"{org}: stored answer {answers.get(TEXT_QUESTION)!r}, "
                            f"last acknowledged {last.last_answer!r}")
    return problems


def print_errors(errors: Counter) -> None:
    print(f"  errors: {sum(errors.values())}  target 0: {'PASS' if not errors else 'FAIL'}")
    for error, count in errors.most_common():
        print(f"    {count:6}  {error}")


async def print_checks(store: Store, round_id: str, reps: list[Rep], connector_count: int, messages_acknowledged: int) -> bool:
    """The database check (`verify_database`) and the connector's reply count; True if both pass."""
    problems = await verify_database(store, round_id, reps)
    acked = sum(r.acked for r in reps)
    print(f"  database: {acked} acknowledged saves over {len({r.organisation for r in reps if r.acked})} "
          f"organisations; "
          + ("every one stored (version = acknowledged saves, one audit row each): PASS" if not problems
             else f"{len(problems)} problems: FAIL"))
    for problem in problems[:20]:
        print(f"    {problem}")
    replies_ok = connector_count == messages_acknowledged
    print(f"  connector: {connector_count} replies received for {messages_acknowledged} "
          f"acknowledged message turns: {'PASS' if replies_ok else 'FAIL'}")
    return not problems and replies_ok
