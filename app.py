"""Composition root: settings, database, adapter, bot, HTTP routes.

    python app.py            serve POST /api/messages, GET /healthz, /tietosuoja and /kayttoehdot on HOST:PORT
    python app.py migrate    create or upgrade the database schema, then exit
    python app.py export --round <id> --out DIR    write the round's Excel and Word exports
    python app.py person export --aad <id>         print everything stored about one person (JSON)
    python app.py person erase --aad <id>          erase one person (the organisation's answers stay)
    python app.py round delete --round <id> --older-than-days N   delete a finished round's data
        [--yes-delete-a-round-in-use]               even the configured round, or one not yet ended
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import ipaddress
import logging
import secrets
import sys
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Literal
from urllib.parse import urlsplit

from aiohttp import web, web_response
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botframework.connector.auth import ServiceClientCredentialsFactory
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.exc import DBAPIError

from bot import logs, replies
from bot.bot import HyteBot
from bot.auth import CHANNEL_OPENID_METADATA_URL, CHANNEL_TOKEN_ISSUER, ChannelKeys, ChannelTokenValidator, RequestAuthenticator
from bot.connectors import ReusingAuthentication
from bot.entra import EntraCredentialsFactory, default_authority
from bot.exports import DOWNLOAD_PATH, KINDS, MIN_SECRET_BYTES, LinkSigner, build_export, download_handler
from bot.http import MAX_BODY_BYTES, messages_handler
from bot.identity import IdentityResolver
from bot.routes import build_router, greeting
from bot.scheduler import Scheduler
from bot.outbound import Authorizations, Outbound, RateLimiter
from bot.privacy import PRIVACY_PATH, TERMS_PATH, Facts, page_handler, render_pages
from bot.queued import QueuedReplies
from bot.sender import Sender
from bot.turn import Services
from hyte.clock import Clock, SystemClock
from hyte.round import HELSINKI, Round, load_round
from hyte.survey import ConfigurationError
from hyte.themes import lemmatiser_available
from hyte.workshop import load_round_workshop
from storage.activities import SqlActivityLog
from storage.db import OPEN_ERRORS, Database, check_database_url, create_engine, migrate
from storage.personal_data import RoundInUse, RoundStillActive, SqlPersonalData, UnknownRound, delete_round
from storage.queued import SqlQueuedReplies
from storage.reminders import SqlJobRepository, SqlPeopleDirectory, SqlTimetableRepository
from storage.workshop import SqlWorkshopRepository
from storage.repositories import (
    SqlConversationRepository, SqlPositionRepository, SqlResponseRepository, SqlTeamRepository,
)

logger = logging.getLogger("hyte")

HERE = Path(__file__).resolve().parent
BUNDLED_ROUND = HERE / "config" / "pohjois-savo"
"""The demo round's folder: its privacy notice and terms templates serve a round that has none."""
SERVICES = web.AppKey("services", Services)
AUTHENTICATOR = web.AppKey("authenticator", RequestAuthenticator)
QUEUED = web.AppKey("queued", QueuedReplies)
ACTIVITY_IDS_KEPT = timedelta(days=2)
ACTIVITY_PURGE_SECONDS = 3600.0
BACKGROUND_DRAIN_SECONDS = 30.0
"""At shutdown, how long summaries and exports in hand may take to finish."""
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class StartupError(Exception):
    """The bot cannot start with its settings; the message is one line that names the setting."""


