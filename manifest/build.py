"""Build the Teams app package: manifest.json, its localisations (en.json, sv.json) and the two
icons in one zip.

    MicrosoftAppId=<bot app id> .venv/bin/python -m manifest.build [--county pohjois-savo]
    .venv/bin/python manifest/build.py --app-id <bot app id> [--county KEY] [--output path.zip]

One package per county: each county uploads the app into its own tenant's catalogue, and each is
the controller of its people's data, so its package names it as the publisher and links its own
privacy notice and terms (`/tietosuoja/<county key>`, `/kayttoehdot/<county key>`, which the bot
serves from that county's round). `--county` names the county by its key (the region's name as the
bot's addresses have it, e.g. `pohjois-savo`), read from the rounds folder the bot serves
(HYTE_ROUNDS_DIR or HYTE_ROUND_FILE). Every package has the same Teams app id and bot id (one
registration serves every tenant) and the same commands. Without `--county` the package links the
bare `/tietosuoja` and `/kayttoehdot`: the county's own pages when the bot serves one county, else a
page listing every county's.

Settings (a flag wins over the environment variable):

| flag               | environment           | default                           |
|--------------------|-----------------------|-----------------------------------|
| --app-id           | MicrosoftAppId        | required: the bot's Entra app id  |
| --teams-app-id     | TEAMS_APP_ID          | the bot's app id                  |
| --base-url         | HYTE_PUBLIC_BASE_URL  | https://example.invalid           |
| --developer-name   | HYTE_DEVELOPER_NAME   | the county's name, else Pohjois-Savon hyvinvointialue |
| --version          | HYTE_APP_VERSION      | the version in pyproject.toml     |
| --county           |                       | none: the bare pages' links       |
| --output           |                       | manifest/build/hyte-teams-app[-<county key>].zip |

The bot's commands are not written in the template: both command lists (personal and team
scope) come from the router's registry and each route's declared access (bot/router.py), titled
with the natural Finnish name ("aloita työpaja") and described with the catalogue's text, the same
declarations `ohje`/`help` reads. The English localisation titles them with the English alias; the
Swedish one titles them with their natural Swedish name ("starta workshop") and describes them
with the Swedish catalogue's texts. A command declared `in_manifest=False` (`kieli` / `språk`: a
list holds ten) is left out of the lists. Every file is validated against
Microsoft's schemas in manifest/schema/ when the `jsonschema` package is installed (the test extras
install it).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence
from urllib.parse import urlsplit

if __package__ in (None, ""):  # run as a file: python manifest/build.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.features.privacy import PRIVACY_PATH, TERMS_PATH, county_path  # noqa: E402
from bot.router import Command, Router  # noqa: E402
from bot.routes import build_router  # noqa: E402
from cards.catalogue import MESSAGES, t  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MANIFEST_TEMPLATE = HERE / "manifest.template.json"
EN_TEMPLATE = HERE / "en.template.json"
SV_TEMPLATE = HERE / "sv.template.json"
LOCALISATIONS = {"en.json": ("en", EN_TEMPLATE), "sv.json": ("sv", SV_TEMPLATE)}
"""The package's localisation files: the catalogue language of each, and its template."""
ICONS = {"color.png": HERE / "color.png", "outline.png": HERE / "outline.png"}
SCHEMA_VERSION = "1.30"
SCHEMA_DIR = HERE / "schema" / f"v{SCHEMA_VERSION}"
MANIFEST_SCHEMA = SCHEMA_DIR / "MicrosoftTeams.schema.json"
LOCALIZATION_SCHEMA = SCHEMA_DIR / "MicrosoftTeams.Localization.schema.json"
DEFAULT_OUTPUT = HERE / "build" / "hyte-teams-app.zip"
PACKAGE_FILES = ("manifest.json", "en.json", "sv.json", "color.png", "outline.png")

DEFAULT_BASE_URL = "https://example.invalid"
DEFAULT_DEVELOPER_NAME = "Pohjois-Savon hyvinvointialue"

PERSONAL, TEAM = "personal", "team"
ENGLISH = "en"
# Teams' limits for a bot's command list. The v1.30 schema allows more (12 commands, 128-character
# titles, 4000-character descriptions), but these are the limits Teams documents for the command
# menu, and what every earlier schema version enforced; staying within them is always valid.
MAX_COMMANDS = 10
MAX_TITLE = 32
MAX_DESCRIPTION = 128
MAX_DEVELOPER_NAME = 32

