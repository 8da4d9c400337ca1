"""The privacy notice and the terms of use that the Teams app links (manifest `privacyUrl`,
`termsOfUseUrl`) are served by the bot, in Finnish, from the round's configuration and a template
the county edits; every configured value is escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
import yaml

from loopback.server import BotServer
from conftest import DEMO_ROUND, make_settings
from hyte.configuration import ConfigurationError
from manifest import build

BASE_URL = "https://hyte.example.fi"


class _Text(HTMLParser):
    """The page's visible text, and its `lang`."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.lang: str | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> tuple[str, str | None]:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split()), parser.lang


async def get(server: BotServer, path: str) -> tuple[int, str, aiohttp.typedefs.LooseHeaders]:
    async with aiohttp.ClientSession() as session:
        async with session.get(server.url + path) as response:
            return response.status, await response.text(), response.headers


def manifest_paths() -> dict[str, str]:
    manifest, _ = build.render(build.settings_from({"MicrosoftAppId": "11111111-2222-4333-8444-555555555555",
                                                    "HYTE_PUBLIC_BASE_URL": BASE_URL}))
    return {key: urlsplit(manifest["developer"][key]).path for key in ("privacyUrl", "termsOfUseUrl")}


def round_copy(directory: Path, **changes) -> Path:
    """The demo round in `directory` (survey and workshop files by absolute path), changed."""
    data = yaml.safe_load(DEMO_ROUND.read_text(encoding="utf-8"))
    data["survey_file"] = str(DEMO_ROUND.parent / data["survey_file"])
    data |= changes
    path = directory / "round.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


async def test_the_manifests_privacy_and_terms_urls_answer_with_the_countys_pages(server):
    paths = manifest_paths()
    assert paths == {"privacyUrl": "/tietosuoja", "termsOfUseUrl": "/kayttoehdot"}

    status, html, headers = await get(server, paths["privacyUrl"])
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    text, lang = visible(html)
    assert lang == "fi"
    for said in (
        "Rekisterinpitäjä: Pohjois-Savon hyvinvointialue",
        "Yhteystiedot: Pohjois-Savon hyvinvointialue, kirjaamo, kirjaamo@example.fi",  # the round file's privacy section
        "Tietosuojavastaava: tietosuojavastaava@example.fi",
        "6 artiklan 1 kohdan e alakohta", "612/2021, 7 §",  # the legal basis
        "Organisaatiosi jäsen ja varajäsen näkevät organisaation vastauksen",  # recipients
        "tunnisteet poistetaan 2 vuorokauden kuluttua",  # what the bot does: ACTIVITY_IDS_KEPT
        "Latauslinkki on voimassa 60 minuuttia",  # HYTE_LINK_TTL_MINUTES
        "enintään 10 minuuttia",  # queued replies
        "vuoden kuluttua siitä, kun neuvottelujen tulokset on kirjattu",  # the county's retention decision
        "tietosuojavaltuutetun toimistoon",  # rights
    ):
        assert said in text, said
    assert re.search(r"\b(the|and|privacy|data)\b", text) is None  # no English

    status, html, _ = await get(server, paths["termsOfUseUrl"])
    text, lang = visible(html)
    assert status == 200 and lang == "fi"
    assert "Botin tarjoaa Pohjois-Savon hyvinvointialue vuoden 2024 lakisääteisiä HYTE-neuvotteluja varten" in text
    assert "/tietosuoja" in html


async def test_the_pages_follow_the_settings(sqlite_url, clock):
    server = await BotServer(make_settings(sqlite_url, HYTE_LINK_TTL_MINUTES=15), clock).start()
    try:
        _, html, _ = await get(server, "/tietosuoja")
    finally:
        await server.stop()
    assert "Latauslinkki on voimassa 15 minuuttia" in visible(html)[0]


