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
import itertools
import json
import math
import os
import re
import shutil
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterator

import aiohttp
import yaml

REPO = Path(__file__).resolve().parent.parent
for _path in (REPO, REPO / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from loopback.person import actions, inputs, walk  # noqa: E402
from loopback.teams import TeamsEnv, TeamsUser, card_action, personal_message  # noqa: E402
from cards.catalogue import MESSAGES  # noqa: E402

DEMO_ROUND = REPO / "config" / "pohjois-savo" / "round.yaml"
TODAY = date(2024, 5, 1)  # the demo round's survey is open 24.4.-15.5.2024 16.00
NOW = "2024-05-02T10:00"
TAG_HEADER = "X-Bench-Tag"
CARD = "application/vnd.microsoft.card.adaptive"
SECTION = "goals_measures"
TEXT_QUESTION = "hyte_effectiveness"
CHOICES = ("very_well", "need_more_effort", "cannot_say")
DEMO_PEOPLE = ("00000000-0000-0000-0000-0000000000a1", "00000000-0000-0000-0000-0000000000a3",
               "00000000-0000-0000-0000-0000000000a4")
"""Demo representatives with Entra ids, one per organisation (Kuopio, Iisalmi, hva_perhe)."""


def _literal(key: str) -> str:
    """The longest fixed part of a catalogue message, to recognise it on a card."""
    return max(re.split(r"\{[^}]*\}", MESSAGES["fi"][key]), key=len).strip()


SAVE_TITLE = MESSAGES["fi"]["action.save"]
SAVED = _literal("notice.draft_saved")
PROBLEMS = {
    "conflict": _literal("notice.conflict"),
    "fix_errors": _literal("notice.fix_errors"),
    "generic_error": _literal("error.generic"),
    "card_not_understood": _literal("card_not_understood"),
    "not_for_you": _literal("not_for_you"),
    "stale_round": _literal("survey.stale_round"),
    "closed": _literal("survey.closed_title"),
}


# Processes -----------------------------------------------------------------------------------


@dataclass
class Server:
    kind: str
    process: asyncio.subprocess.Process
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def start(kind: str, args: list[str], workdir: Path, env: dict[str, str] | None = None) -> Server:
    """`python -m <args>` in its own process, logging to workdir/<kind>.log; ready when it prints
    ``READY <port>``."""
    log = workdir / f"{kind}.log"
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", *args, cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=stderr,
            env={**os.environ, **(env or {})},
        )
    try:
        line = await asyncio.wait_for(process.stdout.readline(), 60)  # type: ignore[union-attr]
    except TimeoutError:
        line = b""
    if not line.startswith(b"READY "):
        if process.returncode is None:
            process.kill()
        await process.wait()
        raise SystemExit(f"{kind} did not start:\n{log.read_text(errors='replace')[-3000:]}")
    return Server(kind, process, int(line.split()[1]), log)


async def start_server(kind: str, workdir: Path, *extra: str) -> Server:
    """One of bench/servers.py's servers."""
    return await start(kind, ["bench.servers", kind, *extra], workdir)


async def start_servers(workdir: Path, round_file: Path, db_file: Path, *, profile: bool = False,
                        fast_msrest: bool = False, hyte_extra: tuple[str, ...] = ()) -> tuple[Server, Server, Server]:
    """The connector stand-in, our bot (over `db_file` and `round_file`; under cProfile with
    `profile`, written to workdir/hyte.prof; `hyte_extra`: more bench.servers options) and the echo
    bot, started together."""
    hyte_args = ["--db", f"sqlite+aiosqlite:///{db_file}", "--round", str(round_file),
                 "--today", TODAY.isoformat(), "--now", NOW, *hyte_extra]
    echo_args = []
    if profile:
        hyte_args += ["--profile", str(workdir / "hyte.prof")]
    if fast_msrest:
        hyte_args.append("--fast-msrest")
        echo_args.append("--fast-msrest")
    connector, hyte, echo = await asyncio.gather(
        start_server("connector", workdir), start_server("hyte", workdir, *hyte_args),
        start_server("echo", workdir, *echo_args))
    print(f"bench: servers up (hyte pid {hyte.process.pid}, echo pid {echo.process.pid}, "
          f"connector pid {connector.process.pid}); workdir {workdir}", flush=True)
    return connector, hyte, echo


async def finish(servers: list[Server], workdir: Path, keep: bool) -> None:
    """Stop the servers; remove the workdir unless it is to be kept."""
    for server in servers:
        await server.stop()
    if keep:
        print(f"bench: kept {workdir} (database, round file, server logs)")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


# Round file ----------------------------------------------------------------------------------


