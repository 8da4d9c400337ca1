"""The service's start: settings, the unauthenticated warning, health, clean HTTP errors."""

from __future__ import annotations

import logging

import pytest

from app import Settings, create_app
from auxil.http import BotClient
from auxil.server import BotServer
from conftest import make_settings
from hyte.survey import ConfigurationError


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


def test_without_app_id_it_refuses_to_listen_beyond_loopback(monkeypatch, capsys):
    from app import main

    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("MicrosoftAppId", "")
    monkeypatch.delenv("HYTE_ALLOW_UNAUTHENTICATED_ON_NETWORK", raising=False)
    assert main(["app.py"]) == 2
    assert "Refusing to listen on 0.0.0.0 without MicrosoftAppId" in capsys.readouterr().err
