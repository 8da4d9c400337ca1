"""National load benchmark (issue 18): every county of Finland in one deployment, a survey week's
traffic in one minute, against one PostgreSQL database and two instances of the bot.

    .venv/bin/python -m bench.national [--counties 22] [--organisations 25] [--seconds 60]
                                       [--postgres postgresql://postgres@127.0.0.1:5432/test] [--keep]

Starts, each in its own process on 127.0.0.1, two instances of our bot (`python -m bench.servers hyte`:
the real `app.create_app` with the timing middleware, both over one fresh PostgreSQL database made
for the run and one rounds folder), with their reminder schedulers running (every
`--reminder-poll` seconds), and the Bot Connector stand-in of the tests (loopback/connector.py)
with a small API beside it from which the load generator reads the bot's replies. This process is
the load generator, standing in for the load balancer: every request goes to the other instance
than the one before.

The rounds folder holds `--counties` counties, each in a tenant of its own: the demo round's 25
organisations (`--organisations`), each with a member and a deputy, and a HYTE team member; the
survey closes in three days, so that each county's board gets its "survey open" and "closing in three
days" posts and every representative of an organisation that has not submitted a reminder, due at
once. Each county's HYTE team member adds the bot to the county's board team first (over HTTP).

The week, in `--seconds`: every organisation's member starts a session at a random moment: `kysely`,
then every section filled and `Seuraava` (the last one `Tarkista vastaukset`), then `Lähetä
vastaukset`; every deputy opens the survey (`kysely`) and asks `tila` at a random moment; every HYTE
team member asks `tila` three times and `yhteenveto kysely` once. Within a session each person
waits for each answer (a card action's card, a message's reply) before the next request.

Printed: requests and their rate, errors (non-2xx, error, conflict or stale cards, a message without
its reply, timeouts after `--timeout`), client-side latency p50/p90/p99/max per kind and the
instances' server-side p50/p99; then checked in PostgreSQL: every acknowledged step and submit
stored (stored version >= the acknowledged one, one audit row per version, submitted answers for
every acknowledged submit); every reminder job ended (sent, skipped or unreachable, none left
pending), every sent job's message received by the connector exactly once and no other proactive
message sent. Then the machine: its cores, load average before and after, each instance's CPU time.
Exit status 1 on any error or failed check.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import yaml

from bench.load_checks import latency_rows
from bench.processes import DEMO_ROUND, Server, in_workdir, start
from cards.catalogue import MESSAGES
from loopback.channel import TeamSpec, team_update
from loopback.connector import ConnectorStandIn
from loopback.person import CARD, actions, inputs
from loopback.survey import ANSWERS
from loopback.teams import TeamsEnv, TeamsUser, card_action, conversation_id_for, member, personal_message

FI = MESSAGES["fi"]
TODAY = "2024-05-01"
NOW = "2024-05-02T10:00"
TIMETABLE = {  # the survey open now, closing in three days: the "closing soon" reminders are due at once
    "material_review": "2024-04-10T13:00", "survey_opens": "2024-04-24T08:00", "survey_closes": "2024-05-05T16:00",
    "negotiation_meeting": "2024-05-20T09:00", "summary_to_government": "2024-06-19T12:00",
    "results_into_plan": "2024-08-29T12:00",
}
KINDS = ("kysely", "step", "submit", "tila", "summary")
TAG_HEADER = "X-Bench-Tag"
PROBLEMS = {"notice.conflict": "conflict", "notice.fix_errors": "invalid", "error.generic": "error",
            "survey.stale_round": "stale", "card_not_understood": "not understood", "not_for_you": "refused",
            "team_only": "refused", "no_county": "no county"}


def _literal(key: str) -> str:
    return max(FI[key].split("{"), key=len).split("}")[-1].strip()


PROBLEM_TEXTS = {_literal(key): what for key, what in PROBLEMS.items()}


@dataclass
class County:
    number: int
    tenant_id: str
    round_id: str
    board: TeamSpec
    hyte: TeamsUser
    members: list[tuple[TeamsUser, str]] = field(default_factory=list)
    deputies: list[tuple[TeamsUser, str]] = field(default_factory=list)

    def env(self, service_url: str) -> TeamsEnv:
        return TeamsEnv(service_url=service_url, tenant_id=self.tenant_id)


@dataclass
class Acknowledged:
    version: int = 0
    submitted_version: int = 0


@dataclass
class Stats:
    client: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    acknowledged: dict[tuple[str, str], Acknowledged] = field(default_factory=dict)

    def error(self, kind: str, what: str, detail: str = "") -> None:
        self.errors[f"{kind}: {what}"] += 1
        if len(self.examples) < 10:
            self.examples.append(f"{kind}: {what} {detail[:200]}")


# The rounds folder ------------------------------------------------------------------------------------


def write_rounds(folder: Path | None, counties: int, organisations: int) -> list[County]:
    """The counties, and (`folder`) their round files: the same every time."""
    demo = yaml.safe_load(DEMO_ROUND.read_text(encoding="utf-8"))
    made = []
    for n in range(1, counties + 1):
        tenant = f"{n:08x}-0000-4000-8000-0000000a7105"
        round_id = f"county-{n:02d}-2024"
        hyte = TeamsUser(f"{n:08x}-0000-4000-8000-0000000b0001", f"HYTE-tiimi {n}", upn=f"hyte{n}@alue{n}.example")
        county = County(n, tenant, round_id, TeamSpec(f"19:board-{n:02d}@thread.tacv2", f"Neuvottelukunta {n}"), hyte)
        orgs = [dict(o) for o in demo["organisations"]][:organisations]
        for i in range(len(orgs), organisations):
            orgs.append({"id": f"org_{i:03d}", "name": f"Organisaatio {i}", "category": "other"})
        representatives = []
        for i, org in enumerate(orgs):
            for role, seat in (("member", 1), ("deputy", 2)):
                user = TeamsUser(f"{n:08x}-0000-4000-{seat:04x}-{i + 1:012x}", f"Edustaja {n}-{i + 1}-{seat}",
                                 upn=f"edustaja{i + 1}.{seat}@alue{n}.example")
                representatives.append({"name": user.name, "organisation": org["id"], "role": role,
                                        "aad_object_id": user.aad_object_id, "upn": user.upn})
                (county.members if role == "member" else county.deputies).append((user, org["id"]))
        config = {
            **demo, "id": round_id, "county": f"Alueen {n} hyvinvointialue", "region": f"Alue {n}", "tenant_id": tenant,
            "survey_file": str(DEMO_ROUND.parent / "survey.yaml"),
            "thesaurus_file": str(DEMO_ROUND.parent / "thesaurus.yaml"),
            "timetable": TIMETABLE, "organisations": orgs, "representatives": representatives,
            "hyte_team": [{"name": hyte.name, "aad_object_id": hyte.aad_object_id, "upn": hyte.upn}],
            "board_team_id": county.board.team_id,
        }
        config.pop("privacy", None)
        if folder is not None:
            path = folder / f"county-{n:02d}" / "round.yaml"
            path.parent.mkdir(parents=True)
            path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        made.append(county)
    return made


# The Bot Connector stand-in, in a process of its own -------------------------------------------------


async def serve_connector(counties: int, organisations: int) -> None:
    """`python -m bench.national connector`: the tests' stand-in (its own thread) with every county's
    board team and roster, and beside it a small API for the load generator: the replies to an
    activity (GET /replies?conversation=…&to=…), every call made (GET /calls), its service URL.
    Prints ``READY <port of the API>``; SIGTERM stops it."""
    import signal

    from aiohttp import web

    async with ConnectorStandIn() as connector:
        for county in write_rounds(None, counties, organisations):
            connector.add_team(county.board.team_id, county.board.name)
            env = county.env(connector.service_url)
            connector.members[county.board.team_id] = [member(env, u) for u, _ in county.members + county.deputies]

        async def replies(request: web.Request) -> web.Response:
            to = request.query["to"]
            sent = connector.sent(request.query["conversation"])
            return web.json_response([a for a in sent if a.get("replyToId") == to])

        async def calls(_request: web.Request) -> web.Response:
            return web.json_response([{"kind": c.kind, "conversation_id": c.conversation_id, "result_id": c.result_id,
                                       "status": c.status} for c in connector.calls])

        async def service_url(_request: web.Request) -> web.Response:
            return web.json_response({"service_url": connector.service_url})

        app = web.Application()
        app.router.add_get("/replies", replies)
        app.router.add_get("/calls", calls)
        app.router.add_get("/service_url", service_url)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        print(f"READY {site._server.sockets[0].getsockname()[1]}", flush=True)  # type: ignore[union-attr]
        await stop.wait()
        await runner.cleanup()


class Connector:
    """The load generator's view of the stand-in's process."""

    def __init__(self, session: aiohttp.ClientSession, server: Server) -> None:
        self.session, self.url = session, server.url
        self.service_url = ""

    async def start(self) -> None:
        async with self.session.get(self.url + "/service_url") as response:
            self.service_url = (await response.json())["service_url"]

    async def replies(self, conversation: str, to: str) -> list[dict]:
        async with self.session.get(self.url + "/replies", params={"conversation": conversation, "to": to}) as response:
            return await response.json()

    async def calls(self) -> list[dict]:
        async with self.session.get(self.url + "/calls") as response:
            return await response.json()


# The load ---------------------------------------------------------------------------------------------


class Balancer:
    """Posts activities to the instances in turn, as a load balancer would."""

    def __init__(self, session: aiohttp.ClientSession, urls: list[str], stats: Stats, timeout: float) -> None:
        self.session, self.urls, self.stats, self.timeout = session, urls, stats, timeout
        self._next = 0

    async def post(self, activity: dict, kind: str) -> tuple[int, Any] | None:
        url = self.urls[self._next % len(self.urls)]
        self._next += 1
        started = time.perf_counter()
        try:
            async with self.session.post(url + "/api/messages", data=json.dumps(activity, ensure_ascii=False).encode(),
                                         headers={"Content-Type": "application/json", TAG_HEADER: kind},
                                         timeout=aiohttp.ClientTimeout(total=self.timeout)) as response:
                raw = await response.read()
                status = response.status
        except TimeoutError:
            self.stats.error(kind, "timeout")
            return None
        except aiohttp.ClientError as exc:
            self.stats.error(kind, type(exc).__name__, str(exc))
            return None
        self.stats.client.setdefault(kind, []).append(time.perf_counter() - started)
        if status >= 300:
            self.stats.error(kind, f"HTTP {status}", raw.decode(errors="replace"))
            return None
        return status, json.loads(raw) if raw else None


def _card_problem(card: dict) -> str | None:
    shown = json.dumps(card, ensure_ascii=False)
    return next((what for text, what in PROBLEM_TEXTS.items() if text and text in shown), None)


def _cards(activities: list[dict]) -> list[dict]:
    return [a["content"] for r in activities for a in r.get("attachments") or [] if a["contentType"] == CARD]


class Person:
    def __init__(self, balancer: Balancer, connector: Connector, env: TeamsEnv, user: TeamsUser) -> None:
        self.balancer, self.connector, self.env, self.user = balancer, connector, env, user
        self.conversation = conversation_id_for(user)

    async def say(self, text: str, kind: str) -> list[dict] | None:
        """A message, and the bot's replies to it (a reminder arriving meanwhile is not one)."""
        activity = personal_message(self.env, self.user, text)
        answered = await self.balancer.post(activity, kind)
        if answered is None:
            return None
        replies = await self.connector.replies(self.conversation, activity["id"])
        if not replies:
            self.balancer.stats.error(kind, "no reply")
            return None
        problem = next((p for p in map(_card_problem, replies) if p is not None), None)
        if problem is not None:
            self.balancer.stats.error(kind, problem)
            return None
        return replies

    async def press(self, card: dict, title: str, fill: dict | None, kind: str) -> dict | None:
        action = actions(card).get(title)
        if action is None:
            self.balancer.stats.error(kind, f"no button {title}", ",".join(actions(card)))
            return None
        data = {**(action.get("data") or {}), **{k: v for k, v in inputs(card).items() if v is not None}, **(fill or {})}
        answered = await self.balancer.post(card_action(self.env, self.user, action["verb"], data), kind)
        if answered is None:
            return None
        body = answered[1] or {}
        card = body.get("value") if body.get("type") == CARD else None
        if card is None:
            self.balancer.stats.error(kind, "not a card", json.dumps(body)[:200])
            return None
        problem = _card_problem(card)
        if problem is not None:
            self.balancer.stats.error(kind, problem)
            return None
        return card


