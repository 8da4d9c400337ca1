"""SQLite run on the event loop's own thread, behind the interface SQLAlchemy's aiosqlite dialect uses.

aiosqlite gives every connection a thread and hands each call to it through a queue, waking the
event loop again through its self-pipe: two thread switches per call, and SQLAlchemy makes four or
five calls per statement (cursor, execute, fetchall, close) plus one to reset the connection. On
the 2-core host of bench.turns that was ~95 µs a call: a one-row SELECT took 1.0 ms and a survey
save's transaction 3.6 ms, most of a card action's time. The statements themselves (indexed, on a
local file, WAL with synchronous=NORMAL: no fsync on commit) take tens of microseconds, less than
one switch, so here they simply run where they are called. The event loop is held for that long,
which the loop-lag monitor of bench.turns watches.

What this relies on: every write goes through `Database.write()` (one writer at a time in the
process) and a transaction never awaits anything but its own statements, so in this process no
statement ever waits for a lock another coroutine holds. Another process writing the same file (an
operator command) can make a write wait. SQLite's own busy handler would sleep on the loop's thread
(holding every other turn), so it gets a few milliseconds only (`LOOP_BUSY_MS`); a statement still
refused as busy is tried again after an asyncio sleep, the loop serving other turns meanwhile,
until `BUSY_WAIT` seconds have passed (then sqlite3's "database is locked", as before). Large reads
(a round's every response) go to a worker thread instead (`Database.bulk()`, plain aiosqlite).

`connect` is given to SQLAlchemy as `async_creator`; `InlineConnection` and `InlineCursor` answer
the calls SQLAlchemy's aiosqlite adapter makes (sqlalchemy/dialects/sqlite/aiosqlite.py), with
sqlite3's own exceptions, as aiosqlite does.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from typing import Any, Callable, Iterable

LOOP_BUSY_MS = 5
"""SQLite's busy timeout on the loop's thread: how long a statement may sleep there for a lock."""
BUSY_WAIT = 30.0
"""How long a statement refused as busy is tried again (asyncio sleeps between the tries)."""


async def _when_free(run: Callable[[], Any]) -> Any:
    """`run()`, tried again while SQLite says the database is busy (another process holds the write
    lock), sleeping off the loop between tries. Not for SQLITE_BUSY_SNAPSHOT (a transaction that read
    before another process wrote cannot write: trying again cannot help), raised at once as before."""
    deadline = 0.0
    pause = 0.002
    while True:
        try:
            return run()
        except sqlite3.OperationalError as error:
            if getattr(error, "sqlite_errorname", None) != "SQLITE_BUSY":
                raise
            now = time.monotonic()
            deadline = deadline or now + BUSY_WAIT
            if now >= deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.05)


class _RunNow:
    """Stands in for aiosqlite's request queue, used by SQLAlchemy to set the isolation level."""

    @staticmethod
    def put_nowait(item: tuple[Any, Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as exc:  # noqa: BLE001 - handed to the awaiting caller
            future.set_exception(exc)


class InlineCursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    async def execute(self, sql: str, parameters: Any = None) -> InlineCursor:
        if parameters is None:
            await _when_free(lambda: self._cursor.execute(sql))
        else:
            await _when_free(lambda: self._cursor.execute(sql, parameters))
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        rows = list(parameters)
        await _when_free(lambda: self._cursor.executemany(sql, rows))
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size) if size is not None else self._cursor.fetchmany()

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class InlineConnection:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._tx = _RunNow()

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    async def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Any = None) -> InlineCursor:
        return await InlineCursor(self._conn.cursor()).execute(sql, parameters)

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def commit(self) -> None:
        await _when_free(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()


def connector(path: str) -> Callable[[], Any]:
    """The `async_creator` of an engine over the SQLite file `path` (busy timeout `LOOP_BUSY_MS`)."""

    async def connect() -> InlineConnection:
        # Used on the loop's thread only; not tied to it, so that a pool finaliser run by the
        # garbage collector in another thread may close it.
        return InlineConnection(sqlite3.connect(path, timeout=LOOP_BUSY_MS / 1000, check_same_thread=False))

    return connect
