"""Exports of a round: building the files, signed download links, uploads.

- `Exports.build` makes the Excel or Word file of a round from the stored responses (and the
  workshop notes), the CPU-heavy writing in a worker thread (documents/office.py writes them). The
  bot, the download route (bot/features/exports.py) and the operator's command line
  (`python app.py export`) all use it.
- Language (issue 19): a bilingual round's files are written in the language the HYTE team chose
  (`vienti` offers each of the round's languages): the Word summary's headings and texts, the
  Excel headers, the survey's questions and options in that language; free-text answers and notes
  as written. Without a choice, the round's first language.
- `LinkSigner`: the download links' tokens name tenant, round, file kind, language and expiry, signed with
  HMAC-SHA256 (`HYTE_LINK_SECRET`). An altered token is refused, an expired one too.
- `upload`: Teams' file consent flow in 1:1 chat PUTs the file to the upload URL Teams gives.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import aiohttp

from bot.services import cpu
from bot.services.meeting import MeetingDesk
from cards.catalogue import speaking, t
from documents.office import DOCX_TYPE, XLSX_TYPE, ExportNote, WorkshopPoints, write_docx, write_xlsx
from hyte.comparison import against_previous
from hyte.curation import CurationRepository, curate
from hyte.responses import ResponseRepository
from hyte.results import summarise
from hyte.round import Round
from hyte.rounds import PreviousRound, RoundCatalogue, previous_results
from hyte.workshop import Group, Note, WorkshopRepository
from hyte.workshop_summary import consolidate

logger = logging.getLogger(__name__)

Kind = Literal["xlsx", "docx", "summary", "plan_docx", "plan_xlsx"]
KINDS: tuple[Kind, ...] = ("xlsx", "docx")
"""What `vienti` offers."""
LINKED_KINDS: tuple[Kind, ...] = KINDS + ("summary", "plan_docx", "plan_xlsx")
"""What a download link may name: also the meeting's summary and plan entries (bot/services/meeting.py)."""
DOWNLOAD_PATH = "/api/exports/{token}"


@dataclass(frozen=True)
class ExportFile:
    kind: Kind
    filename: str
    content_type: str
    data: bytes


def filename_for(round_: Round, kind: Kind, language: str | None = None) -> str:
    if kind == "docx":
        return f"{t('export.docx_title', language, year=round_.year)}.docx"
    return f"{t('export.xlsx_name', language, year=round_.year, round=round_.id)}.xlsx"


async def workshop_notes(round_: Round, workshops: WorkshopRepository | None) -> tuple[list[Group], Any]:
    """The round's workshop groups and its every note (as a read the CPU pool's worker does); none if
    the round has no workshop or it was never started."""
    if workshops is None or round_.workshop is None:
        return [], []
    run = await workshops.get(round_.tenant_id, round_.id)
    if run is None:
        return [], []
    notes = workshops.stored_notes(round_.tenant_id, round_.id)
    return list(run.groups), notes


def workshop_material(round_: Round, groups: list[Group], notes: list[Note],
                      ) -> tuple[list[ExportNote], list[WorkshopPoints]]:
    """The notes sheet of the Excel and the workshop points of the Word document, from the round's
    workshop (none without one). Lemmatising every note is CPU work: in the process pool (`_write`)."""
    definition = round_.workshop
    if definition is None or not groups:
        return [], []
    names = {g.channel_id: g.name for g in groups}
    questions = {q.id: f"{q.number}. {q.text}" for q in definition.questions}
    sheet = [
        ExportNote(
            group=names.get(n.channel_id, n.channel_id),
            question=questions.get(n.question_id or "", ""),
            author=n.author_name or "",
            at=n.created_at,
            text=n.text,
            reactions=n.reactions,
        )
        for n in notes
        if not n.deleted
    ]
    summary = consolidate(definition, groups, notes, thesaurus=round_.thesaurus)
    points = [
        WorkshopPoints(
            question=questions[q.question.id],
            points=tuple(f"{gp.group.name}: {p.text}" for gp in q.groups for p in gp.points),
            themes=tuple((theme.label, theme.group_count) for theme in q.themes),
        )
        for q in summary.questions
    ]
    return sheet, points


