"""The database goes away mid-run: the person gets "try again", the request fails cleanly, nothing
half-written remains, and the bot recovers by itself when the database returns.

SQLite: the pool is emptied and the file cannot be opened (a directory stands in its place).
PostgreSQL: the database refuses connections and every backend is terminated (the first use of a
pooled connection finds it dead, the pool is invalidated and no new one can be opened), then it
is allowed again.
"""

from __future__ import annotations

import shutil
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from app import SERVICES
from loopback.http import BotClient
from loopback.person import CARD, Person, actions, texts
from loopback.server import BotServer
from loopback.teams import TeamsUser, card_action
from cards.catalogue import t
from conftest import DEMO_TENANT, MAIJA, POSTGRES_ADMIN_URL, make_settings
from hyte.responses import ResponseKey
from loopback.survey import ANSWERS

KEY = ResponseKey(DEMO_TENANT, "pohjois-savo-demo", "kuopio")


@pytest.fixture
async def bot(database_url, clock):
    server = BotServer(make_settings(database_url), clock)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def maija(bot, connector, teams):
    async with BotClient(bot.url) as client:
        yield Person(client, connector, teams, MAIJA)


@asynccontextmanager
async def outage(server: BotServer):
    url = make_url(server.settings.database_url)
    database = server.app[SERVICES].responses._db  # the app's one Database
    if url.get_backend_name() == "sqlite":
        await database.dispose()
        path = Path(url.database)
        aside = path.with_name(path.name + ".aside")
        path.rename(aside)
        path.mkdir()
        try:
            yield
        finally:
            shutil.rmtree(path)
            aside.rename(path)
        return
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            url.database,
        )
        yield
    finally:
        await admin.execute(f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS true')
        await admin.close()


async def state(server: BotServer):
    services = server.app[SERVICES]
    response = await services.responses.get(KEY)
    changes = await services.responses.changes(KEY)
    position = await services.positions.get(DEMO_TENANT, "pohjois-savo-demo", MAIJA.aad_object_id)
    return response, changes, position


async def test_a_database_outage_gets_try_again_and_the_bot_recovers(bot: BotServer, maija: Person):
    card = await maija.open_card("kysely")
    card = await maija.press(card, "Seuraava", ANSWERS["goals_measures"])
    assert "Osio 2/5" in texts(card)
    before = await state(bot)
    assert before[0].version == 1

    async with outage(bot):
        with pytest.raises(Exception):  # the outage is real
            await bot.app[SERVICES].responses.get(KEY)
        replies = await maija.say("kysely")
        assert [r.get("text") for r in replies] == [t("error.generic")]

        action = actions(card)["Seuraava"]
        data = {**action["data"], **ANSWERS["monitoring"]}
        status, body = await maija.client.post(card_action(maija.env, MAIJA, action["verb"], data))
        assert status == 200 and body["statusCode"] == 200 and body["type"] == CARD
        assert t("error.generic") in texts(body["value"])

        # A Swedish Teams client is told in Swedish (the failed turn's own language is gone).
        in_swedish = Person(maija.client, maija.connector, maija.env,
                            TeamsUser(MAIJA.aad_object_id, MAIJA.name, locale="sv-FI"))
        replies = await in_swedish.say("enkät")
        assert [r.get("text") for r in replies] == [t("error.generic", "sv")] != [t("error.generic", "fi")]

    assert await state(bot) == before  # nothing half-written

    # Back by itself: the same card's button works, and so does a command.
    card = await maija.press(card, "Seuraava", ANSWERS["monitoring"])
    assert "Osio 3/5" in texts(card)
    assert (await bot.app[SERVICES].responses.get(KEY)).version == 2
    assert "Osio 3/5" in texts(await maija.open_card("kysely"))
