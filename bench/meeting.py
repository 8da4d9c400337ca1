"""Benchmark of the negotiation meeting (issue 17): from `työpaja lopeta` to the finished Word
summary with its conclusions, for a real-size round.

    .venv/bin/python -m bench.meeting [--notes 300] [--groups 6] [--conclusions 20] [--raised 40]

In this process, over HTTP on loopback as the scenario tests run it: the real app
(`app.create_app` over a temporary SQLite file, the demo round: 25 organisations) and the Bot
Connector stand-in. Not timed (the set-up): every organisation's answers submitted (realistic
texts, bench/results.py), the bot added to the board's team, the workshop started in `--groups`
channels, `--notes` notes posted as replies under the questions, `--raised` of them raised by
their group with a heart (the joint-discussion card in General updated each time).

Timed, each step as the HYTE team does it over HTTP:
  stop      `työpaja lopeta` in General
  write     `--conclusions` conclusions: each the `uusi kirjaus` card opened (its evidence choices:
            every survey question and theme, the raised points, the workshop's themes) and saved
            with three pieces of evidence, under the four topics in turn
  finish    `viimeistele yhteenveto` (version 1, the board told in General)
  word      the summary's download link fetched: the .docx built from the stored data

Printed: each step's time and the total; the target is under 10 s. The document is read back and
checked (every conclusion and every reference in it). Exit status 1 on a failed check.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

from app import SERVICES
from bench.results import answers_for, texts
from hyte.clock import FixedClock
from hyte.responses import Actor, Change, ChangeAction, ResponseKey
from loopback.channel import Board, board_spec, cards_of
from loopback.connector import ConnectorStandIn
from loopback.demo import DEMO_TENANT, NOW, SANNA, make_settings
from loopback.http import BotClient
from loopback.person import Person, inputs
from loopback.server import BotServer
from loopback.teams import TeamsEnv, TeamsUser

TARGET_SECONDS = 10.0
TOPICS = ("goals", "measures", "cooperation", "monitoring")
AUTHORS = [TeamsUser(f"00000000-0000-0000-0000-0000000001{i:02d}", f"Osallistuja {i}") for i in range(20)]


async def setup(args, client: BotClient, connector: ConnectorStandIn, env: TeamsEnv, server: BotServer, rng: random.Random):
    services = server.app[SERVICES]
    round_ = services.round
    pool = texts()
    actor = Actor("00000000-0000-0000-0000-0000000000ff", "Benchmark")
    for organisation in round_.config.organisations:
        answers = answers_for(round_, rng, pool)
        key = ResponseKey(DEMO_TENANT, round_.id, organisation.id)
        await services.responses.apply(key, Change(answers, 0, ChangeAction.SAVE, tuple(answers)), actor, NOW)
        await services.responses.apply(key, Change(answers, 1, ChangeAction.SUBMIT, ()), actor, NOW)

    channels = {f"Ryhmä {i + 1}": f"19:benchgroup{i:02d}{'x' * 20}@thread.tacv2" for i in range(args.groups)}
    spec = board_spec()
    spec = type(spec)(spec.team_id, spec.name, channels)
    board = Board(client, connector, env, spec)
    await board.install(SANNA)
    sanna = Person(client, connector, env, SANNA)
    card = await sanna.open_card("työpaja aloita")
    await sanna.press(card, "Aloita työpaja", {"ws.groups": ",".join(channels.values())})
    posts = {name: board.question_posts(channel) for name, channel in channels.items()}
    notes: list[tuple[str, str]] = []
    limit = asyncio.Semaphore(10)

    async def post(i: int) -> None:
        name = list(channels)[i % len(channels)]
        question = 1 + (i // len(channels)) % 3
        async with limit:
            message = await board.post(AUTHORS[i % len(AUTHORS)], channels[name], rng.choice(pool)[:300],
                                       reply_to=posts[name][question])
        notes.append((channels[name], message))

    await asyncio.gather(*(post(i) for i in range(args.notes)))
    (answer,) = await board.command(SANNA, "yhteinen keskustelu")
    for channel, message in rng.sample(notes, min(args.raised, len(notes))):
        await board.react(AUTHORS[0], channel, message, added=["heart"])
    return board, sanna


async def run(args) -> int:
    rng = random.Random(17)
    with tempfile.TemporaryDirectory() as folder:
        async with ConnectorStandIn() as connector:
            env = TeamsEnv(service_url=connector.service_url, tenant_id=DEMO_TENANT)
            server = await BotServer(make_settings(f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"),
                                     FixedClock(NOW)).start()
            try:
                async with BotClient(server.url, settle=server.settle) as client:
                    started = time.perf_counter()
                    board, sanna = await setup(args, client, connector, env, server, rng)
                    print(f"set-up: {args.notes} notes in {args.groups} groups, {args.raised} raised, "
                          f"25 organisations' answers ({time.perf_counter() - started:.1f} s, not timed)")
                    return await timed(args, board, sanna, server, rng)
            finally:
                await server.stop()


async def timed(args, board: Board, sanna: Person, server: BotServer, rng: random.Random) -> int:
    steps: dict[str, float] = {}
    start = time.perf_counter()
    replies = await board.command(SANNA, "työpaja lopeta")
    steps["stop"] = time.perf_counter() - start

    opened, saved, texts_written = [], [], []
    mark = time.perf_counter()
    for i in range(args.conclusions):
        t0 = time.perf_counter()
        card = await sanna.open_card("uusi kirjaus")
        t1 = time.perf_counter()
        choices = next(e for e in card["body"] if e.get("id") == "m.evidence")["choices"]
        evidence = ",".join(c["value"] for c in rng.sample(choices, 3))
        text = f"Kirjaus {i + 1}: yhteistyötä vahvistetaan ja seurataan vuosittain."
        result = await sanna.press(card, "Tallenna kirjaus", {"m.topic": TOPICS[i % 4], "m.text": text,
                                                              "m.evidence": evidence})
        t2 = time.perf_counter()
        if "m.text" in inputs(result):
            print(f"FAIL: conclusion {i + 1} was not saved")
            return 1
        opened.append(t1 - t0)
        saved.append(t2 - t1)
        texts_written.append(text)
    steps["write"] = time.perf_counter() - mark

    mark = time.perf_counter()
    (finished,) = cards_of(await sanna.say("viimeistele yhteenveto"))
    steps["finish"] = time.perf_counter() - mark

    mark = time.perf_counter()
    url = next(a["url"] for a in finished["actions"] if a["title"].startswith("Yhteenveto aluehallitukselle"))
    async with aiohttp.ClientSession() as session:
        async with session.get(server.url.rstrip("/") + urlsplit(url).path) as response:
            data = await response.read()
            status = response.status
    steps["word"] = time.perf_counter() - mark
    total = time.perf_counter() - start

    print(f"stop       {steps['stop'] * 1000:8.0f} ms  (työpaja lopeta: {len(replies)} replies)")
    print(f"write      {steps['write'] * 1000:8.0f} ms  ({args.conclusions} conclusions; card open median "
          f"{statistics.median(opened) * 1000:.0f} ms, max {max(opened) * 1000:.0f} ms; save median "
          f"{statistics.median(saved) * 1000:.0f} ms, max {max(saved) * 1000:.0f} ms; {len(choices)} evidence choices)")
    print(f"finish     {steps['finish'] * 1000:8.0f} ms  (viimeistele yhteenveto: version 1)")
    print(f"word       {steps['word'] * 1000:8.0f} ms  ({len(data) / 1024:.0f} KB)")
    print(f"total      {total:8.2f} s   from työpaja lopeta to the finished Word file "
          f"({'PASS' if total < TARGET_SECONDS else 'FAIL'}: target < {TARGET_SECONDS:.0f} s)")

    from docx import Document

    if args.out is not None and status == 200:
        Path(args.out).write_bytes(data)
        print(f"kept: {args.out} (to look at as pages: bash scripts/convert_exports.sh DIR {args.out})")
    if status != 200:
        print(f"FAIL: the download answered {status}")
        return 1
    paragraphs = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    missing = [t for t in texts_written if not any(p.startswith(t) for p in paragraphs)]
    references = [p for p in paragraphs if p.startswith("[")]
    unresolved = [p for p in references if "ei ole enää saatavilla" in p]
    print(f"document: {len(paragraphs)} paragraphs, {len(references)} references, "
          f"{len(texts_written) - len(missing)}/{len(texts_written)} conclusions, {len(unresolved)} unresolved")
    if missing or unresolved or not references:
        print("FAIL: the document misses conclusions or references")
        return 1
    return 0 if total < TARGET_SECONDS else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=300)
    parser.add_argument("--groups", type=int, default=6)
    parser.add_argument("--conclusions", type=int, default=20)
    parser.add_argument("--raised", type=int, default=40)
    parser.add_argument("--out", help="keep the finished Word file here, to look at")
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
