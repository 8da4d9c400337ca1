"""The Teams activity handler: an activity in, the dispatcher's reply out, written as Teams wants it.

`TeamsBot.on_turn` reads the activity into plain data (bot/transport/activity.py), gives it with
the turn's `TurnConnector` to the dispatcher (bot/dispatch.py), and writes the reply it returns:
a card action's card as the invoke's HTTP answer (an older client's card action as an update of
the card), any other reply as a message in the conversation. Member-added handling is the
dispatcher's (botbuilder's TeamsActivityHandler looks every added member up and crashes on a 404
answer). A failed turn is logged and the person told so; a reply that cannot be sent is logged.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import ActivityTypes

from bot.connector import SendFailed, TokenUnavailable
from bot.dispatch import Dispatcher
from bot.inbound import Inbound, Kind
from bot.logs import short
from bot.transport.activity import to_inbound
from bot.transport.outbound import Outbound
from bot.transport.queued import QueuedReplies
from bot.transport.replies import TurnConnector
from bot.turn import Reply
from cards import elements as ui
from cards.catalogue import DEFAULT_LANGUAGE, t
from hyte.languages import from_locale

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class InvokeAnswer:
    """The HTTP answer to an invoke: its status and JSON body."""

    status: int
    body: Any = None


def card_answer(card: dict[str, Any]) -> InvokeAnswer:
    return InvokeAnswer(200, {"statusCode": 200, "type": ui.CARD_CONTENT_TYPE, "value": card})


class TeamsBot:
    def __init__(self, dispatcher: Dispatcher, outbound: Outbound, queued: QueuedReplies | None = None) -> None:
        self.dispatcher = dispatcher
        self._outbound = outbound
        self._queued = queued

    def recorded(self, inbound: Inbound) -> bool:
        return self.dispatcher.recorded(inbound)

    async def on_turn(self, context: TurnContext, received: dict[str, Any], inbound: Inbound | None = None) -> InvokeAnswer | None:
        """Handle one activity; the invoke's answer, if it is an invoke."""
        activity = context.activity
        started = time.perf_counter()
        inbound = inbound or to_inbound(activity)
        connector = TurnConnector(context, received, inbound.tenant_id, self._outbound, self._queued)
        connector.prefetch()
        invoke = activity.type == ActivityTypes.invoke
        try:
            if inbound.kind is Kind.OTHER_INVOKE:
                return InvokeAnswer(501)
            reply = await self.dispatcher.handle(inbound, connector)
            return await self._write(invoke, inbound, connector, reply)
        except TokenUnavailable as missing:  # a look-up the answer needs could not be made: say so
            logger.warning("turn failed: %s for a connector call: type=%s id=%s", missing.error.reason,
                           short(activity.type), short(activity.id))
            return await _apologise(invoke, inbound, connector)
        except SendFailed as failed:  # the connector refused for good: telling the person would fail too
            logger.error("turn failed: a message could not be sent: type=%s id=%s status=%s reason=%s retries=%d",
                         short(activity.type), short(activity.id), failed.error.status, failed.error.reason, failed.retries)
            return None
        except Exception:
            logger.exception("turn failed: type=%s id=%s", short(activity.type), short(activity.id))
            return await _apologise(invoke, inbound, connector)
        finally:
            logger.info(
                "turn type=%s name=%s id=%s ms=%.1f", short(activity.type), short(activity.name), short(activity.id),
                (time.perf_counter() - started) * 1000,
            )

    @staticmethod
    async def _write(invoke: bool, inbound: Inbound, connector: TurnConnector, reply: Reply | None) -> InvokeAnswer | None:
        if invoke:
            if inbound.kind is Kind.FILE_CONSENT:
                if reply is not None and not reply.empty:
                    await connector.say(reply)
                return InvokeAnswer(200)
            reply = reply or Reply()
            return card_answer(reply.card if reply.card is not None else ui.card([ui.text(reply.text or "")]))
        if reply is None or reply.empty:
            return None
        if inbound.kind is Kind.CARD_ACTION and reply.card is not None and inbound.reply_to_id:
            await connector.replace(inbound.reply_to_id, reply)  # an older client's card action: the card in place
        else:
            await connector.say(reply)
        return None


async def _apologise(invoke: bool, inbound: Inbound, connector: TurnConnector) -> InvokeAnswer | None:
    """Tell the person the request failed; a card action gets the message as its card."""
    # The turn's own language is gone with the failed turn; the Teams client's is the best left.
    language = from_locale(inbound.locale) or DEFAULT_LANGUAGE
    try:
        if invoke:
            return card_answer(ui.card([ui.text(t("error.generic", language), color="attention")]))
        await connector.say(Reply(text=t("error.generic", language)))
    except Exception:
        logger.exception("could not send the failure message: id=%s", short(inbound.id))
    return None
