"""Processed activity ids: claimed once per tenant, released when the turn did not run, purged."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storage.activities import SqlActivityLog
from storage.models import ProcessedActivityRow

AT = datetime(2024, 5, 2, 7, 0, tzinfo=UTC)


async def test_an_id_is_claimed_once_per_tenant(database):
    log = SqlActivityLog(database)
    assert await log.claim("t1", "1:abc", AT)
    assert not await log.claim("t1", "1:abc", AT + timedelta(seconds=15))
    assert await log.claim("t2", "1:abc", AT)  # another tenant's id space


async def test_concurrent_deliveries_claim_once(database):
    log = SqlActivityLog(database)
    claims = await asyncio.gather(*(log.claim("t1", "1:same", AT) for _ in range(5)))
    assert sorted(claims) == [False] * 4 + [True]


async def test_a_released_id_can_be_claimed_again(database):
    log = SqlActivityLog(database)
    assert await log.claim("t1", "1:abc", AT)
    await log.release("t1", "1:abc")
    assert await log.claim("t1", "1:abc", AT)


async def test_purge_forgets_old_ids_only(database):
    log = SqlActivityLog(database)
    await log.claim("t1", "old", AT - timedelta(days=3))
    await log.claim("t1", "new", AT - timedelta(hours=1))
    assert await log.purge(AT - timedelta(days=2)) == 1
    async with database.sessions() as session:
        ids = (await session.scalars(select(ProcessedActivityRow.activity_id))).all()
        assert ids == ["new"]
        assert await session.scalar(select(func.count()).select_from(ProcessedActivityRow)) == 1
    assert await log.claim("t1", "old", AT)


async def test_database_errors_never_carry_parameters(database):
    """A failed statement's message is logged by the turn's error handler: no answer texts in it."""
    log = SqlActivityLog(database)
    await log.claim("t1", "1:abc", AT)
    async with database.sessions() as session:
        session.add(ProcessedActivityRow(tenant_id="t1", activity_id="1:abc", received_at=AT))
        try:
            await session.flush()
        except IntegrityError as exc:
            assert "[SQL parameters hidden due to hide_parameters=True]" in str(exc)
            assert "2024-05-02" not in str(exc)  # a non-key parameter (PostgreSQL's own detail names key values)
        else:
            raise AssertionError("the duplicate was accepted")


async def test_completing_marks_the_claim_and_leaves_every_other_commit_durable(database):
    from sqlalchemy import text

    log = SqlActivityLog(database)
    for activity_id in ("1:done", "1:also done", "1:running"):
        assert await log.claim("t1", activity_id, AT)
    await log.complete_all([("t1", "1:done"), ("t1", "1:also done"), ("t2", "1:running")])
    async with database.read() as connection:
        completed = dict((await connection.execute(
            select(ProcessedActivityRow.activity_id, ProcessedActivityRow.completed))).all())
        assert completed == {"1:done": True, "1:also done": True, "1:running": False}  # another tenant's id
        if connection.dialect.name == "postgresql":  # the relaxed commit was the statement's own
            for _ in range(3):
                assert await connection.scalar(text("SHOW synchronous_commit")) == "on"


async def test_turns_marked_complete_meanwhile_are_written_together_and_released_claims_are_the_rest(database):
    from sqlalchemy import event

    from bot.transport.http import TurnCompletions

    log = SqlActivityLog(database)
    for n in range(5):
        assert await log.claim("t1", f"1:{n}", AT)
    writes: list[str] = []
    engine = database.engine.sync_engine
    record = lambda _conn, _cursor, statement, *_: writes.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", record)
    try:
        completions = TurnCompletions(log)
        completions.mark("t1", "1:0")
        await asyncio.sleep(0)  # the first mark's statement is on its way
        for n in (1, 2, 3):  # these come meanwhile
            completions.mark("t1", f"1:{n}")
        await completions.drain()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(writes) == 2  # "1:0" alone, then the three together
    assert await log.release_unfinished() == 1  # only "1:4", never marked
    assert not await log.claim("t1", "1:3", AT)
    assert await log.claim("t1", "1:4", AT)


async def test_a_mark_that_cannot_be_written_is_logged_and_the_next_ones_are_written(database, caplog):
    from bot.transport.http import TurnCompletions

    log = SqlActivityLog(database)
    assert await log.claim("t1", "1:a", AT)

    class Failing:
        failed = False

        async def complete_all(self, marks):
            if not Failing.failed:
                Failing.failed = True
                raise ConnectionResetError
            await log.complete_all(marks)

    completions = TurnCompletions(Failing())
    completions.mark("t1", "1:lost")
    await completions.drain()
    completions.mark("t1", "1:a")
    await completions.drain()
    assert "1 turn completion mark(s) not written: ConnectionResetError" in caplog.text
    assert await log.release_unfinished() == 0
