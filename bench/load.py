"""Load test (issue 6): representatives answering the survey and workshop groups posting notes, all
at once against one instance of our bot, then a check of the database against everything
acknowledged.

    .venv/bin/python -m bench.load [--seconds 60] [--representatives 200] [--groups 10] [--writers 3]
                                   [--database postgresql [--postgres URL] --instances 2]

With `--database postgresql` the bot runs over a fresh PostgreSQL database made for the run (dropped
afterwards unless kept), and with `--instances N` N instances of it over that one database, the
requests going to each in turn as a load balancer would send them; the checks read that database.

Starts, each in its own process on 127.0.0.1: our bot (`python -m bench.servers hyte`: the real
`app.create_app` over a temporary SQLite file and a temporary round file with `--representatives`
generated organisations, one representative each; bench/harness.py's `write_round`) and the
Bot Connector stand-in of bench/workshop_notes.py (lists the board team's channels, answers posts).
This process then installs the bot in the board's team and starts the workshop in `--groups` group
channels (as bench/workshop_notes.py does), every representative opens the survey, and for
`--seconds`:

  * each representative keeps saving survey sections ("Tallenna luonnos", changed answers every
    time, tracking the version from every returned card); once every section has been filled, every
    `--submit-every`th action is a submit ("Lähetä vastaukset");
  * each group channel gets notes continuously from `--writers` writers (replies under a question
    post, and top-level posts).

Each simulated person waits for the answer before the next action (closed loop, no think time).
Printed: requests per second overall and per kind; latency median/p90/p99/max per kind, server side
(timing middleware of bench/servers.py) and client side; errors (non-2xx, error/conflict cards,
timeouts; target 0). Checked in SQLite: every acknowledged save stored (version >= acknowledged
version per organisation, the stored answers of the last acknowledged save where no later action
was unanswered), every acknowledged submit has submitted answers at >= its version, every
acknowledged note stored exactly once with its text. Exit status 1 on any error or lost
acknowledgement.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import shutil
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.harness import SAVED, card_problem, invoke_card, write_round
from bench.load_checks import KINDS, Note, Rep, latency_rows, verify
from bench.processes import DEMO_ROUND, NOW, TODAY, in_workdir, start
from bench.stores import add_store_options, make_store
from bench.workshop_notes import EXTRAS, PREDICATES, SUBJECTS, SANNA
from cards.catalogue import MESSAGES
from loopback.channel import TeamSpec, channel_message, team_update
from loopback.person import actions
from loopback.survey import ANSWERS
from loopback.teams import TeamsEnv, TeamsUser, card_action

TAG_HEADER = "X-Bench-Tag"
SUBMITTED = MESSAGES["fi"]["survey.submitted_title"]
SAVE_TITLE = MESSAGES["fi"]["action.save"]

CHANGING = {  # the text answer changed on every save of each section
    "goals_measures": "hyte_effectiveness", "monitoring": "annual_report_development",
    "methods": "methods.area_1.description", "ngo_cooperation": "ngo_at_its_best", "interfaces": "more_cooperation",
}
QUESTIONS = ("roles_and_responsibilities", "interface_work", "ngo_cooperation_structures")


@dataclass
class Stats:
    client: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: Counter = field(default_factory=Counter)
    error_examples: list[str] = field(default_factory=list)

    def error(self, kind: str, what: str, detail: str = "") -> None:
        self.errors[f"{kind}: {what}"] += 1
        if len(self.error_examples) < 10:
            self.error_examples.append(f"{kind}: {what} {detail[:300]}")


class Client:
    """Posts to the instances in turn (a load balancer: a person's consecutive requests go to
    different instances)."""

    def __init__(self, session: aiohttp.ClientSession, urls: list[str], stats: Stats, request_timeout: float) -> None:
        self.session, self.stats, self.timeout = session, stats, request_timeout
        self._urls = itertools.cycle(urls)

    async def post(self, activity: dict, kind: str, record: bool = True) -> tuple[int, Any] | None:
        """POST an activity; None on a timeout or a connection error (counted as an error)."""
        data = json.dumps(activity, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", TAG_HEADER: kind}
        started = time.perf_counter()
        try:
            async with self.session.post(next(self._urls) + "/api/messages", data=data, headers=headers,
                                         timeout=aiohttp.ClientTimeout(total=self.timeout)) as resp:
                raw = await resp.read()
                status, content_type = resp.status, resp.content_type
        except TimeoutError:
            self.stats.error(kind, "timeout")
            return None
        except aiohttp.ClientError as exc:
            self.stats.error(kind, type(exc).__name__, str(exc))
            return None
        if record:
            self.stats.client[kind].append(time.perf_counter() - started)
        body: Any = None
        if raw:
            body = json.loads(raw) if content_type == "application/json" else raw.decode(errors="replace")
        return status, body


# Representatives -------------------------------------------------------------------------------


def version_of(card: dict) -> int | None:
    action = actions(card).get(SAVE_TITLE)
    if action is None:
        return None
    return int((action.get("data") or {}).get("v"))


class Survey:
    def __init__(self, client: Client, env: TeamsEnv, round_id: str, submit_every: int) -> None:
        self.client, self.env, self.round_id, self.submit_every = client, env, round_id, submit_every

    async def open(self, rep: Rep) -> bool:
        activity = card_action(self.env, rep.user, "survey.open", {"r": self.round_id})
        result = await self.client.post(activity, "open")
        if result is None:
            return False
        card, error = invoke_card(*result)
        error = error or card_problem(card)
        version = version_of(card) if error is None else None
        if error is None and version is None:
            error = "no save button"
        if error is not None:
            self.client.stats.error("open", error, json.dumps(result[1], ensure_ascii=False)[:300])
            return False
        rep.version = version  # type: ignore[assignment]
        return True

    async def save(self, rep: Rep, section: str) -> None:
        rep.presses += 1
        values = dict(ANSWERS[section])
        values[f"q.{CHANGING[section]}"] = f"Versio {rep.presses} ({rep.organisation}): {values[f'q.{CHANGING[section]}']}"
        data = {**values, "r": self.round_id, "section": section, "move": "save", "v": rep.version}
        activity = card_action(self.env, rep.user, "survey.step", data)
        result = await self.client.post(activity, "save")
        if result is None:
            rep.unanswered = True
            return
        card, error = invoke_card(*result)
        if card is not None:
            error = card_problem(card)
            version = version_of(card)
            if version is not None:
                rep.version = version  # follow the card even after a problem, as a person would
            if error is None:
                shown = json.dumps(card, ensure_ascii=False)
                if SAVED not in shown:
                    error = "no 'draft saved' notice"
                elif version is None:
                    error = "no save button"
                elif version != data["v"] + 1:
                    error = f"version {version} after save at {data['v']}"
        if error is not None:
            self.client.stats.error("save", error, json.dumps(result[1], ensure_ascii=False)[:300])
            return
        rep.filled.add(section)
        rep.acked_version = max(rep.acked_version, rep.version)
        if section != "methods":  # its answers are stored nested per area: compare the plain text answers only
            rep.last_answers[CHANGING[section]] = values[f"q.{CHANGING[section]}"]

    async def submit(self, rep: Rep) -> None:
        activity = card_action(self.env, rep.user, "survey.submit", {"r": self.round_id, "v": rep.version})
        result = await self.client.post(activity, "submit")
        if result is None:
            rep.unanswered = True
            return
        card, error = invoke_card(*result)
        if card is not None:
            error = card_problem(card)
            if error is None and SUBMITTED not in json.dumps(card, ensure_ascii=False):
                error = "no 'submitted' title"
        if error is not None:
            self.client.stats.error("submit", error, json.dumps(result[1], ensure_ascii=False)[:300])
            return
        rep.version += 1  # a submit is a change of its own (audited), as the next card would show
        rep.acked_version = max(rep.acked_version, rep.version)
        rep.acked_submit_version = rep.version

    async def run(self, rep: Rep, deadline: float, max_actions: int, rng: random.Random) -> None:
        sections = list(ANSWERS)
        for i in range(max_actions):  # bounded
            if time.perf_counter() >= deadline:
                return
            if len(rep.filled) == len(sections) and (i + 1) % self.submit_every == 0:
                await self.submit(rep)
            else:
                missing = [s for s in sections if s not in rep.filled]
                await self.save(rep, missing[0] if missing else rng.choice(sections))


# Workshop notes ------------------------------------------------------------------------------------


async def setup_workshop(client: Client, env: TeamsEnv, team: TeamSpec, round_id: str, connector_url: str) -> dict[str, list[str]]:
    result = await client.post(team_update(env, SANNA, team, "teamMemberAdded", members_added=[env.bot_id]), "setup", record=False)
    if result is None or result[0] not in (200, 201):
        raise SystemExit(f"bench: installing in the board team failed: {result}")
    groups = list(team.channels.values())
    result = await client.post(card_action(env, SANNA, "workshop.start", {
        "verb": "workshop.start", "r": round_id, "ws.groups": ",".join(groups)}), "setup", record=False)
    if result is None or result[0] != 200 or "Työpaja on aloitettu" not in json.dumps(result[1], ensure_ascii=False):
        raise SystemExit(f"bench: starting the workshop failed: {result}")
    async with client.session.get(connector_url + "/_bench/posts") as resp:
        recorded = await resp.json()
    posts = {g: [p["id"] for p in recorded if p["conversation"] == g] for g in groups}
    if not all(len(ids) == 3 for ids in posts.values()):
        raise SystemExit(f"bench: question posts missing: {posts}")
    return posts


async def write_notes(client: Client, env: TeamsEnv, team: TeamSpec, channel: str, questions: list[str],
                      author: TeamsUser, deadline: float, max_notes: int, rng: random.Random, acked: list[Note]) -> None:
    for i in range(max_notes):  # bounded
        if time.perf_counter() >= deadline:
            return
        point = f"{rng.choice(SUBJECTS)} {rng.choice(PREDICATES)} {rng.choice(EXTRAS)}"
        text = f"{point} ({author.name}, muistiinpano {i} {uuid.uuid4().hex[:6]})"
        if rng.random() < 0.7:
            activity = channel_message(env, author, team, channel, f"<p>{text}</p>", reply_to=rng.choice(questions))
        else:
            number = rng.randrange(3)
            text = f"{number + 1}. {text}"
            activity = channel_message(env, author, team, channel, f"<p>{text}</p>")
        result = await client.post(activity, "note")
        if result is None:
            continue
        status, body = result
        if status not in (200, 201):
            client.stats.error("note", f"HTTP {status}", str(body))
            continue
        acked.append(Note(channel, activity["id"], text))


# Main -------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="duration of the load (default 60)")
    parser.add_argument("--representatives", type=int, default=200, help="simulated representatives, one per organisation (default 200)")
    parser.add_argument("--groups", type=int, default=10, help="workshop group channels (default 10)")
    parser.add_argument("--writers", type=int, default=3, help="note writers per group channel (default 3)")
    parser.add_argument("--submit-every", type=int, default=15, help="every Nth action of a representative is a submit, once all sections are filled (default 15)")
    parser.add_argument("--timeout", type=float, default=30.0, help="client timeout per request, s (default 30)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, logs)")
    parser.add_argument("--instances", type=int, default=1,
                        help="instances of our bot over the one database, requests going to each in turn (default 1)")
    add_store_options(parser)
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.representatives < 1 or args.groups < 1 or args.writers < 1 or args.submit_every < 2:
        parser.error("--seconds, --representatives, --groups, --writers must be positive, --submit-every >= 2")
    if args.instances < 1 or (args.instances > 1 and args.database == "sqlite"):
        parser.error("--instances: at least 1; more than one only with --database postgresql")
    return args


async def run(args: argparse.Namespace, workdir: Path) -> int:
    rng = random.Random(args.seed)
    round_file = workdir / "round.yaml"
    store = await make_store(args, workdir, "hyte_load")
    config, people = write_round(round_file, args.representatives)
    shutil.copy(DEMO_ROUND.parent / "workshop.yaml", workdir / "workshop.yaml")  # found beside the round file
    people = people[-args.representatives:]  # the generated ones: a distinct organisation each
    round_id = config["id"]
    team = TeamSpec("19:benchboard00000000000000000000@thread.tacv2", "HYTE-neuvottelukunta", {
        f"Ryhmä {i}": f"19:benchgroup{i:02d}{'0' * 20}@thread.tacv2" for i in range(1, args.groups + 1)
    })
    team_file = workdir / "team.json"
    team_file.write_text(json.dumps({
        "id": team.team_id,
        "channels": [{"id": team.team_id}] + [{"id": cid, "name": name} for name, cid in team.channels.items()],
    }), encoding="utf-8")
    connector = await start("connector", ["bench.workshop_notes", "connector", "--team", str(team_file)], workdir)
    bots: list = []
    stats = Stats()
    reps = [Rep(user, org) for user, org in people]
    notes: list[Note] = []
    try:
        for i in range(args.instances):  # one at a time: the first migrates the schema
            bots.append(await start(f"hyte{i + 1}" if args.instances > 1 else "hyte", [
                "bench.servers", "hyte", "--db", store.bot_url, "--round", str(round_file),
                "--today", TODAY.isoformat(), "--now", NOW],
                workdir, env={"HYTE_REMINDER_POLL_SECONDS": "0", "LOG_LEVEL": "WARNING"}))
        print(f"bench: servers up (hyte pids {', '.join(str(b.process.pid) for b in bots)}, connector pid "
              f"{connector.process.pid}; our bot on {store.describe()}); {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.2f}; workdir {workdir}", flush=True)
        env = TeamsEnv(service_url=connector.url + "/", tenant_id=config["tenant_id"])
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            client = Client(session, [b.url for b in bots], stats, args.timeout)
            posts = await setup_workshop(client, env, team, round_id, connector.url)
            survey = Survey(client, env, round_id, args.submit_every)
            opened = await asyncio.gather(*(survey.open(rep) for rep in reps))
            if not all(opened):
                print(f"bench: {opened.count(False)} representatives could not open the survey", file=sys.stderr)
            for bot in bots:
                await session.get(bot.url + "/_bench/samples")  # forget the set-up and opening samples
            stats.client = {k: [] for k in KINDS}
            print(f"bench: workshop started in {args.groups} groups, {sum(opened)} representatives opened the survey; "
                  f"running {args.seconds:.0f} s", flush=True)

            writers = [TeamsUser(f"00000000-0000-0000-0000-{0xbe0000100000 + i:012x}", f"Ryhmäläinen {i}")
                       for i in range(args.groups * args.writers)]
            cap = int(args.seconds * 1000) + 100  # per-loop bound: far more than one person can do
            cpu0, started = time.process_time(), time.perf_counter()
            deadline = started + args.seconds
            tasks = [survey.run(rep, deadline, cap, random.Random(rng.random())) for rep, ok in zip(reps, opened) if ok]
            for g, channel in enumerate(team.channels.values()):
                for w in range(args.writers):
                    tasks.append(write_notes(client, env, team, channel, posts[channel], writers[g * args.writers + w],
                                             deadline, cap, random.Random(rng.random()), notes))
            await asyncio.gather(*tasks)
            wall = time.perf_counter() - started
            client_cpu = time.process_time() - cpu0
            server_samples: dict[str, list[float]] = {}
            for bot in bots:
                async with session.get(bot.url + "/_bench/samples") as resp:
                    for kind, values in (await resp.json())["samples"].items():
                        server_samples.setdefault(kind, []).extend(values)
    finally:
        for bot in bots:
            await bot.stop()  # every write checkpointed before the check
        await connector.stop()

    n = {k: len(v) for k, v in stats.client.items()}
    total = sum(n.values())
    print()
    print(f"Load: {args.instances} instance(s) of our bot on {store.describe()}; {args.representatives} representatives, {args.groups} groups x {args.writers} writers, "
          f"{wall:.1f} s wall (asked {args.seconds:.0f} s), load generator CPU {100 * client_cpu / wall:.0f} %")
    print(f"throughput: {total / wall:.1f} req/s overall; "
          + ", ".join(f"{k} {n[k] / wall:.1f}" for k in KINDS if k != "open" and n[k]) + " req/s")
    for line in latency_rows("server side (middleware)", server_samples):
        print(line)
    for line in latency_rows("client side", stats.client):
        print(line)
    errors = sum(stats.errors.values())
    print(f"errors: {errors} (non-2xx, error/conflict cards, timeouts)")
    for what, count in stats.errors.most_common():
        print(f"  {count:6}  {what}")
    for example in stats.error_examples:
        print(f"    e.g. {example}")

    checks = [(errors == 0, f"no errors ({errors}; target 0)", [])]
    checks += await verify(store, round_id, reps, notes)
    unanswered = sum(r.unanswered for r in reps)
    if unanswered:
        print(f"note: {unanswered} representatives had an unanswered request; only version >= acknowledged checked for them")
    print()
    for ok, label, problems in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
        for problem in problems[:10]:
            print(f"        {problem}")
        if len(problems) > 10:
            print(f"        ... {len(problems) - 10} more")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    status = 0 if all(ok for ok, _, _ in checks) else 1
    await store.drop(args.keep or status != 0)
    return status


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return in_workdir("load", lambda workdir: run(args, workdir), keep=args.keep, keep_on_failure=True)


if __name__ == "__main__":
    sys.exit(main())
