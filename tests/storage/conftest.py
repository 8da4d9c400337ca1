"""A migrated database (SQLite, and PostgreSQL through the parametrised `database_url`)."""

from __future__ import annotations

import pytest

from storage.db import Database, migrate


@pytest.fixture
async def database(database_url: str):
    database = Database.connect(database_url)
    await migrate(database.engine)
    yield database
    await database.dispose()
