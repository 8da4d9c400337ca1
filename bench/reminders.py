"""Benchmark: one reminder fanned out to 500 people in each of two counties, each county in its own
tenant, through a loopback Bot Connector (issues 5 and 18).

    .venv/bin/python -m bench.reminders [--counties 2] [--people 500] [--throttle 20] [--new-conversations]
                                        [--tenant-rate 50] [--concurrency 8] [--database-url URL]

Builds the real app (`app.create_app`) over a temporary SQLite database (or --database-url) with a
rounds folder of `--counties` counties, each the demo round in a tenant of its own with `--people`
generated organisations, one representative each, and only the "closes in N days" 1:1 reminder
enabled; nobody has answered, so each representative is due one reminder. Their 1:1 conversation
references are stored, as if each had talked to the bot (with --new-conversations none is: the
bot reads the board team's roster and creates every 1:1 conversation first). The Bot Connector is
the tests' loopback stand-in (loopback/connector.py, its own thread); it answers the first
`--throttle` sends with 429 and Retry-After: 1.

It runs the scheduler once at the reminder's due time (`Scheduler.run_due`, as the background task
would) and prints, overall and per county: delivered (must equal --people), the achieved send rate
against the configured tenant limit, the busiest one-second window, retries and the waits they cost.
Teams limits proactive messages per app and tenant, and so does the bot: with two counties the
rate overall is about twice one county's, and each county's finishes in about the time one county
alone takes. Exit status 0 when every reminder was delivered once and no tenant's one-second window
exceeded the limit.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from bisect import bisect_left
from datetime import datetime
from pathlib import Path

import yaml

from aiohttp import web

from app import SERVICES, create_app
from bench.processes import in_workdir
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


def tenant_of(county: int) -> str:
    return f"{county:08x}-0000-4000-8000-00000000bec0"


def write_round(path: Path, people: int, county: int = 1) -> list[TeamsUser]:
    """County `county`'s round (the demo round in a tenant of its own) with `people` representatives."""
    config = yaml.safe_load(DEMO_ROUND.read_text(encoding="utf-8"))
    config["survey_file"] = str((DEMO_ROUND.parent / config["survey_file"]).resolve())
    config.pop("workshop_file", None)
    config.update(id=f"bench-county-{county}", county=f"Penkkialueen {county} hyvinvointialue",
                  region=f"Penkkialue {county}", tenant_id=tenant_of(county))
    config["timetable"] = TIMETABLE
    config["organisations"] = []
    config["representatives"] = []
    config["reminders"] = {r.value: {"enabled": r is ReminderId.NONRESPONDENTS_EARLY} for r in ReminderId}
    users = []
    for i in range(1, people + 1):
        aad = f"{county:08x}-0000-4000-8000-{0xbe0000000000 + i:012x}"
        user = TeamsUser(aad, f"Testi Edustaja{i:03d}", upn=f"edustaja{i}@example.fi")
        config["organisations"].append({"id": f"bench_org_{i:03d}", "name": f"Penkkiorganisaatio {i}",
                                        "category": "municipality"})
        config["representatives"].append({"name": user.name, "organisation": f"bench_org_{i:03d}", "role": "member",
                                          "aad_object_id": aad, "upn": user.upn})
        users.append(user)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return users


def busiest_window(stamps: list[float], seconds: float = 1.0) -> int:
    stamps = sorted(stamps)
    return max((bisect_left(stamps, s + seconds) - i for i, s in enumerate(stamps)), default=0)


