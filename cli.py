"""The bot's command line (`python app.py …`), one registered function per subcommand.

    python app.py            serve POST /api/messages, GET /healthz, /tietosuoja and /kayttoehdot on HOST:PORT
    python app.py migrate    create or upgrade the database schema, then exit
    python app.py export --round <id> --out DIR    write a round's Excel and Word exports (any round of the folder)
    python app.py person export --aad <id> [--tenant <id>]   print everything stored about one person (JSON)
    python app.py person erase --aad <id> [--tenant <id>]    erase one person (the organisation's answers stay)
    python app.py round new --from <round id> --year <year>  write next year's round from last year's
    python app.py round delete --round <id> --older-than-days N [--tenant <id>]   delete a finished round's data
        [--yes-delete-a-round-in-use]               even a county's current round, or one not yet ended
    python app.py demo-data [--round <id>] [--seed N]   generated answers for the demo's last year (demo.sh)

Every command works on one county: a round names its county (its tenant); `--tenant` names it where
no round does (`person`; `round delete` of a round no longer in the rounds folder), and is needed
when the rounds folder has several counties.

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
from hyte.next_year import write_next_round
from hyte.rounds import RoundCatalogue, load_rounds
from hyte.sample_answers import write_sample_answers
from settings import (
    Settings, StartupError, database_problem, load_configured_rounds, round_problem, settings_problems,
)
from storage.curation import SqlCurationRepository
from storage.db import OPEN_ERRORS, Database, create_engine, migrate
from storage.personal_data import (
    RoundInUse, RoundStillActive, SqlPersonalData, UnknownRound, delete_round, stored_tenants,
)
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


# The rounds folder ---------------------------------------------------------------------------------------


def _catalogue(settings: Settings) -> RoundCatalogue | None:
    """The rounds folder, or None after saying why it cannot be read."""
    try:
        return load_configured_rounds(settings, SystemClock())
    except ConfigurationError as exc:
        print(round_problem(settings, exc), file=sys.stderr)
        return None


def _only_tenant(catalogue: RoundCatalogue) -> str | None:
    """The only county's tenant; None after saying that several counties need `--tenant`."""
    if len(catalogue.counties) == 1:
        return catalogue.counties[0].tenant_id
    listed = ", ".join(f"{c.tenant_id} ({c.key})" for c in catalogue.counties)
    print(f"The rounds folder has several counties: name one with --tenant ({listed}).", file=sys.stderr)
    return None


# Exports -----------------------------------------------------------------------------------------------


