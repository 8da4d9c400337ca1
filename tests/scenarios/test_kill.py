"""Fault test (issue 6): the bot process is killed (SIGKILL) mid-survey and mid-workshop, restarted
on the same SQLite database, and what is stored is compared with what was acknowledged.

The real bot runs as a subprocess (`python app.py`); representatives answer the survey and breakout
groups post workshop notes concurrently over HTTP; at a seeded random moment the process is killed.
After the restart:
  * every acknowledged survey save is stored: version >= the acknowledged card's version, the answers
    of every acknowledged section are in the draft with the values sent, the saved position is at
    least the acknowledged section; every acknowledged submit has its submitted answers;
  * every acknowledged workshop note is stored exactly once; Teams' re-sending of every note (the
    acknowledged and those in flight at the kill) stores nothing twice;
  * the restarted bot serves: everyone finishes the survey, and it equals the answers sent.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import aiohttp

from loopback.channel import Board, board_spec, channel_message
from loopback.http import BotClient
from loopback.person import Person, actions, texts
from loopback.teams import TeamsUser, member
from conftest import DEMO_ROUND, DEMO_TENANT, LIISA, MAIJA, MATTI, OLLI, REPO, SANNA
from hyte.round import HELSINKI
from loopback.survey import ANSWERS

ROUND = "pohjois-savo-demo"
SEED = 20240601
ITERATIONS = 5
PEKKA = TeamsUser("00000000-0000-0000-0000-0000000000a4", "Pekka Nieminen", upn="pekka.nieminen@example.fi")
JUHA = TeamsUser("00000000-0000-0000-0000-0000000000d2", "Juha Hämäläinen", upn="juha.hamalainen@example.fi")
"""Configured by UPN only: recognised through the connector's member look-up."""
REPRESENTATIVES = (MAIJA, LIISA, PEKKA, JUHA)  # Kuopio, Iisalmi, hva_perhe, järjestöneuvosto
ORGANISATION = {MAIJA.aad_object_id: "kuopio", LIISA.aad_object_id: "iisalmi",
                PEKKA.aad_object_id: "hva_perhe", JUHA.aad_object_id: "jarjestoneuvosto"}
SECTIONS = tuple(ANSWERS)  # in the survey's order
WRITERS = (MAIJA, MATTI, LIISA, OLLI)
GROUPS = ("Ryhmä 1", "Ryhmä 2", "Group 3")
NOT_SAVED = ("Tämän osion muutoksia ei ole tallennettu", "Jokin meni vikaan")


def stored_key(input_id: str) -> str:
    """The answers' key of a card input: "q.methods.area_1.name" -> "methods"."""
    return input_id.split(".")[1]


