"""The sender's shared rate limiter and backoff, on a fake monotonic clock (no real waiting)."""

from __future__ import annotations

import pytest

from bot.transport.outbound import Outbound, RateLimiter, send_error
from bot.transport.sender import Sender
from hyte.round import Representative


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


async def test_one_conversation_gets_at_most_7_a_second_and_60_in_30_seconds(fake: FakeTime):
    limiter = RateLimiter(tenant_per_second=1000, monotonic=fake.monotonic, sleep=fake.sleep)
    sent_at = []
    for _ in range(61):
        await limiter.acquire("t", "a:1")
        sent_at.append(fake.now)
    for index in range(7, 61):
        assert sent_at[index] - sent_at[index - 7] >= 1.0 - 1e-9
    assert sent_at[60] - sent_at[0] >= 30.0 - 1e-9
    assert sent_at[6] == sent_at[0]  # the first seven at once


async def test_the_tenant_gets_at_most_its_rate_across_conversations(fake: FakeTime):
    limiter = RateLimiter(tenant_per_second=50, monotonic=fake.monotonic, sleep=fake.sleep)
    for n in range(150):
        await limiter.acquire("t", f"a:{n}")
    assert fake.now - 1000.0 == pytest.approx(2 * 1.05)  # 150 calls: three windows of 1 s (+ 50 ms guard)
    other = RateLimiter(tenant_per_second=50, monotonic=fake.monotonic, sleep=fake.sleep)
    before = fake.now
    await other.acquire("t2", "a:1")
    assert fake.now == before


async def test_one_tenants_sends_never_wait_for_anothers(fake: FakeTime):
    """Teams limits proactive messages per app and tenant: the one limiter of the process keeps a
    window per tenant, so a county's reminders go at its own rate whatever another county sends."""
    limiter = RateLimiter(tenant_per_second=50, monotonic=fake.monotonic, sleep=fake.sleep)
    for n in range(50):
        await limiter.acquire("county-a", f"a:{n}")
    assert fake.slept == []  # county A has used its second's 50
    for n in range(50):
        await limiter.acquire("county-b", f"b:{n}")
    assert fake.slept == []  # county B's 50 go at once all the same
    await limiter.acquire("county-a", "a:50")
    assert fake.slept and sum(fake.slept) == pytest.approx(1.05)  # A's 51st waits for A's window only


async def test_a_reminder_burst_leaves_room_in_the_tenants_window_for_replies(fake: FakeTime):
    """Background calls (reminders) fill at most 80 % of a tenant's window; a turn's reply still
    goes at once after a burst has used all of that, and a reply never waits for reminders."""
    limiter = RateLimiter(tenant_per_second=50, monotonic=fake.monotonic, sleep=fake.sleep)
    for n in range(40):
        await limiter.acquire("t", f"a:{n}", background=True)
    assert fake.slept == []
    for n in range(10):  # ten replies in the same second: the room kept for them
        await limiter.acquire("t", f"r:{n}")
    assert fake.slept == []
    await limiter.acquire("t", "a:40", background=True)  # the burst's 41st waits for the next window
    assert sum(fake.slept) == pytest.approx(1.05)
    await limiter.acquire("t", "r:10")  # the window has room for replies again: no wait
    assert sum(fake.slept) == pytest.approx(1.05)


def test_backoff_is_exponential_with_jitter_and_honours_retry_after():
    outbound = Outbound(RateLimiter(), backoff_base=1.0, rand=lambda: 0.5)
    assert [outbound.backoff(n, None) for n in range(4)] == [0.75, 1.5, 3.0, 6.0]
    assert outbound.backoff(0, 7.0) == pytest.approx(7.05)


def test_retry_after_may_be_seconds_or_an_http_date():
    class Response:
        status_code = 429
        headers = {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}

    class Throttled(Exception):
        response = Response()

    error = send_error(Throttled())
    assert (error.status, error.retry_after) == (429, 0.0)  # a date in the past: retry now
    Response.headers = {"Retry-After": "12"}
    assert send_error(Throttled()).retry_after == 12.0
    assert send_error(ConnectionError()).status is None


class StoredConversations:
    """The one 1:1 conversation reference the bot keeps for a person."""

    def __init__(self, reference: dict) -> None:
        self.reference = reference

    async def personal(self, tenant_id: str, aad_object_id: str) -> dict:
        return self.reference


async def test_a_person_with_a_stored_conversation_gets_a_new_message_there(connector):
    from types import SimpleNamespace

    from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(
        SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")))
    outbound = Outbound(RateLimiter())
    reference = {"channelId": "msteams", "serviceUrl": connector.service_url, "activityId": "1:incoming",
                 "conversation": {"id": "a:1chat", "conversationType": "personal"}, "bot": {"id": "28:bot"}}
    sender = Sender(adapter, app_id="", outbound=outbound, conversations=StoredConversations(reference), teams=None,
                    people=None)
    person = Representative(name="Maija", organisation="kuopio", role="member",
                            aad_object_id="00000000-0000-0000-0000-0000000000a1")
    card = {"type": "AdaptiveCard", "version": "1.5", "body": []}

    async def send():
        return await sender.to_person("tenant", person, card, sender.roster(), None)

    delivery = await send()
    assert (delivery.outcome.value, delivery.conversation_id) == ("sent", "a:1chat")
    (call,) = connector.calls
    assert (call.kind, call.path) == ("send", "/v3/conversations/a:1chat/activities")  # not a reply
    assert call.body["attachments"][0]["content"] == card

    connector.fail_next("POST", r"/activities$", 403)
    blocked = await send()
    assert (blocked.outcome.value, blocked.detail, blocked.failure.value) == (
        "unreachable", "blocked: 403 Forbidden", "blocked")
    connector.fail_next("POST", r"/activities$", 400)
    refused = await send()
    assert (refused.outcome.value, refused.detail, refused.status, refused.failure.value) == (
        "failed", "400 BadArgument", 400, "refused")
    await outbound.close()