@command("export")
def export_command(settings: Settings, args: list[str]) -> int:
    """`python app.py export --round <id> --out DIR [--kind xlsx|docx] [--language fi|sv]`: the exports,
    for an operator."""
    parser = argparse.ArgumentParser(prog="app.py export", description="Write a round's Excel and Word exports.")
    parser.add_argument("--round", required=True, help="the round's id (any round of the rounds folder)")
    parser.add_argument("--tenant", help="the round's county's tenant (checked against the round's, if given)")
    parser.add_argument("--out", required=True, type=Path, help="the folder to write into")
    parser.add_argument("--kind", choices=KINDS, action="append", help="only this file (default: both)")
    parser.add_argument("--language", help="one of the round's languages (default: its first)")
    options = parser.parse_args(args)
    clock = SystemClock()
    catalogue = _catalogue(settings)
    if catalogue is None:
        return 2
    entry = catalogue.entry(options.round)
    if entry is None or (options.tenant is not None and options.tenant != entry.round.tenant_id):
        known = ", ".join(f.round.id for f in catalogue.files)
        print(f"Unknown round {options.round!r}{' in tenant ' + options.tenant if options.tenant else ''}: "
              f"the rounds are {known} ({settings.rounds_setting}).", file=sys.stderr)
        return 2
    round_ = entry.round
    if options.language is not None and options.language not in round_.languages:
        print(f"Round {round_.id} is written in {', '.join(round_.languages)}, not {options.language!r}.",
              file=sys.stderr)
        return 2

    async def run() -> list[Path]:
        database = Database.connect(settings.database_url)
        try:
            exports = Exports(SqlResponseRepository(database), SqlWorkshopRepository(database), catalogue,
                              SqlCurationRepository(database))
            written = []
            for kind in options.kind or KINDS:
                export = await exports.build(round_, kind, clock.now(), options.language)
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
    parser.add_argument("--tenant", help="the person's county's tenant (needed when the rounds folder has several counties)")
    options = parser.parse_args(args)
    tenant = options.tenant
    if tenant is None:
        catalogue = _catalogue(settings)
        tenant = _only_tenant(catalogue) if catalogue is not None else None
        if tenant is None:
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
    """`python app.py round new|delete …`: next year's round; a finished round's data deleted."""
    if args[:1] == ["new"]:
        return round_new(settings, args[1:])
    parser = argparse.ArgumentParser(prog="app.py round", description="Delete everything stored for a finished round.")
    parser.add_argument("action", choices=("delete",))
    parser.add_argument("--round", required=True, help="the round's id")
    parser.add_argument("--tenant", help="the round's county's tenant (default: the tenant of the rounds folder's "
                                         "round of that id, else the one tenant that stores it)")
    parser.add_argument("--older-than-days", required=True, type=int,
                        help="refuse unless the round's newest data is at least this many days old")
    parser.add_argument("--yes-delete-a-round-in-use", action="store_true", dest="in_use",
                        help="delete even a county's current round, the round it is read against, or one whose "
                             "timetable has not ended")
    options = parser.parse_args(args)
    if options.older_than_days < 0:
        parser.error("--older-than-days must not be negative")
    catalogue = _catalogue(settings)
    if catalogue is None:
        return 2
    clock = SystemClock()
    now = clock.now()
    entry = catalogue.entry(options.round)
    if entry is not None and options.tenant not in (None, entry.round.tenant_id):
        print(f"Round {options.round!r} is a round of tenant {entry.round.tenant_id}, not of {options.tenant}.",
              file=sys.stderr)
        return 2
    in_use = None
    if entry is not None:
        if catalogue.is_current(entry.round):
            in_use = "it is its county's current round in the rounds folder"
        elif any(catalogue.previous(r) is entry.round for r in catalogue.current_rounds()):
            in_use = "its county's current round is read against it (previous_round): keep it for that year"

    async def run() -> dict:
        database = Database.connect(settings.database_url)
        try:
            tenant = entry.round.tenant_id if entry is not None else options.tenant
            if tenant is None:
                tenants = await stored_tenants(database, options.round)
                if len(tenants) > 1:
                    raise _Ambiguous(tenants)
                if not tenants:
                    raise UnknownRound(options.round)
                tenant = tenants[0]
            counts = await delete_round(
                database, tenant, options.round, older_than=now - timedelta(days=options.older_than_days), now=now,
                in_use=in_use, even_if_in_use=options.in_use,
            )
            return {"deleted_round": options.round, "tenant_id": tenant, "rows": counts}
        finally:
            await database.dispose()

    try:
        deleted = asyncio.run(run())
    except UnknownRound:
        print(f"Unknown round {options.round!r}: nothing is stored for it "
              f"(the rounds folder's are {', '.join(f.round.id for f in catalogue.files)}).", file=sys.stderr)
        return 2
    except _Ambiguous as exc:
        print(f"Round {options.round!r} is stored for several tenants ({', '.join(exc.tenants)}): name one with --tenant.",
              file=sys.stderr)
        return 2
    except RoundInUse as exc:
        print(f"Round {options.round!r} not deleted: {exc}. To delete it all the same, add --yes-delete-a-round-in-use.",
              file=sys.stderr)
        return 2
    except RoundStillActive as exc:
        print(f"Round {options.round!r} not deleted: {exc} (newer than {options.older_than_days} days).", file=sys.stderr)
        return 2
    print(json.dumps(deleted, indent=2))
    return 0


class _Ambiguous(Exception):
    def __init__(self, tenants: list[str]) -> None:
        super().__init__(", ".join(tenants))
        self.tenants = tenants