def _version(card: dict) -> int:
    for action in actions(card).values():
        v = (action.get("data") or {}).get("v")
        if v is not None:
            return int(v)
    return 0


async def member_session(person: Person, organisation: str, key: tuple[str, str], stats: Stats) -> None:
    replies = await person.say("kysely", "kysely")
    cards = _cards(replies or [])
    if not cards:
        if replies is not None:
            stats.error("kysely", "no card")
        return
    card = cards[-1]
    sections = list(ANSWERS)
    for index, section in enumerate(sections):
        title = FI["action.review"] if index == len(sections) - 1 else FI["action.next"]
        card = await person.press(card, title, ANSWERS[section], "step")
        if card is None:
            return
        acknowledged = stats.acknowledged.setdefault(key, Acknowledged())
        acknowledged.version = max(acknowledged.version, _version(card))
    card = await person.press(card, FI["action.submit"], None, "submit")
    if card is None:
        return
    acknowledged = stats.acknowledged.setdefault(key, Acknowledged())
    acknowledged.submitted_version = max(acknowledged.submitted_version, _version(card) or acknowledged.version)


async def deputy_session(person: Person) -> None:
    await person.say("kysely", "kysely")
    await person.say("tila", "tila")


async def hyte_session(person: Person, offsets: list[float], started: float) -> None:
    for i, offset in enumerate(offsets):
        await asyncio.sleep(max(0.0, started + offset - time.monotonic()))
        await person.say("yhteenveto kysely" if i == len(offsets) - 1 else "tila", "summary" if i == len(offsets) - 1 else "tila")


