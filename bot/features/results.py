"""The HYTE team's commands: response status, the survey summary, exports.

HYTE team members may use them in 1:1 chat or in the advisory board team's channels; anyone else
gets the catalogue's refusal and nothing else (not even counts). `register(router)` adds the routes;
the `tila`/`status` command itself is in bot/routes.py and calls `team_status` for the HYTE team.
"""

from __future__ import annotations

import logging

from bot import guards, replies
from bot.board_team import in_board_team
from bot.exports import KINDS, UploadFailed, build_export, upload
from bot.router import Router
from bot.turn import Reply, Turn
from cards import elements as ui
from cards.catalogue import t
from cards.payloads import ExportConsent, ResultsAnswers
from cards.results import (
    answers_cards, download_card, file_consent_attachment, file_info_attachment, summary_cards, team_status_card,
)
from hyte.results import response_status, summarise

logger = logging.getLogger(__name__)

TEAM_GUARDS = (guards.hyte_team,)


def register(router: Router) -> None:
    @router.command("kyselyn yhteenveto", "yhteenveto kysely", "ennakkokyselyn yhteenveto",
                    english=("summary survey", "survey summary"), description="command.summary_survey",
                    guards=TEAM_GUARDS, team_only=True)
    async def summary_survey(turn: Turn) -> Reply:
        refused = await where_refused(turn)
        if refused:
            return Reply(text=t(refused))

        async def send_summary() -> None:
            cards = summary_cards(await _summary(turn), turn.services.round.config.county)
            for card in cards:
                await _send_card(turn, card)
            logger.info("summary sent: round=%s cards=%d", turn.services.round.id, len(cards))

        turn.later("survey summary", send_summary)
        return Reply(text=t("results.preparing"))

    @router.action(ResultsAnswers, guards=TEAM_GUARDS)
    async def show_answers(turn: Turn, payload: ResultsAnswers) -> Reply:
        refused = await where_refused(turn)
        if refused:
            return Reply(text=t(refused))
        summary = await _summary(turn)
        result = next((r for r in summary.texts if r.question_id == payload.question), None)
        if result is None:
            return Reply(text=t("results.unknown_question"))
        for card in answers_cards(summary, result):
            await _send_card(turn, card)
        # The pressed card stays as it was (rebuilt from current data).
        for card in summary_cards(summary, turn.services.round.config.county):
            if _has_button(card, payload):
                return Reply(card=card)
        return Reply(text=t("results.unknown_question"))

    @router.command("vienti", "vie tulokset", english=("export",), description="command.export", guards=TEAM_GUARDS,
                    team_only=True)
    async def export(turn: Turn) -> Reply:
        refused = await where_refused(turn)
        if refused:
            return Reply(text=t(refused))
        services, round_ = turn.services, turn.services.round
        if not turn.personal:
            links = []
            expires = None
            for kind in KINDS:
                url, expires = services.links.url(round_.tenant_id, round_.id, kind, turn.now)
                links.append((t(f"export.download_{kind}"), url))
            logger.info("export links sent: round=%s", round_.id)
            return Reply(card=download_card(links, expires))

        async def send_consent_cards() -> None:
            for kind in KINDS:
                export_file = await build_export(
                    round_, services.responses, kind, turn.now,
                    workshops=services.workshops, workshop_definition=services.workshop_questions,
                )
                attachment = file_consent_attachment(export_file.filename, len(export_file.data), round_.id, kind)
                await replies.send(turn.context, replies.attachment_message([attachment]))
            await replies.send(turn.context, replies.text_message(t("export.consent_hint")))
            logger.info("export consent cards sent: round=%s", round_.id)

        turn.later("export", send_consent_cards)
        return Reply(text=t("export.preparing"))

    @router.action(ExportConsent, guards=(guards.hyte_team, guards.personal_only))
    async def export_consent(turn: Turn, payload: ExportConsent) -> Reply:
        if payload.action != "accept" or payload.upload is None:
            return Reply(text=t("export.declined"))
        services, round_, upload_to = turn.services, turn.services.round, payload.upload

        async def build_and_upload() -> None:
            export_file = await build_export(
                round_, services.responses, payload.kind, turn.now,
                workshops=services.workshops, workshop_definition=services.workshop_questions,
            )
            try:
                await upload(upload_to.upload_url, export_file.data)
            except (UploadFailed, OSError, TimeoutError) as exc:
                logger.warning("export upload failed: round=%s kind=%s error=%s", round_.id, payload.kind,
                               type(exc).__name__)
                await replies.send(turn.context, replies.text_message(t("export.upload_failed")))
                return
            info = file_info_attachment(
                upload_to.name, upload_to.content_url, upload_to.unique_id, upload_to.file_type or payload.kind,
            )
            await replies.send(turn.context, replies.attachment_message([info], text=t("export.uploaded")))
            logger.info("export uploaded: round=%s kind=%s", round_.id, payload.kind)

        turn.later("export upload", build_and_upload)
        return Reply()


async def team_status(turn: Turn) -> Reply:
    """`tila` for a HYTE team member: the round's phase and every organisation's state."""
    refused = await where_refused(turn)
    if refused:
        return Reply(text=t(refused))
    services = turn.services
    responses = await services.responses.list_for_round(turn.identity.tenant_id, services.round.id)
    status = response_status(services.round, responses, turn.now)
    return Reply(card=team_status_card(status, services.round.config.county))


async def where_refused(turn: Turn) -> str | None:
    """Results are shown in 1:1 chat or in the board team's channels, nowhere else."""
    if turn.personal or await in_board_team(turn):
        return None
    return "results.not_here"


async def _summary(turn: Turn):
    services = turn.services
    responses = await services.responses.list_for_round(turn.identity.tenant_id, services.round.id)
    return summarise(services.round, responses, turn.now)


async def _send_card(turn: Turn, card: dict) -> None:
    await replies.send(turn.context, replies.card_message(card))


def _has_button(card: dict, payload: ResultsAnswers) -> bool:
    data = payload.data()
    return any(n.get("type") == "Action.Execute" and n.get("data") == data for n in ui.walk(card))
