"""Benchmark: card actions and message turns while Entra ID answers at once, in 6 s, or not at all (issue 12).

    .venv/bin/python -m bench.entra [--actions 200] [--messages 20] [--slow 6]

Each row starts the real app (`app.create_app`) afresh (no token kept) over a temporary SQLite
database, with an app id, its production credentials (bot/transport/entra.py: MSAL) pointed at the tests'
loopback token endpoint (loopback/entra.py, TLS on 127.0.0.1) through ToChannelFromBotLoginUrl,
channel tokens from the tests' token service and the tests' Bot Connector stand-in. The app is
served on a loopback port and driven over HTTP by this process, one request at a time:

1. `--actions` survey card actions ("Tallenna luonnos", an adaptiveCard/action invoke whose answer
   is the HTTP response), Maija saving her organisation's draft again and again; the first is the
   first request the fresh process serves;
2. `--messages` message turns ("tila": the answer is a reply the bot sends, with its token), each
   in a 1:1 chat of its own (so that Teams' limit of 7 messages a second per chat does not count).

Rows: Entra ID answering at once; answering in `--slow` seconds; down (connections refused), after
which it comes back and the bench waits for the queued replies. Printed: each kind's latency as
the client saw it (median, p95, max, milliseconds), how many replies went out directly or were
queued, and after the recovery how many queued replies were delivered, how many times each
(must be once), and how long after Entra ID came back the last one arrived.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import time
from pathlib import Path

from app import QUEUED, SERVICES
from bench.processes import in_workdir
from hyte.clock import FixedClock
from hyte.responses import ResponseKey
from loopback.connector import ConnectorStandIn
from loopback.demo import DEMO_TENANT, MAIJA, NOW, make_settings
from loopback.entra import SECRET, EntraStandIn
from loopback.http import AuthClient
from loopback.person import Person, texts
from loopback.server import BotServer
from loopback.teams import TeamsEnv, personal_message
from loopback.tokens import APP_ID, TokenService


def figures(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"median {statistics.median(ms):7.1f}  p95 {p95:7.1f}  max {ms[-1]:7.1f}"


async def row(name: str, mode: str, options, workdir: Path, tokens, entra: EntraStandIn, connector) -> dict:
    entra.delay = options.slow if mode == "slow" else 0.0
    if mode == "down":
        await entra.down()
    else:
        await entra.up()
    database = f"sqlite+aiosqlite:///{workdir / (mode + '.db')}"
    settings = make_settings(
        database, MicrosoftAppId=APP_ID, MicrosoftAppPassword=SECRET, ToBotFromChannelOpenIdMetadataUrl=tokens.metadata_url,
        ToChannelFromBotLoginUrl=entra.authority, HYTE_REMINDER_POLL_SECONDS=0, HYTE_QUEUED_REPLY_POLL_SECONDS=1,
        LOG_LEVEL="ERROR",
    )
    server = await BotServer(settings, FixedClock(NOW)).start()
    teams = TeamsEnv(connector.service_url, DEMO_TENANT)
    client = AuthClient(server.url, tokens, teams.service_url)
    maija = Person(client, connector, teams, MAIJA)
    connector.clear()
    try:
        card = await maija.invoke("survey.open", {"verb": "survey.open", "r": "pohjois-savo-demo"})
        actions: list[float] = []
        for index in range(options.actions):
            started = time.perf_counter()
            card = await maija.press(card, "Tallenna luonnos", {"q.hyte_effectiveness": f"Luonnos {index}."})
            actions.append(time.perf_counter() - started)
            assert "Luonnos on tallennettu" in texts(card), texts(card)
        stored = await server.app[SERVICES].responses.get(ResponseKey(DEMO_TENANT, "pohjois-savo-demo", "kuopio"))
        assert stored.answers.get("hyte_effectiveness") == f"Luonnos {options.actions - 1}."
        messages: list[float] = []
        for index in range(options.messages):  # each in a chat of its own: Teams' 7 per second per chat is not measured
            started = time.perf_counter()
            status, _ = await client.post(personal_message(teams, MAIJA, "tila", conversation_id=f"a:bench-{index}"))
            messages.append(time.perf_counter() - started)
            assert status == 201
        queue = server.app[QUEUED]
        result = {"name": name, "actions": actions, "messages": messages, "queued": queue.stats.queued,
                  "direct": len(connector.sent()) - queue.stats.delivered}
        if mode == "down":
            await entra.up()
            back = time.perf_counter()
            await connector.wait_for_sent(queue.stats.queued, 30)
            result["recovered_in"] = time.perf_counter() - back
            await asyncio.sleep(3 * settings.queued_reply_poll_seconds)  # more passes: nothing goes out twice
            result["delivered"] = queue.stats.delivered
            result["sent_after"] = len(connector.sent())
            result["expired"] = queue.stats.expired
        result["token_requests"] = entra.token_requests
        return result
    finally:
        await client.close()
        await server.stop()


async def run(options, workdir: Path) -> int:
    tokens = await TokenService().start()
    entra = await EntraStandIn(tokens).start()
    os.environ["REQUESTS_CA_BUNDLE"] = str(entra.ca_file)
    ok = True
    try:
        async with ConnectorStandIn() as connector:
            rows = []
            for name, mode in (("Entra ID answers at once", "up"), (f"Entra ID answers in {options.slow:g} s", "slow"),
                               ("Entra ID down, then back", "down")):
                before = entra.token_requests
                result = await row(name, mode, options, workdir, tokens, entra, connector)
                result["token_requests"] -= before
                rows.append(result)
    finally:
        await entra.close()
        await tokens.close()
    print(f"bench.entra: {options.actions} card actions, then {options.messages} message turns, one at a time, "
          "per row; a fresh process each row (client-side milliseconds)")
    for result in rows:
        print(f"\n{result['name']}:")
        print(f"  card action (save)   {figures(result['actions'])}")
        print(f"  message turn (tila)  {figures(result['messages'])}")
        print(f"  replies: {result['direct']} sent directly, {result['queued']} queued; "
              f"token requests answered: {result['token_requests']}")
        if "delivered" in result:
            once = result["sent_after"] == result["queued"] == result["delivered"]
            ok = ok and once and not result["expired"]
            print(f"  after recovery: {result['delivered']}/{result['queued']} queued replies delivered "
                  f"({result['sent_after']} arrived: {'each once' if once else 'NOT once each'}), "
                  f"the last {result['recovered_in']:.2f} s after Entra ID came back; expired: {result['expired']}")
    print("\nPASS" if ok else "\nFAIL")
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=200)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--slow", type=float, default=6.0, help="seconds Entra ID takes in the slow row")
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # the queued replies' warnings would drown the figures
    return in_workdir("entra", lambda workdir: run(options, workdir))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
