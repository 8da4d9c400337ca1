"""/api/messages works on at most `max_turns` requests at once; the others wait, none is lost."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from aiohttp import web
from aiohttp.test_utils import TestServer
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from loopback.http import BotClient
from loopback.teams import TeamsEnv, TeamsUser, card_action
from bot.inbound import Inbound
from bot.transport.auth import RequestAuthenticator
from bot.transport.connectors import ReusingAuthentication
from bot.transport.handler import InvokeAnswer
from bot.transport.http import messages_handler


class HeldBot:
    """Answers each card action only when released; counts the turns running at once."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.release = asyncio.Event()

    def recorded(self, inbound: Inbound) -> bool:
        return True

    async def on_turn(self, context: TurnContext, received: dict, inbound: Inbound) -> InvokeAnswer:
        self.running += 1
        self.most = max(self.most, self.running)
        await self.release.wait()
        self.running -= 1
        return InvokeAnswer(200, {"statusCode": 200})


async def test_turns_beyond_the_limit_wait_and_are_all_answered():
    framework = ReusingAuthentication(ConfigurationBotFrameworkAuthentication(
        SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")))
    bot = HeldBot()
    env = TeamsEnv(service_url="http://127.0.0.1:9/", tenant_id="tenant-1")
    app = web.Application()
    app.router.add_post("/api/messages", messages_handler(
        CloudAdapter(framework), bot, RequestAuthenticator(framework, None), frozenset({"tenant-1"}), max_turns=2))
    async with TestServer(app, host="127.0.0.1") as server, BotClient(str(server.make_url("/"))) as client:
        users = [TeamsUser(f"00000000-0000-0000-0000-00000000000{n}", f"Henkilö {n}") for n in range(5)]
        posts = [asyncio.create_task(client.post(card_action(env, user, "x", {}))) for user in users]
        await asyncio.sleep(0.3)
        assert (bot.running, bot.most) == (2, 2)
        bot.release.set()
        answers = await asyncio.gather(*posts)
    assert [status for status, _ in answers] == [200] * 5
    assert bot.most == 2