class Settings(BaseSettings):
    """Read from the environment and an optional `.env` file; names as Bot Framework uses them."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    host: str = Field("127.0.0.1", alias="HOST")
    port: int = Field(3978, alias="PORT", ge=1, le=65535)
    microsoft_app_id: str = Field("", alias="MicrosoftAppId")
    microsoft_app_password: SecretStr = Field(SecretStr(""), alias="MicrosoftAppPassword")
    microsoft_app_type: Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"] = Field(
        "MultiTenant", alias="MicrosoftAppType"
    )
    microsoft_app_tenant_id: str = Field("", alias="MicrosoftAppTenantId")
    allowed_tenants: str = Field("", alias="HYTE_ALLOWED_TENANTS")
    """Comma-separated tenant ids served besides the round's own (and MicrosoftAppTenantId)."""
    channel_openid_metadata_url: str = Field(CHANNEL_OPENID_METADATA_URL, alias="ToBotFromChannelOpenIdMetadataUrl")
    channel_token_issuer: str = Field(CHANNEL_TOKEN_ISSUER, alias="ToBotFromChannelTokenIssuer")
    allow_unauthenticated_on_network: bool = Field(False, alias="HYTE_ALLOW_UNAUTHENTICATED_ON_NETWORK")
    """Without an app id the bot listens on loopback only, unless this is set (never in production)."""
    database_url: str = Field(f"sqlite+aiosqlite:///{HERE / 'var' / 'hyte.db'}", alias="DATABASE_URL")
    round_file: Path = Field(HERE / "config" / "pohjois-savo" / "round.yaml", alias="HYTE_ROUND_FILE")
    today: date | None = Field(None, alias="HYTE_TODAY")
    """The day relative dates of the round file count from (default: today in Helsinki)."""
    migrate_on_start: bool = Field(True, alias="HYTE_MIGRATE_ON_START")
    log_level: str = Field("INFO", alias="LOG_LEVEL")
    log_format: Literal["json", "text"] = Field("json", alias="LOG_FORMAT")
    """`json`: one JSON object a line (for log collectors); `text`: for humans."""
    link_secret: SecretStr = Field(SecretStr(""), alias="HYTE_LINK_SECRET")
    """Signs the exports' download links (at least 16 bytes); generated per process when unset
    (links die with it)."""
    public_base_url: str = Field("http://127.0.0.1:3978", alias="HYTE_PUBLIC_BASE_URL")
    """Where Teams users reach this bot (download links), e.g. https://hyte.example.fi."""
    link_ttl_minutes: int = Field(60, alias="HYTE_LINK_TTL_MINUTES", ge=1, le=7 * 24 * 60)
    reminder_poll_seconds: float = Field(30.0, alias="HYTE_REMINDER_POLL_SECONDS", ge=0)
    """How often this instance sends the due reminders; 0: it sends none (it still plans them)."""
    send_backoff_seconds: float = Field(1.0, alias="HYTE_SEND_BACKOFF_SECONDS", gt=0, le=60)
    """The first wait before retrying a throttled or failed send; doubled each retry, with jitter."""
    send_tenant_per_second: float = Field(50.0, alias="HYTE_SEND_TENANT_PER_SECOND", gt=0)
    """Outgoing messages per second to the tenant, all conversations together (Teams: about 50)."""
    to_channel_from_bot_login_url: str = Field("", alias="ToChannelFromBotLoginUrl")
    """The Entra ID authority the bot asks for its own token (sovereign clouds); empty: the public
    cloud's, for the app type (bot/entra.py)."""
    entra_timeout_seconds: float = Field(10.0, alias="HYTE_ENTRA_TIMEOUT_SECONDS", gt=0, le=60)
    """The time limit of each HTTP request for the bot's token."""
    queued_reply_poll_seconds: float = Field(5.0, alias="HYTE_QUEUED_REPLY_POLL_SECONDS", gt=0)
    """How often replies queued for want of a token are tried again (and at once when a token comes)."""

    @field_validator("database_url")
    @classmethod
    def _a_database_the_bot_runs_on(cls, value: str) -> str:
        check_database_url(value)
        return value

    @field_validator("log_level")
    @classmethod
    def _a_logging_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("link_secret")
    @classmethod
    def _long_enough_to_sign(cls, value: SecretStr) -> SecretStr:
        size = len(value.get_secret_value().encode())
        if 0 < size < MIN_SECRET_BYTES:
            raise ValueError(
                f"must be at least {MIN_SECRET_BYTES} bytes, not {size} (e.g. the output of "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'), or unset"
            )
        return value

    @field_validator("public_base_url")
    @classmethod
    def _an_http_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError("must be the bot's address as the users reach it, such as https://hyte.example.fi")
        return value.strip().rstrip("/")

    @property
    def authenticated(self) -> bool:
        return bool(self.microsoft_app_id)

    def tenants(self, round_tenant: str) -> frozenset[str]:
        extra = {t.strip() for t in self.allowed_tenants.split(",") if t.strip()}
        return frozenset({round_tenant, *extra, *([self.microsoft_app_tenant_id] if self.microsoft_app_tenant_id else [])})


