"""Work left for after a turn: `idle` waits for it, `drain` (at shutdown) lets it finish and cancels
what outlasts the timeout; a failure is logged, not raised into the next turn."""

from __future__ import annotations

import asyncio
import logging

from bot.services.background import Background


async def test_drain_finishes_the_work_in_hand_and_cancels_what_outlasts_the_timeout(caplog):
    background = Background()
    finished: list[str] = []

    async def quick() -> None:
        await asyncio.sleep(0.01)
        finished.append("quick")

    async def endless() -> None:
        await asyncio.Event().wait()

    background.start("quick", quick())
    background.start("endless", endless())
    with caplog.at_level(logging.WARNING):
        await background.drain(0.2)
    assert finished == ["quick"] and background.pending == 0
    assert any("cancelled" in r.getMessage() for r in caplog.records)


async def test_a_failure_is_logged_and_idle_returns(caplog):
    background = Background()

    async def failing() -> None:
        raise ValueError("boom")

    background.start("failing", failing())
    with caplog.at_level(logging.ERROR):
        await background.idle()
    assert background.pending == 0
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == ["background work failed: failing"]
