"""Benchmark: one reminder fanned out to 500 people through a loopback Bot Connector (issue 5).

    .venv/bin/python -m bench.reminders [--people 500] [--throttle 20] [--new-conversations]
                                        [--tenant-rate 50] [--concurrency 8] [--database-url URL]

Builds the real app (`app.create_app`) over a temporary SQLite database (or --database-url) with
the demo round plus `--people` generated organisations, one representative each, and only the
"closes in N days" 1:1 reminder enabled; nobody has answered, so each representative is due one
reminder. Their 1:1 conversation references are stored, as if each had talked to the bot (with
--new-conversations none is: the bot reads the board team's roster and creates every 1:1
conversation first). The Bot Connector is the tests' loopback stand-in (loopback/connector.py,
its own thread); it answers the first `--throttle` sends with 429 and Retry-After: 1.

It runs the scheduler once at the reminder's due time (`Scheduler.run_due`, as the background task
would) and prints: delivered (must equal --people), the achieved send rate against the configured
tenant limit, the busiest one-second window, retries and the waits they cost. Exit status 0 when
every reminder was delivered once and no one-second window exceeded the limit.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from bisect import bisect_left
from datetime import datetime
from pathlib import Path

import yaml

from aiohttp import web

from app import SERVICES, create_app
from hyte.clock import HELSINKI, FixedClock
from hyte.jobs import JobState
from hyte.reminders import ReminderId
from loopback.connector import ConnectorStandIn, personal_conversation_id
from loopback.teams import TeamsEnv, TeamsUser, member
from settings import Settings

REPO = Path(__file__).resolve().parent.parent

DEMO_ROUND = REPO / "config" / "pohjois-savo" / "round.yaml"
TIMETABLE = {
    "material_review": "2024-02-14T13:00", "survey_opens": "2024-03-18T08:00", "survey_closes": "2024-04-03T16:00",
    "negotiation_meeting": "2024-04-17T09:00", "summary_to_government": "2024-05-31T12:00",
    "results_into_plan": "2024-09-16T12:00",
}
DUE = datetime(2024, 3, 31, 9, 0, tzinfo=HELSINKI)  # "closes in 3 days", 09.00 Helsinki time
BOARD_TEAM = "19:bench-board@thread.tacv2"


def write_round(path: Path, people: int) -> list[TeamsUser]:
    config = yaml.safe_load(DEMO_ROUND.read_text(encoding="utf-8"))
    config["survey_file"] = str((DEMO_ROUND.parent / config["survey_file"]).resolve())
    config.pop("workshop_file", None)
    config["timetable"] = TIMETABLE
    config["organisations"] = []
    config["representatives"] = []
    config["reminders"] = {r.value: {"enabled": r is ReminderId.NONRESPONDENTS_EARLY} for r in ReminderId}
    users = []
    for i in range(1, people + 1):
        aad = f"00000000-0000-0000-0000-{0xbe0000000000 + i:012x}"
        user = TeamsUser(aad, f"Testi Edustaja{i:03d}", upn=f"edustaja{i}@example.fi")
        config["organisations"].append({"id": f"bench_org_{i:03d}", "name": f"Penkkiorganisaatio {i}",
                                        "category": "municipality"})
        config["representatives"].append({"name": user.name, "organisation": f"bench_org_{i:03d}", "role": "member",
                                          "aad_object_id": aad, "upn": user.upn})
        users.append(user)
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return users


def busiest_window(stamps: list[float], seconds: float = 1.0) -> int:
    stamps = sorted(stamps)
    return max((bisect_left(stamps, s + seconds) - i for i, s in enumerate(stamps)), default=0)


async def run(options: argparse.Namespace, workdir: Path) -> int:
    users = write_round(workdir / "round.yaml", options.people)
    database_url = options.database_url or f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    async with ConnectorStandIn() as connector:
        env = TeamsEnv(service_url=connector.service_url, tenant_id=yaml.safe_load(
            (workdir / "round.yaml").read_text(encoding="utf-8"))["tenant_id"])
        settings = Settings(
            _env_file=None, DATABASE_URL=database_url, HYTE_ROUND_FILE=workdir / "round.yaml", MicrosoftAppId="",
            MicrosoftAppPassword="", HYTE_REMINDER_POLL_SECONDS=0, HYTE_SEND_TENANT_PER_SECOND=options.tenant_rate,
        )
        clock = FixedClock(DUE)
        app = create_app(settings, clock=clock)
        runner = web.AppRunner(app, handle_signals=False)
        await runner.setup()  # migrations and the plan (cleanup_ctx); nothing is served
        try:
            services = app[SERVICES]
            scheduler = services.scheduler
            scheduler.concurrency = options.concurrency
            sender = scheduler.sender
            connector.add_team(BOARD_TEAM, "Penkkitiimi")
            connector.members[BOARD_TEAM] = [member(env, user) for user in users]
            await services.teams.installed(env.tenant_id, BOARD_TEAM, "Penkkitiimi", None, env.service_url, None,
                                           True, DUE)
            if not options.new_conversations:
                for user in users:
                    conversation = personal_conversation_id(user.id)
                    reference = {  # as the bot keeps it from a turn in that chat
                        "channelId": "msteams", "serviceUrl": env.service_url, "bot": {"id": env.bot_id},
                        "user": {"id": user.id, "aadObjectId": user.aad_object_id},
                        "conversation": {"id": conversation, "conversationType": "personal", "tenantId": env.tenant_id},
                    }
                    await services.conversations.remember(env.tenant_id, conversation, "personal", env.service_url,
                                                          reference, user.aad_object_id, DUE)
            if options.throttle:
                connector.fail_next("POST", r"^/v3/conversations/[^/]+/activities$", 429,
                                    headers={"Retry-After": "1"}, times=options.throttle)

            stamps: list[float] = []
            request = sender.outbound._request

            async def timed_request(*args):
                stamps.append(time.monotonic())
                return await request(*args)

            sender.outbound._request = timed_request  # bench-only instrumentation: when each call (retries too) went out
            started = time.monotonic()
            report = await scheduler.run_due(DUE)
            elapsed = time.monotonic() - started

            jobs = await scheduler.jobs.list(env.tenant_id, services.round.id)
            sent_jobs = sum(1 for j in jobs if j.state is JobState.SENT)
            received = {c.conversation_id for c in connector.calls if c.kind == "send" and c.status < 300}
            accepted = [c for c in connector.calls if c.kind == "send" and c.status < 300]
            created = sum(1 for c in connector.calls if c.kind == "create_conversation" and c.status < 300)
        finally:
            await runner.cleanup()

    limit = options.tenant_rate
    peak = busiest_window(stamps)
    send_span = (max(stamps) - min(stamps)) if len(stamps) > 1 else 0.0
    stats = sender.outbound.stats
    path = "new 1:1 conversations through the board team's roster" if options.new_conversations else \
        "stored 1:1 conversation references"
    print(f"reminders: {options.people} people, one reminder each, via {path}")
    print(f"database: {'SQLite (temporary)' if not options.database_url else options.database_url.split('@')[-1]}; "
          f"scheduler workers: {options.concurrency}")
    print(f"limits: tenant {limit:g}/s; per conversation 7/s and 60/30 s")
    print(f"delivered: {sent_jobs}/{options.people} jobs sent; connector accepted {len(accepted)} messages "
          f"in {len(received)} conversations; {created} conversations created")
    print(f"outcomes: {dict(sorted(report.outcomes.items()))}")
    print(f"elapsed: {elapsed:.2f} s; achieved rate {len(stamps) / elapsed:.1f}/s overall, "
          f"{(len(stamps) - 1) / send_span if send_span else 0:.1f}/s between first and last send "
          f"(limit {limit:g}/s); busiest 1-s window: {peak} sends")
    print(f"HTTP calls: {stats.calls}; retries: {stats.retries} (429 answers: {stats.throttled}; "
          f"waited {stats.retry_wait:.1f} s in all, Retry-After honoured); rate-limiter waits: "
          f"{sender.outbound.limiter.waited:.1f} s in all")
    ok = sent_jobs == options.people == len(received) == len(accepted) and peak <= limit
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--throttle", type=int, default=20, help="answer this many sends with 429, Retry-After: 1")
    parser.add_argument("--new-conversations", action="store_true", help="no stored references: roster + create")
    parser.add_argument("--tenant-rate", type=float, default=50.0, help="HYTE_SEND_TENANT_PER_SECOND")
    parser.add_argument("--concurrency", type=int, default=8, help="scheduler workers")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    options = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="hyte-bench-reminders-"))
    try:
        return asyncio.run(run(options, workdir))
    finally:
        if options.keep:
            print(f"kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