_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class BuildError(Exception):
    """A setting or the command registry does not make a valid package; the message says why."""


@dataclass(frozen=True)
class PackageSettings:
    bot_id: str
    teams_app_id: str
    public_base_url: str
    developer_name: str
    version: str
    county_key: str | None = None
    """The county whose package this is (its pages are linked); None: the bare pages."""

    @property
    def public_host(self) -> str:
        return urlsplit(self.public_base_url).hostname or ""

    @property
    def privacy_url(self) -> str:
        return self.public_base_url + (county_path(PRIVACY_PATH, self.county_key) if self.county_key else PRIVACY_PATH)

    @property
    def terms_url(self) -> str:
        return self.public_base_url + (county_path(TERMS_PATH, self.county_key) if self.county_key else TERMS_PATH)


@dataclass(frozen=True)
class CountyPackage:
    """What a county's package takes from its round: its key and its name."""

    key: str
    name: str

    @property
    def publisher(self) -> str | None:
        """The county's name as Teams' publisher (at most 32 characters): the whole name, or a
        bilingual name's first language ("Saariston hyvinvointialue – Skärgårdens …"); None if
        neither fits."""
        for name in (self.name, self.name.split(" – ")[0]):
            if 0 < len(name.strip()) <= MAX_DEVELOPER_NAME:
                return name.strip()
        return None


def project_version() -> str:
    with (REPO / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]["version"]


def settings_from(
    environ: Mapping[str, str],
    *,
    app_id: str | None = None,
    teams_app_id: str | None = None,
    base_url: str | None = None,
    developer_name: str | None = None,
    version: str | None = None,
    county: CountyPackage | None = None,
) -> PackageSettings:
    """Flags first, then the environment, then the defaults (a county's package: its name as the
    publisher); every value checked."""
    bot_id = (app_id or environ.get("MicrosoftAppId") or "").strip()
    if not bot_id:
        raise BuildError(
            "MicrosoftAppId is not set. The package needs the bot's Microsoft Entra app id (a GUID): "
            "set MicrosoftAppId in the environment or pass --app-id."
        )
    if not _GUID.match(bot_id):
        raise BuildError(f"MicrosoftAppId must be a GUID (the bot's Entra app id), not {bot_id!r}.")
    teams_id = (teams_app_id or environ.get("TEAMS_APP_ID") or bot_id).strip()
    if not _GUID.match(teams_id):
        raise BuildError(f"TEAMS_APP_ID must be a GUID, not {teams_id!r}.")

    base = (base_url or environ.get("HYTE_PUBLIC_BASE_URL") or DEFAULT_BASE_URL).strip().rstrip("/")
    parts = urlsplit(base)
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise BuildError(
            f"HYTE_PUBLIC_BASE_URL must be an https URL such as https://hyte.example.fi, not {base!r}."
        )

    given = developer_name or environ.get("HYTE_DEVELOPER_NAME")
    if not given and county is not None and county.publisher is None:
        raise BuildError(f"The county's name {county.name!r} is longer than Teams' {MAX_DEVELOPER_NAME} characters for "
                         "the publisher: set HYTE_DEVELOPER_NAME or --developer-name.")
    developer = (given or (county.publisher if county is not None else None) or DEFAULT_DEVELOPER_NAME).strip()
    if not developer or len(developer) > MAX_DEVELOPER_NAME:
        raise BuildError(f"HYTE_DEVELOPER_NAME must be 1-{MAX_DEVELOPER_NAME} characters, not {developer!r}.")

    app_version = (version or environ.get("HYTE_APP_VERSION") or project_version()).strip()
    if not _SEMVER.match(app_version):
        raise BuildError(f"The app version must be MAJOR.MINOR.PATCH (Teams requires it), not {app_version!r}.")

    return PackageSettings(bot_id, teams_id, base, developer, app_version, county.key if county is not None else None)


# ---------------------------------------------------------------------------------------------
# Commands from the registry