def write_round(path: Path, extra: int) -> tuple[dict, list[tuple[TeamsUser, str]]]:
    """The demo round plus `extra` generated organisations, each with one member."""
    config = yaml.safe_load(DEMO_ROUND.read_text(encoding="utf-8"))
    config["survey_file"] = str((DEMO_ROUND.parent / config["survey_file"]).resolve())
    categories = ("municipality", "wellbeing_county", "education", "other")
    people: list[tuple[TeamsUser, str]] = []
    for rep in config["representatives"]:
        if rep.get("aad_object_id") in DEMO_PEOPLE:
            people.append((TeamsUser(rep["aad_object_id"], rep["name"], upn=rep.get("upn")), rep["organisation"]))
    people.sort(key=lambda p: DEMO_PEOPLE.index(p[0].aad_object_id))
    for i in range(1, extra + 1):
        org = f"bench_org_{i:03d}"
        aad = f"00000000-0000-0000-0000-{0xbe0000000000 + i:012x}"
        name = f"Testi Edustaja{i:03d}"
        config["organisations"].append({"id": org, "name": f"Penkkiorganisaatio {i}", "category": categories[i % 4]})
        config["representatives"].append(
            {"name": name, "organisation": org, "role": "member", "aad_object_id": aad, "upn": f"edustaja{i}@example.fi"}
        )
        people.append((TeamsUser(aad, name, upn=f"edustaja{i}@example.fi"), org))
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return config, people


# Client --------------------------------------------------------------------------------------


