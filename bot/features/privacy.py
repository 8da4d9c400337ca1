"""The privacy notice (GET /tietosuoja) and the terms of use (GET /kayttoehdot) that the Teams app's
manifest links (`privacyUrl`, `termsOfUseUrl`).

Each page is a Jinja2 template the county edits (HTML, Finnish), filled with what the bot knows: the
round's configuration (the controller is the county; its contacts and retention decision from the
round file's `privacy` section) and how long the bot actually keeps what it keeps (`Facts`, from
the settings and the code). Every value is escaped (autoescape), so a name in the round file cannot
become markup. A template is looked for where the round file names it, else beside the round file,
else the bundled one (config/pohjois-savo/); both pages are rendered once, at start, and a template
with an error stops the start with a clear message.

Each county is its own controller, so each has its own pages, from its current round:
`/tietosuoja/<county key>` and `/kayttoehdot/<county key>` (the key is the region's name, e.g.
`pohjois-savo`; the county's Teams app package links these). `/tietosuoja` and `/kayttoehdot`
serve the county's pages when the deployment serves one county, else a list of the counties' pages.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import jinja2
from aiohttp import web

from cards.catalogue import t
from hyte.round import DEFAULT_NOTICE_TEMPLATE, DEFAULT_TERMS_TEMPLATE, Round
from hyte.configuration import ConfigurationError
from hyte.rounds import RoundCatalogue

PRIVACY_PATH = "/tietosuoja"
TERMS_PATH = "/kayttoehdot"
NOTICE_TEMPLATE = DEFAULT_NOTICE_TEMPLATE
TERMS_TEMPLATE = DEFAULT_TERMS_TEMPLATE
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "public, max-age=300",
}


@dataclass(frozen=True)
class Facts:
    """How long the bot keeps what it keeps, as the code and the settings have it."""

    activity_ids_days: int
    """Ids of the Teams messages handled (not their texts), against repeats."""
    link_minutes: int
    """How long an export's download link is valid (HYTE_LINK_TTL_MINUTES)."""
    queued_reply_minutes: int
    """At most how long a reply waits for the bot's token from Entra ID before it is dropped."""
    base_url: str
    """The bot's public address: the pages link each other."""


@dataclass(frozen=True)
class Pages:
    notice: str
    terms: str


def template_path(round_file: Path, named: str | None, default_name: str, bundled: Path) -> Path:
    if named is not None:
        path = (round_file.parent / named).resolve()
        if not path.is_file():
            raise ConfigurationError(f"{round_file}: privacy: template {named!r} not found ({path})")
        return path
    beside = round_file.parent / default_name
    return beside if beside.is_file() else bundled / default_name


def county_path(path: str, county_key: str) -> str:
    """A county's page: `/tietosuoja/pohjois-savo`."""
    return f"{path}/{county_key}"


def render_pages(round_: Round, round_file: Path, facts: Facts, bundled: Path, *, own_paths: bool = False) -> Pages:
    """The round's county's pages. `own_paths`: they link each other at the county's own addresses
    (`county_path`), as a deployment of several counties serves them; else at the bare ones."""
    privacy = round_.config.privacy
    notice = template_path(round_file, privacy.notice_template, NOTICE_TEMPLATE, bundled)
    terms = template_path(round_file, privacy.terms_template, TERMS_TEMPLATE, bundled)
    config = round_.config
    base = facts.base_url.rstrip("/")
    privacy_path, terms_path = ((county_path(PRIVACY_PATH, round_.county_key), county_path(TERMS_PATH, round_.county_key))
                                if own_paths else (PRIVACY_PATH, TERMS_PATH))
    values = {
        "county": config.county, "region": config.region, "year": round_.year,
        "contact": privacy.contact, "data_protection_officer": privacy.data_protection_officer,
        "retention": privacy.retention, "survey_title": round_.survey.title,
        "privacy_url": base + privacy_path, "terms_url": base + terms_path,
        **asdict(facts),
    }
    return Pages(_render(notice, values, bundled), _render(terms, values, bundled))


@dataclass(frozen=True)
class CountyPages:
    """Every county's pages by county key, and what the bare addresses serve."""

    by_county: dict[str, Pages]
    bare: Pages


INDEX = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(
    """<!doctype html>
<html lang="fi">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>body { font-family: system-ui, sans-serif; line-height: 1.5; max-width: 46rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
a { color: #0b5394; }</style></head>
<body>
<h1>{{ title }}</h1>
<p>{{ choose }}</p>
<ul>
{% for name, url in links %}<li><a href="{{ url }}">{{ name }}</a></li>
{% endfor %}</ul>
</body>
</html>
""")


def _index(catalogue: RoundCatalogue, path: str, title_key: str, base_url: str) -> str:
    """The bare address's page when several counties are served: a link to each county's page."""
    links = [(c.name, base_url.rstrip("/") + county_path(path, c.key)) for c in catalogue.counties]
    return INDEX.render(title=t(title_key), choose=t("pages.choose_county"), links=links)


def render_county_pages(catalogue: RoundCatalogue, facts: Facts, bundled: Path) -> CountyPages:
    """Each county's pages from its current round, and what the bare addresses serve."""
    several = len(catalogue.counties) > 1
    by_county = {}
    for county in catalogue.counties:
        entry = catalogue.entry(county.current.id)
        assert entry is not None
        by_county[county.key] = render_pages(county.current, entry.path, facts, bundled, own_paths=several)
    if not several:
        return CountyPages(by_county, next(iter(by_county.values())))
    bare = Pages(_index(catalogue, PRIVACY_PATH, "pages.notices_title", facts.base_url),
                 _index(catalogue, TERMS_PATH, "pages.terms_title", facts.base_url))
    return CountyPages(by_county, bare)


def _render(path: Path, values: dict, bundled: Path) -> str:
    """A page; the templates it extends or includes (the frame `sivu.html`) are looked for beside it,
    then among the bundled ones."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([path.parent, bundled]), autoescape=True, undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    try:
        return environment.get_template(path.name).render(values)
    except jinja2.TemplateError as exc:
        where = f"{path}:{exc.lineno}" if isinstance(exc, jinja2.TemplateSyntaxError) else str(path)
        raise ConfigurationError(f"{where}: the page's template has an error: {exc}") from exc


def page_handler(html: str):
    async def page(_request: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html", charset="utf-8", headers=HEADERS)

    return page


def county_page_handler(pages: CountyPages, kind: str):
    """GET /tietosuoja/{county} (kind "notice") or /kayttoehdot/{county} ("terms"): 404 for a county
    the deployment does not serve."""

    async def page(request: web.Request) -> web.Response:
        found = pages.by_county.get(request.match_info["county"])
        if found is None:
            return web.Response(status=404, text="Not found")
        return web.Response(text=getattr(found, kind), content_type="text/html", charset="utf-8", headers=HEADERS)

    return page
