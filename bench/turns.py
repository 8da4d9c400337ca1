"""Benchmark of our bot's turns against a bare botbuilder echo bot (issue 7).

    .venv/bin/python -m bench.turns [--rounds 1000] [--requests 800] [--concurrency 50] [--slices 8]
                                    [--warmup 100] [--profile] [--keep] [--phases]
                                    [--database postgresql [--postgres URL]]

`--database postgresql`: our bot over a fresh PostgreSQL database made for the run on the tests'
server (bench/stores.py; dropped afterwards unless kept), the same table printed. `--phases`: where
a request's time goes in the database layer (bench/phases.py: pool checkout, ping, statement
compile, BEGIN/COMMIT/ROLLBACK, prepare, asyncpg's type introspection, execute; round trips per
request), per request of the latency part.

About 1.5 minutes on 2 cores with the defaults. The same three server processes on 127.0.0.1 as
bench/processes.py (its `start_servers`): our bot (`app.create_app` over a temporary SQLite
file and a temporary round file: the demo round plus generated organisations, one representative
each), the botbuilder echo bot (bench/echo_bot.py) and a Bot Connector stand-in that receives and
counts the bots' replies. This process is the load generator. The four targets are those of
bench/harness.py: our card action (a representative presses "Tallenna luonnos": an
adaptiveCard/action invoke saving changed answers, the version tracked per representative from
every returned card), the echo bot's invoke (answered with a small card), the echo bot's message
turn and our "kysely" message turn (each reply POSTed to the connector stand-in).

A pool of max(200, 4 x concurrency) representatives, each with their own 1:1 conversation, opens
the survey first (concurrently; each learns the version from the card). Our bot limits outgoing
messages per conversation as Teams does (7 per second, 60 per 30 s), so requests go round the pool
and no conversation gets more than about one reply per second (nor, at today's speeds, near a
limit). Then, each part after a warm-up that is not measured (`--warmup` rounds, or requests per
target at the concurrency):

1. Latency, one request at a time: `--rounds` rounds; every round sends one request of each
   target, in an order rotated each round so that drift hits every target alike, all as the
   round's representative (round i: representative i mod pool size). Server-side median and p99
   come from the timing middleware in each server process (bench/servers.py; the handler's
   service time), client-side ones from this process (send to last byte). Targets, on the server
   side: our card action's median <= 0.4 x the echo invoke's median, our message turn's median <=
   0.5 x the echo message turn's; the p99 of each of ours <= 1.0 x the echo median it is compared
   with.
2. Throughput at `--concurrency` (50) workers, each one request at a time: worker w goes round
   the representatives w, w + 50, w + 100, w + 150 (at 50 workers; one per request), so no two workers ever act
   as the same representative at once. `--requests` per target, split into `--slices` slices;
   the four targets take turns slice by slice in a rotating order. Requests per second = requests
   completed / wall time of the slices. Targets: card action >= 2.0 x echo invoke, message turn
   >= 2.0 x echo message turn. All representatives are in the round's one tenant, and Teams lets
   an app make about 50 calls per second per tenant (replies included); our bot keeps to that
   limit (HYTE_SEND_TENANT_PER_SECOND), the echo bot does not. To measure what the bot itself can
   do, the bench raises our bot's limit to `--send-tenant-per-second` (default 100000); in Teams
   both bots' message turns would be capped near 50 per second per tenant.
3. Event-loop lag of each bot's process during part 1 and during part 2 (bench/servers.py: a task
   in the server's loop sleeps 5 ms again and again; lag = how late it wakes up; max and p99 over
   the wake-ups). Target: our bot's max < 20 ms in both parts; the echo bot's is printed for
   comparison.
4. Peak resident memory (VmHWM from /proc/<pid>/status) of each bot's process, read at the end.

Checks, as in bench/checks.py: every acknowledged save is stored in the database, the
connector stand-in received one reply per acknowledged message turn, and no request failed
(warm-up included). Exit status: 0 unless a request failed or a check failed; the targets only
print PASS/FAIL. `--profile` runs our bot under cProfile (do not read the figures of such a run);
`--keep` keeps the temporary directory (database, round file, server logs).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import aiohttp

from bench.checks import ms, percentile, print_checks, print_errors, report
from bench.harness import (
    DEMO_PEOPLE, TARGETS, Bench, Client, Outcome, Rep, Result, open_surveys, representatives, rotating_workers,
    run_phase, write_round,
)
from bench.stores import add_store_options, make_store
from bench.processes import Server, add_server_options, finish, print_footer, start_servers
from loopback.teams import TeamsEnv

MIN_REPS = 200
ROTATION = 4
"""Each throughput worker goes round this many representatives."""
LAG_MAX = 0.020


def p99(values: list[float]) -> float:
    return percentile(values, 0.99)


LATENCY_GOALS: tuple[tuple[str, str, Callable[[list[float]], float], str, float], ...] = (
    ("card action median / echo invoke median", "save", statistics.median, "echo_invoke", 0.4),
    ("message turn median / echo message median", "kysely", statistics.median, "echo_message", 0.5),
    ("card action p99 / echo invoke median", "save", p99, "echo_invoke", 1.0),
    ("message turn p99 / echo message median", "kysely", p99, "echo_message", 1.0),
)
"""(label, ours, statistic of ours, echo target compared with by its median, the most allowed)"""
THROUGHPUT_GOALS: tuple[tuple[str, str, str, float], ...] = (
    ("card action / echo invoke", "save", "echo_invoke", 2.0),
    ("message turn / echo message turn", "kysely", "echo_message", 2.0),
)
"""(label, ours, echo target, the least allowed ratio of requests per second)"""


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


# Measurements ---------------------------------------------------------------------------------


def record(result: Result, outcome: Outcome) -> None:
    result.n += 1
    result.client.append(outcome.seconds)
    if not outcome.ok:
        result.errors[outcome.error] += 1


async def latency_rounds(bench: Bench, first: int, count: int, tag: str) -> dict[str, Result]:
    """Rounds `first` .. `first + count - 1`, one request at a time: every target once per round,
    in an order rotated each round, as the round's representative."""
    results = {target.key: Result() for target in TARGETS}
    for i in range(first, first + count):
        rep = bench.reps[i % len(bench.reps)]
        shift = i % len(TARGETS)
        for target in TARGETS[shift:] + TARGETS[:shift]:
            record(results[target.key], await target.op(bench)(rep, f"{tag}-{target.key}"))
    samples = {server.kind: (await bench.client.get_json(server.url + "/_bench/samples"))["samples"]
               for server in (bench.hyte, bench.echo)}
    for target in TARGETS:
        results[target.key].server.extend(samples[target.server].get(f"{tag}-{target.key}", []))
    return results