class Client:
    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def post(self, url: str, activity: dict, tag: str) -> tuple[int, Any, float]:
        data = json.dumps(activity, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", TAG_HEADER: tag}
        started = time.perf_counter()
        async with self.session.post(url + "/api/messages", data=data, headers=headers) as resp:
            raw = await resp.read()
            status, content_type = resp.status, resp.content_type
        elapsed = time.perf_counter() - started
        body: Any = None
        if raw:
            body = json.loads(raw) if content_type == "application/json" else raw.decode(errors="replace")
        return status, body, elapsed

    async def get_json(self, url: str) -> Any:
        async with self.session.get(url) as resp:
            resp.raise_for_status()
            return await resp.json()


def fresh(template: dict, **changes: Any) -> dict:
    """A copy of a prebuilt activity with a new id (and the given fields replaced)."""
    return {**template, "id": "1:" + uuid.uuid4().hex, **changes}


@dataclass
class Rep:
    """A simulated representative: the section card state they see, and what was acknowledged."""

    user: TeamsUser
    organisation: str
    invoke_template: dict
    message_template: dict
    save_data: dict | None = None
    card_inputs: dict = field(default_factory=dict)
    presses: int = 0
    acked: int = 0
    last_answer: str | None = None
    last_acked_at: int = 0  # order of the last acknowledged save among all

    def learn(self, card: dict) -> bool:
        """Take the version and inputs from a section card; False if it has no save button."""
        action = actions(card).get(SAVE_TITLE)
        if action is None:
            return False
        self.save_data = dict(action.get("data") or {})
        self.card_inputs = {k: v for k, v in inputs(card).items() if v is not None}
        return True


def representatives(env: TeamsEnv, people: list[tuple[TeamsUser, str]]) -> list[Rep]:
    return [Rep(user, org, card_action(env, user, "survey.open", {}), personal_message(env, user, "kysely"))
            for user, org in people]


def card_problem(card: Any) -> str | None:
    """The first error/conflict notice on a card, if any."""
    if not isinstance(card, dict):
        return "no card"
    shown = "\n".join(e.get("text", "") for e in walk(card) if e.get("type") == "TextBlock")
    for kind, marker in PROBLEMS.items():
        if marker in shown:
            return kind
    return None


def invoke_card(status: int, body: Any) -> tuple[dict | None, str | None]:
    if status != 200:
        return None, f"HTTP {status}"
    if not isinstance(body, dict) or body.get("statusCode") != 200:
        return None, f"statusCode {body.get('statusCode') if isinstance(body, dict) else '?'}"
    if body.get("type") != CARD or not isinstance(body.get("value"), dict):
        return None, "not a card"
    return body["value"], None


ACKS = itertools.count(1)


@dataclass
class Outcome:
    ok: bool
    seconds: float
    error: str | None = None


class Bench:
    def __init__(self, client: Client, hyte: Server, echo: Server, connector: Server, env: TeamsEnv,
                 round_id: str, reps: list[Rep]) -> None:
        self.client, self.hyte, self.echo, self.connector = client, hyte, echo, connector
        self.env, self.round_id, self.reps = env, round_id, reps
        self.messages_acknowledged = 0

    # Operations, each by worker index ---------------------------------------------------------

    async def open_survey(self, rep: Rep, tag: str) -> Outcome:
        activity = fresh(rep.invoke_template, value={
            "action": {"type": "Action.Execute", "verb": "survey.open", "data": {"r": self.round_id}},
            "trigger": "manual"})
        status, body, seconds = await self.client.post(self.hyte.url, activity, tag)
        card, error = invoke_card(status, body)
        error = error or card_problem(card)
        if error is None and not rep.learn(card):  # type: ignore[arg-type]
            error = "no save button"
        if error is None and rep.save_data.get("section") != SECTION:  # type: ignore[union-attr]
            error = f"opened at section {rep.save_data.get('section')!r}"  # type: ignore[union-attr]
        return Outcome(error is None, seconds, error)

    async def save(self, rep: Rep, tag: str) -> Outcome:
        assert rep.save_data is not None, "open the survey first"
        rep.presses += 1
        answer = f"Luonnos {rep.presses} ({rep.user.name}, {rep.organisation}): HYTE-työ yhdessä järjestöjen kanssa."
        expected = int(rep.save_data["v"]) + 1
        data = {**rep.card_inputs, f"q.{TEXT_QUESTION}": answer,
                "q.goals_progress": CHOICES[rep.presses % len(CHOICES)], **rep.save_data}
        activity = fresh(rep.invoke_template, value={
            "action": {"type": "Action.Execute", "verb": "survey.step", "data": data}, "trigger": "manual"})
        status, body, seconds = await self.client.post(self.hyte.url, activity, tag)
        card, error = invoke_card(status, body)
        if card is not None:
            error = card_problem(card)
            has_button = rep.learn(card)  # follow the card even after a problem, as a person would
            if error is None:
                shown = "\n".join(e.get("text", "") for e in walk(card) if e.get("type") == "TextBlock")
                if SAVED not in shown:
                    error = "no 'draft saved' notice"
                elif not has_button:
                    error = "no save button"
                elif int(rep.save_data["v"]) != expected:
                    error = f"version {rep.save_data['v']} after save, expected {expected}"
        if error is None:
            rep.acked += 1
            rep.last_answer = answer
            rep.last_acked_at = next(ACKS)
        return Outcome(error is None, seconds, error)

    async def hyte_message(self, rep: Rep, tag: str) -> Outcome:
        status, body, seconds = await self.client.post(self.hyte.url, fresh(rep.message_template), tag)
        ok = status in (200, 201)
        if ok:
            self.messages_acknowledged += 1
        return Outcome(ok, seconds, None if ok else f"HTTP {status}")

    async def echo_invoke(self, rep: Rep, tag: str) -> Outcome:
        activity = fresh(rep.invoke_template, value={
            "action": {"type": "Action.Execute", "verb": "echo.ping", "data": {"n": rep.presses}}, "trigger": "manual"})
        status, body, seconds = await self.client.post(self.echo.url, activity, tag)
        card, error = invoke_card(status, body)
        return Outcome(error is None, seconds, error)

    async def echo_message(self, rep: Rep, tag: str) -> Outcome:
        activity = fresh(rep.message_template, text=f"hei {uuid.uuid4().hex[:8]}")
        status, body, seconds = await self.client.post(self.echo.url, activity, tag)
        ok = status in (200, 201)
        if ok:
            self.messages_acknowledged += 1
        return Outcome(ok, seconds, None if ok else f"HTTP {status}")


async def open_surveys(bench: Bench) -> bool:
    """Every representative opens the survey and learns the version from the card, concurrently."""
    opened = await asyncio.gather(*(bench.open_survey(rep, "open") for rep in bench.reps))
    failed = Counter(o.error for o in opened if not o.ok)
    if failed:
        print(f"bench: opening the survey failed: {dict(failed)}", file=sys.stderr)
    return not failed


@dataclass
class Target:
    key: str
    label: str
    server: str  # "hyte" or "echo"
    op: Callable[[Bench], Callable[[Rep, str], Awaitable[Outcome]]]


TARGETS = [
    Target("save", "our card action (save)", "hyte", lambda b: b.save),
    Target("echo_invoke", "echo invoke (card)", "echo", lambda b: b.echo_invoke),
    Target("echo_message", "echo message (+reply)", "echo", lambda b: b.echo_message),
    Target("kysely", "our 'kysely' message (+reply)", "hyte", lambda b: b.hyte_message),
]


@dataclass
class Result:
    n: int = 0
    errors: Counter = field(default_factory=Counter)
    client: list[float] = field(default_factory=list)
    server: list[float] = field(default_factory=list)
    wall: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0


def rotating_workers(reps: list[Rep], concurrency: int) -> list[Iterator[Rep]]:
    """Worker w goes round the representatives w, w + concurrency, w + 2 x concurrency, ...: no two
    workers act as the same representative at once, and the replies spread over many conversations
    (the bot keeps to Teams' limits per conversation: 7 per second, 60 per 30 s)."""
    return [itertools.cycle(reps[w::concurrency]) for w in range(concurrency)]


async def run_phase(bench: Bench, target: Target, workers: list[Iterator[Rep]], n: int, tag: str,
                    result: Result | None) -> None:
    """`n` requests of `target` by concurrent workers (one request at a time each), worker i acting
    as the representatives `workers[i]` yields, one per request."""
    server = bench.hyte if target.server == "hyte" else bench.echo
    op = target.op(bench)
    before = await bench.client.get_json(server.url + "/_bench/samples")
    tickets = iter(range(n))
    outcomes: list[Outcome] = []

    async def worker(reps: Iterator[Rep]) -> None:
        for _ in tickets:
            outcomes.append(await op(next(reps), tag))

    cpu0, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker(reps) for reps in workers))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu0
    after = await bench.client.get_json(server.url + "/_bench/samples")
    if result is None:
        return
    result.n += len(outcomes)
    result.errors.update(o.error for o in outcomes if not o.ok)
    result.client.extend(o.seconds for o in outcomes)
    result.server.extend(after["samples"].get(tag, []))
    result.wall += wall
    result.client_cpu += cpu
    result.server_cpu += after["cpu"] - before["cpu"]