async def test_every_configured_value_is_escaped(sqlite_url, clock, tmp_path):
    county = 'Koe<script>alert(1)</script> & "hva"'
    round_file = round_copy(tmp_path, county=county, privacy={
        "contact": "<img src=x onerror=alert(2)>kirjaamo@example.fi", "data_protection_officer": "<b>tsv</b>"})
    server = await BotServer(make_settings(sqlite_url, round_file), clock).start()
    try:
        pages = [(await get(server, path))[1] for path in ("/tietosuoja", "/kayttoehdot")]
    finally:
        await server.stop()
    for html in pages:
        assert "<script>" not in html and "<img" not in html and "<b>" not in html
        assert "Koe&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;hva&#34;" in html
        assert county in visible(html)[0]  # shown as written


async def test_a_county_template_beside_the_round_file_is_used_and_a_broken_one_stops_the_start(
    sqlite_url, clock, tmp_path
):
    round_file = round_copy(tmp_path)
    (tmp_path / "kayttoehdot.html").write_text(
        '<!doctype html><html lang="fi"><title>Ehdot</title><p>Omat ehdot: {{ county }}</p></html>', encoding="utf-8")
    server = await BotServer(make_settings(sqlite_url, round_file), clock).start()
    try:
        terms = (await get(server, "/kayttoehdot"))[1]
        notice = (await get(server, "/tietosuoja"))[1]
    finally:
        await server.stop()
    assert "Omat ehdot: Pohjois-Savon hyvinvointialue" in terms
    assert "Rekisterinpitäjä: Pohjois-Savon hyvinvointialue" in visible(notice)[0]  # the bundled notice

    (tmp_path / "tietosuoja.html").write_text("<p>{{ county }</p>", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="tietosuoja.html"):
        await BotServer(make_settings(sqlite_url, round_file), clock).start()
    (tmp_path / "tietosuoja.html").write_text("<p>{{ countty }}</p>", encoding="utf-8")  # a misspelt value
    with pytest.raises(ConfigurationError, match="countty"):
        await BotServer(make_settings(sqlite_url, round_file), clock).start()


async def test_each_county_has_its_own_pages_and_the_bare_ones_list_them(sqlite_url, clock, tmp_path):
    from auxil.counties import rounds_folder

    server = await BotServer(make_settings(sqlite_url, rounds_folder(tmp_path, third=False),
                                           HYTE_PUBLIC_BASE_URL=BASE_URL), clock).start()
    try:
        pages = {path: await get(server, path) for path in (
            "/tietosuoja", "/kayttoehdot", "/tietosuoja/pohjois-savo", "/tietosuoja/saaristo",
            "/kayttoehdot/saaristo", "/tietosuoja/nowhere")}
    finally:
        await server.stop()
    savo, saaristo = visible(pages["/tietosuoja/pohjois-savo"][1])[0], visible(pages["/tietosuoja/saaristo"][1])[0]
    assert "Rekisterinpitäjä: Pohjois-Savon hyvinvointialue" in savo and "Saariston" not in savo
    assert "Rekisterinpitäjä: Saariston hyvinvointialue – Skärgårdens välfärdsområde" in saaristo
    assert "kirjaamo@saaristo.example" in saaristo and "Pohjois-Savon" not in saaristo
    # each county's pages link each other at the county's own addresses, as its Teams app package does
    assert f'href="{BASE_URL}/kayttoehdot/saaristo"' in pages["/tietosuoja/saaristo"][1]
    assert f'href="{BASE_URL}/tietosuoja/saaristo"' in pages["/kayttoehdot/saaristo"][1]
    assert pages["/tietosuoja/nowhere"][0] == 404
    status, html, headers = pages["/tietosuoja"]
    text, lang = visible(html)
    assert status == 200 and lang == "fi" and "default-src 'none'" in headers["Content-Security-Policy"]
    assert text.endswith("Valitse hyvinvointialueesi: Pohjois-Savon hyvinvointialue "
                         "Saariston hyvinvointialue – Skärgårdens välfärdsområde")
    assert f'<a href="{BASE_URL}/tietosuoja/pohjois-savo">Pohjois-Savon hyvinvointialue</a>' in html
    assert f'<a href="{BASE_URL}/kayttoehdot/saaristo">' in pages["/kayttoehdot"][1]
