"""Runs the real app (`create_app`) on a loopback port, and restarts it over the same database."""

from __future__ import annotations

from typing import Self

from aiohttp import web

from app import SERVICES, create_app
from settings import Settings
from hyte.clock import Clock


class BotServer:
    def __init__(self, settings: Settings, clock: Clock, credentials_factory=None) -> None:
        self.settings = settings
        self.clock = clock
        self.credentials_factory = credentials_factory
        self._runner: web.AppRunner | None = None
        self.app: web.Application | None = None
        self.url = ""

    async def start(self) -> Self:
        self.app = create_app(self.settings, clock=self.clock, credentials_factory=self.credentials_factory)
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def settle(self) -> None:
        """Wait until the bot has finished the work its turns left for later (summaries, exports)."""
        if self.app is not None:
            await self.app[SERVICES].background.idle()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def restart(self) -> Self:
        """A new process in all but name: a new app, new engine, nothing kept in memory."""
        await self.stop()
        return await self.start()
