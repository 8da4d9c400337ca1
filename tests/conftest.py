"""Fixtures: a Bot Connector stand-in, the app on loopback over SQLite or PostgreSQL, Teams people.

PostgreSQL: tests marked `postgres` (and the `database_url` fixture's postgresql parameter) use
the server at HYTE_TEST_POSTGRES (default postgresql://postgres@127.0.0.1:5432/test), in a database
of their own. Without a server they skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import date, datetime
from pathlib import Path

import asyncpg
import pytest

from app import Settings
from auxil.connector import ConnectorStandIn
from auxil.http import BotClient
from auxil.server import BotServer
from auxil.teams import TeamsEnv, TeamsUser
from hyte.clock import FixedClock
from hyte.round import HELSINKI

REPO = Path(__file__).resolve().parent.parent
DEMO_ROUND = REPO / "config" / "pohjois-savo" / "round.yaml"
DEMO_TENANT = "00000000-0000-0000-0000-0000000000001"
TODAY = date(2024, 5, 1)
"""The demo round's relative dates count from here: the survey is open 24.4.–15.5.2024 16.00."""
NOW = datetime(2024, 5, 2, 10, 0, tzinfo=HELSINKI)

POSTGRES_ADMIN_URL = os.environ.get("HYTE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")

# The demo round's people (config/pohjois-savo/round.yaml).
MAIJA = TeamsUser("00000000-0000-0000-0000-0000000000a1", "Maija Meikäläinen", upn="maija.meikalainen@example.fi")
MATTI = TeamsUser("00000000-0000-0000-0000-0000000000a2", "Matti Virtanen", upn="matti.virtanen@example.fi")
LIISA = TeamsUser("00000000-0000-0000-0000-0000000000a3", "Liisa Korhonen", upn="liisa.korhonen@example.fi")
SANNA = TeamsUser("00000000-0000-0000-0000-0000000000b1", "Sanna Laine", upn="sanna.laine@example.fi")
ANNA = TeamsUser("00000000-0000-0000-0000-0000000000d1", "Anna Mäkinen", upn="anna.makinen@example.fi")
"""Configured by UPN only: recognised through the connector's member look-up."""
OLLI = TeamsUser("00000000-0000-0000-0000-0000000000c1", "Olli Ulkopuolinen", upn="olli@example.org")
"""Not in the round."""


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


def make_settings(database_url: str, round_file: Path = DEMO_ROUND, **overrides) -> Settings:
    values = {"DATABASE_URL": database_url, "HYTE_ROUND_FILE": round_file, "HYTE_TODAY": TODAY,
              "MicrosoftAppId": "", "MicrosoftAppPassword": "", **overrides}
    return Settings(_env_file=None, **values)


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
