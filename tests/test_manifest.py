"""The Teams app package: a valid manifest of the current schema, icons Teams accepts, and a
command list that cannot drift from the router's registry."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import jsonschema
import pytest

from bot.router import HYTE_TEAM, Routes
from bot.routes import build_router
from cards.catalogue import t
from manifest import build

REPO = Path(__file__).resolve().parent.parent
APP_ID = "2f9c3a51-7d4e-4b8a-9c61-0e5d8f3b7a12"
TEAMS_APP_ID = "8a1d6e2c-3b5f-4c7d-a9e0-1f2b3c4d5e6f"
BASE_URL = "https://hyte.example.fi"
ENV = {"MicrosoftAppId": APP_ID, "HYTE_PUBLIC_BASE_URL": BASE_URL}
PACKAGE_FILES = {"manifest.json", "en.json", "sv.json", "color.png", "outline.png"}


@pytest.fixture
def package(tmp_path: Path) -> Path:
    return build.build_package(build.settings_from(ENV), tmp_path / "hyte-teams-app.zip")


def read_package(path: Path) -> tuple[dict, dict, dict[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files["manifest.json"]), json.loads(files["en.json"]), files


def schema_errors(document: dict, schema_path: Path) -> list[str]:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    # format_checker=None: one pattern, in a part of the schema this app does not use (the names of
    # Office add-in custom functions), is an ECMA-262 regular expression (\p{L}) Python cannot compile.
    jsonschema.Draft4Validator.check_schema(schema, format_checker=None)
    validator = jsonschema.Draft4Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


# --- PNG reading (IHDR and pixels), enough for 8-bit RGBA of any filter ---------------------


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, f"bad CRC in {kind!r}"
        chunks.append((kind, body))
        offset += 12 + length
    return chunks


def png_header(data: bytes) -> tuple[int, int, int, int, int]:
    """width, height, bit depth, colour type, interlace"""
    kind, body = png_chunks(data)[0]
    assert kind == b"IHDR"
    width, height, depth, colour, _compression, _filter, interlace = struct.unpack(">IIBBBBB", body)
    return width, height, depth, colour, interlace


def rgba_pixels(data: bytes) -> list[tuple[int, int, int, int]]:
    width, height, depth, colour, interlace = png_header(data)
    assert (depth, colour, interlace) == (8, 6, 0), "expected a non-interlaced 8-bit RGBA PNG"
    raw = zlib.decompress(b"".join(body for kind, body in png_chunks(data) if kind == b"IDAT"))
    stride, bpp = width * 4, 4
    previous = bytearray(stride)
    pixels = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                predictor = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + predictor) & 0xFF
            else:
                assert kind == 0, f"unknown PNG filter {kind}"
        pixels.extend(tuple(line[x : x + 4]) for x in range(0, stride, 4))
        previous = line
    return pixels


# --- The package --------------------------------------------------------------------------------


def test_the_zip_holds_the_four_files_at_its_root(package: Path):
    with zipfile.ZipFile(package) as archive:
        assert set(archive.namelist()) == PACKAGE_FILES
        assert archive.testzip() is None


def test_the_manifest_is_valid_against_microsofts_schema_of_the_current_version(package: Path):
    manifest, _, _ = read_package(package)
    schema = json.loads(build.MANIFEST_SCHEMA.read_text(encoding="utf-8"))
    assert schema["properties"]["manifestVersion"]["const"] == build.SCHEMA_VERSION
    assert manifest["manifestVersion"] == build.SCHEMA_VERSION
    assert manifest["$schema"] == (
        f"https://developer.microsoft.com/json-schemas/teams/v{build.SCHEMA_VERSION}/MicrosoftTeams.schema.json"
    )
    assert schema_errors(manifest, build.MANIFEST_SCHEMA) == []


def test_the_english_localisation_is_valid_against_the_localization_schema(package: Path):
    manifest, english, _ = read_package(package)
    assert english["$schema"] == (
        f"https://developer.microsoft.com/json-schemas/teams/v{build.SCHEMA_VERSION}/MicrosoftTeams.Localization.schema.json"
    )
    assert schema_errors(english, build.LOCALIZATION_SCHEMA) == []
    assert manifest["localizationInfo"]["defaultLanguageTag"] == "fi-FI"
    assert {"languageTag": "en", "file": "en.json"} in manifest["localizationInfo"]["additionalLanguages"]
    assert english["name.short"] != manifest["name"]["short"]
    assert english["description.full"] != manifest["description"]["full"]


def test_the_swedish_localisation_is_valid_and_swedish(package: Path):
    manifest, _, files = read_package(package)
    swedish = json.loads(files["sv.json"])
    assert swedish["$schema"] == (
        f"https://developer.microsoft.com/json-schemas/teams/v{build.SCHEMA_VERSION}/MicrosoftTeams.Localization.schema.json"
    )
    assert schema_errors(swedish, build.LOCALIZATION_SCHEMA) == []
    assert {"languageTag": "sv", "file": "sv.json"} in manifest["localizationInfo"]["additionalLanguages"]
    english = json.loads(files["en.json"])
    assert set(swedish) - {"$schema"} <= set(english)  # the same texts, the commands titled in Swedish
    router = build_router()
    for index, commands in enumerate(manifest["bots"][0]["commandLists"]):
        for position, entry in enumerate(commands["commands"]):
            title = swedish[f"bots[0].commandLists[{index}].commands[{position}].title"]
            command = router.find_command(entry["title"])
            assert router.find_command(title) is command and title == command.swedish[0]
    for key, text in swedish.items():
        if key != "$schema" and not key.endswith(".title"):
            assert text not in (english.get(key), manifest.get(key)) and '"' not in text, key


def test_the_swedish_localisation_describes_every_command_from_the_swedish_catalogue(package: Path):
    manifest, _, files = read_package(package)
    swedish = json.loads(files["sv.json"])
    by_name = {c.names[0]: c for c in build_router().commands}
    for index, commands in enumerate(manifest["bots"][0]["commandLists"]):
        for position, entry in enumerate(commands["commands"]):
            command = by_name[entry["title"]]
            described = swedish[f"bots[0].commandLists[{index}].commands[{position}].description"]
            expected = t(command.description_key, "sv") + (t("help.team_only", "sv") if command.team_only else "")
            assert described == expected[:1].upper() + expected[1:] and len(described) <= 128


def test_ids_urls_and_domain_come_from_the_settings(tmp_path: Path):
    settings = build.settings_from({**ENV, "TEAMS_APP_ID": TEAMS_APP_ID, "HYTE_DEVELOPER_NAME": "Testin hyvinvointialue"})
    manifest, _, _ = read_package(build.build_package(settings, tmp_path / "app.zip"))
    assert manifest["id"] == TEAMS_APP_ID
    assert manifest["bots"][0]["botId"] == APP_ID
    assert manifest["webApplicationInfo"] == {"id": APP_ID, "resource": f"api://botid-{APP_ID}"}
    assert manifest["validDomains"] == ["hyte.example.fi"]
    developer = manifest["developer"]
    assert developer["name"] == "Testin hyvinvointialue"
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        assert developer[key].startswith(BASE_URL + "/")
    assert manifest["version"] == build.project_version()
    assert "{{" not in json.dumps(manifest)


def test_the_teams_app_id_defaults_to_the_bots_and_the_base_url_to_a_placeholder():
    settings = build.settings_from({"MicrosoftAppId": APP_ID})
    manifest, _ = build.render(settings)
    assert manifest["id"] == APP_ID
    assert manifest["developer"]["websiteUrl"] == "https://example.invalid/"
    assert manifest["validDomains"] == ["example.invalid"]


def test_the_bot_has_both_scopes_files_and_consent_to_read_channel_messages(package: Path):
    manifest, _, _ = read_package(package)
    (bot,) = manifest["bots"]
    assert set(bot["scopes"]) == {"personal", "team"}
    assert bot["supportsFiles"] is True
    assert bot["isNotificationOnly"] is False
    assert {"name": "ChannelMessage.Read.Group", "type": "Application"} in (
        manifest["authorization"]["permissions"]["resourceSpecific"]
    )
    assert manifest["name"]["short"] == "HYTE-neuvottelut"


# --- Icons --------------------------------------------------------------------------------------


def test_icons_have_the_sizes_teams_requires(package: Path):
    manifest, _, files = read_package(package)
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert png_header(files["color.png"])[:2] == (192, 192)
    assert png_header(files["outline.png"])[:2] == (32, 32)
    assert len(rgba_pixels(files["color.png"])) == 192 * 192


def test_the_outline_icon_is_white_on_transparent_only(package: Path):
    _, _, files = read_package(package)
    pixels = rgba_pixels(files["outline.png"])
    not_white = [p for p in pixels if p[3] > 0 and p[:3] != (255, 255, 255)]
    assert not_white == []
    assert any(p[3] == 0 for p in pixels), "the outline icon needs a transparent background"
    assert any(p[3] == 255 for p in pixels), "the outline icon draws nothing"


# --- Commands -----------------------------------------------------------------------------------


def manifest_commands(manifest: dict) -> dict[str, list[dict]]:
    return {tuple(lst["scopes"])[0]: lst["commands"] for lst in manifest["bots"][0]["commandLists"]}


def test_every_routed_command_is_in_the_manifest_and_every_manifest_command_is_routed(package: Path):
    manifest, _, _ = read_package(package)
    router = build_router()
    lists = manifest_commands(manifest)
    assert set(lists) == {"personal", "team"}
    routed = {c.names[0] for c in router.commands if c.in_manifest}
    listed = {c["title"] for commands in lists.values() for c in commands}
    assert listed == routed
    for commands in lists.values():
        for entry in commands:
            assert router.find_command(entry["title"]) is not None, entry["title"]
    assert [c["title"] for c in lists["personal"]] == [c.names[0] for c in router.commands if c.in_manifest]
    assert [c["title"] for c in lists["team"]] == [
        c.names[0] for c in router.commands if not c.personal_only and c.in_manifest
    ]
    assert [c.names[0] for c in router.commands if not c.in_manifest] == [  # ten at most: left out on purpose
        "yhteinen keskustelu", "kirjaukset", "uusi kirjaus", "viimeistele yhteenveto", "neuvottelujen yhteenveto", "kieli"]
    assert {c.names[0] for c in router.commands if c.personal_only} == {"kysely"}  # declared for 1:1 chat only


def test_command_descriptions_are_the_catalogues_within_teams_limits(package: Path):
    manifest, _, _ = read_package(package)
    by_name = {c.names[0]: c for c in build_router().commands}
    for commands in manifest_commands(manifest).values():
        assert 0 < len(commands) <= build.MAX_COMMANDS
        for entry in commands:
            command = by_name[entry["title"]]
            expected = t(command.description_key) + (t("help.team_only") if command.team_only else "")
            assert entry["description"].casefold() == expected.casefold()
            assert len(entry["title"]) <= 32
            assert len(entry["description"]) <= 128


def test_the_english_localisation_titles_commands_with_their_english_alias(package: Path):
    manifest, english, _ = read_package(package)
    router = build_router()
    for index, commands in enumerate(manifest["bots"][0]["commandLists"]):
        for position, entry in enumerate(commands["commands"]):
            title = english[f"bots[0].commandLists[{index}].commands[{position}].title"]
            assert router.find_command(title) is router.find_command(entry["title"])
            assert title != entry["title"]


def test_the_english_localisation_describes_every_command_in_english(package: Path):
    manifest, english, _ = read_package(package)
    by_name = {c.names[0]: c for c in build_router().commands}
    for index, commands in enumerate(manifest["bots"][0]["commandLists"]):
        for position, entry in enumerate(commands["commands"]):
            command = by_name[entry["title"]]
            described = english.get(f"bots[0].commandLists[{index}].commands[{position}].description")
            assert described is not None, entry["title"]
            expected = t(command.description_key, "en") + (t("help.team_only", "en") if command.team_only else "")
            assert described.casefold() == expected.casefold() and described != entry["description"]
            assert len(described) <= 128 and not set(described) & set("äöåÄÖÅ"), described


def test_a_newly_registered_command_appears_in_the_manifest():
    router = build_router()
    del router.commands[build.MAX_COMMANDS - 1:]  # the product's commands may fill all ten places
    extra = Routes("test")

    @extra.command("testikomento", english=("testcommand",), description="command.help", access=HYTE_TEAM)
    async def handler(turn):  # pragma: no cover - never called
        return None

    router.add(extra)

    manifest, localisations = build.render(build.settings_from(ENV), router)
    for commands in manifest_commands(manifest).values():
        assert "testikomento" in [c["title"] for c in commands]
    assert "testcommand" in localisations["en.json"].values()
    assert t("command.help", "sv").capitalize() in localisations["sv.json"].values()
    assert build.validate(manifest, localisations) == []


def test_more_commands_than_a_teams_list_holds_is_a_build_error():
    async def handler(turn):  # pragma: no cover - never called
        return None

    router = build_router()
    extra = Routes("test")
    for n in range(build.MAX_COMMANDS):
        extra.command(f"testikomento{n}", description="command.help")(handler)
    router.add(extra)
    with pytest.raises(build.BuildError, match="at most 10"):
        build.render(build.settings_from(ENV), router)


# --- Settings and the command line --------------------------------------------------------------


def test_a_missing_app_id_is_a_clear_error(monkeypatch, capsys, tmp_path: Path):
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    with pytest.raises(build.BuildError, match="MicrosoftAppId is not set"):
        build.settings_from({})
    assert build.main(["--output", str(tmp_path / "app.zip")]) == 2
    assert "MicrosoftAppId is not set" in capsys.readouterr().err
    assert not (tmp_path / "app.zip").exists()


@pytest.mark.parametrize(
    "env, message",
    [
        ({"MicrosoftAppId": "not-a-guid"}, "must be a GUID"),
        ({**ENV, "TEAMS_APP_ID": "x"}, "TEAMS_APP_ID must be a GUID"),
        ({**ENV, "HYTE_PUBLIC_BASE_URL": "http://hyte.example.fi"}, "https URL"),
        ({**ENV, "HYTE_DEVELOPER_NAME": "x" * 33}, "HYTE_DEVELOPER_NAME"),
        ({**ENV, "HYTE_APP_VERSION": "1.0"}, "MAJOR.MINOR.PATCH"),
    ],
)
def test_bad_settings_are_refused(env: dict, message: str):
    with pytest.raises(build.BuildError, match=message):
        build.settings_from(env)


def test_the_same_settings_build_the_same_bytes(tmp_path: Path):
    settings = build.settings_from(ENV)
    first = build.build_package(settings, tmp_path / "a.zip").read_bytes()
    second = build.build_package(settings, tmp_path / "b.zip").read_bytes()
    assert first == second


@pytest.mark.parametrize("command", [["-m", "manifest.build"], ["manifest/build.py"]])
def test_the_build_command_runs_from_the_repo(command: list[str], tmp_path: Path):
    output = tmp_path / "out" / "hyte-teams-app.zip"
    result = subprocess.run(
        [sys.executable, *command, "--app-id", APP_ID, "--base-url", BASE_URL, "--output", str(output)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    manifest, _, _ = read_package(output)
    assert manifest["bots"][0]["botId"] == APP_ID


# --- One package per county -------------------------------------------------------------------------


def test_a_countys_package_names_it_and_links_its_own_pages(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no .env: the bundled rounds folder, two counties
    for key, publisher in (("pohjois-savo", "Pohjois-Savon hyvinvointialue"), ("saaristo", "Saariston hyvinvointialue")):
        settings = build.settings_from(ENV, county=build.county_package(key))
        manifest, _, _ = read_package(build.build_package(settings, tmp_path / f"{key}.zip"))
        assert manifest["developer"] == {
            "name": publisher, "websiteUrl": BASE_URL + "/",
            "privacyUrl": f"{BASE_URL}/tietosuoja/{key}", "termsOfUseUrl": f"{BASE_URL}/kayttoehdot/{key}",
        }
        assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID  # one registration for every county
    with pytest.raises(build.BuildError, match="No county 'nowhere' in the rounds folder: its counties are "
                                               "pohjois-savo, saaristo"):
        build.county_package("nowhere")
    long_name = build.CountyPackage("x", "Hyvin pitkän nimisen kuvitteellisen alueen hyvinvointialue")
    with pytest.raises(build.BuildError, match="set HYTE_DEVELOPER_NAME"):
        build.settings_from(ENV, county=long_name)
    assert build.settings_from({**ENV, "HYTE_DEVELOPER_NAME": "Lyhyt"}, county=long_name).developer_name == "Lyhyt"


def test_the_county_build_command_writes_the_countys_zip(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "manifest.build", "--app-id", APP_ID, "--base-url", BASE_URL, "--county", "saaristo",
         "--output", str(tmp_path / "saaristo.zip")],
        cwd=REPO, capture_output=True, text=True, timeout=120,
        env={k: v for k, v in os.environ.items() if not k.startswith("HYTE_")},
    )
    assert result.returncode == 0, result.stderr
    assert "county saaristo; privacy notice https://hyte.example.fi/tietosuoja/saaristo" in result.stdout
    manifest, _, _ = read_package(tmp_path / "saaristo.zip")
    assert manifest["developer"]["privacyUrl"] == f"{BASE_URL}/tietosuoja/saaristo"
