"""Exports of a round: building the files, signed download links, the download route, uploads.

- `build_export` makes the Excel or Word file of a round from the stored responses (and the
  workshop notes), the CPU-heavy writing in a worker thread. The bot, the download route and the
  operator's command line (`python app.py export`) all use it.
- In a channel the HYTE team gets links to `GET /api/exports/{token}`: the token names tenant,
  round, file kind and expiry, signed with HMAC-SHA256 (`HYTE_LINK_SECRET`). An altered token is
  refused (403), an expired one too (410). The file is made when the link is used, from the data
  stored then; nothing is kept in memory or on disk between the turn and the download.
- In 1:1 chat Teams' file consent flow: on accept, the file is PUT to the upload URL Teams gives.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import quote

import aiohttp
from aiohttp import web

from cards.catalogue import t
from hyte.exports import DOCX_TYPE, XLSX_TYPE, ExportNote, WorkshopPoints, write_docx, write_xlsx
from hyte.results import summarise
from hyte.round import Round
from hyte.workshop import WorkshopDefinition, WorkshopRepository, consolidate

logger = logging.getLogger(__name__)

Kind = Literal["xlsx", "docx"]
KINDS: tuple[Kind, ...] = ("xlsx", "docx")
DOWNLOAD_PATH = "/api/exports/{token}"


@dataclass(frozen=True)
class ExportFile:
    kind: Kind
    filename: str
    content_type: str
    data: bytes


def filename_for(round_: Round, kind: Kind) -> str:
    if kind == "docx":
        return f"{t('export.docx_title', year=round_.year)}.docx"
    return f"HYTE-ennakkokysely {round_.year} ({round_.id}).xlsx"


async def workshop_material(
    round_: Round, workshops: WorkshopRepository | None, definition: WorkshopDefinition | None
) -> tuple[list[ExportNote], list[WorkshopPoints]]:
    """The notes sheet of the Excel and the workshop points of the Word document, from the round's
    workshop (none if the round has no workshop or it was never started)."""
    if workshops is None or definition is None:
        return [], []
    run = await workshops.get(round_.tenant_id, round_.id)
    if run is None:
        return [], []
    notes = await workshops.notes(round_.tenant_id, round_.id)
    groups = {g.channel_id: g.name for g in run.groups}
    questions = {q.id: f"{q.number}. {q.text}" for q in definition.questions}
    sheet = [
        ExportNote(
            group=groups.get(n.channel_id, n.channel_id),
            question=questions.get(n.question_id or "", ""),
            author=n.author_name or "",
            at=n.created_at,
            text=n.text,
            reactions=n.reactions,
        )
        for n in notes
        if not n.deleted
    ]
    summary = consolidate(definition, run.groups, notes, thesaurus=round_.thesaurus)
    points = [
        WorkshopPoints(
            question=questions[q.question.id],
            points=tuple(f"{gp.group.name}: {p.text}" for gp in q.groups for p in gp.points),
        )
        for q in summary.questions
    ]
    return sheet, points


async def build_export(
    round_: Round, responses, kind: Kind, now: datetime, *,
    workshops: WorkshopRepository | None = None, workshop_definition: WorkshopDefinition | None = None,
) -> ExportFile:
    """The round's Excel or Word file. `responses` is a ResponseRepository; the workshop's notes and
    points come from `workshops` when the round has a workshop."""
    stored = await responses.list_for_round(round_.tenant_id, round_.id)
    notes, points = await workshop_material(round_, workshops, workshop_definition)

    def write() -> bytes:
        summary = summarise(round_, stored, now)
        if kind == "xlsx":
            return write_xlsx(summary, round_.survey, notes, t)
        return write_docx(summary, round_.survey, round_.config.county, points, t)

    data = await asyncio.to_thread(write)
    logger.info("export built: round=%s kind=%s bytes=%d", round_.id, kind, len(data))
    return ExportFile(kind, filename_for(round_, kind), XLSX_TYPE if kind == "xlsx" else DOCX_TYPE, data)


# Signed links -------------------------------------------------------------------------------------


class InvalidLink(Exception):
    """The token is malformed or its signature does not match."""


class ExpiredLink(Exception):
    """The token is genuine but past its expiry."""


@dataclass(frozen=True)
class LinkClaims:
    tenant_id: str
    round_id: str
    kind: Kind
    expires: int
    """Unix seconds."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


MIN_SECRET_BYTES = 16
"""HMAC-SHA256 keys shorter than this are refused (HYTE_LINK_SECRET)."""


class LinkSigner:
    def __init__(self, secret: bytes, public_base_url: str, ttl: timedelta) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"link secret must be at least {MIN_SECRET_BYTES} bytes")
        self._secret = secret
        self.base_url = public_base_url.rstrip("/")
        self.ttl = ttl

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, b"hyte-export-link\0" + payload, hashlib.sha256).digest()

    def token(self, claims: LinkClaims) -> str:
        payload = "|".join((claims.tenant_id, claims.round_id, claims.kind, str(claims.expires))).encode()
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def url(self, tenant_id: str, round_id: str, kind: Kind, now: datetime) -> tuple[str, datetime]:
        expires = now + self.ttl
        token = self.token(LinkClaims(tenant_id, round_id, kind, int(expires.timestamp())))
        return f"{self.base_url}{DOWNLOAD_PATH.format(token=token)}", expires

    def verify(self, token: str, now: datetime) -> LinkClaims:
        try:
            encoded, signature = token.split(".")
            payload, mac = _unb64(encoded), _unb64(signature)
        except (ValueError, binascii.Error):
            raise InvalidLink from None
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise InvalidLink
        try:
            tenant_id, round_id, kind, expires = payload.decode().split("|")
            claims = LinkClaims(tenant_id, round_id, kind, int(expires))  # type: ignore[arg-type]
        except ValueError:
            raise InvalidLink from None
        if claims.kind not in KINDS:
            raise InvalidLink
        if now.timestamp() >= claims.expires:
            raise ExpiredLink
        return claims


def download_handler(services_key):
    """GET /api/exports/{token}: the file the token names, if the token is genuine and current."""

    async def handle(request: web.Request) -> web.StreamResponse:
        services = request.app[services_key]
        signer: LinkSigner = services.links
        try:
            claims = signer.verify(request.match_info["token"], services.clock.now())
        except InvalidLink:
            logger.info("export link refused: invalid")
            return web.Response(status=403, text="Forbidden")
        except ExpiredLink:
            logger.info("export link refused: expired")
            return web.Response(status=410, text="Link expired")
        round_ = services.round
        if (claims.tenant_id, claims.round_id) != (round_.tenant_id, round_.id):
            return web.Response(status=404, text="Not found")
        export = await build_export(
            round_, services.responses, claims.kind, services.clock.now(),
            workshops=services.workshops, workshop_definition=services.workshop_questions,
        )
        ascii_name = export.filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
        quoted = quote(export.filename, safe="")
        return web.Response(
            body=export.data,
            content_type=export.content_type,
            headers={
                "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}",
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return handle


# Teams' file consent upload -----------------------------------------------------------------------


async def upload(upload_url: str, data: bytes) -> None:
    """PUT the whole file to the upload session Teams created (one range)."""
    size = len(data)
    headers = {"Content-Length": str(size), "Content-Range": f"bytes 0-{size - 1}/{size}"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        async with session.put(upload_url, data=data, headers=headers) as response:
            if response.status >= 300:
                raise UploadFailed(response.status)


class UploadFailed(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"upload answered {status}")
        self.status = status
