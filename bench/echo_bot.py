"""The baseline: a bare botbuilder echo bot served by botbuilder's own `CloudAdapter.process`.

A message is answered by a reply with the same text (one POST to the Bot Connector, as every
Bot Framework reply is); an ``adaptiveCard/action`` invoke is answered inline with a small card.

botbuilder 4.17.1's `CloudAdapter.process` serialises the invoke response body with msrest's
`serializer_helper`, which fails on a plain dict (HTTP 500, "'dict' object has no attribute
'is_xml_model'") - and ActivityHandler's default `on_adaptive_card_invoke` path gives a dict.
So `on_invoke_activity` is overridden to answer with an msrest Model
(`AdaptiveCardInvokeResponse`), which `process` does serialise.

The one module of bench/ that imports the Bot Framework SDK itself (tests/test_layers.py): the
reference bot, and `fast_msrest`, an experiment applied to both bots' processes.
"""

from __future__ import annotations

from types import SimpleNamespace

from aiohttp import web
from botbuilder.core import ActivityHandler, InvokeResponse, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import AdaptiveCardInvokeResponse

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


class EchoBot(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(MessageFactory.text(turn_context.activity.text or ""))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        activity = turn_context.activity
        if activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(turn_context)
        value = activity.value if isinstance(activity.value, dict) else {}
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        card = {
            "type": "AdaptiveCard",
            "version": "1.5",
            "body": [{"type": "TextBlock", "text": f"Echo: {action.get('verb')}", "wrap": True}],
            "actions": [{"type": "Action.Execute", "title": "Again", "verb": action.get("verb"),
                         "data": action.get("data") or {}}],
        }
        return InvokeResponse(
            status=200,
            body=AdaptiveCardInvokeResponse(status_code=200, type=CARD_CONTENT_TYPE, value=card),
        )


def create_echo_app(app_id: str = "") -> web.Application:
    authentication = ConfigurationBotFrameworkAuthentication(
        SimpleNamespace(APP_ID=app_id, APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")
    )
    adapter = CloudAdapter(authentication)
    bot = EchoBot()

    async def messages(request: web.Request) -> web.Response:
        return await adapter.process(request, bot)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


def fast_msrest() -> None:
    """Bench-only experiment: msrest's `ClientRetryPolicy()` builds its status list with
    `[i for i in range(999) if i not in self.safe_codes]` over a 500-item *list* (~5 ms of CPU),
    and botbuilder's CloudAdapter constructs two of them (ConnectorClient and UserTokenClient)
    on every turn. A set gives the same list in microseconds."""
    from msrest.universal_http.requests import ClientRetryPolicy

    ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]
