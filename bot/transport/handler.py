"""The Teams activity handler: turns activities into routed calls and replies into activities.

`on_turn` only dispatches: commands and card actions go through the router; its guards refuse
politely. Member-added handling is our own (botbuilder's TeamsActivityHandler looks every added
member up and crashes on a 404 answer).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from botbuilder.core import Bot, TurnContext
from botbuilder.schema import Activity, ActivityTypes, ConversationReference
from pydantic import ValidationError

from bot import board_team, replies, workshop
from bot.logs import short
from bot.outbound import SendFailed, TokenUnavailable
from bot.router import Command, Router, refusal, strip_mentions
from bot.turn import Reply, Services, Turn
from cards import elements as ui
from cards.catalogue import t
from cards.text import User
from cards.payloads import parse_payload
from hyte.workshop import clean_teams_html

logger = logging.getLogger(__name__)

CARD_ACTION = "adaptiveCard/action"
FILE_CONSENT = "fileConsent/invoke"
MAX_COMMAND_ECHO = 80


class HyteBot(Bot):
    def __init__(self, services: Services, router: Router, greet: Any) -> None:
        self._services = services
        self._router = router
        self._greet = greet
        self._known_conversations: set[tuple[str, str, str]] = set()

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        started = time.perf_counter()
        try:
            match activity.type:
                case ActivityTypes.message:
                    await self._on_message(context)
                case ActivityTypes.invoke if activity.name == CARD_ACTION:
                    await self._on_card_action(context)
                case ActivityTypes.invoke if activity.name == FILE_CONSENT:
                    await self._on_file_consent(context)
                case ActivityTypes.invoke:
                    replies.answer_invoke(context, 501, None)
                case ActivityTypes.conversation_update:
                    await self._on_conversation_update(context)
                case ActivityTypes.message_update | ActivityTypes.message_delete:
                    await workshop.on_message_change(await self._turn(context))
                case ActivityTypes.message_reaction:
                    await workshop.on_reaction(await self._turn(context))
                case _:
                    pass
        except TokenUnavailable as missing:  # a look-up the answer needs could not be made: say so
            logger.warning("turn failed: %s for a connector call: type=%s id=%s", missing.error.reason,
                           short(activity.type), short(activity.id))
            await _apologise(context)
        except SendFailed as failed:  # the connector refused for good: telling the person would fail too
            logger.error("turn failed: a message could not be sent: type=%s id=%s status=%s reason=%s retries=%d",
                         short(activity.type), short(activity.id), failed.error.status, failed.error.reason, failed.retries)
        except Exception:
            logger.exception("turn failed: type=%s id=%s", short(activity.type), short(activity.id))
            await _apologise(context)
        finally:
            logger.info(
                "turn type=%s name=%s id=%s ms=%.1f", short(activity.type), short(activity.name), short(activity.id),
                (time.perf_counter() - started) * 1000,
            )

    # Messages and commands -----------------------------------------------------------------------

    async def _on_message(self, context: TurnContext) -> None:
        activity = context.activity
        if isinstance(activity.value, dict) and not (activity.text or "").strip():
            reply = await self._card_action(context, activity.value)
            await self._send(context, reply, replace_id=activity.reply_to_id)
            return
        personal = (activity.conversation.conversation_type or "personal") == "personal"
        text = activity.text or ""
        if not personal and not _mentions_bot(activity):
            await self._on_unmentioned(context, text)
            return
        command = self._router.find_command(text)
        turn = await self._turn(context)
        if command is None:
            if not personal and await workshop.on_channel_message(turn):
                return  # a note that @mentions the bot
            echo = " ".join(_shown_text(text).split())[:MAX_COMMAND_ECHO]
            await self._send(context, Reply(card=ui.card([ui.sentence("unknown_command", text=User(echo))])))
            return
        await self._run_command(context, turn, command)

    async def _on_unmentioned(self, context: TurnContext, text: str) -> None:
        """A channel message that does not @mention the bot (Teams delivers them all, with RSC).

        It is a command when its whole text is one and it comes from a person of the round in the
        board team's channels: Teams may deliver an @mention with no mention entity and the bot's
        name cut from the text (MicrosoftDocs/msteams-docs#14422), so "@HYTE-botti yhteenveto
        työpaja" arrives as "yhteenveto työpaja". In a group channel during the workshop such a
        message is then a command, not a note. Anything else is a workshop note, or chatter."""
        command = self._router.find_command(text, bot_names=workshop.bot_names(context.activity))
        turn = await self._turn(context)
        if command is not None and not turn.identity.is_stranger and await board_team.in_board_team(turn):
            logger.info("channel command without a mention: id=%s", context.activity.id)
            await self._run_command(context, turn, command)
            return
        await workshop.on_channel_message(turn)

    async def _run_command(self, context: TurnContext, turn: Turn, command: Command) -> None:
        refused = refusal(command.guards, turn)
        reply = Reply(text=t(refused)) if refused else await command.handler(turn)
        await self._send(context, reply)

    # Card actions ---------------------------------------------------------------------------------

    async def _on_card_action(self, context: TurnContext) -> None:
        value = context.activity.value if isinstance(context.activity.value, dict) else {}
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        verb = action.get("verb")
        if isinstance(verb, str):
            data = {**data, "verb": verb}
        reply = await self._card_action(context, data)
        card = reply.card if reply.card is not None else ui.card([ui.text(reply.text or "")])
        replies.answer_invoke(
            context, 200, {"statusCode": 200, "type": ui.CARD_CONTENT_TYPE, "value": card}
        )

    async def _card_action(self, context: TurnContext, data: dict[str, Any]) -> Reply:
        try:
            payload = parse_payload(data)
        except ValidationError as exc:
            logger.info("card payload refused: errors=%d", exc.error_count())
            return Reply(text=t("card_not_understood"))
        route = self._router.find_action(payload)
        if route is None:
            return Reply(text=t("card_not_understood"))
        turn = await self._turn(context)
        refused = refusal(route.guards, turn)
        if refused:
            return Reply(text=t(refused))
        if payload.round != self._services.round.id:
            return Reply(text=t("survey.stale_round"))
        return await route.handler(turn, payload)

    async def _on_file_consent(self, context: TurnContext) -> None:
        """A FileConsentCard answered: its context (our payload) with Teams' action and upload info."""
        value = context.activity.value if isinstance(context.activity.value, dict) else {}
        data = value.get("context") if isinstance(value.get("context"), dict) else {}
        data = {**data, "action": value.get("action"), "upload": value.get("uploadInfo")}
        reply = await self._card_action(context, data)
        if reply.card is not None or reply.text:
            await self._send(context, reply)
        replies.answer_invoke(context, 200, None)

    # Installation ---------------------------------------------------------------------------------

    async def _on_conversation_update(self, context: TurnContext) -> None:
        activity = context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        added = [m.id for m in activity.members_added or []]
        personal = (activity.conversation.conversation_type or "personal") == "personal"
        if personal and bot_id in added:
            turn = await self._turn(context)
            await self._send(context, await self._greet(turn, self._router))
        elif not personal and board_team.team_of(context) is not None:
            await board_team.on_team_update(await self._turn(context))

    # Shared -----------------------------------------------------------------------------------------

    async def _turn(self, context: TurnContext) -> Turn:
        now = self._services.clock.now()
        identity = await self._services.identities.resolve(context, now)
        turn = Turn(context, identity, await self._services.for_turn(), now)
        if not identity.is_stranger and turn.personal:
            await self._remember_conversation(context, turn)  # channels are kept by board_team
        return turn

    async def _remember_conversation(self, context: TurnContext, turn: Turn) -> None:
        activity = context.activity
        key = (turn.identity.tenant_id, activity.conversation.id, activity.service_url)
        if key in self._known_conversations:
            return
        reference = TurnContext.get_conversation_reference(activity)
        await self._services.conversations.remember(
            turn.identity.tenant_id, activity.conversation.id, turn.conversation_type, activity.service_url,
            _serialise_reference(reference), turn.identity.aad_object_id if turn.personal else None, turn.now,
        )
        self._known_conversations.add(key)

    @staticmethod
    async def _send(context: TurnContext, reply: Reply, replace_id: str | None = None) -> None:
        if reply.card is None:
            await replies.send(context, replies.text_message(reply.text or ""))
        elif replace_id:
            await replies.update(context, replace_id, replies.card_message(reply.card))
        else:
            await replies.send(context, replies.card_message(reply.card))


def _mentions_bot(activity: Activity) -> bool:
    bot_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        props = entity.additional_properties or {} if hasattr(entity, "additional_properties") else {}
        mentioned = props.get("mentioned") if isinstance(props, dict) else None
        if entity.type == "mention" and isinstance(mentioned, dict) and mentioned.get("id") == bot_id:
            return True
    return False


def _shown_text(text: str) -> str:
    """A message's text as the person sees it (mentions and Teams' HTML removed, case kept)."""
    return clean_teams_html(strip_mentions(text))


def _serialise_reference(reference: ConversationReference) -> dict[str, Any]:
    return reference.serialize()


async def _apologise(context: TurnContext) -> None:
    """Tell the person the request failed; a card action gets the message as its card."""
    try:
        if context.activity.type == ActivityTypes.invoke:
            card = ui.card([ui.text(t("error.generic"), color="attention")])
            replies.answer_invoke(context, 200, {"statusCode": 200, "type": ui.CARD_CONTENT_TYPE, "value": card})
        else:
            await replies.send(context, replies.text_message(t("error.generic")))
    except Exception:
        logger.exception("could not send the failure message: id=%s", short(context.activity.id))
