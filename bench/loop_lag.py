"""Event-loop lag while a national-size summary and export are built (issue 15).

    .venv/bin/python -m bench.loop_lag [--stores sqlite,postgresql] [--requests 3000] [--concurrency 50]
                                       [--organisations 575] [--notes-per-organisation 12]

For each store (a temporary SQLite file; a fresh PostgreSQL database on the tests' server, dropped
afterwards): the database is migrated and filled (bench/results.py's bulk rows) with one round of
`--organisations` organisations, every one but the clicking representatives' with submitted
answers to every question, and a stopped workshop with 12 notes per organisation (575 x 12 =
6,900 notes: about every county of Finland in one round). Our bot (bench.servers hyte) and the
connector stand-in are started; 200 representatives open the survey. Then two parts, each
`--requests` survey saves ("Tallenna luonnos") by `--concurrency` workers (bench/harness.py):

1. quiet: only the saves;
2. heavy: the same while the HYTE team's Sanna asks, again and again until the saves are done,
   for the survey summary (`yhteenveto kysely`: every answer lemmatised, the result cards) and the
   export (`vienti`: the Excel and the Word file built, the workshop's notes consolidated).

Printed per store and part: saves, errors, the server-side p50/p99 of the saves, and our bot's
event-loop lag (max, p99; bench/servers.py's monitor); and how many summaries and exports the
connector stand-in received. Targets: lag max < 20 ms in the heavy part, the saves' p99 in the
heavy part not above the quiet part's (+ the noise of the machine: printed, judged by eye).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.checks import percentile
from bench.harness import TARGETS, Bench, Client, Result, open_surveys, representatives, rotating_workers, run_phase, write_round
from bench.processes import DEMO_ROUND, NOW, TODAY, start_server
from bench.stores import DEFAULT_POSTGRES, make_store
from loopback.teams import TeamsEnv, TeamsUser, personal_message

SANNA = TeamsUser("00000000-0000-0000-0000-0000000000b1", "Sanna Laine", upn="sanna.laine@example.fi")
PEOPLE = 200
LAG_MAX = 0.020


async def fill(store_url: str, round_file: Path, skip: set[str], notes_per_organisation: int) -> tuple[int, int]:
    """Migrate, then the round's responses (but for `skip`'s organisations) and its workshop."""
    from sqlalchemy import insert

    from bench.results import response_rows, texts, workshop_rows
    from hyte.round import load_round
    from storage.db import Database, migrate
    from storage.models import ResponseRow, WorkshopGroupRow, WorkshopNoteRow, WorkshopReactionRow, WorkshopRow

    round_ = load_round(round_file, today=TODAY)
    database = Database.connect(store_url)
    try:
        await migrate(database.engine)
        rng, pool = random.Random(15), texts()
        rows = [r for r in response_rows(round_, rng, pool, []) if r["organisation_id"] not in skip]
        notes = notes_per_organisation * len(round_.config.organisations)
        workshop, groups, note_rows, reactions = workshop_rows(1, round_.tenant_id, round_.id, notes, rng, pool)
        async with database.engine.begin() as connection:
            await connection.execute(insert(ResponseRow), rows)
            await connection.execute(insert(WorkshopRow), [workshop])
            await connection.execute(insert(WorkshopGroupRow), groups)
            await connection.execute(insert(WorkshopNoteRow), note_rows)
            if reactions:
                await connection.execute(insert(WorkshopReactionRow), reactions)
    finally:
        await database.dispose()
    return len(rows), len(note_rows)


async def settled(client: Client, connector_url: str, at_least: int, quiet: float = 0.5) -> None:
    """Until the connector stand-in has received `at_least` messages and then nothing for `quiet` s."""
    last, since = -1, time.perf_counter()
    while True:
        count = (await client.get_json(connector_url + "/_bench/count"))["activities"]
        if count != last:
            last, since = count, time.perf_counter()
        elif count >= at_least and time.perf_counter() - since >= quiet:
            return
        await asyncio.sleep(0.05)


async def heavy_work(client: Client, url: str, connector_url: str, env: TeamsEnv, done: asyncio.Event) -> int:
    """Sanna asks for the summary, and when its cards have come, for the export, and so on until
    `done` (one summary or export being built at a time, as one HYTE team member would); how many
    of each."""
    asked = 0
    while not done.is_set():
        for text, messages in (("yhteenveto kysely", 2), ("vienti", 4)):
            before = (await client.get_json(connector_url + "/_bench/count"))["activities"]
            status, _body, _s = await client.post(url, personal_message(env, SANNA, text), "heavy")
            if status not in (200, 201):
                raise SystemExit(f"bench: {text!r} answered HTTP {status}")
            # The answer ("Kokoan …"), then the summary's cards (at least one), or the export's two
            # files' consent cards and a hint.
            await settled(client, connector_url, before + messages)
        asked += 1
    return asked


async def one_store(kind: str, args: argparse.Namespace) -> list[str]:
    workdir = Path(tempfile.mkdtemp(prefix="hyte-bench-lag-"))
    store = await make_store(argparse.Namespace(database=kind, postgres=args.postgres), workdir, "hyte_lag")
    round_file = workdir / "round.yaml"
    config, people = write_round(round_file, args.organisations - 25)
    shutil.copy(DEMO_ROUND.parent / "workshop.yaml", workdir / "workshop.yaml")
    people = people[:PEOPLE]
    servers = []
    try:
        responses, notes = await fill(store.bot_url, round_file, {org for _u, org in people}, args.notes_per_organisation)
        connector = await start_server("connector", workdir)
        servers.append(connector)
        hyte = await start_server("hyte", workdir, "--db", store.bot_url, "--round", str(round_file),
                                  "--today", TODAY.isoformat(), "--now", NOW, "--send-tenant-per-second", "100000")
        servers.append(hyte)
        env = TeamsEnv(service_url=connector.url + "/", tenant_id=config["tenant_id"])
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                         timeout=aiohttp.ClientTimeout(total=300)) as session:
            client = Client(session)
            bench = Bench(client, hyte, hyte, connector, env, config["id"], representatives(env, people))
            if not await open_surveys(bench):
                raise SystemExit("bench: opening the survey failed")
            workers = rotating_workers(bench.reps, args.concurrency)
            save = TARGETS[0]
            await run_phase(bench, save, workers, 200, "warmup", None)
            rows = []
            for part in ("quiet", "heavy"):
                await client.get_json(hyte.url + "/_bench/lag")
                before = (await client.get_json(connector.url + "/_bench/count"))["activities"]
                result = Result()
                done = asyncio.Event()
                heavy = (asyncio.create_task(heavy_work(client, hyte.url, connector.url, env, done))
                         if part == "heavy" else None)
                started = time.perf_counter()
                await run_phase(bench, save, workers, args.requests, part, result)
                done.set()
                asked = await heavy if heavy is not None else 0
                lag = await client.get_json(hyte.url + "/_bench/lag")
                seconds = time.perf_counter() - started
                sent = (await client.get_json(connector.url + "/_bench/count"))["activities"] - before
                rows.append(
                    f"  {kind:10} {part:6} {result.n:6} {sum(result.errors.values()):6} "
                    f"{statistics.median(result.server) * 1000:8.2f} {percentile(result.server, 0.99) * 1000:8.2f} "
                    f"{lag['max'] * 1000:8.2f} {lag['p99'] * 1000:8.2f} {seconds:6.1f} "
                    + (f"  {asked} summaries + {asked} exports asked, {sent} messages sent"
                       + f"; lag max < {LAG_MAX * 1000:.0f} ms: {'PASS' if lag['max'] < LAG_MAX else 'FAIL'}"
                       if part == "heavy" else ""))
        rows.insert(0, f"  {kind}: {len(config['organisations'])} organisations, {responses} stored responses, "
                       f"{notes} workshop notes; {store.describe()}")
        return rows
    finally:
        for server in servers:
            await server.stop()
        await store.drop(args.keep)
        if args.keep:
            print(f"bench: kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


async def run(args: argparse.Namespace) -> int:
    load_before = os.getloadavg()[0]
    lines = []
    for kind in args.stores:
        lines += await one_store(kind, args)
    print()
    print(f"Survey saves at concurrency {args.concurrency} ({args.requests} a part), quiet and while the "
          f"summary and the export are built again and again ({os.cpu_count()} CPUs)")
    print(f"  {'store':10} {'part':6} {'saves':>6} {'errors':>6} {'srv p50':>8} {'srv p99':>8} "
          f"{'lag max':>8} {'lag p99':>8} {'s':>6}")
    print("\n".join(lines))
    print(f"  load average before {load_before:.2f}, after {os.getloadavg()[0]:.2f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loop_lag", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--organisations", type=int, default=575)
    parser.add_argument("--notes-per-organisation", type=int, default=12)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    args.stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    if not args.stores or set(args.stores) - {"sqlite", "postgresql"} or args.organisations < PEOPLE + 25:
        parser.error("--stores: sqlite and/or postgresql; --organisations at least 225")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
