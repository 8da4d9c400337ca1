"""Benchmark of survey card actions against a bare botbuilder echo bot (issue 2).

    .venv/bin/python -m bench.survey_actions [--requests 600] [--concurrency 1,50] [--slices 3]

Starts, each in its own process on 127.0.0.1: our bot (`app.create_app` over a temporary SQLite
file and a temporary round file that extends the demo round with generated organisations and
representatives), the botbuilder echo bot (bench/echo_bot.py, served by `CloudAdapter.process`),
and a Bot Connector stand-in for the bots' outgoing replies. This process is the load generator.

Measured, per concurrency level, interleaved in slices so that drift hits every target alike:
  * our card action: a representative presses "Tallenna luonnos" (adaptiveCard/action invoke,
    verb survey.step, move save) on a section card with changed answers, tracking the version
    from every returned card; 200 representatives of as many organisations, each concurrent
    worker going round its own share of them (`rotating_workers`);
  * echo invoke: an adaptiveCard/action invoke answered with a small card;
  * echo message: a message turn whose reply is POSTed to the connector stand-in;
  * our "kysely" message turn (for information: the section card sent as a reply).
Server-side latency comes from a timing middleware in the server processes (bench/servers.py).
Afterwards the SQLite database is checked: every acknowledged save must be stored.
Exit status: 0 unless a request failed or a check found a lost save (targets only print PASS/FAIL).
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
from pathlib import Path

import aiohttp

from bench.checks import print_checks, print_errors, report
from bench.harness import TARGETS, Bench, Client, Result, open_surveys, representatives, rotating_workers, run_phase, write_round
from bench.stores import add_store_options, make_store
from bench.processes import Server, add_server_options, finish, print_footer, start_servers
from loopback.teams import TeamsEnv


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.survey_actions", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400,
                        help="measured requests per target and concurrency level (default 400)")
    parser.add_argument("--concurrency", default="1,50", help="comma-separated levels (default 1,50)")
    parser.add_argument("--slices", type=int, default=3,
                        help="split each measurement into this many slices, interleaving the targets (default 3)")
    parser.add_argument("--warmup", type=int, default=100, help="warm-up requests per target at the top level, a tenth of it at c=1 (default 100)")
    parser.add_argument("--targets", default=",".join(t.key for t in TARGETS),
                        help="comma-separated subset of " + ", ".join(t.key for t in TARGETS) + " (default all)")
    parser.add_argument("--fast-msrest", action="store_true",
                        help="in BOTH servers, make msrest's ClientRetryPolicy list build cheap (see README); "
                             "shows the bots without that per-turn botbuilder cost")
    add_server_options(parser)
    add_store_options(parser)
    args = parser.parse_args(argv)
    known = {t.key for t in TARGETS}
    args.targets = [k.strip() for k in args.targets.split(",") if k.strip()]
    if not args.targets or set(args.targets) - known:
        parser.error(f"--targets: choose from {sorted(known)}")
    args.levels = sorted({int(c) for c in args.concurrency.split(",") if c.strip()})
    if not args.levels or min(args.levels) < 1:
        parser.error("--concurrency needs positive integers")
    if args.requests < args.slices or args.slices < 1:
        parser.error("--requests must be at least --slices")
    return args


async def run(args: argparse.Namespace) -> int:
    targets = [t for t in TARGETS if t.key in args.targets]
    workdir = Path(tempfile.mkdtemp(prefix="hyte-bench-"))
    round_file = workdir / "round.yaml"
    store = await make_store(args, workdir)
    config, people = write_round(round_file, max(200, 4 * max(args.levels)))
    servers: list[Server] = []
    exit_code = 0
    try:
        connector, hyte, echo = await start_servers(
            workdir, round_file, store.bot_url, profile=args.profile, fast_msrest=args.fast_msrest,
            hyte_extra=("--send-tenant-per-second", str(args.send_tenant_per_second)))
        servers = [connector, hyte, echo]
        env = TeamsEnv(service_url=connector.url + "/", tenant_id=config["tenant_id"])
        reps = representatives(env, people[: max(200, 4 * max(args.levels))])
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as session:
            bench = Bench(Client(session), hyte, echo, connector, env, config["id"], reps)
            started = time.perf_counter()
            load_before = os.getloadavg()

            if not await open_surveys(bench):
                return 1

            # Warm-up (not measured): the top concurrency level, then one-by-one.
            warmup_errors: Counter = Counter()
            for target in targets:
                for level in (max(args.levels), 1):
                    count = args.warmup if level > 1 else max(1, args.warmup // 10)
                    result = Result()
                    await run_phase(bench, target, rotating_workers(reps, level), count, "warmup", result)
                    warmup_errors.update(result.errors)

            results: dict[tuple[str, int], Result] = {}
            for level in args.levels:
                per_slice = [args.requests // args.slices + (1 if i < args.requests % args.slices else 0)
                             for i in range(args.slices)]
                for i, count in enumerate(per_slice):
                    order = targets[i % len(targets):] + targets[: i % len(targets)]
                    for target in order:
                        result = results.setdefault((target.key, level), Result())
                        await run_phase(bench, target, rotating_workers(reps, level), count, f"{target.key}-c{level}",
                                        result)
                print(f"bench: concurrency {level} done ({time.perf_counter() - started:.0f} s)", flush=True)

            connector_count = (await bench.client.get_json(connector.url + "/_bench/count"))["activities"]
        await hyte.stop()  # so that every write is checkpointed and the profile written

        print()
        print(f"Survey card actions vs. a bare botbuilder echo bot ({os.cpu_count()} CPUs, "
              f"{args.requests} requests per row, {args.slices} interleaved slices, "
              f"server-side latency from a middleware in each server process"
              f"{'; msrest retry-policy patch in both servers' if args.fast_msrest else ''})")
        print()
        for line in report(results, args.levels):
            print(line)

        total_errors = Counter()
        for key, result in results.items():
            for error, count in result.errors.items():
                total_errors[f"{key[0]} c={key[1]}: {error}"] += count
        for error, count in warmup_errors.items():
            total_errors[f"warm-up: {error}"] += count

        print("Ratios and targets (issue 2):")
        top = max(args.levels)
        for level in args.levels:
            ours, echo_r = results.get(("save", level)), results.get(("echo_invoke", level))
            if not (ours and echo_r):
                continue
            srv = statistics.median(ours.server) / statistics.median(echo_r.server)
            cli = statistics.median(ours.client) / statistics.median(echo_r.client)
            # Alone (c=1) the server-side time is the service time. Under load it is not comparable:
            # an awaiting handler's window includes other requests' work, a never-awaiting one's
            # does not (its requests queue before the handler), so judge end-to-end time there.
            side, ratio = ("server side", srv) if level == 1 else ("client side, incl. queueing", cli)
            print(f"  c={level:<3} median card action / median echo invoke: server side {srv:5.2f}x, "
                  f"client side {cli:5.2f}x;  target <= 2x ({side}): {'PASS' if ratio <= 2.0 else 'FAIL'}")
        for level in args.levels:
            ours, msg = results.get(("save", level)), results.get(("echo_message", level))
            if ours and msg:
                print(f"  c={level:<3} median card action / median echo message turn: server side "
                      f"{statistics.median(ours.server) / statistics.median(msg.server):5.2f}x, client side "
                      f"{statistics.median(ours.client) / statistics.median(msg.client):5.2f}x  (information)")
        ours, echo_r, msg = results.get(("save", top)), results.get(("echo_invoke", top)), results.get(("echo_message", top))
        if ours and echo_r:
            ratio = (ours.n / ours.wall) / (echo_r.n / echo_r.wall)
            print(f"  c={top:<3} throughput card action / echo invoke: {ratio:5.2f}  "
                  f"({ours.n / ours.wall:.1f} vs {echo_r.n / echo_r.wall:.1f} req/s)  "
                  f"target >= 0.5: {'PASS' if ratio >= 0.5 else 'FAIL'}")
        if ours and msg:
            print(f"  c={top:<3} throughput card action / echo message turn: "
                  f"{(ours.n / ours.wall) / (msg.n / msg.wall):5.2f}  (information)")
        print_errors(total_errors)
        checks_ok = await print_checks(store, config["id"], reps, connector_count, bench.messages_acknowledged)
        print_footer(started, load_before, workdir if args.profile else None)
        if total_errors or not checks_ok:
            exit_code = 1
    finally:
        await finish(servers, workdir, args.keep or exit_code != 0)
        await store.drop(args.keep or exit_code != 0)
    return exit_code


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
