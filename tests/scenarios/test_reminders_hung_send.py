"""No send holds another (issue 15): one conversation's Teams call hangs (the loopback connector
holds it unanswered), and reminders confirmed meanwhile still go out to the others, each once; the
hung one is delivered when Teams answers. A delivery that never ends is given up after the
scheduler's send timeout and tried again later."""

from __future__ import annotations

import asyncio
import re

import pytest

from app import SERVICES
from auxil.reminders import install_board_team, local, write_round
from conftest import LIISA, MAIJA, MATTI, SANNA, make_settings
from hyte.clock import FixedClock
from hyte.jobs import JobState
from loopback.http import BotClient
from loopback.person import Person
from loopback.server import BotServer
from loopback.teams import conversation_id_for

SURVEY_OPENS = local("2024-03-18T08:00")


def to_maija() -> str:
    return rf"^/v3/conversations/{re.escape(conversation_id_for(MAIJA))}/activities$"


@pytest.fixture
async def bot(sqlite_url, tmp_path, connector, teams):
    """The app with its background scheduler (woken by a confirmed `muistuta`; no polls here)."""
    clock = FixedClock(SURVEY_OPENS)
    server = BotServer(make_settings(sqlite_url, round_file=write_round(tmp_path), HYTE_REMINDER_POLL_SECONDS=3600),
                       clock)
    await server.start()
    services = server.app[SERVICES]
    async with BotClient(server.url) as client:
        await Person(client, connector, teams, MAIJA).say("ohje")  # Maija's 1:1 chat is known
    await install_board_team(services, connector, teams, [MAIJA, MATTI, LIISA, SANNA], clock.now())
    connector.clear()
    yield server, services, clock
    connector.release()
    await server.stop()


def representatives(round_, *users):
    aad = {u.aad_object_id for u in users}
    return [r for r in round_.config.representatives if r.aad_object_id in aad]


async def until(condition, what: str, tries: int = 400) -> None:
    for _ in range(tries):
        if condition():
            return
        await asyncio.sleep(0.025)
    raise AssertionError(f"never: {what}")


async def test_a_conversation_that_never_answers_does_not_hold_the_other_reminders(bot, connector):
    server, services, clock = bot
    scheduler, round_ = services.scheduler, services.round
    connector.hold("POST", to_maija())
    await scheduler.queue_manual(round_, "first", representatives(round_, MAIJA), clock.now())
    await until(lambda: connector.held == 1, "Maija's reminder reached Teams")

    # A HYTE member confirms `muistuta` for two others while Maija's call hangs.
    await scheduler.queue_manual(round_, "second", representatives(round_, MATTI, LIISA), clock.now())
    others = [conversation_id_for(MATTI), conversation_id_for(LIISA)]
    await until(lambda: all(connector.sent(c) for c in others), "the two other reminders were delivered")
    assert connector.sent(conversation_id_for(MAIJA)) == []  # still hanging
    for _ in range(400):  # recorded as sent (just after Teams answered)
        second = [j.state for j in await services.jobs.list(round_.tenant_id, round_.id) if j.reminder.endswith("second")]
        if second == [JobState.SENT] * 2:
            break
        await asyncio.sleep(0.025)
    assert second == [JobState.SENT] * 2

    connector.release()  # Teams answers at last
    await until(lambda: len(connector.sent(conversation_id_for(MAIJA))) == 1, "Maija's reminder was delivered")
    await until(lambda: not scheduler._runs, "the runs ended")
    jobs = await services.jobs.list(round_.tenant_id, round_.id)
    assert sorted(j.state for j in jobs if j.reminder.startswith("manual")) == [JobState.SENT] * 3
    assert [len(connector.sent(c)) for c in [conversation_id_for(MAIJA), *others]] == [1, 1, 1]  # each once


async def test_a_delivery_that_never_ends_is_given_up_after_the_send_timeout_and_tried_later(bot, connector):
    server, services, clock = bot
    scheduler, round_ = services.scheduler, services.round
    scheduler.send_timeout = 0.3
    connector.hold("POST", to_maija())
    await scheduler.queue_manual(round_, "first", representatives(round_, MAIJA), clock.now())
    await until(lambda: connector.held == 1, "Maija's reminder reached Teams")
    await until(lambda: not scheduler._runs, "the run ended")
    (job,) = [j for j in await services.jobs.list(round_.tenant_id, round_.id) if j.reminder.startswith("manual")]
    assert job.state is JobState.PENDING and job.attempts == 1  # tried again later, not lost
    assert "no answer" in (job.last_error or "")
