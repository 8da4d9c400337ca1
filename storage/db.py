"""The async engine and session factory, and schema migration (Alembic) for SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Generic, TypeVar

import asyncpg
import orjson
from alembic import command
from alembic.config import Config
import sqlalchemy
from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage import inline_sqlite

logger = logging.getLogger(__name__)
T = TypeVar("T")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK = 0x48595445  # "HYTE": one migrating instance at a time on PostgreSQL
OPEN_ERRORS = (OSError, SQLAlchemyError, asyncpg.PostgresError, asyncpg.InterfaceError)
"""What opening or migrating the database raises when DATABASE_URL's file, server, database or
user is wrong (asyncpg's own errors on connecting are not wrapped by SQLAlchemy)."""
DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
"""The URL schemes the bot runs on, e.g. sqlite+aiosqlite:///var/hyte.db, postgresql+asyncpg://u:p@host/db."""


def check_database_url(database_url: str) -> None:
    """Raise ValueError, saying what is wrong, unless the URL names a database the bot runs on.
    The message never repeats the URL (it may hold a password)."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise ValueError(f"not a database URL; expected {DRIVERS[0]}:///path/to/hyte.db or "
                         f"{DRIVERS[1]}://user:password@host/db") from None
    if url.drivername not in DRIVERS:
        raise ValueError(f"the scheme must be {' or '.join(DRIVERS)}, not {url.drivername}")


def create_engine(database_url: str, *, pool_size: int = 10) -> AsyncEngine:
    """`hide_parameters`: a database error's message (logged by the turn's error handler) names the
    statement but never its parameters, which may be answer or note texts. SQLite runs on the
    event loop's thread (storage/inline_sqlite.py)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, async_creator=inline_sqlite.connector(url.database or ":memory:"), hide_parameters=True,
            json_serializer=_json_text, json_deserializer=orjson.loads,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_async_engine(
        url, pool_size=pool_size, max_overflow=pool_size, hide_parameters=True,
        json_serializer=_json_text, json_deserializer=orjson.loads,
        connect_args={"server_settings": {"jit": "off"}},
    )
    event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)
    event.listen(engine.sync_engine.pool, "checkin", _mark_checkin)
    return engine


IDLE_PING_SECONDS = 10.0
"""A pooled PostgreSQL connection idle longer than this is pinged before use (a dropped connection
is replaced, as `pool_pre_ping` would); one used more recently is not. `pool_pre_ping` pinged on
every checkout: asyncpg's ping is a transaction around an empty statement, three round trips, as
many as the rest of a survey save."""


def _mark_checkin(_dbapi_connection, record) -> None:
    record.info["checked_in"] = time.monotonic()


def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
    if time.monotonic() - record.info.get("checked_in", 0.0) <= IDLE_PING_SECONDS:
        return
    try:
        dbapi_connection.ping()
    except Exception as error:  # noqa: BLE001 - any failure: a dead connection; the pool takes another
        raise DisconnectionError("stale pooled connection") from error


def _json_text(value: object) -> str:
    """JSON columns (answers, notes, references) written by orjson, several times faster than json."""
    return orjson.dumps(value).decode()


def _sqlite_pragmas(dbapi_connection, _record, busy_ms: int = inline_sqlite.LOOP_BUSY_MS) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    cursor.close()


def _sqlite_worker_pragmas(dbapi_connection, record) -> None:
    _sqlite_pragmas(dbapi_connection, record, busy_ms=30000)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@dataclass
class Database:
    """The engine and its sessions. `write()` opens a write transaction; on SQLite (one writer at a
    time) writers queue on an asyncio lock instead of sleeping in SQLite's busy handler, which
    under load backs off for up to 100 ms at a time."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession] = field(init=False)
    _write_lock: asyncio.Lock | None = field(init=False)
    _reader: AsyncEngine = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = session_factory(self.engine)
        sqlite_ = self.engine.dialect.name == "sqlite"
        self._write_lock = asyncio.Lock() if sqlite_ else None
        # PostgreSQL: reads and single-statement writes in autocommit: one round trip, not a
        # BEGIN, the statement and a COMMIT or ROLLBACK. (SQLite runs in process: no round trips.)
        self._reader = self.engine if sqlite_ else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._bulk: _BulkReader | None = None

    @property
    def postgresql(self) -> bool:
        return self._write_lock is None

    @classmethod
    def connect(cls, database_url: str) -> Database:
        return cls(create_engine(database_url))

    def read(self) -> AsyncConnection:
        """A connection for Core reads (lighter than a session, for the reads of every turn); on
        PostgreSQL in autocommit (each statement sees what was committed before it, as in a
        READ COMMITTED transaction)."""
        return self._reader.connect()

    async def bulk(self, read: Callable[[Connection], T]) -> T:
        """`read(connection)` for a large read (a round's every response, a workshop's every note),
        on a synchronous connection, in a worker thread, so that reading and decoding hundreds or
        thousands of rows never holds the event loop: on SQLite over its own pysqlite engine; on
        PostgreSQL over an asyncpg engine of its own, run by an event loop in that thread."""
        if self._bulk is None:
            self._bulk = _BulkReader(self.engine.url)
        return await self._bulk.read(read)

    def stored(self, read: Callable[..., T], *args: Any) -> StoredRead[T]:
        """`read(connection, *args)` (a module-level function) as a large read to be done where its
        rows are used: in the CPU pool's worker process (bot/services/cpu.py), which then never
        sends the rows through this process; `await .load()` reads here (`bulk`)."""
        return StoredRead(self.engine.url.render_as_string(hide_password=False), read, args, self)

    @asynccontextmanager
    async def statement(self) -> AsyncIterator[AsyncConnection]:
        """A connection for one write statement, atomic by itself: on PostgreSQL in autocommit (the
        statement is its own transaction, committed durably: synchronous_commit as configured);
        on SQLite a write transaction (`transaction()`)."""
        if self._write_lock is not None:
            async with self.transaction() as connection:
                yield connection
        else:
            async with self._reader.connect() as connection:
                yield connection

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        async with self._writer(), self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction on a bare connection, for Core statements (no session's bookkeeping:
        the survey's steps and the activity log run one on every turn)."""
        async with self._writer(), self.engine.begin() as connection:
            yield connection

    def _writer(self) -> contextlib.AbstractAsyncContextManager:
        return self._write_lock if self._write_lock is not None else contextlib.nullcontext()

    async def dispose(self) -> None:
        if self._bulk is not None:
            await self._bulk.dispose()
            self._bulk = None
        await self.engine.dispose()