def round_new(settings: Settings, args: list[str]) -> int:
    """`python app.py round new --from <round id> --year <year> [--id <new id>] [--out DIR]`."""
    parser = argparse.ArgumentParser(prog="app.py round new", description=(
        "Write next year's round from last year's: a new id, the timetable moved a year, the same survey, "
        "previous_round set; nothing copied from the answers."))
    parser.add_argument("--from", required=True, dest="source", help="last year's round id (in the rounds folder)")
    parser.add_argument("--year", required=True, type=int, help="the new round's year")
    parser.add_argument("--id", dest="new_id", help="the new round's id (default: the old one with the year replaced)")
    parser.add_argument("--out", type=Path, help="the new round's folder (default: <rounds folder>/<new id>)")
    options = parser.parse_args(args)
    catalogue = _catalogue(settings)
    if catalogue is None:
        return 2
    entry = catalogue.entry(options.source)
    if entry is None:
        print(f"Unknown round {options.source!r}: the rounds are {', '.join(f.round.id for f in catalogue.files)} "
              f"({settings.rounds_setting}).", file=sys.stderr)
        return 2
    try:
        written = write_next_round(entry, options.year, new_id=options.new_id, folder=options.out)
    except ConfigurationError as exc:
        print(f"Round not written: {exc}", file=sys.stderr)
        return 2
    source = settings.rounds_source
    try:  # the new round must load, and fit with the others of its folder
        in_folder = source.is_dir() and written.round_file.resolve().is_relative_to(source.resolve())
        load_rounds(source if in_folder else written.round_file, today=settings.today)
    except ConfigurationError as exc:
        print(f"The new round {written.round_file} does not load:\n{exc}", file=sys.stderr)
        return 2
    print(f"Wrote {written.round_file} (round {written.id}, {written.year}; previous_round: {options.source})")
    for path in written.copied:
        print(f"  copied {path.name}")
    print("The timetable, moved a year (weekdays change: check each date; ! marks a weekend or a public holiday):")
    for moved in written.dates:
        mark = "!" if moved.check else " "
        why = f"  <- {', '.join(moved.check)}" if moved.check else ""
        print(f" {mark} {moved.phase.value:<22} {moved.old:%a %Y-%m-%d %H:%M} -> {moved.new:%a %Y-%m-%d %H:%M}{why}")
    print("The survey is last year's file, copied: if you change its questions, raise its `version`. Check the "
          "organisations, representatives and HYTE team too. Once it is in the rounds folder, the new round is its "
          "county's current round when the bot starts; last year's stays readable "
          f"(tila {entry.round.year}, yhteenveto kysely {entry.round.year}).")
    if settings.round_file is not None:
        print(f"HYTE_ROUND_FILE names one round: point it at {written.round_file}, or use HYTE_ROUNDS_DIR for both.")
    return 0


# The demo's last year --------------------------------------------------------------------------------------

DEMO_PREVIOUS_ROUND = "pohjois-savo-demo-edellinen"
"""The bundled demo county's last year (config/pohjois-savo-edellinen/), whose answers are generated."""


@command("demo-data")
def demo_data_command(settings: Settings, args: list[str]) -> int:
    """`python app.py demo-data [--round <id>] [--seed N]`: generated, submitted answers for a round
    that has none stored (hyte/sample_answers.py; by default the demo's last year, demo.sh runs it)."""
    parser = argparse.ArgumentParser(prog="app.py demo-data", description="Generated answers for a round that has none.")
    parser.add_argument("--round", default=DEMO_PREVIOUS_ROUND, help="the round's id (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=2025, help="the generator's seed (default: %(default)s)")
    options = parser.parse_args(args)
    catalogue = _catalogue(settings)
    entry = catalogue.entry(options.round) if catalogue is not None else None
    if entry is None:
        print(f"No round {options.round!r} in the rounds folder ({settings.rounds_setting}): nothing written.",
              file=sys.stderr)
        return 2

    async def run() -> int:
        database = Database.connect(settings.database_url)
        try:
            await migrate(database.engine)
            return await write_sample_answers(SqlResponseRepository(database), entry.round, options.seed)
        finally:
            await database.dispose()

    try:
        written = asyncio.run(run())
    except OPEN_ERRORS as exc:
        print(database_problem(exc), file=sys.stderr)
        return 2
    print(f"Wrote generated answers of {written}/{len(entry.round.config.organisations)} organisations into round "
          f"{entry.round.id} ({entry.round.year})." if written else
          f"Round {entry.round.id} has answers stored already: nothing written.")
    return 0
