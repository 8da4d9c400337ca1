"""The bot's settings: one pydantic-settings `Settings`, read from the environment (names as Bot
Framework uses them) and an optional `.env` file, checked at start; and the one-line messages a
setting, the round file or the database the bot cannot start with is reported in.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.exc import DBAPIError

from bot.services.exports import MIN_SECRET_BYTES
from bot.transport.auth import CHANNEL_OPENID_METADATA_URL, CHANNEL_TOKEN_ISSUER
from hyte.clock import HELSINKI, Clock
from hyte.configuration import ConfigurationError
from hyte.rounds import RoundCatalogue, load_rounds
from storage.db import check_database_url

HERE = Path(__file__).resolve().parent
DEFAULT_ROUNDS_DIR = HERE / "config"
"""The bundled rounds folder: the demo's two counties (config/pohjois-savo/, config/saaristo/)."""
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
    """Comma-separated tenant ids let in besides the counties' own (and MicrosoftAppTenantId); an
    activity from a tenant no county is in is told so, and nothing else."""
    channel_openid_metadata_url: str = Field(CHANNEL_OPENID_METADATA_URL, alias="ToBotFromChannelOpenIdMetadataUrl")
    channel_token_issuer: str = Field(CHANNEL_TOKEN_ISSUER, alias="ToBotFromChannelTokenIssuer")
    allow_unauthenticated_on_network: bool = Field(False, alias="HYTE_ALLOW_UNAUTHENTICATED_ON_NETWORK")
    """Without an app id the bot listens on loopback only, unless this is set (never in production)."""
    database_url: str = Field(f"sqlite+aiosqlite:///{HERE / 'var' / 'hyte.db'}", alias="DATABASE_URL")
    rounds_dir: Path | None = Field(None, alias="HYTE_ROUNDS_DIR")
    """The rounds folder: one `round.yaml` per county and year, each in a folder of its own with its
    survey, workshop and thesaurus files (default: the bundled config/, two demo counties)."""
    round_file: Path | None = Field(None, alias="HYTE_ROUND_FILE")
    """One round file instead of a folder: a folder of one round (one county)."""
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
    cloud's, for the app type (bot/transport/entra.py)."""
    entra_timeout_seconds: float = Field(10.0, alias="HYTE_ENTRA_TIMEOUT_SECONDS", gt=0, le=60)
    """The time limit of each HTTP request for the bot's token."""
    queued_reply_poll_seconds: float = Field(5.0, alias="HYTE_QUEUED_REPLY_POLL_SECONDS", gt=0)
    """How often replies queued for want of a token are tried again (and at once when a token comes)."""
    cpu_workers: int = Field(1, alias="HYTE_CPU_WORKERS", ge=0, le=32)
    """Processes for the CPU-heavy work (summaries, workshop consolidation, the Word and Excel files;
    bot/services/cpu.py), started on first use; 0: worker threads of the serving process instead."""

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

    @model_validator(mode="after")
    def _one_source_of_rounds(self) -> Settings:
        if self.rounds_dir is not None and self.round_file is not None:
            raise ValueError("HYTE_ROUNDS_DIR and HYTE_ROUND_FILE are both set: set one (a folder, or one round file)")
        return self

    @property
    def authenticated(self) -> bool:
        return bool(self.microsoft_app_id)

    @property
    def rounds_source(self) -> Path:
        """Where the rounds are read from: HYTE_ROUNDS_DIR, else HYTE_ROUND_FILE, else the bundled folder."""
        return self.rounds_dir or self.round_file or DEFAULT_ROUNDS_DIR

    @property
    def rounds_setting(self) -> str:
        """The setting that names the rounds, as an error message names it."""
        if self.round_file is not None:
            return f"HYTE_ROUND_FILE={self.round_file}"
        return f"HYTE_ROUNDS_DIR={self.rounds_source}"

    def tenants(self, county_tenants: frozenset[str]) -> frozenset[str]:
        extra = {t.strip() for t in self.allowed_tenants.split(",") if t.strip()}
        return frozenset({*county_tenants, *extra,
                          *([self.microsoft_app_tenant_id] if self.microsoft_app_tenant_id else [])})


def load_configured_rounds(settings: Settings, clock: Clock) -> RoundCatalogue:
    """Every round of the rounds folder (or the one round file), checked together."""
    today = settings.today or clock.now().astimezone(HELSINKI).date()
    return load_rounds(settings.rounds_source, today=today)


SECRET_SETTINGS = frozenset({"MicrosoftAppPassword", "HYTE_LINK_SECRET", "DATABASE_URL"})
"""Settings whose values an error message never repeats (the database URL may hold a password)."""


def settings_problems(error: ValidationError) -> list[str]:
    """One line per invalid setting, naming it and saying what it must be."""
    lines = []
    for problem in error.errors(include_url=False):
        name = ".".join(str(part) for part in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        given = problem.get("input")
        if not name:  # a rule between settings
            lines.append(f"Invalid settings: {message}")
            continue
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
    return f"Invalid round configuration ({settings.rounds_setting}):\n{exc}"


