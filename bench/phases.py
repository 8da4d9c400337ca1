"""Per-phase timers of a bench server process (`bench.servers hyte --phases`; issue 15): where a
request's time goes in the database layer. Installed in the server process only, never in the app.

Wrapped (time and count per request, added up under the request's X-Bench-Tag):

* ``checkout``: a connection taken from SQLAlchemy's pool (`_ConnectionFairy._checkout`), the
  pre-ping included when the engine pings;
* ``ping``: the pre-ping itself (asyncpg: a transaction, ``;``, a rollback: three round trips);
* ``compile``: SQLAlchemy compiling a statement or finding it in its compiled cache
  (`ClauseElement._compile_w_cache`);
* ``begin`` / ``commit`` / ``rollback``: asyncpg's transaction statements, one round trip each;
* ``prepare``: asyncpg preparing a statement (a round trip: the statement was not in the
  connection's prepared-statement cache), ``introspect``: asyncpg's type introspection inside it
  (round trips of its own, the first time a connection meets a type);
* ``execute``: a prepared statement's bind and execute (one round trip each); on SQLite, a
  statement run by storage/inline_sqlite.py (no round trip: in process).

``round trips`` = ping x 3 + begin + commit + rollback + prepare + execute (PostgreSQL).
"""

from __future__ import annotations

import contextvars
import functools
import time
from typing import Any, Callable

CURRENT: contextvars.ContextVar[dict[str, list[float]] | None] = contextvars.ContextVar("bench_phases", default=None)
PHASES = ("checkout", "ping", "compile", "begin", "commit", "rollback", "prepare", "introspect", "execute")


def _add(phase: str, seconds: float) -> None:
    acc = CURRENT.get()
    if acc is not None:
        entry = acc.setdefault(phase, [0.0, 0])
        entry[0] += seconds
        entry[1] += 1


def _sync(phase: str, function: Callable) -> Callable:
    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            _add(phase, time.perf_counter() - started)

    return timed


def _async(phase: str, function: Callable) -> Callable:
    @functools.wraps(function)
    async def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await function(*args, **kwargs)
        finally:
            _add(phase, time.perf_counter() - started)

    return timed


def install() -> None:
    import asyncpg.connection
    import asyncpg.prepared_stmt
    from sqlalchemy.dialects.postgresql import asyncpg as sa_asyncpg
    from sqlalchemy.pool import base
    from sqlalchemy.sql import elements

    from storage import inline_sqlite

    fairy = base._ConnectionFairy
    fairy._checkout = classmethod(_sync("checkout", fairy._checkout.__func__))  # type: ignore[method-assign]
    elements.ClauseElement._compile_w_cache = _sync("compile", elements.ClauseElement._compile_w_cache)
    adapter = sa_asyncpg.AsyncAdapt_asyncpg_connection
    adapter._async_ping = _async("ping", adapter._async_ping)
    begin = _async("begin", adapter._start_transaction)
    plain_start = adapter._start_transaction

    async def start_transaction(self: Any) -> None:  # no BEGIN in autocommit: not counted
        return await (plain_start(self) if self.isolation_level == "autocommit" else begin(self))

    adapter._start_transaction = start_transaction
    adapter._commit_and_discard = _async("commit", adapter._commit_and_discard)
    adapter._rollback_and_discard = _async("rollback", adapter._rollback_and_discard)
    connection = asyncpg.connection.Connection
    connection.prepare = _async("prepare", connection.prepare)
    connection._introspect_types = _async("introspect", connection._introspect_types)
    statement = asyncpg.prepared_stmt.PreparedStatement
    statement.fetch = _async("execute", statement.fetch)
    statement.executemany = _async("execute", statement.executemany)
    inline_sqlite.InlineCursor.execute = _async("execute", inline_sqlite.InlineCursor.execute)
    inline_sqlite.InlineCursor.executemany = _async("execute", inline_sqlite.InlineCursor.executemany)


def round_trips(phases: dict[str, list[float]]) -> float:
    count = {k: v[1] for k, v in phases.items()}
    return (3 * count.get("ping", 0) + count.get("begin", 0) + count.get("commit", 0) + count.get("rollback", 0)
            + count.get("prepare", 0) + count.get("execute", 0))
