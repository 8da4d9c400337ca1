"""Logs are JSON lines with the activity's ids and timing, and never carry what people wrote."""

from __future__ import annotations

import io
import json
import logging

import pytest

from loopback.person import Person, texts
from bot.logs import JsonFormatter, configure
from conftest import MAIJA
from loopback.survey import ANSWERS
from scenarios.test_workshop_notes import board, notes, q  # noqa: F401 (the `board` fixture)

ANSWER = "Salainen vastaus kuusikymmentäseitsemän"
NOTE = "Luottamuksellinen muistiinpano omenapuu"


@pytest.fixture
def log_lines():
    """Everything logged at INFO and above during the test, as the production JSON handler writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: stream.getvalue().splitlines()
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_logs_are_json_lines_with_ids_and_no_texts(client, connector, teams, board, server, log_lines):
    maija = Person(client, connector, teams, MAIJA)
    card = await maija.open_card("kysely")
    card = await maija.press(card, "Seuraava", {**ANSWERS["goals_measures"], "q.hyte_effectiveness": ANSWER})
    assert "Osio 2/5" in texts(card)
    message = await board.post(MAIJA, board.channel("Ryhmä 1"), f"<p>{NOTE}</p>", reply_to=q(board, "Ryhmä 1", 1))
    assert (await notes(server))[message].text == NOTE  # the note went through the turn

    lines = log_lines()
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert entries
    for entry in entries:
        assert {"timestamp", "level", "logger", "message"} <= set(entry)
    turns = [e for e in entries if e["message"].startswith("turn type=")]
    assert {e["activity_type"] for e in turns} >= {"message", "invoke"}
    assert all(e["activity_id"] and e["tenant"] and e["elapsed_ms"] >= 0 for e in turns)
    everything = "\n".join(lines)
    for secret in (ANSWER, NOTE, "kuusikymmentäseitsemän", "omenapuu"):
        assert secret not in everything


def test_configure_writes_json_by_default_and_text_on_request():
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        stream = io.StringIO()
        configure("INFO", stream=stream)
        logging.getLogger("hyte.test").info("hello %s", "id-1")
        entry = json.loads(stream.getvalue())
        assert (entry["level"], entry["logger"], entry["message"]) == ("INFO", "hyte.test", "hello id-1")
        assert logging.getLogger("msrest").level == logging.WARNING  # it logs HTTP bodies at DEBUG

        stream = io.StringIO()
        configure("INFO", "text", stream=stream)
        logging.getLogger("hyte.test").info("hello")
        assert stream.getvalue().rstrip().endswith("INFO hyte.test hello")
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
