"""The CPU-heavy work in the process pool (issue 15, bot/services/cpu.py), for real: the bot with
HYTE_CPU_WORKERS=1 (the other tests run the same work in worker threads) summarises the survey,
shows every answer to a question and writes the Excel file in a worker process, in the language
being spoken."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app import SERVICES
from bot.services import cpu
from cards.catalogue import current_language, speaking, t
from conftest import DEMO_TENANT, NOW, SANNA, make_settings
from hyte.responses import Actor, Change, ChangeAction, ResponseKey
from loopback.person import CARD, Person, actions, texts
from loopback.server import BotServer

ROUND_ID = "pohjois-savo-demo"
FORUM = "Järjestöjen ja kuntien yhteinen foorumi maakunnassa."


@pytest.fixture
async def server(sqlite_url: str, clock):
    """The bot on SQLite with a process pool of one worker."""
    bot = BotServer(make_settings(sqlite_url, HYTE_CPU_WORKERS=1), clock)
    await bot.start()
    yield bot
    await bot.stop()


async def submit(server: BotServer, organisation: str, text: str) -> None:
    answers = {"goals_progress": "need_more_effort", "hyte_effectiveness": text, "organisation_actions": text}
    key = ResponseKey(DEMO_TENANT, ROUND_ID, organisation)
    actor = Actor(str(uuid.uuid4()), "Edustaja")
    responses = server.app[SERVICES].responses
    await responses.apply(key, Change(answers, 0, ChangeAction.SAVE, tuple(answers)), actor, NOW - timedelta(hours=2))
    await responses.apply(key, Change(answers, 1, ChangeAction.SUBMIT, tuple(answers)), actor, NOW - timedelta(hours=1))


async def test_summaries_and_files_are_made_in_a_worker_process(server: BotServer, client, connector, teams):
    await submit(server, "kuopio", FORUM)
    await submit(server, "iisalmi", "Yhteinen foorumi ja hyvinvointikertomus.")
    sanna = Person(client, connector, teams, SANNA)

    replies = await sanna.say("yhteenveto kysely")
    cards = [a["content"] for r in replies for a in r.get("attachments") or [] if a["contentType"] == CARD]
    assert cards, replies
    shown = "\n".join(texts(card) for card in cards)
    assert f" 2/{len(server.app[SERVICES].round.config.organisations)} " in shown  # the two submitted, counted

    # Every answer to a question: summarised once more in the worker, the pressed card rebuilt there.
    card = next(c for c in cards if t("results.show_answers") in actions(c))
    before = len(connector.sent(sanna.conversation_id))
    pressed = await sanna.press(card, t("results.show_answers"))
    assert pressed == card
    answers = "\n".join(texts(a["content"]) for r in connector.sent(sanna.conversation_id)[before:]
                        for a in r.get("attachments") or [])
    assert FORUM in answers

    # The Excel file, written in the worker, holds the answer.
    services = server.app[SERVICES]
    made = await services.exports.build(services.round, "xlsx", NOW)
    book = load_workbook(io.BytesIO(made.data))
    assert any(FORUM == cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)

    # The work went to another process, and the language being spoken went with it.
    worker = await cpu.run(os.getpid)
    assert worker != os.getpid()
    with speaking("sv"):
        assert await cpu.run(current_language) == "sv"
    assert await cpu.run(current_language) == "fi"


async def test_without_the_pool_the_same_work_runs_in_a_thread_of_this_process():
    assert await cpu.run(os.getpid) == os.getpid()  # no app installed a pool: worker threads


_KILLED_PARENT = """
import asyncio, os, sys
from bot.services import cpu

async def main():
    cpu.install(1)
    worker = await cpu.run(os.getpid)
    forkserver = await cpu.run(os.getppid)
    print(worker, forkserver, flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
async def test_a_killed_serving_process_leaves_no_worker_or_fork_server_behind(tmp_path):
    """SIGKILL (the OOM killer, a crash) gives the pool no shutdown: its worker and the forkserver
    must still go, not wait for ever (each holds a process and the lemmatisers' memory)."""
    repo = Path(__file__).resolve().parents[2]
    out = tmp_path / "pids"
    with out.open("wb") as stdout:  # a file, not a pipe: a leftover worker would hold a pipe open
        process = await asyncio.create_subprocess_exec(sys.executable, "-c", _KILLED_PARENT, cwd=repo, stdout=stdout)
    try:
        for _ in range(600):
            if out.read_text().endswith("\n") or process.returncode is not None:
                break
            await asyncio.sleep(0.05)
        worker, forkserver = map(int, out.read_text().split())
        assert _alive(worker) and _alive(forkserver) and worker != process.pid
    finally:
        process.kill()
        await process.wait()
    for _ in range(100):
        if not _alive(worker) and not _alive(forkserver):
            break
        await asyncio.sleep(0.05)
    left = [pid for pid in (worker, forkserver) if _alive(pid)]
    for pid in left:  # not to leave them to the rest of the run
        os.kill(pid, signal.SIGKILL)
    assert not left, f"outlived the killed serving process: worker {worker}, forkserver {forkserver}"