def scopes_of(command: Command) -> tuple[str, ...]:
    """Where a command works, as its route declares: one for 1:1 chat only is not offered in a team."""
    if command.personal_only:
        return (PERSONAL,)
    return (PERSONAL, TEAM)


def _description(command: Command, language: str) -> str | None:
    messages = MESSAGES.get(language, {})
    if command.description_key not in messages or (command.team_only and "help.team_only" not in messages):
        return None
    text = t(command.description_key, language)
    if command.team_only:
        text += t("help.team_only", language)
    return text[:1].upper() + text[1:]


def command_lists(router: Router) -> list[dict[str, Any]]:
    """One command list per scope, in registry order (the order `ohje` lists them)."""
    lists = []
    for scope in (PERSONAL, TEAM):
        commands = [
            {"title": c.name, "description": _description(c, "fi")}
            for c in router.commands
            if scope in scopes_of(c) and c.in_manifest
        ]
        if len(commands) > MAX_COMMANDS:
            raise BuildError(
                f"{len(commands)} commands in the {scope} scope; a Teams command list holds at most "
                f"{MAX_COMMANDS}. Leave the least used ones out of the manifest's list on purpose."
            )
        for command in commands:
            if len(command["title"]) > MAX_TITLE:
                raise BuildError(f"Command {command['title']!r} is longer than {MAX_TITLE} characters.")
            if len(command["description"]) > MAX_DESCRIPTION:
                raise BuildError(
                    f"The description of {command['title']!r} is longer than {MAX_DESCRIPTION} characters: "
                    f"shorten its catalogue text."
                )
        lists.append({"scopes": [scope], "commands": commands})
    return lists


def command_localisation(router: Router, language: str) -> dict[str, str]:
    """Localisation keys for the command lists: in English the alias as title, in every language
    the catalogue's text if it has one."""
    keys: dict[str, str] = {}
    for index, scope in enumerate((PERSONAL, TEAM)):
        in_scope = [c for c in router.commands if scope in scopes_of(c) and c.in_manifest]
        for position, command in enumerate(in_scope):
            prefix = f"bots[0].commandLists[{index}].commands[{position}]"
            if language == ENGLISH:
                title = command.english[0] if command.english else command.name
                keys[f"{prefix}.title"] = title[:MAX_TITLE]
            elif command.swedish and language == "sv":
                keys[f"{prefix}.title"] = command.swedish[0][:MAX_TITLE]
            description = _description(command, language)
            if description is not None:
                keys[f"{prefix}.description"] = description[:MAX_DESCRIPTION]
    return keys


# ---------------------------------------------------------------------------------------------
# Rendering


