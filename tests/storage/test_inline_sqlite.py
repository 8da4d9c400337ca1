"""SQLite runs on the event loop's thread (storage/inline_sqlite.py), no worker thread per connection,
and what one session commits is what the next reads, errors being sqlite3's own."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.db import Database


async def test_statements_run_on_the_loops_thread(sqlite_url):
    database = Database.connect(sqlite_url)
    threads_before = threading.active_count()
    seen: list[str] = []
    async with database.read() as connection:
        raw = await connection.get_raw_connection()
        raw.driver_connection._conn.create_function("where_am_i", 0, lambda: seen.append(threading.current_thread().name) or 1)
        assert (await connection.execute(text("SELECT where_am_i()"))).scalar() == 1
    assert seen == [threading.current_thread().name]
    assert threading.active_count() == threads_before
    await database.dispose()


async def test_writes_are_seen_by_the_next_read_and_errors_are_sqlite3s(sqlite_url):
    database = Database.connect(sqlite_url)
    async with database.write() as session:
        await session.execute(text("CREATE TABLE t (k TEXT PRIMARY KEY)"))
        await session.execute(text("INSERT INTO t VALUES ('a')"))
    with pytest.raises(IntegrityError) as refused:
        async with database.write() as session:
            await session.execute(text("INSERT INTO t VALUES ('b')"))
            await session.execute(text("INSERT INTO t VALUES ('a')"))
    assert isinstance(refused.value.orig, sqlite3.IntegrityError)
    async with database.read() as connection:
        assert (await connection.execute(text("SELECT k FROM t ORDER BY k"))).scalars().all() == ["a"]  # b rolled back
    await database.dispose()