@dataclass(frozen=True)
class StoredRead(Generic[T]):
    """A large read (`Database.stored`), picklable: the URL, the function and its arguments (the
    database itself stays behind). In a worker process `in_worker()` reads over that process's own
    engine; `load()` reads in the serving process."""

    url: str = field(repr=False)
    read: Callable[..., T]
    args: tuple[Any, ...]
    database: Database | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        return {"url": self.url, "read": self.read, "args": self.args, "database": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)

    @property
    def shareable(self) -> bool:
        """Whether another process can read it (not an in-memory SQLite database)."""
        return make_url(self.url).database not in (None, "", ":memory:") or not self.url.startswith("sqlite")

    async def load(self) -> T:
        assert self.database is not None
        read, args = self.read, self.args
        return await self.database.bulk(lambda connection: read(connection, *args))

    def in_worker(self) -> T:
        """In a worker process (one thread): over an engine of this process, kept for the next read."""
        reader = _WORKER_READERS.get(self.url)
        if reader is None:
            reader = _WORKER_READERS[self.url] = _BulkReader(make_url(self.url))
        read, args = self.read, self.args
        return reader.read_here(lambda connection: read(connection, *args))


_WORKER_READERS: dict[str, _BulkReader] = {}


class _BulkReader:
    """Large reads in a worker thread (`Database.bulk`)."""

    def __init__(self, url: Any) -> None:
        self._url = url
        self._sqlite: sqlalchemy.Engine | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._engine: AsyncEngine | None = None
        if url.get_backend_name() == "sqlite":
            self._sqlite = sqlalchemy.create_engine(
                url.set(drivername="sqlite"), hide_parameters=True, json_serializer=_json_text,
                json_deserializer=orjson.loads,
            )
            event.listen(self._sqlite, "connect", _sqlite_worker_pragmas)

    async def read(self, read: Callable[[Connection], T]) -> T:
        if self._sqlite is not None:
            engine = self._sqlite

            def run() -> T:
                with engine.connect() as connection:
                    return read(connection)

            return await asyncio.to_thread(run)
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, name="bulk-reads", daemon=True)
            self._thread.start()
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._read(read), self._loop))

    def read_here(self, read: Callable[[Connection], T]) -> T:
        """`read` in this thread (a worker process's only one): SQLite directly, PostgreSQL by this
        reader's own event loop, run until the read is done."""
        if self._sqlite is not None:
            with self._sqlite.connect() as connection:
                return read(connection)
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        return self._loop.run_until_complete(self._read(read))

    async def _read(self, read: Callable[[Connection], T]) -> T:  # in the worker's loop
        if self._engine is None:
            self._engine = create_async_engine(
                self._url, pool_size=2, max_overflow=2, hide_parameters=True, json_serializer=_json_text,
                json_deserializer=orjson.loads, isolation_level="AUTOCOMMIT",
                connect_args={"server_settings": {"jit": "off"}},
            )
            event.listen(self._engine.sync_engine.pool, "checkout", _ping_if_idle)
            event.listen(self._engine.sync_engine.pool, "checkin", _mark_checkin)
        async with self._engine.connect() as connection:
            return await connection.run_sync(read)

    async def dispose(self) -> None:
        if self._sqlite is not None:
            await asyncio.to_thread(self._sqlite.dispose)
        if self._loop is not None:
            if self._engine is not None:
                await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._engine.dispose(), self._loop))
            self._loop.call_soon_threadsafe(self._loop.stop)
            await asyncio.to_thread(self._thread.join, 10)  # type: ignore[union-attr]
            self._loop.close()


def dialect_insert(session: AsyncSession, model: type):
    """An INSERT with the dialect's ON CONFLICT clauses (PostgreSQL's or SQLite's)."""
    return (postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert)(model)


async def upsert(session: AsyncSession, model: type, values: dict[str, Any], keys: tuple[str, ...]) -> None:
    """Insert, or update the row with the same keys: one statement, safe against a concurrent insert.
    (SQLAlchemy compiles INSERT … ON CONFLICT anew every time: not for what runs on every turn.)"""
    statement = dialect_insert(session, model).values(**values)
    changes = {k: statement.excluded[k] for k in values if k not in keys}
    await session.execute(statement.on_conflict_do_update(index_elements=list(keys), set_=changes))


async def migrate(engine: AsyncEngine, revision: str = "heads") -> None:
    """Create the schema or upgrade it to `revision` (default: every head, so that features whose
    migrations branch from the same parent apply together)."""
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        await connection.run_sync(_upgrade, revision)
    logger.info("schema at revision %s", revision)


def _upgrade(connection: Connection, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
