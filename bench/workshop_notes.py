"""Benchmark of the workshop (issue 3): breakout groups posting notes in their channels, then the
HYTE team's workshop summary.

    .venv/bin/python -m bench.workshop_notes [--groups 10] [--notes 500] [--concurrency 20] [--duplicates 0.1]

Starts, each in its own process on 127.0.0.1: our bot (`python -m bench.servers hyte`: the real
`app.create_app` over a temporary SQLite file, the demo round, a timing middleware) and a Bot
Connector stand-in (`python -m bench.workshop_notes connector`) that lists the board team's
channels and records the bot's posts. This process drives everything over HTTP as Teams would:

  1. a HYTE team member adds the bot to the board's team (General + `--groups` group channels);
  2. she starts the workshop in every group channel (the `workshop.start` card action); the bot
     posts the three questions in each channel;
  3. `--notes` notes are posted at `--concurrency` by 20 different people: replies under a
     question's post (70 %), top-level posts naming their question ("2. …", 20 %) and top-level
     posts naming none (10 %), Teams-shaped (HTML text, ";messageid=" conversations). On top,
     `--duplicates` of them are delivered a second time, concurrently with the rest, as Teams
     does when it retries;
  4. she asks for `yhteenveto työpaja` in General; the bot consolidates and posts the cards.

Printed: note-ingest latency (median, 99th percentile; server-side from the middleware and
client-side), throughput, the summary's time, its cards and their sizes. Checked afterwards in the
SQLite file: every note stored exactly once with its text and question, no duplicate rows, every
summary message under 80 KB. Exit status 0 unless a request failed or a check failed.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import random
import signal
import sqlite3
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bench.processes import DEMO_ROUND, in_workdir, start
from loopback.channel import TeamSpec, channel_message, team_update
from loopback.teams import TeamsEnv, TeamsUser, card_action

ROUND_ID = "pohjois-savo-demo"
TENANT = "00000000-0000-0000-0000-0000000000001"
TAG_HEADER = "X-Bench-Tag"
SANNA = TeamsUser("00000000-0000-0000-0000-0000000000b1", "Sanna Laine", upn="sanna.laine@example.fi")
DEMO_AUTHORS = [
    TeamsUser("00000000-0000-0000-0000-0000000000a1", "Maija Meikäläinen", upn="maija.meikalainen@example.fi"),
    TeamsUser("00000000-0000-0000-0000-0000000000a2", "Matti Virtanen", upn="matti.virtanen@example.fi"),
    TeamsUser("00000000-0000-0000-0000-0000000000a3", "Liisa Korhonen", upn="liisa.korhonen@example.fi"),
    TeamsUser("00000000-0000-0000-0000-0000000000a4", "Pekka Nieminen", upn="pekka.nieminen@example.fi"),
]
MAX_MESSAGE_BYTES = 80_000

SUBJECTS = (
    "Alueellinen järjestöfoorumi", "Järjestöavustusten jakajien yhteistyörakenne", "Yhdyspintasopimuksen roolit",
    "Kuntien HYTE-koordinaattorit", "Järjestöneuvoston viestintä", "Kevyemmät osallistumismahdollisuudet",
    "Yhteyshenkilö jokaiseen kuntaan", "Yhteiset tapahtumat", "Koulujen ja järjestöjen yhteistyö",
    "Hyvinvointialueen jalkautuminen", "Vastuunjako kunnan ja hyvinvointialueen välillä", "Yhteiset tavoitteet",
    "Teemaverkostojen työ", "Digitaaliset osallistumisen tavat", "Vapaaehtoisten tukeminen",
)
PREDICATES = (
    "tarvitaan", "pitää kirjata selkeästi", "kaipaa selkeyttä", "toimii jo hyvin", "vaatii resursseja",
    "pitäisi sopia yhdessä", "on tärkeä kehittämiskohde", "tulisi aloittaa pilotilla",
)
EXTRAS = (
    "koko maakunnassa", "pienemmille alueille", "kerran vuodessa", "seudullisesti", "kaikkiin kuntiin",
    "yhdessä järjestöjen kanssa", "ensi vuoden aikana", "ikäihmisten palveluissa", "nuorten kanssa",
)


# The connector stand-in (a process of its own) ------------------------------------------------------


def build_connector(team: dict[str, Any]) -> web.Application:
    counter = itertools.count(1_716_000_000_000)
    posts: list[dict[str, Any]] = []

    async def channels(request: web.Request) -> web.Response:
        if request.match_info["team"] != team["id"]:
            return web.json_response({"error": {"code": "NotFound", "message": "no such team"}}, status=404)
        return web.json_response({"conversations": team["channels"]})

    async def activity(request: web.Request) -> web.Response:
        raw = await request.read()
        new_id = str(next(counter))
        posts.append({
            "conversation": request.match_info["conversation"], "id": new_id, "bytes": len(raw),
            "kind": "reply" if "activity" in request.match_info else "send",
        })
        return web.json_response({"id": new_id}, status=201)

    async def recorded(_request: web.Request) -> web.Response:
        return web.json_response(posts)

    async def anything(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"error": {"code": "NotFound", "message": "not in the bench stand-in"}}, status=404)

    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_get("/v3/teams/{team}/conversations", channels)
    app.router.add_post("/v3/conversations/{conversation}/activities", activity)
    app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", activity)
    app.router.add_get("/_bench/posts", recorded)
    app.router.add_route("*", "/{tail:.*}", anything)
    return app


async def serve_connector(team_file: str) -> None:
    team = json.loads(Path(team_file).read_text(encoding="utf-8"))
    runner = web.AppRunner(build_connector(team), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
    await site.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"READY {site._server.sockets[0].getsockname()[1]}", flush=True)  # type: ignore[union-attr]
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


# The load -----------------------------------------------------------------------------------------------


@dataclass
class Planned:
    activity: dict[str, Any]
    channel_id: str
    question: str | None
    text: str


def plan_notes(
    rng: random.Random, env: TeamsEnv, team: TeamSpec, groups: list[str], posts: dict[str, list[str]], count: int,
) -> list[Planned]:
    questions = ("roles_and_responsibilities", "interface_work", "ngo_cooperation_structures")
    authors = DEMO_AUTHORS + [
        TeamsUser(f"00000000-0000-0000-0000-{0xbe0000000100 + i:012x}", f"Ryhmäläinen {i}") for i in range(16)
    ]
    planned = []
    for i in range(count):
        channel = groups[i % len(groups)]
        author = authors[rng.randrange(len(authors))]
        point = f"{rng.choice(SUBJECTS)} {rng.choice(PREDICATES)} {rng.choice(EXTRAS)}"
        kind = rng.random()
        if kind < 0.7:
            number = rng.randrange(3)
            text = f"{point} (muistiinpano {i})"
            activity = channel_message(env, author, team, channel, f"<p>{text}</p>", reply_to=posts[channel][number])
            planned.append(Planned(activity, channel, questions[number], text))
        elif kind < 0.9:
            number = rng.randrange(3)
            text = f"{number + 1}. {point} (muistiinpano {i})"
            activity = channel_message(env, author, team, channel, f"<p>{text}</p>")
            planned.append(Planned(activity, channel, questions[number], text))
        else:
            text = f"{point} (muistiinpano {i})"
            activity = channel_message(env, author, team, channel, f"<p>{text}</p>")
            planned.append(Planned(activity, channel, None, text))
    return planned


async def post(session: aiohttp.ClientSession, url: str, activity: dict[str, Any], tag: str) -> tuple[int, Any, float]:
    data = json.dumps(activity, ensure_ascii=False).encode()
    started = time.perf_counter()
    async with session.post(url + "/api/messages", data=data,
                            headers={"Content-Type": "application/json; charset=utf-8", TAG_HEADER: tag}) as resp:
        raw = await resp.read()
        status = resp.status
    elapsed = time.perf_counter() - started
    body = json.loads(raw) if raw and resp.content_type == "application/json" else raw.decode(errors="replace")
    return status, body, elapsed


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


async def run(args: argparse.Namespace, workdir: Path) -> int:
    rng = random.Random(args.seed)
    team = TeamSpec("19:benchboard00000000000000000000@thread.tacv2", "HYTE-neuvottelukunta", {
        f"Ryhmä {i}": f"19:benchgroup{i:02d}{'0' * 20}@thread.tacv2" for i in range(1, args.groups + 1)
    })
    team_file = workdir / "team.json"
    team_file.write_text(json.dumps({
        "id": team.team_id,
        "channels": [{"id": team.team_id}] + [{"id": cid, "name": name} for name, cid in team.channels.items()],
    }), encoding="utf-8")
    database = workdir / "hyte.db"
    connector = await start("connector", ["bench.workshop_notes", "connector", "--team", str(team_file)], workdir)
    profile = ["--profile", str(Path(args.profile).resolve())] if args.profile else []
    bot = await start(
        "hyte", ["bench.servers", "hyte", "--db", f"sqlite+aiosqlite:///{database}", "--round", str(DEMO_ROUND), *profile],
        workdir,
        env={"HYTE_REMINDER_POLL_SECONDS": "0", "LOG_LEVEL": "WARNING"},
    )
    print(f"servers up: hyte pid {bot.process.pid}, connector pid {connector.process.pid}; load {os.getloadavg()[0]:.2f}")
    env = TeamsEnv(service_url=connector.url + "/", tenant_id=TENANT)
    failures: list[str] = []
    try:
        timeout = aiohttp.ClientTimeout(total=120)
        async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
            # 1. install in the board's team; 2. start the workshop in every group channel
            status, _, _ = await post(session, bot.url, team_update(env, SANNA, team, "teamMemberAdded", members_added=[env.bot_id]), "setup")
            assert status in (200, 201), status
            groups = list(team.channels.values())
            status, body, start_time = await post(session, bot.url, card_action(
                env, SANNA, "workshop.start", {"verb": "workshop.start", "r": ROUND_ID, "ws.groups": ",".join(groups)},
            ), "setup")
            assert status == 200 and "Työpaja on aloitettu" in json.dumps(body, ensure_ascii=False), body
            async with session.get(connector.url + "/_bench/posts") as resp:
                recorded = await resp.json()
            posts = {g: [p["id"] for p in recorded if p["conversation"] == g] for g in groups}
            assert all(len(ids) == 3 for ids in posts.values()), posts
            print(f"workshop started: {len(groups)} groups, {sum(map(len, posts.values()))} question posts in "
                  f"{start_time * 1000:.0f} ms (client)")
            await session.get(bot.url + "/_bench/samples")  # forget the set-up samples

            # 3. the notes, and some delivered twice
            planned = plan_notes(rng, env, team, groups, posts, args.notes)
            again = rng.sample(planned, int(len(planned) * args.duplicates))
            deliveries = [(p.activity, "note") for p in planned] + [(p.activity, "duplicate") for p in again]
            rng.shuffle(deliveries)
            queue: asyncio.Queue = asyncio.Queue()
            for item in deliveries:
                queue.put_nowait(item)
            client_times: dict[str, list[float]] = {"note": [], "duplicate": []}

            async def worker() -> None:
                while not queue.empty():
                    activity, tag = queue.get_nowait()
                    status, body, elapsed = await post(session, bot.url, activity, tag)
                    if status not in (200, 201):
                        failures.append(f"{tag} {activity['id']}: HTTP {status} {str(body)[:200]}")
                    client_times[tag].append(elapsed)

            cpu0 = time.process_time()
            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(args.concurrency)))
            wall = time.perf_counter() - started
            client_cpu = time.process_time() - cpu0
            async with session.get(bot.url + "/_bench/samples") as resp:
                server = await resp.json()

            # 4. the summary, asked in General
            summary_activity = channel_message(env, SANNA, team, team.team_id, "yhteenveto työpaja", mention_bot=True)
            before = len(recorded := await (await session.get(connector.url + "/_bench/posts")).json())
            status, body, summary_client = await post(session, bot.url, summary_activity, "summary")
            if status not in (200, 201):
                failures.append(f"summary: HTTP {status} {str(body)[:200]}")
            async with session.get(bot.url + "/_bench/samples") as resp:
                summary_server = (await resp.json())["samples"].get("summary", [math.nan])[0]
            async with session.get(connector.url + "/_bench/posts") as resp:
                summary_posts = [p for p in (await resp.json())[before:] if p["conversation"] == summary_activity["conversation"]["id"]]
    finally:
        await bot.stop()
        await connector.stop()

    note_server = server["samples"].get("note", [])
    dup_server = server["samples"].get("duplicate", [])
    print()
    print(f"{len(planned)} notes in {args.groups} groups + {len(again)} duplicate deliveries at concurrency "
          f"{args.concurrency}: {len(deliveries) / wall:.0f} deliveries/s, wall {wall:.2f} s, "
          f"load generator CPU {100 * client_cpu / wall:.0f} %")
    print(f"{'':22}{'median':>10}{'p99':>10}{'max':>10}  (ms)")
    for label, values in (("note, server", note_server), ("note, client", client_times["note"]),
                          ("duplicate, server", dup_server), ("duplicate, client", client_times["duplicate"])):
        if values:
            print(f"{label:22}{statistics.median(values) * 1000:10.1f}{percentile(values, 0.99) * 1000:10.1f}"
                  f"{max(values) * 1000:10.1f}")
    sizes = [p["bytes"] for p in summary_posts]
    print(f"summary: {summary_server * 1000:.0f} ms server, {summary_client * 1000:.0f} ms client; "
          f"{len(summary_posts)} card message(s) of {', '.join(f'{s / 1000:.1f} KB' for s in sizes)}")

    # Checks in the database
    checks: list[tuple[str, bool]] = []
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT channel_id, message_id, question_id, text, deleted_at FROM workshop_notes").fetchall()
        duplicates = db.execute(
            "SELECT count(*) FROM (SELECT 1 FROM workshop_notes GROUP BY tenant_id, channel_id, message_id HAVING count(*) > 1)"
        ).fetchone()[0]
    stored = {(c, m): (q, t, d) for c, m, q, t, d in rows}
    expected = {(p.channel_id, p.activity["id"]): (p.question, p.text) for p in planned}
    checks.append((f"every note stored exactly once ({len(rows)} rows for {len(expected)} notes, "
                   f"{duplicates} duplicated keys)", len(rows) == len(expected) and duplicates == 0
                   and set(stored) == set(expected)))
    wrong = [k for k, (q, t) in expected.items() if k in stored and stored[k][:2] != (q, t)]
    checks.append((f"each note's text and question as posted ({len(wrong)} wrong)", not wrong))
    checks.append((f"no request failed ({len(failures)} failed)", not failures))
    checks.append((f"summary sent as {len(sizes)} message(s), each under {MAX_MESSAGE_BYTES // 1000} KB",
                   bool(sizes) and all(s < MAX_MESSAGE_BYTES for s in sizes)))
    print()
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    for failure in failures[:10]:
        print("  ", failure)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0 if all(ok for _, ok in checks) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workshop_notes")
    parser.add_argument("mode", nargs="?", default="run", choices=("run", "connector"))
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--notes", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--duplicates", type=float, default=0.1, help="share of notes delivered a second time")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--profile", help="write the bot's cProfile stats to this file (slows it: ignore the times)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, logs)")
    parser.add_argument("--team", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.mode == "connector":
        asyncio.run(serve_connector(args.team))
        return 0
    return in_workdir("workshop", lambda workdir: run(args, workdir), keep=args.keep, keep_on_failure=True)


if __name__ == "__main__":
    sys.exit(main())
