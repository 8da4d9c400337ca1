"""Fixtures: a Bot Connector stand-in, the app on loopback over SQLite or PostgreSQL, Teams people.

PostgreSQL: tests marked `postgres` (and the `database_url` fixture's postgresql parameter) use
the server at HYTE_TEST_POSTGRES (default postgresql://postgres@127.0.0.1:5432/test), in a database
of their own. Without a server they skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import asyncpg
import pytest

from loopback.connector import ConnectorStandIn
from loopback.demo import (  # noqa: F401  (the tests import these from here)
    ANNA, DEMO_ROUND, DEMO_TENANT, LIISA, MAIJA, MATTI, NOW, OLLI, REPO, SANNA, TODAY, make_settings,
)
from loopback.http import BotClient
from loopback.person import Person
from loopback.server import BotServer
from loopback.teams import TeamsEnv
from hyte.clock import FixedClock

POSTGRES_ADMIN_URL = os.environ.get("HYTE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


async def _postgres_available() -> bool:
    try:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=3)
    except (OSError, asyncpg.PostgresError, asyncio.TimeoutError):
        return False
    await connection.close()
    return True


@pytest.fixture
async def postgres_url():
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    if not await _postgres_available():
        if _ci():
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL} (CI=true: not skipping)")
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}")
    name = f"hyte_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base.replace('postgresql://', 'postgresql+asyncpg://', 1)}/{name}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'hyte.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
async def connector():
    async with ConnectorStandIn() as standin:
        yield standin


@pytest.fixture
def teams(connector: ConnectorStandIn) -> TeamsEnv:
    return TeamsEnv(service_url=connector.service_url, tenant_id=DEMO_TENANT)


@pytest.fixture
async def server(sqlite_url: str, clock: FixedClock):
    """The bot on SQLite, over HTTP on loopback."""
    bot = BotServer(make_settings(sqlite_url), clock)
    await bot.start()
    yield bot
    await bot.stop()


@pytest.fixture
async def client(server: BotServer):
    async with BotClient(server.url, settle=server.settle) as bot_client:
        yield bot_client


@pytest.fixture
def sanna(client: BotClient, connector: ConnectorStandIn, teams: TeamsEnv) -> Person:
    """The HYTE team's Sanna, chatting with the bot on SQLite (`server`)."""
    return Person(client, connector, teams, SANNA)


@pytest.fixture
def maija(client: BotClient, connector: ConnectorStandIn, teams: TeamsEnv) -> Person:
    """Kuopio's representative Maija, chatting with the bot on SQLite (`server`)."""
    return Person(client, connector, teams, MAIJA)