class Exports:
    """Builds a round's files from what is stored when asked (nothing is kept between requests)."""

    def __init__(self, responses: ResponseRepository, workshops: WorkshopRepository,
                 catalogue: RoundCatalogue | None = None, curation: CurationRepository | None = None,
                 meeting: MeetingDesk | None = None) -> None:
        self._responses = responses
        self._workshops = workshops
        self._catalogue = catalogue
        """The rounds, for the Word summary's comparison with the previous round (none without)."""
        self._curation = curation
        """The HYTE team's edits of the themes, applied to both files (none without)."""
        self._meeting = meeting
        """The negotiation meeting's summary and plan entries (bot/services/meeting.py)."""

    async def build(self, round_: Round, kind: Kind, now: datetime, language: str | None = None) -> ExportFile:
        """The round's Excel or Word file; the workshop's notes and points when the round has a
        workshop. The round is one the caller found for the asker's county (bot/rounds.py).
        `language`: one the round offers (else its first), for the texts and the survey's."""
        language = language if language in round_.languages else round_.languages[0]
        if kind not in KINDS:
            if self._meeting is None:
                raise ValueError(f"no builder for {kind}")
            made = await self._meeting.build(round_, kind, now, language)  # type: ignore[arg-type]
            return ExportFile(kind, made.filename, made.content_type, made.data)
        round_ = round_.in_language(language)
        stored = self._responses.stored_for_round(round_.tenant_id, round_.id)
        groups, notes = await workshop_notes(round_, self._workshops)
        previous = await self._previous(round_) if kind == "docx" else None
        edits = await self._curation.edits(round_.tenant_id, round_.id) if self._curation is not None else []
        with speaking(language):  # carried to the worker process
            data = await cpu.run(_write, round_, kind, stored, edits, groups, notes, previous,
                                 self._catalogue is not None, language, now)
        logger.info("export built: round=%s kind=%s language=%s bytes=%d", round_.id, kind, language, len(data))
        return ExportFile(kind, filename_for(round_, kind, language), XLSX_TYPE if kind == "xlsx" else DOCX_TYPE, data)

    async def _previous(self, round_: Round) -> PreviousRound | None:
        """The previous round of the same county with its submitted responses (hyte/rounds.py)."""
        if self._catalogue is None:
            return None
        return await previous_results(self._catalogue, self._responses, round_)


def _write(round_: Round, kind: Kind, stored, edits, groups: list[Group], notes: list[Note],
           previous: PreviousRound | None, compare: bool, language: str, now: datetime) -> bytes:
    """The file's bytes: summarised, curated (the HYTE team's edits), compared, the workshop's
    notes consolidated, and written, in the process pool."""
    notes, points = workshop_material(round_, groups, notes)
    summary = curate(summarise(round_, stored, now), edits, round_)
    if kind == "xlsx":
        return write_xlsx(summary, round_.survey, notes, t, language=language)
    comparison = against_previous(round_, summary, previous, now) if compare else None
    return write_docx(summary, round_.survey, round_.config.county, points, t, language=language,
                      date=now, comparison=comparison)


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
    language: str | None = None
    """The files' language (a bilingual round's); None: the round's first."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


MIN_SECRET_BYTES = 16
"""HMAC-SHA256 keys shorter than this are refused (HYTE_LINK_SECRET)."""


def link_signer(secret: str, public_base_url: str, ttl_minutes: int) -> LinkSigner:
    """The signer of HYTE_LINK_SECRET; without one, a key of this process (its links die with it)."""
    key = secret.encode()
    if not key:
        key = secrets.token_bytes(32)
        logger.info("HYTE_LINK_SECRET not set: export links are signed with a per-process key")
    return LinkSigner(key, public_base_url, timedelta(minutes=ttl_minutes))


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
        parts = (claims.tenant_id, claims.round_id, claims.kind, str(claims.expires))
        payload = "|".join(parts + ((claims.language,) if claims.language else ())).encode()
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def url(self, tenant_id: str, round_id: str, kind: Kind, now: datetime,
            language: str | None = None) -> tuple[str, datetime]:
        expires = now + self.ttl
        token = self.token(LinkClaims(tenant_id, round_id, kind, int(expires.timestamp()), language))
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
            tenant_id, round_id, kind, expires, *language = payload.decode().split("|")
            if len(language) > 1:
                raise ValueError("too many parts")
            claims = LinkClaims(tenant_id, round_id, kind, int(expires), language[0] if language else None)  # type: ignore[arg-type]
        except ValueError:
            raise InvalidLink from None
        if claims.kind not in LINKED_KINDS:
            raise InvalidLink
        if now.timestamp() >= claims.expires:
            raise ExpiredLink
        return claims


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
