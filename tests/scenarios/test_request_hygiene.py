"""What an outsider can learn or plant through the HTTP surface: no software versions in the Server
header, and a request's own values (an activity id of any length) logged cut, on one line."""

from __future__ import annotations

import asyncio
import json

from loopback.http import BotClient
from loopback.server import BotServer
from loopback.teams import conversation_id_for, personal_message
from bot.logs import MAX_LOGGED
from conftest import MAIJA, make_settings
from scenarios.test_logs import log_lines  # noqa: F401 (fixture)

REQUESTS = {
    "health": b"GET /healthz HTTP/1.1\r\nHost: bot\r\n\r\n",
    "unknown path": b"GET /.env HTTP/1.1\r\nHost: bot\r\n\r\n",
    "malformed request line": b"BLAH\x00 / HTTP/9\r\n\r\n",
    "not an activity": b"POST /api/messages HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
                       b"Content-Length: 2\r\n\r\n{}",
    "not Teams": b"POST /api/messages HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 43\r\n\r\n{\"type\": \"message\", \"channelId\": \"webchat\"}",
}


async def _headers(port: int, raw: bytes) -> tuple[str, dict[str, str]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(raw)
        await writer.drain()
        head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)).decode("latin-1")
    finally:
        writer.close()
    status, *lines = head.strip().split("\r\n")
    return status, {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}


async def test_no_answer_names_the_server_software(server):
    port = int(server.url.rsplit(":", 1)[1])
    for name, raw in REQUESTS.items():
        status, headers = await _headers(port, raw)
        assert headers.get("server") == "HYTE", (name, status, headers)
        assert "python" not in json.dumps(headers).lower() and "aiohttp" not in json.dumps(headers).lower()


async def test_an_over_long_activity_id_is_refused_and_logged_cut_on_one_line(
    database_url, clock, teams, connector, log_lines
):
    server = await BotServer(make_settings(database_url), clock).start()
    try:
        async with BotClient(server.url) as client:
            answers = {}
            for length in (200, 257, 20_000):
                activity = personal_message(teams, MAIJA, "ohje")
                activity["id"] = "1:" + "7" * (length - 2)
                answers[length] = (await client.post(activity))[0]
    finally:
        await server.stop()
    assert answers == {200: 201, 257: 400, 20_000: 400}  # 200 fits where repeats are recorded; 257 does not
    assert len(connector.sent(conversation_id_for(MAIJA))) == 1  # only the 200-character one was answered
    entries = [json.loads(line) for line in log_lines()]
    assert [e for e in entries if "7" * 20 in json.dumps(e)]  # the lines name the activity
    for entry in entries:
        assert "exception" not in entry, entry["message"]
        assert "7" * (MAX_LOGGED + 1) not in json.dumps(entry), entry["message"][:200]
        assert "\n" not in entry["message"]
