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
    assert await log.claim("t1", "1:done", AT)
    await log.complete("t1", "1:done")
    async with database.read() as connection:
        completed = await connection.scalar(
            select(ProcessedActivityRow.completed).where(ProcessedActivityRow.activity_id == "1:done"))
        assert completed is True
        if connection.dialect.name == "postgresql":  # the relaxed commit was the statement's own
            for _ in range(3):
                assert await connection.scalar(text("SHOW synchronous_commit")) == "on"
