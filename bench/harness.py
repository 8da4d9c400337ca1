"""The benchmarks' load generator, shared by bench.survey_actions, bench.turns and bench.load: a
round file of generated representatives, simulated representatives who open the survey and press
"Tallenna luonnos" as Teams sends it (loopback/), the echo bot's invoke and message turns, and
measured phases of requests by concurrent workers (`run_phase`, with the servers' own timings)."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterator

import aiohttp
import yaml

from bench.processes import DEMO_ROUND, Server
from cards.catalogue import MESSAGES
from cards.elements import walk
from loopback.person import actions, inputs
from loopback.teams import TeamsEnv, TeamsUser, card_action, personal_message

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
        self.phases: dict = {}

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