def bot_framework_authentication(
    settings: Settings, credentials_factory: ServiceClientCredentialsFactory | None = None
) -> ConfigurationBotFrameworkAuthentication:
    configuration = SimpleNamespace(
        APP_ID=settings.microsoft_app_id,
        APP_PASSWORD=settings.microsoft_app_password.get_secret_value(),
        APP_TYPE=settings.microsoft_app_type,
        APP_TENANTID=settings.microsoft_app_tenant_id,
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=settings.channel_openid_metadata_url,
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=settings.channel_token_issuer,
    )
    return ConfigurationBotFrameworkAuthentication(configuration, credentials_factory=credentials_factory)


def entra_credentials(settings: Settings) -> ServiceClientCredentialsFactory | None:
    """The bot's outgoing credentials (bot/entra.py) for an app id and password; None (botbuilder's
    own) without an app id, or for a managed identity."""
    if not settings.authenticated or settings.microsoft_app_type == "UserAssignedMSI":
        return None
    named = settings.to_channel_from_bot_login_url.strip()
    return EntraCredentialsFactory(
        settings.microsoft_app_id, settings.microsoft_app_password.get_secret_value(),
        authority=named or default_authority(settings.microsoft_app_type, settings.microsoft_app_tenant_id),
        timeout=settings.entra_timeout_seconds, named_authority=bool(named),
    )


def request_authenticator(settings: Settings, framework: ReusingAuthentication) -> RequestAuthenticator:
    if not settings.authenticated:
        return RequestAuthenticator(framework, None)
    keys = ChannelKeys(settings.channel_openid_metadata_url)
    return RequestAuthenticator(
        framework, ChannelTokenValidator(settings.microsoft_app_id, keys, settings.channel_token_issuer)
    )


def export_link_signer(settings: Settings) -> LinkSigner:
    secret = settings.link_secret.get_secret_value().encode()
    if not secret:
        secret = secrets.token_bytes(32)
        logger.info("HYTE_LINK_SECRET not set: export links are signed with a per-process key")
    return LinkSigner(secret, settings.public_base_url, timedelta(minutes=settings.link_ttl_minutes))


def load_configured_round(settings: Settings, clock: Clock) -> Round:
    today = settings.today or clock.now().astimezone(HELSINKI).date()
    return load_round(settings.round_file, today=today)