async def throughput(bench: Bench, workers: list[Iterator[Rep]], requests: int, slices: int,
                     tag: str) -> dict[str, Result]:
    """`requests` per target by the workers, in `slices` slices taking turns in a rotating order."""
    results = {target.key: Result() for target in TARGETS}
    for i in range(slices):
        count = requests // slices + (1 if i < requests % slices else 0)
        shift = i % len(TARGETS)
        for target in TARGETS[shift:] + TARGETS[:shift]:
            await run_phase(bench, target, workers, count, f"{tag}-{target.key}", results[target.key])
    return results


@dataclass
class Lag:
    wakeups: int
    max: float
    p99: float


async def take_lag(client: Client, server: Server) -> Lag:
    """The server's event-loop lag since the previous call (which this one resets)."""
    lag = await client.get_json(server.url + "/_bench/lag")
    return Lag(lag["n"], lag["max"], lag["p99"])


async def take_lags(client: Client, servers: tuple[Server, ...]) -> dict[str, Lag]:
    return {server.kind: await take_lag(client, server) for server in servers}


def peak_rss_mib(server: Server) -> float:
    """VmHWM (peak resident set size) of the server process, in MiB."""
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for pid {server.process.pid}")


# Report ---------------------------------------------------------------------------------------


def print_latency(results: dict[str, Result]) -> None:
    header = f"  {'target':31} {'n':>6} {'errors':>6} {'srv p50':>8} {'srv p99':>8} {'cli p50':>8} {'cli p99':>8}"
    print(header)
    print(f"  {'':31} {'':>6} {'':>6} {'ms':>8} {'ms':>8} {'ms':>8} {'ms':>8}")
    print("  " + "-" * (len(header) - 2))
    for target in TARGETS:
        r = results[target.key]
        print(f"  {target.label:31} {r.n:>6} {sum(r.errors.values()):>6} "
              f"{ms(statistics.median(r.server))} {ms(p99(r.server))} "
              f"{ms(statistics.median(r.client))} {ms(p99(r.client))}")
    print()
    for label, ours, of, theirs, limit in LATENCY_GOALS:
        srv = of(results[ours].server) / statistics.median(results[theirs].server)
        cli = of(results[ours].client) / statistics.median(results[theirs].client)
        print(f"  {label:43} server side {srv:5.2f}x (client side {cli:5.2f}x); "
              f"target <= {limit}x: {verdict(srv <= limit)}")