async def at(moment: float, work) -> None:
    await asyncio.sleep(max(0.0, moment - time.monotonic()))
    await work


# Checks -----------------------------------------------------------------------------------------------


async def check_database(database: str, counties: list[County], stats: Stats, calls: list[dict],
                         since: int) -> list[tuple[bool, str]]:
    """The checks; `since`: the connector's calls before it (the bot's welcome in each board team) are
    not reminders."""
    connection = await asyncpg.connect(database)
    try:
        rows = await connection.fetch(
            "SELECT r.tenant_id, r.round_id, r.organisation_id, r.version, r.submitted_answers IS NOT NULL AS submitted, "
            "(SELECT count(*) FROM response_changes c WHERE c.response_id = r.id) AS changes FROM responses r")
        jobs = await connection.fetch(
            "SELECT tenant_id, round_id, reminder, target, state, conversation_id, activity_id FROM reminder_jobs "
            "WHERE due_at <= $1 AND (expires_at IS NULL OR expires_at > $1)", datetime_of(NOW))
    finally:
        await connection.close()
    stored = {(r["round_id"], r["organisation_id"]): r for r in rows}
    lost = []
    for key, acknowledged in stats.acknowledged.items():
        row = stored.get(key)
        if row is None or row["version"] < acknowledged.version or row["changes"] != row["version"]:
            lost.append(f"{key}: acknowledged {acknowledged.version}, stored {dict(row) if row else None}")
        elif acknowledged.submitted_version and not row["submitted"]:
            lost.append(f"{key}: submit acknowledged, not stored")
    tenants = {c.round_id: c.tenant_id for c in counties}
    wrong_tenant = [dict(r) for r in rows if tenants.get(r["round_id"]) != r["tenant_id"]]
    states = Counter(j["state"] for j in jobs)
    unfinished = [dict(j) for j in jobs if j["state"] in ("pending", "sending", "failed")]
    sent_jobs = Counter((j["conversation_id"], j["activity_id"]) for j in jobs if j["state"] == "sent")
    proactive = Counter((c["conversation_id"], c["result_id"]) for c in calls[since:]
                        if c["kind"] == "send" and c["status"] < 300)
    twice = {k: n for k, n in {**sent_jobs, **proactive}.items() if sent_jobs.get(k, 0) != 1 or proactive.get(k, 0) != 1}
    submitted = sum(1 for a in stats.acknowledged.values() if a.submitted_version)
    return [
        (not lost, f"every acknowledged step and submit stored: {len(stats.acknowledged)} organisations, "
                   f"{sum(a.version for a in stats.acknowledged.values())} acknowledged versions, {submitted} submits"
                   + (f"; lost: {lost[:3]}" if lost else "")),
        (not wrong_tenant, f"every response in its county's tenant: {len(rows)} responses"
                           + (f"; wrong: {wrong_tenant[:3]}" if wrong_tenant else "")),
        (not unfinished and bool(jobs), f"every reminder job due ended: {dict(sorted(states.items()))}"
                                        + (f"; unfinished: {unfinished[:3]}" if unfinished else "")),
        (not twice and bool(sent_jobs), f"every sent reminder received exactly once, and nothing else proactive: "
                                        f"{sum(sent_jobs.values())} jobs sent, {sum(proactive.values())} messages"
                                        + (f"; mismatched: {list(twice.items())[:3]}" if twice else "")),
    ]