def create_app(
    settings: Settings, *, clock: Clock | None = None,
    credentials_factory: ServiceClientCredentialsFactory | None = None,
) -> web.Application:
    """The app. `credentials_factory` replaces the Entra credentials of outgoing calls (tests give
    one that signs tokens locally, so the real connector client talks to a loopback stand-in; the
    Entra tests point the real ones at a loopback token endpoint with ToChannelFromBotLoginUrl)."""
    clock = clock or SystemClock()
    round_ = load_configured_round(settings, clock)
    hide_server_software()
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    try:
        database = Database.connect(settings.database_url)
    except OSError as exc:  # SQLite: the file's folder cannot be made
        raise StartupError(database_problem(exc)) from exc
    conversations = SqlConversationRepository(database)
    framework = ReusingAuthentication(
        bot_framework_authentication(settings, credentials_factory or entra_credentials(settings)))
    adapter = CloudAdapter(framework)
    authorizations = Authorizations(fetch_wait=2 * settings.entra_timeout_seconds + 1)
    outbound = Outbound(RateLimiter(tenant_per_second=settings.send_tenant_per_second),
                        backoff_base=settings.send_backoff_seconds, authorizations=authorizations)
    scheduler = reminder_scheduler(settings, round_, database, conversations, adapter, outbound, clock)
    queued = QueuedReplies(SqlQueuedReplies(database), outbound, scheduler.sender.credentials, clock,
                           poll_seconds=settings.queued_reply_poll_seconds)
    services = Services(
        round=round_,
        clock=clock,
        responses=SqlResponseRepository(database),
        positions=SqlPositionRepository(database),
        conversations=conversations,
        identities=IdentityResolver(round_, conversations, authorize=replies.authorize),
        teams=SqlTeamRepository(database),
        links=export_link_signer(settings),
        timetables=scheduler.timetables,
        reminders=scheduler,
        workshop_questions=load_round_workshop(settings.round_file, round_.config.workshop_file),
        workshops=SqlWorkshopRepository(database),
    )
    pages = render_pages(round_, settings.round_file, Facts(
        activity_ids_days=ACTIVITY_IDS_KEPT.days, link_minutes=settings.link_ttl_minutes,
        queued_reply_minutes=int(queued.max_age.total_seconds() // 60), base_url=settings.public_base_url,
    ), BUNDLED_ROUND)
    router = build_router()
    bot = HyteBot(services, router, greeting)
    activities = SqlActivityLog(database)
    authenticator = request_authenticator(settings, framework)

    async def lifecycle(app: web.Application):
        if not settings.authenticated:
            logger.warning(
                "No MicrosoftAppId set: running UNAUTHENTICATED for local development only "
                "(Agents Playground, tests). Set MicrosoftAppId and MicrosoftAppPassword in production."
            )
        if not lemmatiser_available():
            logger.warning("Voikko is not installed: summaries will leave out themes (apt-get install libvoikko1 voikko-fi)")
        if settings.migrate_on_start:
            try:
                await migrate(database.engine)
            except OPEN_ERRORS as exc:
                raise StartupError(database_problem(exc)) from exc
        freeze_startup_objects()
        yield
        await services.background.drain(BACKGROUND_DRAIN_SECONDS)
        await authenticator.close()
        await outbound.close()
        await database.dispose()

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "round": round_.id})

    async def reminders(app: web.Application):
        await scheduler.plan()
        if settings.reminder_poll_seconds > 0:
            await scheduler.start()
        yield
        await scheduler.stop()

    async def queued_replies(app: web.Application):
        await queued.start()
        yield
        await queued.stop()

    async def activity_ids(app: web.Application):
        """Forget processed activity ids after ACTIVITY_IDS_KEPT (Teams re-sends within minutes), and at
        start the claims a killed process left unfinished (so that their re-sends run)."""
        released = await activities.release_unfinished()
        if released:
            logger.warning("released %d activity claims left unfinished by a stopped process", released)

        async def purge_now_and_then() -> None:
            while True:
                try:
                    purged = await activities.purge(clock.now() - ACTIVITY_IDS_KEPT)
                    logger.debug("purged %d processed activity ids", purged)
                except Exception:
                    logger.warning("could not purge processed activity ids", exc_info=True)
                await asyncio.sleep(ACTIVITY_PURGE_SECONDS)

        task = asyncio.create_task(purge_now_and_then())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.cleanup_ctx.append(lifecycle)
    app.cleanup_ctx.append(reminders)
    app.cleanup_ctx.append(activity_ids)
    app.cleanup_ctx.append(queued_replies)
    app.router.add_post(
        "/api/messages",
        messages_handler(
            adapter, bot, authenticator, settings.tenants(round_.tenant_id),
            outbound, activities=activities, clock=clock, queued=queued,
        ),
    )
    app.router.add_get("/healthz", healthz)
    app.router.add_get(PRIVACY_PATH, page_handler(pages.notice))
    app.router.add_get(TERMS_PATH, page_handler(pages.terms))
    app.router.add_get(DOWNLOAD_PATH, download_handler(SERVICES))
    app[SERVICES] = services
    app[AUTHENTICATOR] = authenticator
    app[QUEUED] = queued
    return app


SERVER_HEADER = "HYTE"
"""What every answer's `Server` header says: aiohttp's default names the Python and aiohttp versions."""


