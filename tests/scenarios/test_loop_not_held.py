"""The event loop is never held by SQLite (issue 15): while an operator's process holds the
database's write lock, a survey save waits for it, and meanwhile the bot keeps answering other
requests (its health check, and a probe task in its loop keeps running); when the lock is
released, the save goes through and is stored.

SQLite's busy handler would sleep on the loop's thread (the bot runs SQLite there,
storage/inline_sqlite.py): the loop sleeps a few milliseconds at most and waits for the lock in
asyncio sleeps."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import aiohttp
from sqlalchemy.engine import make_url

from app import SERVICES
from conftest import DEMO_TENANT, MAIJA
from hyte.responses import ResponseKey
from loopback.person import CARD, Person, actions, texts
from loopback.server import BotServer
from loopback.survey import ANSWERS
from loopback.teams import card_action

KEY = ResponseKey(DEMO_TENANT, "pohjois-savo-demo", "kuopio")
OPERATOR = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")  # the write lock, as an operator command writing would hold it
print("locked", flush=True)
sys.stdin.readline()
db.execute("COMMIT")
print("released", flush=True)
"""


async def test_a_write_waiting_for_another_process_leaves_the_loop_answering(server: BotServer, client, connector, teams):
    maija = Person(client, connector, teams, MAIJA)
    card = await maija.open_card("kysely")
    path = make_url(server.settings.database_url).database
    operator = subprocess.Popen([sys.executable, "-c", OPERATOR, path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True)
    try:
        assert operator.stdout.readline().strip() == "locked"
        action = actions(card)["Seuraava"]
        save = asyncio.create_task(maija.client.post(
            card_action(maija.env, MAIJA, action["verb"], {**action["data"], **ANSWERS["goals_measures"]})))
        ticks = 0

        async def probe() -> None:  # a task in the loop the bot runs in
            nonlocal ticks
            while True:
                await asyncio.sleep(0.001)
                ticks += 1

        prober = asyncio.create_task(probe())
        await asyncio.sleep(0.3)  # the save has reached the database and waits for the lock
        async with aiohttp.ClientSession() as session, session.get(server.url + "/healthz") as health:
            assert health.status == 200
        assert not save.done()  # still waiting for the operator's lock, while the health check was answered
        assert ticks > 10  # and the loop kept running the probe
        ticks_before = ticks
        await asyncio.sleep(0.05)
        assert ticks > ticks_before
        prober.cancel()
        assert (await server.app[SERVICES].responses.get(KEY)) is None  # nothing written yet
    finally:
        out, _ = operator.communicate("\n", timeout=10)
    assert out.strip() == "released"
    status, body = await save
    assert status == 200 and body["type"] == CARD
    assert "Osio 2/5" in texts(body["value"])
    assert (await server.app[SERVICES].responses.get(KEY)).version == 1