async def run(options: argparse.Namespace, workdir: Path) -> int:
    counties = list(range(1, options.counties + 1))
    users = {c: write_round(workdir / "rounds" / f"county-{c}" / "round.yaml", options.people, c) for c in counties}
    database_url = options.database_url or f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    async with ConnectorStandIn() as connector:
        envs = {c: TeamsEnv(service_url=connector.service_url, tenant_id=tenant_of(c)) for c in counties}
        tenant_of_conversation = {personal_conversation_id(user.id): tenant_of(c) for c in counties for user in users[c]}
        settings = Settings(
            _env_file=None, DATABASE_URL=database_url, HYTE_ROUNDS_DIR=workdir / "rounds", MicrosoftAppId="",
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
            for c in counties:
                env, board = envs[c], f"{BOARD_TEAM[:-len('@thread.tacv2')]}-{c}@thread.tacv2"
                connector.add_team(board, f"Penkkitiimi {c}")
                connector.members[board] = [member(env, user) for user in users[c]]
                await services.teams.installed(env.tenant_id, board, f"Penkkitiimi {c}", None, env.service_url, None,
                                               True, DUE)
                for user in users[c] if not options.new_conversations else []:
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

            stamps: dict[str, list[float]] = {tenant_of(c): [] for c in counties}
            request = sender.outbound._request

            async def timed_request(method, url, *args):
                # bench-only instrumentation: when each call (retries too) went out, to which tenant
                parts = url.path.split("/")
                conversation = parts[3] if len(parts) > 3 and parts[2] == "conversations" else ""
                tenant = tenant_of_conversation.get(conversation)
                if tenant is not None:
                    stamps[tenant].append(time.monotonic())
                return await request(method, url, *args)

            sender.outbound._request = timed_request
            started = time.monotonic()
            report = await scheduler.run_due(DUE)
            elapsed = time.monotonic() - started

            results = {}
            for c in counties:
                jobs = await scheduler.jobs.list(tenant_of(c), f"bench-county-{c}")
                results[c] = sum(1 for j in jobs if j.state is JobState.SENT)
            conversations = {personal_conversation_id(user.id) for c in counties for user in users[c]}
            accepted = [c for c in connector.calls if c.kind == "send" and c.status < 300]
            received = {c.conversation_id for c in accepted}
            created = sum(1 for c in connector.calls if c.kind == "create_conversation" and c.status < 300)
        finally:
            await runner.cleanup()

    limit = options.tenant_rate
    everything = sorted(s for tenant_stamps in stamps.values() for s in tenant_stamps)
    stats = sender.outbound.stats
    path = "new 1:1 conversations through the board team's roster" if options.new_conversations else \
        "stored 1:1 conversation references"
    print(f"reminders: {options.counties} counties in {options.counties} tenants, {options.people} people each, "
          f"one reminder each, via {path}")
    print(f"database: {'SQLite (temporary)' if not options.database_url else options.database_url.split('@')[-1]}; "
          f"scheduler workers: {max(1, options.concurrency // options.counties)} per county "
          f"({options.concurrency} shared out)")
    print(f"limits: per tenant {limit:g}/s; per conversation 7/s and 60/30 s")
    total = options.people * options.counties
    print(f"delivered: {sum(results.values())}/{total} jobs sent; connector accepted {len(accepted)} messages "
          f"in {len(received)} conversations; {created} conversations created")
    print(f"outcomes: {dict(sorted(report.outcomes.items()))}")
    print(f"elapsed: {elapsed:.2f} s; achieved rate {len(everything) / elapsed:.1f}/s overall "
          f"({options.counties} tenant{'s' if options.counties > 1 else ''}, limit {limit:g}/s each)")
    peaks = {}
    for c in counties:
        tenant_stamps = sorted(stamps[tenant_of(c)])
        span = (tenant_stamps[-1] - tenant_stamps[0]) if len(tenant_stamps) > 1 else 0.0
        peaks[c] = busiest_window(tenant_stamps)
        print(f"  county {c} (tenant {tenant_of(c)}): {results[c]}/{options.people} sent; first send "
              f"{tenant_stamps[0] - started if tenant_stamps else 0:.2f} s after the start, last "
              f"{tenant_stamps[-1] - started if tenant_stamps else 0:.2f} s; "
              f"{(len(tenant_stamps) - 1) / span if span else 0:.1f}/s between them; busiest 1-s window: {peaks[c]} sends")
    print(f"busiest 1-s window, all tenants together: {busiest_window(everything)} sends")
    print(f"HTTP calls: {stats.calls}; retries: {stats.retries} (429 answers: {stats.throttled}; "
          f"waited {stats.retry_wait:.1f} s in all, Retry-After honoured); rate-limiter waits: "
          f"{sender.outbound.limiter.waited:.1f} s in all")
    ok = (all(results[c] == options.people for c in counties) and len(received) == len(accepted) == total
          and received == conversations and all(peak <= limit for peak in peaks.values()))
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counties", type=int, default=2, help="counties, each in its own tenant")
    parser.add_argument("--people", type=int, default=500, help="representatives per county")
    parser.add_argument("--throttle", type=int, default=20, help="answer this many sends with 429, Retry-After: 1")
    parser.add_argument("--new-conversations", action="store_true", help="no stored references: roster + create")
    parser.add_argument("--tenant-rate", type=float, default=50.0, help="HYTE_SEND_TENANT_PER_SECOND")
    parser.add_argument("--concurrency", type=int, default=8, help="scheduler workers, shared out between the counties")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    options = parser.parse_args(argv)
    return in_workdir("reminders", lambda workdir: run(options, workdir), keep=options.keep)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