def print_throughput(results: dict[str, Result], concurrency: int) -> None:
    for line in report({(key, concurrency): r for key, r in results.items()}, [concurrency]):
        print("  " + line if line else line)
    for label, ours, theirs, least in THROUGHPUT_GOALS:
        mine, other = results[ours].n / results[ours].wall, results[theirs].n / results[theirs].wall
        print(f"  {label:33} {mine / other:5.2f}x ({mine:.1f} vs {other:.1f} req/s); "
              f"target >= {least}x: {verdict(mine / other >= least)}")


def print_lags(lags: dict[str, dict[str, Lag]]) -> None:
    for kind, name in (("hyte", "our bot"), ("echo", "echo bot")):
        for part, by_kind in lags.items():
            lag = by_kind[kind]
            goal = f"target max < {LAG_MAX * 1000:.0f} ms: {verdict(lag.max < LAG_MAX)}" if kind == "hyte" else "(comparison)"
            print(f"  {name:8} {part:16} max {ms(lag.max)} ms, p99 {ms(lag.p99)} ms "
                  f"({lag.wakeups} wake-ups); {goal}")


def print_phases(phases: dict) -> None:
    """Per request of the latency part, our targets: time (ms) and count of each phase (bench/phases.py)."""
    from bench.phases import PHASES, round_trips

    print(f"  {'target':10} " + " ".join(f"{p:>15}" for p in PHASES) + f" {'round trips':>12}")
    for key in ("save", "kysely"):
        totals = phases.get(f"latency-{key}")
        if not totals:
            continue
        n = totals["requests"]
        cells = []
        for phase in PHASES:
            seconds, count = totals["phases"].get(phase, (0.0, 0))
            cells.append(f"{seconds * 1000 / n:7.3f} ms {count / n:4.1f}x")
        print(f"  {key:10} " + " ".join(f"{c:>15}" for c in cells) + f" {round_trips(totals['phases']) / n:12.1f}")


def error_counts(parts: dict[str, dict[str, Result]]) -> Counter:
    errors: Counter = Counter()
    for part, results in parts.items():
        for key, result in results.items():
            for error, count in result.errors.items():
                errors[f"{part}, {key}: {error}"] += count
    return errors


# Main -----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.turns", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=1000,
                        help="measured rounds of the latency part, one request of each target per round (default 1000)")
    parser.add_argument("--requests", type=int, default=800,
                        help="measured requests per target of the throughput part (default 800)")
    parser.add_argument("--concurrency", type=int, default=50, help="workers of the throughput part (default 50)")
    parser.add_argument("--slices", type=int, default=8,
                        help="slices per target of the throughput part, the targets taking turns (default 8)")
    parser.add_argument("--warmup", type=int, default=100,
                        help="warm-up rounds before the latency part, and warm-up requests per target before "
                             "the throughput part (default 100)")
    add_server_options(parser)
    parser.add_argument("--phases", action="store_true",
                        help="per-phase timers in our bot (bench/phases.py), printed per request of the latency part")
    add_store_options(parser)
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.concurrency < 1 or args.warmup < 0:
        parser.error("--rounds and --concurrency must be positive, --warmup not negative")
    if args.requests < args.slices or args.slices < 1:
        parser.error("--requests must be at least --slices, and --slices positive")
    return args


