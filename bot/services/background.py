"""Work a turn has acknowledged and finishes after answering: summaries and exports.

A turn answers at once ("Kokoan yhteenvetoa …") and hands the slow part here, so that Teams never
waits (it sends an activity again after 15 s without an answer) and the turn's slot is free for
the next person. The work sends its own messages to the turn's conversation (bot/transport/replies.py keeps
what it needs after the turn) and tells the person when it fails (`Turn.later`).

`drain` at shutdown (SIGTERM) lets the work in hand finish, and cancels what is left after the
timeout; `idle` waits for all of it (tests, which then look at what was sent).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Awaitable

logger = logging.getLogger(__name__)


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, name: str, work: Awaitable[None]) -> None:
        task = asyncio.get_running_loop().create_task(self._run(name, work), name=f"background: {name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def drain(self, timeout: float) -> None:
        try:
            async with asyncio.timeout(timeout):
                await self.idle()
        except TimeoutError:
            left = list(self._tasks)
            logger.warning("background work cancelled at shutdown: %d unfinished", len(left))
            for task in left:
                task.cancel()
            await asyncio.gather(*left, return_exceptions=True)

    @staticmethod
    async def _run(name: str, work: Awaitable[None]) -> None:
        started = time.perf_counter()
        try:
            await work
        except asyncio.CancelledError:
            logger.warning("background work cancelled: %s", name)
            raise
        except Exception:
            logger.exception("background work failed: %s", name)
            return
        logger.info("background work done: %s ms=%.0f", name, (time.perf_counter() - started) * 1000)