# The run ----------------------------------------------------------------------------------------------


async def create_database(admin_url: str) -> tuple[str, str]:
    name = f"hyte_national_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return name, f"{admin_url.rsplit('/', 1)[0]}/{name}"


async def drop_database(admin_url: str, name: str) -> None:
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def instance_samples(session: aiohttp.ClientSession, servers: list[Server]) -> tuple[dict[str, list[float]], list[float]]:
    merged: dict[str, list[float]] = {}
    cpu = []
    for server in servers:
        async with session.get(server.url + "/_bench/samples") as response:
            taken = await response.json()
        for tag, values in taken["samples"].items():
            merged.setdefault(tag, []).extend(values)
        cpu.append(taken["cpu"])
    return merged, cpu


async def run(options: argparse.Namespace, workdir: Path) -> int:
    load_before = os.getloadavg()
    started_run = time.perf_counter()
    counties = write_rounds(workdir / "rounds", options.counties, options.organisations)
    name, database = await create_database(options.postgres)
    print(f"bench: {options.counties} counties x {options.organisations} organisations x 2 representatives = "
          f"{sum(len(c.members) + len(c.deputies) for c in counties)} people, {options.counties} HYTE team members; "
          f"PostgreSQL database {name}; workdir {workdir}", flush=True)
    servers: list[Server] = []
    try:
        stand_in = await start("connector", ["bench.national", "connector", "--counties", str(options.counties),
                                             "--organisations", str(options.organisations)], workdir)
        servers.append(stand_in)
        env = {"HYTE_REMINDER_POLL_SECONDS": str(options.reminder_poll), "HYTE_LINK_SECRET": uuid.uuid4().hex,
               "LOG_LEVEL": "WARNING"}
        args = ["bench.servers", "hyte", "--db", database.replace("postgresql://", "postgresql+asyncpg://", 1),
                "--round", str(workdir / "rounds"), "--today", TODAY, "--now", NOW]
        instances = [await start("hyte-1", args, workdir, env)]  # the first migrates the database
        instances.append(await start("hyte-2", args, workdir, env))
        servers += instances
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=400)) as session:
            connector = Connector(session, stand_in)
            await connector.start()
            print(f"bench: instances up (pids {instances[0].process.pid}, {instances[1].process.pid}); the connector "
                  f"stand-in on {connector.service_url} (pid {stand_in.process.pid})", flush=True)
            stats = Stats()
            balancer = Balancer(session, [s.url for s in instances], stats, options.timeout)
            for county in counties:  # each county's HYTE team adds the bot to its board's team
                county_env = county.env(connector.service_url)
                await balancer.post(team_update(county_env, county.hyte, county.board, "teamMemberAdded",
                                                members_added=[county_env.bot_id]), "install")
            installed = len(await connector.calls())
            await instance_samples(session, instances)  # forget the warm-up's samples
            rng = random.Random(18)
            began = time.monotonic()
            work = []
            for county in counties:
                county_env = county.env(connector.service_url)
                for user, organisation in county.members:
                    person = Person(balancer, connector, county_env, user)
                    work.append(at(began + rng.uniform(0, options.seconds),
                                   member_session(person, organisation, (county.round_id, organisation), stats)))
                for user, _ in county.deputies:
                    work.append(at(began + rng.uniform(0, options.seconds),
                                   deputy_session(Person(balancer, connector, county_env, user))))
                offsets = sorted(rng.uniform(0, options.seconds) for _ in range(3)) + [
                    rng.uniform(options.seconds * 0.75, options.seconds)]
                work.append(hyte_session(Person(balancer, connector, county_env, county.hyte), offsets, began))
            cpu_before = (await instance_samples(session, instances))[1]
            own_cpu = time.process_time()
            await asyncio.gather(*work)
            elapsed = time.monotonic() - began
            own_cpu = time.process_time() - own_cpu
            server_samples, cpu_after = await instance_samples(session, instances)
            await wait_for_reminders(database, options.reminder_wait)
            await asyncio.sleep(2.0)  # the instances' background summaries finish
            calls = await connector.calls()
        requests = sum(len(stats.client[k]) for k in KINDS)
        print(f"\nthe week in {elapsed:.1f} s: {requests} requests, {requests / elapsed:.1f} req/s overall; "
              + ", ".join(f"{k} {len(stats.client[k])}" for k in KINDS))
        print(f"errors: {sum(stats.errors.values())}" + (f" {dict(stats.errors)}" if stats.errors else ""))
        for example in stats.examples:
            print(f"  {example}")
        for line in [*latency_rows("client side", stats.client, KINDS),
                     *latency_rows("server side, both instances", server_samples, KINDS)]:
            print(line)
        checks = await check_database(database, counties, stats, calls, installed)
        for passed, text in checks:
            print(f"{'PASS' if passed else 'FAIL'}  {text}")
        ok = not stats.errors and all(passed for passed, _ in checks)
        cpu = [after - before for before, after in zip(cpu_before, cpu_after)]
        print(f"machine: {os.cpu_count()} cores; load average before {load_before[0]:.2f}, after "
              f"{os.getloadavg()[0]:.2f}; CPU during the week: the instances {cpu[0]:.1f} s and {cpu[1]:.1f} s, the "
              f"load generator {own_cpu:.1f} s, in {elapsed:.0f} s; total run {time.perf_counter() - started_run:.0f} s")
    finally:
        for server in servers:
            await server.stop()
        if not options.keep:
            await drop_database(options.postgres, name)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