def _fill(value: Any, values: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            if match.group(1) not in values:
                raise BuildError(f"The template has an unknown placeholder {match.group(0)}.")
            return values[match.group(1)]

        return _PLACEHOLDER.sub(replace, value)
    return value


def render(settings: PackageSettings, router: Router | None = None) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The filled manifest.json, and its localisation files by name ("en.json", "sv.json"), as dicts."""
    router = router or build_router()
    values = {
        "APP_VERSION": settings.version,
        "TEAMS_APP_ID": settings.teams_app_id,
        "BOT_ID": settings.bot_id,
        "DEVELOPER_NAME": settings.developer_name,
        "PUBLIC_BASE_URL": settings.public_base_url,
        "PUBLIC_HOST": settings.public_host,
        "PRIVACY_URL": settings.privacy_url,
        "TERMS_URL": settings.terms_url,
    }
    manifest = _fill(json.loads(MANIFEST_TEMPLATE.read_text(encoding="utf-8")), values)
    manifest["bots"][0]["commandLists"] = command_lists(router)
    localisations = {}
    for name, (language, template) in LOCALISATIONS.items():
        document = json.loads(template.read_text(encoding="utf-8"))
        document.update(command_localisation(router, language))
        localisations[name] = document
    return manifest, localisations


def validate(manifest: Mapping[str, Any], localisations: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Schema errors against Microsoft's published v1.30 schemas (needs the `jsonschema` package)."""
    import jsonschema

    errors = []
    for name, document, schema_path in (
        ("manifest.json", manifest, MANIFEST_SCHEMA),
        *((name, document, LOCALIZATION_SCHEMA) for name, document in localisations.items()),
    ):
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        validator = jsonschema.Draft4Validator(schema)
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            errors.append(f"{name}: {where}: {error.message}")
    return errors


def _json_bytes(document: Mapping[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def build_package(settings: PackageSettings, output: Path = DEFAULT_OUTPUT, *, router: Router | None = None) -> Path:
    """Write the zip (manifest.json, en.json, sv.json, color.png, outline.png at its root); same
    input, same bytes."""
    manifest, localisations = render(settings, router)
    try:
        errors = validate(manifest, localisations)
    except ImportError:
        errors = []  # jsonschema is a test extra; the tests validate every build
    if errors:
        raise BuildError("The manifest does not match the Teams schema:\n  " + "\n  ".join(errors))
    contents = {
        "manifest.json": _json_bytes(manifest),
        **{name: _json_bytes(document) for name, document in localisations.items()},
        **{name: path.read_bytes() for name, path in ICONS.items()},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in PACKAGE_FILES:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, contents[name])
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    partial.write_bytes(buffer.getvalue())
    partial.replace(output)
    return output


def county_package(key: str) -> CountyPackage:
    """The county of the rounds folder the bot serves, by its key."""
    from pydantic import ValidationError

    from hyte.clock import SystemClock
    from hyte.configuration import ConfigurationError
    from settings import Settings, load_configured_rounds, settings_problems

    try:
        catalogue = load_configured_rounds(Settings(), SystemClock())
    except ValidationError as exc:
        raise BuildError("; ".join(settings_problems(exc))) from None
    except ConfigurationError as exc:
        raise BuildError(f"The rounds cannot be read:\n{exc}") from None
    for county in catalogue.counties:
        if county.key == key:
            return CountyPackage(county.key, county.name)
    raise BuildError(f"No county {key!r} in the rounds folder: its counties are "
                     f"{', '.join(c.key for c in catalogue.counties)}.")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m manifest.build", description="Build the HYTE bot's Teams app package (zip)."
    )
    parser.add_argument("--app-id", help="the bot's Microsoft Entra app id (default: $MicrosoftAppId)")
    parser.add_argument("--teams-app-id", help="the Teams app id (default: $TEAMS_APP_ID, else the bot's app id)")
    parser.add_argument("--base-url", help=f"the bot's public https base URL (default: $HYTE_PUBLIC_BASE_URL, else {DEFAULT_BASE_URL})")
    parser.add_argument("--developer-name", help=f"the publisher shown in Teams (default: $HYTE_DEVELOPER_NAME, else {DEFAULT_DEVELOPER_NAME})")
    parser.add_argument("--version", help="the app version, MAJOR.MINOR.PATCH (default: $HYTE_APP_VERSION, else pyproject's)")
    parser.add_argument("--county", help="the county whose package to build, by its key (e.g. pohjois-savo), from "
                                           "the rounds folder the bot serves (HYTE_ROUNDS_DIR or HYTE_ROUND_FILE)")
    parser.add_argument("--output", type=Path, help=f"where to write the zip (default: {DEFAULT_OUTPUT}, or "
                                                     "hyte-teams-app-<county key>.zip beside it)")
    args = parser.parse_args(argv)
    try:
        county = county_package(args.county) if args.county else None
        settings = settings_from(
            os.environ,
            app_id=args.app_id,
            teams_app_id=args.teams_app_id,
            base_url=args.base_url,
            developer_name=args.developer_name,
            version=args.version,
            county=county,
        )
        output = args.output or (DEFAULT_OUTPUT.with_name(f"hyte-teams-app-{county.key}.zip") if county else DEFAULT_OUTPUT)
        path = build_package(settings, output)
    except BuildError as error:
        print(f"manifest.build: {error}", file=sys.stderr)
        return 2
    print(
        f"Wrote {path} (Teams app {settings.teams_app_id}, bot {settings.bot_id}, version {settings.version}, "
        f"manifest schema v{SCHEMA_VERSION}{', county ' + county.key if county else ''}; privacy notice "
        f"{settings.privacy_url})"
    )
    if settings.public_base_url == DEFAULT_BASE_URL:
        print(f"Note: HYTE_PUBLIC_BASE_URL is not set; the developer URLs point at {DEFAULT_BASE_URL}.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
