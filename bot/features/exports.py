"""`vienti`/`export`: the round's Excel and Word files for the HYTE team.

- In a channel of the board's team the HYTE team gets links to `GET /api/exports/{token}`
  (`download_handler`): an altered token is refused (403), an expired one too (410). The file is
  made when the link is used, from the data stored then; nothing is kept between the turn and the
  download.
- In 1:1 chat Teams' file consent flow: a FileConsentCard per file; on accept, the file is PUT to
  the upload URL Teams gives and shown as a file card.
- A bilingual round (issue 19): the HYTE team chooses the files' language. In a channel each
  file's link is given in each language; in 1:1 chat a card asks which, the asker's first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable
from urllib.parse import quote

from aiohttp import web

from bot.rounds import Rounds
from bot.router import Access, Audience, Routes, Where
from bot.services.exports import KINDS, ExpiredLink, Exports, InvalidLink, LinkSigner, UploadFailed, upload
from bot.turn import Reply, Turn
from cards.catalogue import t
from cards.language import export_language_card
from cards.payloads import ExportConsent, ExportLanguage
from cards.results import download_card, file_consent_attachment, file_info_attachment

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportServices:
    exports: Exports
    links: LinkSigner


routes = Routes("exports", ExportServices)


@routes.command("vienti", "vie tulokset", swedish=("export", "exportera"), english=("export",),
                description="command.export",
                access=(Access(Audience.HYTE_TEAM, Where.PERSONAL_OR_BOARD_TEAM),), past_rounds=True)
async def export(turn: Turn[ExportServices]) -> Reply:
    services, round_ = turn.services, turn.round
    if not turn.personal:
        links = []
        expires = None
        for kind in KINDS:
            for language in _languages(turn):
                url, expires = services.links.url(round_.tenant_id, round_.id, kind, turn.now, language)
                links.append((_download_label(kind, language), url))
        logger.info("export links sent: round=%s", round_.id)
        return Reply(card=download_card(links, expires))
    if len(round_.languages) > 1:
        return Reply(card=export_language_card(round_.id, round_.languages, turn.language))
    return _consent_cards(turn, None)


@routes.action(ExportLanguage, access=(Access(Audience.HYTE_TEAM, Where.PERSONAL),), past_rounds=True)
async def export_in_language(turn: Turn[ExportServices], payload: ExportLanguage) -> Reply:
    """The language chosen on a bilingual round's `vienti` card: the files in it."""
    return _consent_cards(turn, payload.language)


def _languages(turn: Turn) -> tuple[str | None, ...]:
    """The files' languages to link: one (the round's only) or each the round offers, the asker's first."""
    offered = turn.round.languages
    if len(offered) == 1:
        return (None,)
    return tuple(sorted(offered, key=lambda code: code != turn.language))


def _download_label(kind: str, language: str | None) -> str:
    label = t(f"export.download_{kind}")
    return label if language is None else t("export.download_in", label=label, name=t(f"language.in_{language}"))


def _consent_cards(turn: Turn[ExportServices], language: str | None) -> Reply:
    services, round_ = turn.services, turn.round

    async def send_consent_cards() -> None:
        for kind in KINDS:
            export_file = await services.exports.build(round_, kind, turn.now, language)
            attachment = file_consent_attachment(export_file.filename, len(export_file.data), round_.id, kind,
                                                 language)
            await turn.say(Reply(attachments=(attachment,)))
        await turn.say(Reply(text=t("export.consent_hint")))
        logger.info("export consent cards sent: round=%s", round_.id)

    turn.later("export", send_consent_cards)
    return Reply(text=t("export.preparing"))


@routes.action(ExportConsent, access=(Access(Audience.HYTE_TEAM, Where.PERSONAL),), past_rounds=True)
async def export_consent(turn: Turn[ExportServices], payload: ExportConsent) -> Reply:
    if payload.action != "accept" or payload.upload is None:
        return Reply(text=t("export.declined"))
    services, round_, upload_to = turn.services, turn.round, payload.upload

    async def build_and_upload() -> None:
        export_file = await services.exports.build(round_, payload.kind, turn.now, payload.language)
        try:
            await upload(upload_to.upload_url, export_file.data)
        except (UploadFailed, OSError, TimeoutError) as exc:
            logger.warning("export upload failed: round=%s kind=%s error=%s", round_.id, payload.kind,
                           type(exc).__name__)
            await turn.say(Reply(text=t("export.upload_failed")))
            return
        info = file_info_attachment(
            upload_to.name, upload_to.content_url, upload_to.unique_id, upload_to.file_type or payload.kind,
        )
        await turn.say(Reply(text=t("export.uploaded"), attachments=(info,)))
        logger.info("export uploaded: round=%s kind=%s", round_.id, payload.kind)

    turn.later("export upload", build_and_upload)
    return Reply()


def download_handler(services: ExportServices, rounds: Rounds, now: Callable[[], datetime]):
    """GET /api/exports/{token}: the file the token names, if the token is genuine and current."""

    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            claims = services.links.verify(request.match_info["token"], now())
        except InvalidLink:
            logger.info("export link refused: invalid")
            return web.Response(status=403, text="Forbidden")
        except ExpiredLink:
            logger.info("export link refused: expired")
            return web.Response(status=410, text="Link expired")
        round_ = await rounds.find(claims.tenant_id, claims.round_id)  # this county's, current or past
        if round_ is None:
            logger.info("export link refused: no such round in the tenant's county")
            return web.Response(status=404, text="Not found")
        export_file = await services.exports.build(round_, claims.kind, now(), claims.language)
        ascii_name = export_file.filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
        quoted = quote(export_file.filename, safe="")
        return web.Response(
            body=export_file.data,
            content_type=export_file.content_type,
            headers={
                "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}",
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return handle
