"""The HTTP endpoint for Bot Framework activities.

We read the request ourselves instead of botbuilder's `CloudAdapter.process`, which answers a card
action (an invoke whose response body is already a dict) with HTTP 500 ("'dict' object has no
attribute 'is_xml_model'") and turns malformed JSON into a 500 too.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web
from botbuilder.core import Bot
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from msrest.serialization import Model

from bot.auth import AuthenticationError, RequestAuthenticator
from bot.identity import tenant_of

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024


def messages_handler(
    adapter: CloudAdapter, bot: Bot, authenticator: RequestAuthenticator, allowed_tenants: frozenset[str]
):
    """The /api/messages handler: body checks (415/413/400), the channel token (401), the tenant
    allow-list (403), all before any handler runs; then the turn."""

    async def messages(request: web.Request) -> web.Response:
        if request.content_type != "application/json":
            raise web.HTTPUnsupportedMediaType(text="Content-Type must be application/json")
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY_BYTES, actual_size=request.content_length)
        try:
            body = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            raise web.HTTPBadRequest(text="body is not JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            raise web.HTTPBadRequest(text="body is not an activity")
        activity = Activity().deserialize(body)
        try:
            authenticated = await authenticator.authenticate(request.headers.get("Authorization", ""), activity)
        except AuthenticationError as exc:
            logger.info("request refused: unauthenticated (%s) id=%s", exc, body.get("id"))
            raise web.HTTPUnauthorized() from None
        tenant = tenant_of(activity)
        if tenant not in allowed_tenants:
            logger.info("request refused: tenant not allowed id=%s", body.get("id"))
            raise web.HTTPForbidden()
        invoke_response = await adapter.process_activity(authenticated, activity, bot.on_turn)
        if invoke_response is None:
            return web.Response(status=201)
        return web.json_response(_plain(invoke_response.body), status=invoke_response.status)

    return messages


def _plain(body: Any) -> Any:
    """An invoke response body as JSON-ready data, whether the handler gave a dict or an SDK model."""
    if isinstance(body, Model):
        return body.serialize()
    return body
