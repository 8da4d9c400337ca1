"""The bot's command line (`python app.py …`), one registered function per subcommand.

    python app.py            serve POST /api/messages, GET /healthz, /tietosuoja and /kayttoehdot on HOST:PORT
    python app.py migrate    create or upgrade the database schema, then exit
    python app.py export --round <id> --out DIR    write the round's Excel and Word exports
    python app.py person export --aad <id>         print everything stored about one person (JSON)
    python app.py person erase --aad <id>          erase one person (the organisation's answers stay)
    python app.py round delete --round <id> --older-than-days N   delete a finished round's data
        [--yes-delete-a-round-in-use]               even the configured round, or one not yet ended

The settings are read first (one line per invalid setting, exit status 2); a subcommand gets them
and the rest of the arguments, and returns the exit status.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import logging
import sys
from datetime import timedelta
from pathlib import Path
from typing import Callable

from aiohttp import web
from pydantic import ValidationError

from app import create_app
from bot import logs
from bot.services.exports import KINDS, Exports
from hyte.clock import SystemClock
from hyte.configuration import ConfigurationError
from hyte.workshop import load_round_workshop
from settings import (
    Settings, StartupError, database_problem, load_configured_round, round_problem, settings_problems,
)
from storage.db import OPEN_ERRORS, Database, create_engine, migrate
from storage.personal_data import RoundInUse, RoundStillActive, SqlPersonalData, UnknownRound, delete_round
from storage.repositories import SqlResponseRepository
from storage.workshop import SqlWorkshopRepository

logger = logging.getLogger("hyte")

Command = Callable[[Settings, list[str]], int]
COMMANDS: dict[str, Command] = {}


def command(name: str) -> Callable[[Command], Command]:
    def register(function: Command) -> Command:
        COMMANDS[name] = function
        return function

    return register


def main(argv: list[str]) -> int:
    try:
        settings = Settings()
    except ValidationError as exc:
        print("\n".join(settings_problems(exc)), file=sys.stderr)
        return 2
    logs.configure(settings.log_level, settings.log_format)
    name = argv[1] if len(argv) > 1 else "serve"
    chosen = COMMANDS.get(name)
    if chosen is None:
        print(__doc__, file=sys.stderr)
        return 2
    return chosen(settings, argv[2:])


# Serving ------------------------------------------------------------------------------------------


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@command("serve")
def serve_command(settings: Settings, _args: list[str]) -> int:
    if not settings.authenticated and not _loopback(settings.host) and not settings.allow_unauthenticated_on_network:
        print(
            f"Refusing to listen on {settings.host} without MicrosoftAppId: an unauthenticated bot serves only "
            "loopback (127.0.0.1, ::1, localhost). Set MicrosoftAppId, or HYTE_ALLOW_UNAUTHENTICATED_ON_NETWORK=true "
            "for a closed test network.",
            file=sys.stderr,
        )
        return 2
    try:
        app = create_app(settings)
    except ConfigurationError as exc:
        print(round_problem(settings, exc), file=sys.stderr)
        return 2
    except StartupError as exc:
        print(exc, file=sys.stderr)
        return 2
    return serve(app, settings)


def serve(app: web.Application, settings: Settings) -> int:
    """Run until stopped. Says "serving on" once the schema is migrated and the port is bound
    (aiohttp calls `print` after its sites have started); a port that cannot be bound, or a
    database that cannot be opened, is one line naming the setting and exit status 2."""
    address = f"http://{settings.host}:{settings.port}/api/messages"
    started = False

    async def mark_started(_app: web.Application) -> None:  # after every cleanup_ctx's start-up
        nonlocal started
        started = True

    app.on_startup.append(mark_started)
    try:
        web.run_app(app, host=settings.host, port=settings.port,
                    print=lambda _banner: logger.info("serving on %s", address))
    except StartupError as exc:
        print(exc, file=sys.stderr)
        return 2
    except OSError as exc:
        if not started:
            raise
        print(f"Cannot listen on {settings.host}:{settings.port} (HOST, PORT): {exc}", file=sys.stderr)
        return 2
    return 0


# The database ----------------------------------------------------------------------------------------


@command("migrate")
def migrate_command(settings: Settings, _args: list[str]) -> int:
    async def run() -> None:
        engine = create_engine(settings.database_url)
        try:
            await migrate(engine)
        finally:
            await engine.dispose()

    try:
        asyncio.run(run())
    except OPEN_ERRORS as exc:
        print(database_problem(exc), file=sys.stderr)
        return 2
    print("Database schema is up to date.")
    return 0


# Exports -----------------------------------------------------------------------------------------------


@command("export")
def export_command(settings: Settings, args: list[str]) -> int:
    """`python app.py export --round <id> --out DIR [--kind xlsx|docx]`: the exports, for an operator."""
    parser = argparse.ArgumentParser(prog="app.py export", description="Write a round's Excel and Word exports.")
    parser.add_argument("--round", required=True, help="the round's id (must be the configured round's)")
    parser.add_argument("--out", required=True, type=Path, help="the folder to write into")
    parser.add_argument("--kind", choices=KINDS, action="append", help="only this file (default: both)")
    options = parser.parse_args(args)
    clock = SystemClock()
    try:
        round_ = load_configured_round(settings, clock)
    except ConfigurationError as exc:
        print(round_problem(settings, exc), file=sys.stderr)
        return 2
    if options.round != round_.id:
        print(f"Unknown round {options.round!r}: the configured round is {round_.id!r} (HYTE_ROUND_FILE).", file=sys.stderr)
        return 2

    async def run() -> list[Path]:
        database = Database.connect(settings.database_url)
        try:
            exports = Exports(SqlResponseRepository(database), SqlWorkshopRepository(database),
                              load_round_workshop(settings.round_file, round_.config.workshop_file, round_.languages))
            written = []
            for kind in options.kind or KINDS:
                export = await exports.build(round_, kind, clock.now())
                options.out.mkdir(parents=True, exist_ok=True)
                path = options.out / export.filename
                path.write_bytes(export.data)
                written.append(path)
            return written
        finally:
            await database.dispose()

    for path in asyncio.run(run()):
        print(path)
    return 0


# Personal data (GDPR) and rounds ---------------------------------------------------------------------------


@command("person")
def person_command(settings: Settings, args: list[str]) -> int:
    """`python app.py person export|erase --aad <id> [--tenant <id>]`: a person's data (GDPR)."""
    parser = argparse.ArgumentParser(prog="app.py person", description="Export or erase what is stored about one person.")
    parser.add_argument("action", choices=("export", "erase"))
    parser.add_argument("--aad", required=True, help="the person's Entra object id")
    parser.add_argument("--tenant", help="the tenant (default: the configured round's)")
    options = parser.parse_args(args)
    tenant = options.tenant
    if tenant is None:
        try:
            tenant = load_configured_round(settings, SystemClock()).tenant_id
        except ConfigurationError as exc:
            print(f"Invalid round configuration:\n{exc}", file=sys.stderr)
            return 2

    async def run() -> dict:
        database = Database.connect(settings.database_url)
        try:
            data = SqlPersonalData(database)
            if options.action == "export":
                return await data.export(tenant, options.aad)
            return {"erased": options.aad, "tenant_id": tenant, "rows": await data.erase(tenant, options.aad)}
        finally:
            await database.dispose()

    print(json.dumps(asyncio.run(run()), ensure_ascii=False, indent=2, default=str))
    return 0