def hide_server_software() -> None:
    """aiohttp fills the Server header from a module constant, read for every answer, also for the
    400 it writes itself to a malformed request before any of our code or signals run: set it."""
    web_response.SERVER_SOFTWARE = SERVER_HEADER


def reminder_scheduler(
    settings: Settings, round_: Round, database: Database, conversations: SqlConversationRepository,
    adapter: CloudAdapter, outbound: Outbound, clock: Clock,
) -> Scheduler:
    """The reminder scheduler and its proactive sender, over the bot's one Outbound."""
    sender = Sender(
        adapter, app_id=settings.microsoft_app_id, outbound=outbound,
        conversations=conversations, teams=SqlTeamRepository(database), people=SqlPeopleDirectory(database),
    )
    return Scheduler(
        round_=round_, timetables=SqlTimetableRepository(database), jobs=SqlJobRepository(database),
        responses=SqlResponseRepository(database), sender=sender, clock=clock,
        poll_seconds=settings.reminder_poll_seconds,
    )


def freeze_startup_objects() -> None:
    """Move everything alive after start-up (modules, the SDK's models, the round, the card
    catalogue) out of the garbage collector's sight: a full collection scanned all of it, and held
    the event loop for 50-75 ms each time under load (measured by bench.turns' loop-lag monitor)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def export_command(settings: Settings, args: list[str]) -> int:
    """`python app.py export --round <id> --out DIR [--kind xlsx|docx]`: the exports, for an operator."""
    import argparse

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
            written = []
            for kind in options.kind or KINDS:
                export = await build_export(
                    round_, SqlResponseRepository(database), kind, clock.now(),
                    workshops=SqlWorkshopRepository(database),
                    workshop_definition=load_round_workshop(settings.round_file, round_.config.workshop_file),
                )
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


def person_command(settings: Settings, args: list[str]) -> int:
    """`python app.py person export|erase --aad <id> [--tenant <id>]`: a person's data (GDPR)."""
    import argparse
    import json

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


def round_command(settings: Settings, args: list[str]) -> int:
    """`python app.py round delete --round <id> --older-than-days N [--yes-delete-a-round-in-use]`:
    delete a finished round's data."""
    import argparse
    import json

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


def configure_logging(settings: Settings) -> None:
    logs.configure(settings.log_level, settings.log_format)


SECRET_SETTINGS = frozenset({"MicrosoftAppPassword", "HYTE_LINK_SECRET", "DATABASE_URL"})
"""Settings whose values an error message never repeats (the database URL may hold a password)."""


def settings_problems(error: ValidationError) -> list[str]:
    """One line per invalid setting, naming it and saying what it must be."""
    lines = []
    for problem in error.errors(include_url=False):
        name = ".".join(str(part) for part in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        given = problem.get("input")
        if name not in SECRET_SETTINGS and isinstance(given, (str, int, float)):
            message += f" (it is {given!r})"
        lines.append(f"Invalid setting {name}: {message}")
    return lines


def database_problem(exc: Exception) -> str:
    """One line on why the database could not be opened, without the URL (it may hold a password)."""
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return f"Cannot open the database (DATABASE_URL): {text}"


def round_problem(settings: Settings, exc: ConfigurationError) -> str:
    return f"Invalid round configuration (HYTE_ROUND_FILE={settings.round_file}):\n{exc}"


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


def main(argv: list[str]) -> int:
    try:
        settings = Settings()
    except ValidationError as exc:
        print("\n".join(settings_problems(exc)), file=sys.stderr)
        return 2
    configure_logging(settings)
    command = argv[1] if len(argv) > 1 else "serve"
    if command == "migrate":
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
    if command == "export":
        return export_command(settings, argv[2:])
    if command == "person":
        return person_command(settings, argv[2:])
    if command == "round":
        return round_command(settings, argv[2:])
    if command != "serve":
        print(__doc__, file=sys.stderr)
        return 2
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


if __name__ == "__main__":
    sys.exit(main(sys.argv))