SECTION_KEYS = {s: {stored_key(k) for k in ANSWERS[s]} for s in SECTIONS}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BotProcess:
    """`python app.py` on a free loopback port over one SQLite file; killed with SIGKILL."""

    def __init__(self, db: Path, log: Path) -> None:
        self.db, self.log = db, log
        self.proc: subprocess.Popen | None = None
        self.url = ""

    async def start(self) -> None:
        port = free_port()
        env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1",
               "DATABASE_URL": f"sqlite+aiosqlite:///{self.db}", "HYTE_ROUND_FILE": str(DEMO_ROUND),
               "HYTE_TODAY": datetime.now(HELSINKI).date().isoformat(), "LOG_FORMAT": "text",
               "HYTE_REMINDER_POLL_SECONDS": "0", "MicrosoftAppId": "", "MicrosoftAppPassword": ""}
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "app.py"], cwd=REPO, env=env, stdout=out,
                                         stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1)) as session:
            while time.monotonic() < deadline:
                assert self.proc.poll() is None, self.log.read_text()[-3000:]
                try:
                    async with session.get(self.url + "/healthz") as resp:
                        if resp.status == 200:
                            return
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    pass
                await asyncio.sleep(0.05)
        raise AssertionError("the bot did not become healthy:\n" + self.log.read_text()[-3000:])

    def terminate(self) -> int:
        """SIGTERM, as a service manager stops the bot; its exit code."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=30)
        self.proc = None
        return code

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.proc = None


@dataclass
class Acked:
    """What the bot acknowledged to one representative."""

    sections: set[str] = field(default_factory=set)
    version: int = 0
    position: int = -1
    submitted: bool = False


def card_version(card: dict) -> int:
    versions = {a["data"]["v"] for a in actions(card).values() if "v" in (a.get("data") or {})}
    assert len(versions) == 1, versions
    return versions.pop()


def acknowledged(card: dict, expected: str) -> bool:
    shown = texts(card)
    return expected in shown and not any(n in shown for n in NOT_SAVED)


async def answer_survey(person: Person, acked: Acked, rng: random.Random) -> None:
    """Installs, opens the survey, saves each section and submits; records every acknowledgement."""
    await asyncio.sleep(rng.uniform(0, 0.4))  # not all at the same step
    await person.install()
    card = await person.open_card("kysely")
    for index, section in enumerate(SECTIONS):
        await asyncio.sleep(rng.uniform(0, 0.03))
        last = index == len(SECTIONS) - 1
        title, expected = ("Tarkista vastaukset", "Tarkista vastaukset ennen") if last else \
            ("Seuraava", f"Osio {index + 2}/5")
        card = await person.press(card, title, ANSWERS[section])
        assert acknowledged(card, expected), texts(card)
        acked.sections.add(section)
        acked.version = max(acked.version, card_version(card))
        acked.position = index + 1
    await asyncio.sleep(rng.uniform(0, 0.03))
    card = await person.press(card, "Lähetä vastaukset")
    assert acknowledged(card, "Kiitos! Organisaatiosi vastaus on lähetetty."), texts(card)
    acked.submitted = True


def shown_step(card: dict) -> int | None:
    """The survey step a card shows: 1–5 a section, 6 the review, 7 submitted; None otherwise."""
    shown = texts(card)
    if "Kiitos! Organisaatiosi vastaus on lähetetty." in shown or "Organisaatiosi vastaus on lähetetty." in shown:
        return 7
    if "Tarkista vastaukset ennen" in shown:
        return 6
    match = re.search(r"Osio (\d)/5", shown)
    return int(match.group(1)) if match else None


async def finish_survey(person: Person) -> int | None:
    """Opens the survey where the bot resumes it, finishes and submits it; the step it resumed at."""
    card = await person.open_card("kysely")
    resumed = step = shown_step(card)
    for _ in range(len(SECTIONS) + 2):
        assert step is not None and not any(n in texts(card) for n in NOT_SAVED), texts(card)
        if step == 7:
            return resumed
        if step == 6:
            card = await person.press(card, "Lähetä vastaukset")
        else:
            title = "Tarkista vastaukset" if step == len(SECTIONS) else "Seuraava"
            card = await person.press(card, title, ANSWERS[SECTIONS[step - 1]])
        step = shown_step(card)
    raise AssertionError(texts(card))


async def write_notes(board: Board, writer: TeamsUser, sent: list[dict], acked: set[str], rng: random.Random) -> None:
    """Posts notes until stopped; `sent` gets every activity posted, `acked` the ids answered 200/201."""
    number = 0
    while True:
        number += 1
        group = rng.choice(GROUPS)
        activity = channel_message(board.env, writer, board.team, board.channel(group),
                                   f"{rng.randint(1, 3)}. {writer.name}: muistiinpano {number}")
        sent.append(activity)
        status, _ = await board.client.post(activity)
        if status in (200, 201):
            acked.add(activity["id"])
        await asyncio.sleep(rng.uniform(0, 0.02))


def read_db(db: Path) -> tuple[dict[str, dict], dict[str, str], list[str]]:
    """Responses by organisation, positions by AAD id, and the ids of all stored notes."""
    with sqlite3.connect(db) as conn:
        responses = {
            org: {"answers": json.loads(a) if a else {}, "submitted": json.loads(s) if s else None, "version": v}
            for org, a, s, v in conn.execute(
                "SELECT organisation_id, answers, submitted_answers, version FROM responses "
                "WHERE tenant_id = ? AND round_id = ?", (DEMO_TENANT, ROUND))
        }
        positions = dict(conn.execute(
            "SELECT aad_object_id, section_id FROM survey_positions WHERE tenant_id = ? AND round_id = ?",
            (DEMO_TENANT, ROUND)))
        notes = [m for (m,) in conn.execute(
            "SELECT message_id FROM workshop_notes WHERE tenant_id = ? AND round_id = ?", (DEMO_TENANT, ROUND))]
    return responses, positions, notes


async def one_run(iteration: int, rng: random.Random, tmp: Path, connector, teams) -> str:
    db, log = tmp / f"hyte-{iteration}.db", tmp / f"bot-{iteration}.log"
    bot = BotProcess(db, log)
    await bot.start()
    client = BotClient(bot.url, timeout=5)
    try:
        board = Board(client, connector, teams, board_spec())
        await board.install(SANNA)
        sanna = Person(client, connector, teams, SANNA)
        card = await sanna.open_card("työpaja aloita")
        card = await sanna.press(card, "Aloita työpaja", {"ws.groups": ",".join(board.channel(g) for g in GROUPS)})
        assert "Työpaja" in texts(card), texts(card)

        acks = {p.aad_object_id: Acked() for p in REPRESENTATIVES}
        people = [Person(client, connector, teams, p) for p in REPRESENTATIVES]
        sent: list[dict] = []
        acked_notes: set[str] = set()
        tasks = [asyncio.create_task(answer_survey(p, acks[p.user.aad_object_id], random.Random(rng.random())))
                 for p in people]
        tasks += [asyncio.create_task(write_notes(board, w, sent, acked_notes, random.Random(rng.random())))
                  for w in WRITERS]
        await asyncio.sleep(rng.uniform(0.05, 1.6))
        bot.kill()
        results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 10)
        for result in results:  # after the kill only connection failures, never a wrong answer
            assert result is None or isinstance(result, (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError)), \
                repr(result)
        await client.close()

        await bot.start()
        client = BotClient(bot.url, timeout=5)
        board.client = client
        responses, positions, notes = read_db(db)

        # The survey: nothing acknowledged is lost.
        lost = []
        for person in REPRESENTATIVES:
            ack, org = acks[person.aad_object_id], ORGANISATION[person.aad_object_id]
            if not ack.sections:
                continue
            stored = responses.get(org)
            if stored is None:
                lost.append(f"{person.name}: no response row, acknowledged version {ack.version}")
                continue
            if stored["version"] < ack.version:
                lost.append(f"{person.name}: version {stored['version']} < acknowledged {ack.version}")
            for section in ack.sections:
                missing = SECTION_KEYS[section] - stored["answers"].keys()
                if missing:
                    lost.append(f"{person.name}: section {section} acknowledged, answers {sorted(missing)} missing")
            if ack.submitted and not stored["submitted"]:
                lost.append(f"{person.name}: submit acknowledged, no submitted answers")
            if ack.position < len(SECTIONS):
                position = positions.get(person.aad_object_id)
                if position is None and ack.position > 0:
                    lost.append(f"{person.name}: no saved position, acknowledged step {ack.position}")
                elif position in SECTIONS and SECTIONS.index(position) < ack.position:
                    lost.append(f"{person.name}: position {position}, acknowledged step {ack.position}")

        # The workshop: every acknowledged note stored exactly once.
        counts = {m: notes.count(m) for m in set(notes)}
        for message_id in acked_notes:
            if counts.get(message_id, 0) != 1:
                lost.append(f"note {message_id}: acknowledged, stored {counts.get(message_id, 0)} times")
        assert not [m for m, c in counts.items() if c > 1]
        assert not lost, f"iteration {iteration}: acknowledged but not stored:\n" + "\n".join(lost)

        # Teams re-sends what it did not see acknowledged (and may re-send what it did): stored once.
        for activity in sent:
            status, body = await client.post(activity)
            assert status in (200, 201), (status, body)
        _, _, notes_after = read_db(db)
        assert len(notes_after) == len(set(notes_after)), "a re-sent note was stored twice"
        assert acked_notes <= set(notes_after)
        in_flight_lost = {a["id"] for a in sent} - set(notes_after)
        assert not in_flight_lost & acked_notes
        # A note in flight at the kill was not acknowledged; Teams re-sends it, and the re-send must be
        # stored (its id's claim was left unfinished, and is released when the bot starts again).
        assert not in_flight_lost, f"iteration {iteration}: notes in flight at the kill lost on re-send: {in_flight_lost}"

        # The restarted bot serves the survey: everyone finishes, and the stored draft equals what was sent.
        pending = [p for p in people if not acks[p.user.aad_object_id].submitted]
        for person in pending:
            person.client = client
        resumed = await asyncio.gather(*(finish_survey(p) for p in pending))
        for person, step in zip(pending, resumed):  # resumed at least after the last acknowledged step
            assert step is not None and step > acks[person.user.aad_object_id].position, (person.user.name, step)
        final, _, _ = read_db(db)
        reference = final["kuopio"]["submitted"]
        for person in REPRESENTATIVES:
            ack, org = acks[person.aad_object_id], ORGANISATION[person.aad_object_id]
            assert final[org]["submitted"] == reference
            if org in responses:  # the draft at the restart holds the acknowledged sections' values
                for section in ack.sections:
                    for key in SECTION_KEYS[section]:
                        assert responses[org]["answers"][key] == reference[key], (person.name, section, key)
        done = sum(a.submitted for a in acks.values())
        return (f"iteration {iteration}: {sum(len(a.sections) for a in acks.values())} saves and {done} submits "
                f"acknowledged, {len(acked_notes)}/{len(sent)} notes acknowledged")
    finally:
        await client.close()
        bot.kill()


async def test_sigkill_mid_survey_and_mid_workshop_loses_nothing_acknowledged(tmp_path, connector, teams):
    connector.add_member(member(teams, JUHA))  # recognised by UPN
    rng = random.Random(SEED)
    summaries = [await one_run(i, rng, tmp_path, connector, teams) for i in range(ITERATIONS)]
    print("\n".join(summaries))


async def test_sigterm_finishes_the_turns_in_flight(tmp_path, connector, teams):
    """A graceful stop: every request the bot had accepted is answered and stored; later ones are
    refused at the connection, never half-done; the process exits 0."""
    bot = BotProcess(tmp_path / "hyte.db", tmp_path / "bot.log")
    await bot.start()
    client = BotClient(bot.url, timeout=10)
    answering = (MAIJA, LIISA, PEKKA)  # configured by Entra id: no roster look-up needed
    acks = {p.aad_object_id: Acked() for p in answering}
    people = [Person(client, connector, teams, p) for p in answering]
    try:
        tasks = [asyncio.create_task(answer_survey(p, acks[p.user.aad_object_id], random.Random(i)))
                 for i, p in enumerate(people)]
        await asyncio.sleep(0.4)
        assert bot.terminate() == 0, bot.log.read_text()[-3000:]
        results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 15)
        for result in results:  # after the stop only refused connections, never a wrong or broken answer
            assert result is None or isinstance(result, (aiohttp.ClientConnectionError, ConnectionError)), repr(result)
    finally:
        await client.close()
    responses, _positions, _notes = read_db(tmp_path / "hyte.db")
    acknowledged_somewhere = False
    for person in answering:
        ack = acks[person.aad_object_id]
        if ack.sections:
            acknowledged_somewhere = True
            stored = responses[ORGANISATION[person.aad_object_id]]
            assert stored["version"] >= ack.version, person.name
            for section in ack.sections:
                assert SECTION_KEYS[section] <= stored["answers"].keys(), (person.name, section)
    assert acknowledged_somewhere, "the stop came before any save: nothing was tested"