async def measure(bench: Bench, args: argparse.Namespace, started: float) -> tuple[dict[str, dict[str, Result]],
                                                                                 dict[str, dict[str, Lag]]]:
    """The warm-ups and the two measured parts: results and event-loop lags by part."""
    bots = (bench.hyte, bench.echo)
    workers = rotating_workers(bench.reps, args.concurrency)
    parts: dict[str, dict[str, Result]] = {"latency warm-up": await latency_rounds(bench, 0, args.warmup, "warmup")}
    lags: dict[str, dict[str, Lag]] = {}

    await take_lags(bench.client, bots)
    if args.phases:
        await bench.client.get_json(bench.hyte.url + "/_bench/phases")  # forget the warm-up's
    parts["latency part"] = await latency_rounds(bench, args.warmup, args.rounds, "latency")
    lags["latency part"] = await take_lags(bench.client, bots)
    if args.phases:
        bench.phases = await bench.client.get_json(bench.hyte.url + "/_bench/phases")
    print(f"bench: latency part done ({time.perf_counter() - started:.0f} s)", flush=True)

    if args.warmup:
        parts["throughput warm-up"] = await throughput(bench, workers, args.warmup, 1, "warmup")
    await take_lags(bench.client, bots)
    parts["throughput part"] = await throughput(bench, workers, args.requests, args.slices, "throughput")
    lags["throughput part"] = await take_lags(bench.client, bots)
    print(f"bench: throughput part done ({time.perf_counter() - started:.0f} s)", flush=True)
    return parts, lags


async def run(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="hyte-bench-"))
    round_file = workdir / "round.yaml"
    store = await make_store(args, workdir)
    pool = max(MIN_REPS, ROTATION * args.concurrency)
    config, people = write_round(round_file, pool - len(DEMO_PEOPLE))
    servers: list[Server] = []
    exit_code = 0
    try:
        connector, hyte, echo = await start_servers(
            workdir, round_file, store.bot_url, profile=args.profile,
            hyte_extra=("--send-tenant-per-second", str(args.send_tenant_per_second))
            + (("--phases",) if args.phases else ()))
        servers = [connector, hyte, echo]
        env = TeamsEnv(service_url=connector.url + "/", tenant_id=config["tenant_id"])
        reps = representatives(env, people[:pool])
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as session:
            bench = Bench(Client(session), hyte, echo, connector, env, config["id"], reps)
            started = time.perf_counter()
            load_before = os.getloadavg()
            if not await open_surveys(bench):
                return 1
            parts, lags = await measure(bench, args, started)
            connector_count = (await bench.client.get_json(connector.url + "/_bench/count"))["activities"]
        memory = {server.kind: peak_rss_mib(server) for server in (hyte, echo)}
        await hyte.stop()  # so that every write is checkpointed and the profile written

        print()
        print(f"Our bot's turns vs. a bare botbuilder echo bot (issue 7; {os.cpu_count()} CPUs, {pool} "
              f"representatives, each in their own 1:1 conversation; our bot on {store.describe()})")
        print()
        print(f"1. Latency, one request at a time: {args.rounds} rounds, each sending every target once in a "
              f"rotated order (server side: the middleware in each server process)")
        print_latency(parts["latency part"])
        print()
        print(f"2. Throughput at concurrency {args.concurrency}: {args.requests} requests per target in "
              f"{args.slices} interleaved slices (srv p50/p99 under load include other requests' work)")
        print_throughput(parts["throughput part"], args.concurrency)
        print()
        print("3. Event-loop lag (a task sleeping 5 ms again and again; how late it wakes up)")
        print_lags(lags)
        print()
        print(f"4. Peak resident memory (VmHWM): our bot {memory['hyte']:.1f} MiB, "
              f"echo bot {memory['echo']:.1f} MiB (comparison)")
        if args.phases:
            print()
            print("5. Where a request's time goes (latency part; mean per request: ms in the phase, times per request)")
            print_phases(bench.phases)
        print()
        print("Checks:")
        errors = error_counts(parts)
        print_errors(errors)
        checks_ok = await print_checks(store, config["id"], reps, connector_count, bench.messages_acknowledged)
        print_footer(started, load_before, workdir if args.profile else None)
        if errors or not checks_ok:
            exit_code = 1
    finally:
        await finish(servers, workdir, args.keep or exit_code != 0)
        await store.drop(args.keep or exit_code != 0)
    return exit_code


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