# Statistics and report ------------------------------------------------------------------------


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


def verify_database(db_file: Path, round_id: str, reps: list[Rep]) -> list[str]:
    """Every acknowledged save is stored: per organisation, the stored version equals the number of
    acknowledged saves (each changed answers), there is one audit row per version, and the stored
    answer is the last acknowledged one."""
    expected: dict[str, tuple[int, Rep | None]] = {}
    for rep in reps:
        acked, last = expected.get(rep.organisation, (0, None))
        if rep.acked and (last is None or rep.last_acked_at > last.last_acked_at):
            last = rep
        expected[rep.organisation] = (acked + rep.acked, last)
    with sqlite3.connect(db_file) as db:
        rows = {
            org: (version, json.loads(answers) if isinstance(answers, str) else answers, changes)
            for org, version, answers, changes in db.execute(
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


def print_checks(db_file: Path, round_id: str, reps: list[Rep], connector_count: int, messages_acknowledged: int) -> bool:
    """The database check (`verify_database`) and the connector's reply count; True if both pass."""
    problems = verify_database(db_file, round_id, reps)
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


# Main -----------------------------------------------------------------------------------------


def add_server_options(parser: argparse.ArgumentParser) -> None:
    """Options shared with bench.turns: how our bot runs, and what is kept."""
    parser.add_argument("--profile", action="store_true",
                        help="run our bot under cProfile and print where its time goes (slows it down)")
    parser.add_argument("--send-tenant-per-second", type=float, default=100000.0,
                        help="our bot's limit on outgoing calls per tenant (default 100000: no limit, like the "
                             "echo bot; Teams allows about 50 per second per tenant, replies included)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, logs)")


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
    round_file, db_file = workdir / "round.yaml", workdir / "hyte.db"
    config, people = write_round(round_file, max(200, 4 * max(args.levels)))
    servers: list[Server] = []
    exit_code = 0
    try:
        connector, hyte, echo = await start_servers(
            workdir, round_file, db_file, profile=args.profile, fast_msrest=args.fast_msrest,
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
        checks_ok = print_checks(db_file, config["id"], reps, connector_count, bench.messages_acknowledged)
        print_footer(started, load_before, workdir if args.profile else None)
        if total_errors or not checks_ok:
            exit_code = 1
    finally:
        await finish(servers, workdir, args.keep or exit_code != 0)
    return exit_code


def print_footer(started: float, load_before: tuple[float, float, float], profiled: Path | None) -> None:
    """The run's time and the machine's load; with a profiled run (its workdir), the profile."""
    print(f"  total time {time.perf_counter() - started:.0f} s; load average before "
          f"{load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} (other processes on the machine skew results)")
    if profiled is not None:
        print_profile(profiled / "hyte.prof")


def print_profile(path: Path, limit: int = 25) -> None:
    import io
    import pstats

    if not path.exists():
        print("bench: no profile written")
        return
    site = str(Path(aiohttp.__file__).resolve().parent.parent) + os.sep
    stdlib = str(Path(os.__file__).resolve().parent) + os.sep
    views = (("tottime", (limit,), "all functions, by own time"),
             ("cumulative", (r"/(bot|dialogs|cards|storage|hyte)/|/app\.py", limit), "our code, by cumulative time"))
    for sort, restrictions, title in views:
        out = io.StringIO()
        pstats.Stats(str(path), stream=out).sort_stats(sort).print_stats(*restrictions)
        text = out.getvalue()
        text = text[text.find("   ncalls"):].replace(site, "").replace(stdlib, "").replace(str(REPO) + os.sep, "")
        print(f"\nOur bot under cProfile (requests served, main thread only; cProfile inflates small calls), "
              f"{title}:")
        print(text.rstrip())


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
