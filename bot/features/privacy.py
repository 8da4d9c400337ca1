"""The privacy notice (GET /tietosuoja) and the terms of use (GET /kayttoehdot) that the Teams app's
manifest links (`privacyUrl`, `termsOfUseUrl`).

Each page is a Jinja2 template the county edits (HTML, Finnish), filled with what the bot knows: the
round's configuration (the controller is the county; its contacts and retention decision from the
round file's `privacy` section) and how long the bot actually keeps what it keeps (`Facts`, from
the settings and the code). Every value is escaped (autoescape), so a name in the round file cannot
become markup. A template is looked for where the round file names it, else beside the round file,
else the bundled one (config/pohjois-savo/); both pages are rendered once, at start, and a template
with an error stops the start with a clear message.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import jinja2
from aiohttp import web

from hyte.round import Round
from hyte.configuration import ConfigurationError

PRIVACY_PATH = "/tietosuoja"
TERMS_PATH = "/kayttoehdot"
NOTICE_TEMPLATE = "tietosuoja.html"
TERMS_TEMPLATE = "kayttoehdot.html"
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


def render_pages(round_: Round, round_file: Path, facts: Facts, bundled: Path) -> Pages:
    privacy = round_.config.privacy
    notice = template_path(round_file, privacy.notice_template, NOTICE_TEMPLATE, bundled)
    terms = template_path(round_file, privacy.terms_template, TERMS_TEMPLATE, bundled)
    config = round_.config
    values = {
        "county": config.county, "region": config.region, "year": round_.year,
        "contact": privacy.contact, "data_protection_officer": privacy.data_protection_officer,
        "retention": privacy.retention, "survey_title": round_.survey.title,
        "privacy_url": facts.base_url.rstrip("/") + PRIVACY_PATH, "terms_url": facts.base_url.rstrip("/") + TERMS_PATH,
        **asdict(facts),
    }
    return Pages(_render(notice, values, bundled), _render(terms, values, bundled))


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