@command("round")
def round_command(settings: Settings, args: list[str]) -> int:
    """`python app.py round delete --round <id> --older-than-days N [--yes-delete-a-round-in-use]`:
    delete a finished round's data."""
    parser = argparse.ArgumentParser(prog="app.py round", description="Delete everything stored for a finished round.")
    parser.add_argument("action", choices=("delete",))
    parser.add_argument("--round", required=True, help="the round's id")
    parser.add_argument("--older-than-days", required=True, type=int,
                        help="refuse unless the round's newest data is at least this many days old")
    parser.add_argument("--yes-delete-a-round-in-use", action="store_true", dest="in_use",
                        help="delete even the configured round (HYTE_ROUND_FILE), or one whose timetable has not ended")
    options = parser.parse_args(args)
    if options.older_than_days < 0:
        parser.error("--older-than-days must not be negative")
    clock = SystemClock()
    try:
        configured = load_configured_round(settings, clock).id
    except ConfigurationError as exc:
        print(f"Invalid round configuration:\n{exc}", file=sys.stderr)
        return 2
    now = clock.now()

    async def run() -> dict:
        database = Database.connect(settings.database_url)
        try:
            return await delete_round(
                database, options.round, older_than=now - timedelta(days=options.older_than_days), now=now,
                configured_round_id=configured, even_if_in_use=options.in_use,
            )
        finally:
            await database.dispose()

    try:
        counts = asyncio.run(run())
    except UnknownRound:
        print(f"Unknown round {options.round!r}: nothing is stored for it (the configured round is {configured!r}).",
              file=sys.stderr)
        return 2
    except RoundInUse as exc:
        print(f"Round {options.round!r} not deleted: {exc}. To delete it all the same, add --yes-delete-a-round-in-use.",
              file=sys.stderr)
        return 2
    except RoundStillActive as exc:
        print(f"Round {options.round!r} not deleted: {exc} (newer than {options.older_than_days} days).", file=sys.stderr)
        return 2
    print(json.dumps({"deleted_round": options.round, "rows": counts}, indent=2))
    return 0