async def wait_for_reminders(database: str, seconds: float) -> None:
    """Until both instances' schedulers have done every job due (or `seconds` have passed)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        connection = await asyncpg.connect(database)
        try:
            left = await connection.fetchval(
                "SELECT count(*) FROM reminder_jobs WHERE state IN ('pending', 'sending') "
                "AND due_at <= $1 AND (expires_at IS NULL OR expires_at > $1)", datetime_of(NOW))
        finally:
            await connection.close()
        if left == 0:
            return
        await asyncio.sleep(1.0)


def datetime_of(local: str):
    from datetime import datetime

    from hyte.clock import HELSINKI

    return datetime.fromisoformat(local).replace(tzinfo=HELSINKI)


def main(argv: list[str]) -> int:
    if argv[:1] == ["connector"]:
        parser = argparse.ArgumentParser(prog="python -m bench.national connector")
        parser.add_argument("--counties", type=int, required=True)
        parser.add_argument("--organisations", type=int, required=True)
        options = parser.parse_args(argv[1:])
        asyncio.run(serve_connector(options.counties, options.organisations))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counties", type=int, default=22)
    parser.add_argument("--organisations", type=int, default=25, help="per county, each with a member and a deputy")
    parser.add_argument("--seconds", type=float, default=60.0, help="the survey week, compressed")
    parser.add_argument("--postgres", default=os.environ.get("HYTE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"),
                        help="a PostgreSQL server where the run may create (and drop) a database of its own")
    parser.add_argument("--reminder-poll", type=float, default=15.0,
                        help="HYTE_REMINDER_POLL_SECONDS of both instances (their first run: that long after start)")
    parser.add_argument("--reminder-wait", type=float, default=180.0, help="how long to wait for the reminders after the week")
    parser.add_argument("--timeout", type=float, default=30.0, help="a request without an answer by then is an error")
    parser.add_argument("--keep", action="store_true", help="keep the database and the workdir (logs)")
    options = parser.parse_args(argv)
    return in_workdir("national", lambda workdir: run(options, workdir), keep=options.keep)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
