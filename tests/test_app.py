"""The service's start: settings, the unauthenticated warning, health, clean HTTP errors."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from app import create_app
from cli import main
from settings import Settings
from loopback.http import BotClient
from loopback.server import BotServer
from conftest import make_settings
from hyte.configuration import ConfigurationError


async def test_without_app_id_it_says_it_runs_unauthenticated(sqlite_url, clock, caplog):
    caplog.set_level(logging.WARNING, logger="hyte")
    server = await BotServer(make_settings(sqlite_url), clock).start()
    try:
        assert any("UNAUTHENTICATED" in r.getMessage() for r in caplog.records)
    finally:
        await server.stop()


async def test_healthz_and_bad_requests(client: BotClient, server):
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with session.get(f"{server.url}/healthz") as response:
            assert response.status == 200
            assert (await response.json())["round"] == "pohjois-savo-demo"
    assert (await client.post_raw(b"{not json", "application/json"))[0] == 400
    assert (await client.post_raw(b"[1, 2]", "application/json"))[0] == 400
    assert (await client.post_raw(b"[" * 100_000 + b"]" * 100_000, "application/json"))[0] in (400, 413)
    assert (await client.post_raw(b"[" * 50_000 + b"]" * 50_000, "application/json"))[0] == 400  # deep nesting
    assert (await client.post_raw(b'{"type": 5}', "application/json"))[0] == 400
    assert (await client.post_raw(b"hello", "text/plain"))[0] == 415
    assert (await client.post_raw(b'{"type": "message", "x": "' + b"a" * 300_000 + b'"}', "application/json"))[0] == 413


def test_settings_use_the_bot_framework_names(monkeypatch):
    monkeypatch.setenv("MicrosoftAppId", "11111111-2222-3333-4444-555555555555")
    monkeypatch.setenv("MicrosoftAppType", "SingleTenant")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://x@127.0.0.1/y")
    settings = Settings(_env_file=None)
    assert settings.authenticated and settings.microsoft_app_type == "SingleTenant"
    assert (settings.host, settings.port) == ("127.0.0.1", 3978)
    monkeypatch.setenv("MicrosoftAppType", "Bogus")
    with pytest.raises(ValueError):
        Settings(_env_file=None)


def test_a_broken_round_file_fails_at_start(tmp_path, sqlite_url, clock):
    bad = tmp_path / "round.yaml"
    bad.write_text("id: x\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="round.yaml"):
        create_app(make_settings(sqlite_url, round_file=bad), clock=clock)


def test_the_default_rounds_folder_serves_the_bundled_counties(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env
    settings = Settings(_env_file=None)
    assert settings.rounds_source == Path(__file__).resolve().parents[1] / "config"
    assert settings.rounds_setting.startswith("HYTE_ROUNDS_DIR=")


def test_every_broken_file_of_the_rounds_folder_is_named_at_start(tmp_path: Path):
    for county in ("a", "b"):
        (tmp_path / "rounds" / county).mkdir(parents=True)
        (tmp_path / "rounds" / county / "round.yaml").write_text("id: x\n", encoding="utf-8")
    result = run_app(tmp_path, HYTE_ROUNDS_DIR=str(tmp_path / "rounds"), DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/x.db")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == f"Invalid round configuration (HYTE_ROUNDS_DIR={tmp_path / 'rounds'}):"
    assert f"{tmp_path / 'rounds' / 'a' / 'round.yaml'}: " in result.stderr
    assert f"{tmp_path / 'rounds' / 'b' / 'round.yaml'}: " in result.stderr and "county" in result.stderr


def test_without_app_id_it_refuses_to_listen_beyond_loopback(monkeypatch, capsys):
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("MicrosoftAppId", "")
    monkeypatch.delenv("HYTE_ALLOW_UNAUTHENTICATED_ON_NETWORK", raising=False)
    assert main(["app.py"]) == 2
    assert "Refusing to listen on 0.0.0.0 without MicrosoftAppId" in capsys.readouterr().err


# Start-up as an operator sees it: `python app.py` in a folder of its own (no .env), one line per problem.

REPO = Path(__file__).resolve().parent.parent
SECRET = "lyhyt-salaisuus"  # 15 bytes


def app_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'hyte.db'}",
            "HYTE_REMINDER_POLL_SECONDS": "0", **settings}


def run_app(tmp_path: Path, *args: str, **settings: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "app.py"), *args], cwd=tmp_path, env=app_env(tmp_path, **settings),
                          capture_output=True, text=True, timeout=120)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_short_link_secret_stops_the_bot_with_one_line_naming_it(tmp_path: Path):
    result = run_app(tmp_path, HYTE_LINK_SECRET=SECRET)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "Invalid setting HYTE_LINK_SECRET: must be at least 16 bytes, not 15 (e.g. the output of "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'), or unset"
    ]
    assert not (tmp_path / "hyte.db").exists()  # nothing started


def test_the_link_secret_is_counted_in_bytes():
    assert Settings(_env_file=None, HYTE_LINK_SECRET="ä" * 8).link_secret.get_secret_value() == "ä" * 8
    with pytest.raises(ValueError, match="at least 16 bytes, not 15"):
        Settings(_env_file=None, HYTE_LINK_SECRET="ä" * 7 + "a")


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"PORT": "abc"}, ["Invalid setting PORT: Input should be a valid integer, unable to parse string as an integer (it is 'abc')"]),
        ({"PORT": "70000", "MicrosoftAppType": "Multi"}, [
            "Invalid setting PORT: Input should be less than or equal to 65535 (it is '70000')",
            "Invalid setting MicrosoftAppType: Input should be 'MultiTenant', 'SingleTenant' or 'UserAssignedMSI' (it is 'Multi')",
        ]),
        ({"LOG_LEVEL": "LOUD"}, ["Invalid setting LOG_LEVEL: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (it is 'LOUD')"]),
        ({"DATABASE_URL": "postgresql://hyte:hunter2@db.example.fi/hyte"},
         ["Invalid setting DATABASE_URL: the scheme must be sqlite+aiosqlite or postgresql+asyncpg, not postgresql"]),
        ({"DATABASE_URL": "hyte.db"}, ["Invalid setting DATABASE_URL: not a database URL; expected "
                                       "sqlite+aiosqlite:///path/to/hyte.db or postgresql+asyncpg://user:password@host/db"]),
        ({"HYTE_PUBLIC_BASE_URL": "hyte.example.fi"}, [
            "Invalid setting HYTE_PUBLIC_BASE_URL: must be the bot's address as the users reach it, such as "
            "https://hyte.example.fi (it is 'hyte.example.fi')"
        ]),
        ({"HYTE_MIGRATE_ON_START": "maybe"},
         ["Invalid setting HYTE_MIGRATE_ON_START: Input should be a valid boolean, unable to interpret input (it is 'maybe')"]),
        ({"HYTE_ROUNDS_DIR": "config", "HYTE_ROUND_FILE": "config/pohjois-savo/round.yaml"}, [
            "Invalid settings: HYTE_ROUNDS_DIR and HYTE_ROUND_FILE are both set: set one (a folder, or one round file)"
        ]),
        ({"HYTE_TODAY": "1.5.2024", "HYTE_LINK_SECRET": SECRET}, [
            "Invalid setting HYTE_TODAY: Input should be a valid date or datetime, input is too short (it is '1.5.2024')",
            "Invalid setting HYTE_LINK_SECRET: must be at least 16 bytes, not 15 (e.g. the output of "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'), or unset",
        ]),
    ],
)
def test_each_invalid_setting_is_one_line_naming_it_and_no_secret(tmp_path, monkeypatch, capsys, settings, expected):
    monkeypatch.chdir(tmp_path)  # no .env
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    assert main(["app.py", "--version"]) == 2  # the settings are read first; valid ones would print the usage
    err = capsys.readouterr().err
    assert err.splitlines() == expected
    assert "hunter2" not in err and SECRET not in err


def test_a_database_that_cannot_be_opened_is_one_line_naming_the_setting(tmp_path: Path):
    url = f"postgresql+asyncpg://hyte:hunter2@127.0.0.1:{closed_port()}/hyte"
    for args in ((), ("migrate",)):
        result = run_app(tmp_path, *args, DATABASE_URL=url, LOG_LEVEL="ERROR")
        assert result.returncode == 2, result.stderr
        [line] = result.stderr.splitlines()
        assert line.startswith("Cannot open the database (DATABASE_URL): ") and "Connect call failed" in line
        assert "hunter2" not in line


def test_a_port_in_use_is_one_line_naming_the_setting(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_app(tmp_path, PORT=str(port), LOG_LEVEL="ERROR")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"Cannot listen on 127.0.0.1:{port} (HOST, PORT): [Errno 98] error while attempting to bind on address "
        f"('127.0.0.1', {port}): address already in use"
    ]


async def test_it_says_serving_on_once_the_schema_is_migrated_and_the_port_answers(tmp_path: Path):
    port = closed_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(REPO / "app.py"), cwd=tmp_path, env=app_env(tmp_path, PORT=str(port), LOG_FORMAT="json"),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    try:
        messages = []
        while not any(m.startswith("serving on") for m in messages):
            line = await asyncio.wait_for(process.stderr.readline(), 60)
            assert line, f"the bot stopped: {messages}"
            messages.append(json.loads(line)["message"])
        assert messages[-1] == f"serving on http://127.0.0.1:{port}/api/messages"
        assert "schema at revision heads" in messages[:-1]
        async with aiohttp.ClientSession() as session:  # at once, no retry: the port is bound
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), 60) == 0
