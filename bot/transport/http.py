"""The HTTP endpoint for Bot Framework activities.

We read the request ourselves instead of botbuilder's `CloudAdapter.process`, which answers a card
action (an invoke whose response body is already a dict) with HTTP 500 ("'dict' object has no
attribute 'is_xml_model'") and turns malformed JSON into a 500 too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from datetime import datetime, timedelta
from typing import Any, Protocol, Sequence

import orjson
from aiohttp import web
from aiohttp import web_response
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ActivityTypes
from msrest.exceptions import DeserializationError
from msrest.serialization import Deserializer, Model

from bot.logs import RequestContext, current_request, short
from bot.transport.activity import tenant_of, to_inbound
from bot.transport.auth import AuthenticationError, RequestAuthenticator
from bot.transport.handler import InvokeAnswer, TeamsBot
from hyte.clock import Clock
from storage.activities import MAX_ACTIVITY_ID

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
MAX_CONCURRENT_TURNS = 8


RECORDED = frozenset(
    t.value for t in (ActivityTypes.message, ActivityTypes.conversation_update, ActivityTypes.installation_update)
)
"""Activities whose repeats are not run again (a channel message that is neither addressed to the
bot nor a command excepted: it is a note, stored once however often it comes, or chatter: see
`TeamsBot.recorded`). Not invokes (see `messages_handler`); not messageUpdate/messageDelete, whose
id is the edited message's, the same for every edit (an edit or delete run twice changes nothing:
the note already has that text, or is already deleted); not reactions, which set or clear one
person's reaction (run twice, the same)."""
SERVER_HEADER = "HYTE"
"""What every answer's `Server` header says: aiohttp's default names the Python and aiohttp versions."""


def hide_server_software() -> None:
    """aiohttp fills the Server header from a module constant, read for every answer, also for the
    400 it writes itself to a malformed request before any of our code or signals run: set it."""
    web_response.SERVER_SOFTWARE = SERVER_HEADER


class ActivityLog(Protocol):
    async def claim(self, tenant_id: str, activity_id: str, at: datetime) -> bool: ...
    async def complete_all(self, marks: Sequence[tuple[str, str]]) -> None: ...
    async def release(self, tenant_id: str, activity_id: str) -> None: ...
    async def release_unfinished(self) -> int: ...
    async def purge(self, before: datetime) -> int: ...


ACTIVITY_IDS_KEPT = timedelta(days=2)
ACTIVITY_PURGE_SECONDS = 3600.0


class TurnCompletions:
    """Marks the claimed activities whose turns have finished, after their answers have left: the
    turn does not wait for the mark, and marks that come while one is being written go together
    in the next statement. The mark only tells a restart which claims to keep (see
    `activity_ids_kept`); a repeat is refused by the claim itself from the moment it is made. What
    a process killed between an answer and its mark leaves (a claim released at the next start,
    whose activity Teams does not send again, having had its answer) is what a database crash
    could always leave of this mark, which is committed without waiting for the disk."""

    def __init__(self, activities: ActivityLog) -> None:
        self._activities = activities
        self._pending: list[tuple[str, str]] = []
        self._writer: asyncio.Task[None] | None = None

    def mark(self, tenant_id: str, activity_id: str) -> None:
        self._pending.append((tenant_id, activity_id))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        while self._pending:
            marks, self._pending = self._pending, []
            try:
                await self._activities.complete_all(marks)
            except Exception as exc:
                logger.warning("%d turn completion mark(s) not written: %s", len(marks), type(exc).__name__)

    async def drain(self) -> None:
        """Wait until every mark made so far is written (or has failed, logged)."""
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)


def activity_ids_kept(activities: ActivityLog, clock: Clock, completions: TurnCompletions):
    """A cleanup context (aiohttp's `cleanup_ctx`): at start the claims a killed process left
    unfinished are released (so that their re-sends run); then processed activity ids are forgotten
    after ACTIVITY_IDS_KEPT (Teams re-sends within minutes), hourly, until the app stops, when the
    turns' last completion marks are written."""

    async def keep(_app: web.Application):
        released = await activities.release_unfinished()
        if released:
            logger.warning("released %d activity claims left unfinished by a stopped process", released)

        async def purge_now_and_then() -> None:
            while True:
                try:
                    purged = await activities.purge(clock.now() - ACTIVITY_IDS_KEPT)
                    logger.debug("purged %d processed activity ids", purged)
                except Exception:
                    logger.warning("could not purge processed activity ids", exc_info=True)
                await asyncio.sleep(ACTIVITY_PURGE_SECONDS)

        task = asyncio.create_task(purge_now_and_then())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await completions.drain()

    return keep


def messages_handler(
    adapter: CloudAdapter, bot: TeamsBot, authenticator: RequestAuthenticator, allowed_tenants: frozenset[str],
    *, activities: ActivityLog | None = None, clock: Clock | None = None, max_turns: int = MAX_CONCURRENT_TURNS,
    completions: TurnCompletions | None = None,
):
    """The /api/messages handler: body checks (415/413/400, also an activity id longer than can be
    recorded: Teams' are a few dozen characters), the channel token (401), the tenant
    allow-list (403), all before any handler runs; then a repeat check (`activities`); then the turn.

    A repeated message, conversationUpdate… (same id) is answered 201 without running its turn again.
    A finished turn's claim is marked complete after it has answered (`completions`, given with
    `activities`: the app drains it when it stops, `activity_ids_kept`).
    A repeated invoke (a card action) runs again: Teams needs its invoke response (the card to show),
    and the flows are idempotent on a business key (the card carries the response version it was
    built from; a repeated submit is answered "submitted"), so running it again repeats no effect.
    Storing invoke responses instead would keep copies of the cards, answer texts included.

    At most `max_turns` requests are worked on at once; the others wait their turn before their body
    is parsed. The host's cores are busy with a few turns already; with fifty at once the event loop
    ran fifty turns' steps in one pass and answered nothing else (health checks, timers) for tens
    of milliseconds (bench.turns' loop-lag monitor). A turn whose reply Teams throttles keeps its
    slot while it waits (10 s at most): taking on more work then would not get more sent."""
    slots = asyncio.Semaphore(max_turns)
    if activities is not None and completions is None:
        raise ValueError("an activity log needs its TurnCompletions (drained by activity_ids_kept)")

    async def messages(request: web.Request) -> web.Response:
        async with slots:
            return await serve(request)

    async def serve(request: web.Request) -> web.Response:
        if request.content_type != "application/json":
            raise web.HTTPUnsupportedMediaType(text="Content-Type must be application/json")
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY_BYTES, actual_size=request.content_length)
        try:
            body = orjson.loads(await request.read())
        except orjson.JSONDecodeError:
            raise web.HTTPBadRequest(text="body is not JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            raise web.HTTPBadRequest(text="body is not an activity")
        try:
            activity = parse_activity(body)
        except (DeserializationError, RecursionError):
            raise web.HTTPBadRequest(text="body is not an activity") from None
        current_request.set(RequestContext(short(activity.id), short(tenant_of(activity)), short(activity.type)))
        if activity.id is not None and len(activity.id) > MAX_ACTIVITY_ID:
            logger.info("request refused: activity id of %d characters id=%s", len(activity.id), short(activity.id))
            raise web.HTTPBadRequest(text="activity id too long")
        try:
            authenticated = await authenticator.authenticate(request.headers.get("Authorization", ""), activity)
        except AuthenticationError as exc:
            logger.info("request refused: unauthenticated (%s) id=%s", exc, short(body.get("id")))
            raise web.HTTPUnauthorized() from None
        tenant = tenant_of(activity)
        if tenant not in allowed_tenants:
            logger.info("request refused: tenant not allowed id=%s", short(body.get("id")))
            raise web.HTTPForbidden()
        inbound = to_inbound(activity)
        claimed = await _claim(activities, clock, tenant, activity) if bot.recorded(inbound) else None
        if claimed is False:
            logger.info("repeat of activity id=%s type=%s: not run again", short(activity.id), short(activity.type))
            return web.Response(status=201)
        answer: InvokeAnswer | None = None

        async def turn(context: TurnContext) -> None:
            nonlocal answer
            answer = await bot.on_turn(context, body, inbound)

        try:
            invoke_response = await adapter.process_activity(authenticated, activity, turn)
        except BaseException:
            if claimed:
                await _release(activities, tenant, activity)
            raise
        if claimed:
            completions.mark(tenant, activity.id)  # type: ignore[union-attr,arg-type]
        if answer is not None:
            return web.Response(body=orjson.dumps(answer.body), status=answer.status, content_type="application/json")
        if invoke_response is None:
            return web.Response(status=201)
        return web.json_response(_plain(invoke_response.body), status=invoke_response.status)

    return messages


async def _claim(activities: ActivityLog | None, clock: Clock | None, tenant: str, activity: Activity) -> bool | None:
    """True: first delivery, recorded; False: a repeat; None: not recorded (not in RECORDED, no id, or
    the database could not say: then the turn runs, and meets the database itself)."""
    if activities is None or clock is None or activity.type not in RECORDED or not activity.id:
        return None
    try:
        return await activities.claim(tenant, activity.id, clock.now())
    except Exception as exc:
        logger.warning("activity id=%s could not be recorded: %s", short(activity.id), type(exc).__name__)
        return None


async def _release(activities: ActivityLog | None, tenant: str, activity: Activity) -> None:
    try:
        await activities.release(tenant, activity.id)  # type: ignore[union-attr]
    except Exception as exc:
        logger.warning("activity id=%s could not be released: %s", short(activity.id), type(exc).__name__)


_MODELS = Activity._infer_class_models()
_DESERIALIZE = Deserializer(_MODELS)
_FREE_FORM = {"value": "value", "channelData": "channel_data"}
"""Fields msrest types as `object`: it copies them key by key, which for a card action's inputs was
the largest part of reading an activity. Taken as parsed from JSON instead (what msrest gives too)."""


def parse_activity(body: dict[str, Any]) -> Activity:
    """`Activity().deserialize(body)`, faster: the models built straight from their attribute maps
    (`_read_model`: msrest's general machinery took about 0.3 ms an activity, a tenth of a survey
    save), and the free-form fields taken as they are. Anything but plain JSON types in their
    declared type goes through msrest's own deserialiser (tests/bot/test_parse_activity.py compares
    the two on every kind of activity the bot receives)."""
    activity = _read_model(Activity, {k: v for k, v in body.items() if k not in _FREE_FORM})
    for key, attribute in _FREE_FORM.items():
        setattr(activity, attribute, body.get(key))
    return activity


_PLAIN = {"str": str, "bool": bool}
_LAYOUTS: dict[type, tuple[tuple[tuple[str, str, str], ...], frozenset[str], tuple[str, ...], frozenset[str]]] = {}


def _layout(cls: type) -> tuple[tuple[tuple[str, str, str], ...], frozenset[str], tuple[str, ...], frozenset[str]]:
    """(attribute, JSON key, type) of a model, its JSON keys, its read-only attributes, and those
    not given to its constructor (msrest's `_instantiate_model`)."""
    layout = _LAYOUTS.get(cls)
    if layout is None:
        fields = tuple((attribute, desc["key"], desc["type"]) for attribute, desc in cls._attribute_map.items()
                       if not (attribute == "additional_properties" and desc["key"] == ""))
        validation = getattr(cls, "_validation", {})
        readonly = tuple(k for k, v in validation.items() if v.get("readonly"))
        skipped = frozenset(readonly) | {k for k, v in validation.items() if v.get("constant")} | set(
            getattr(cls, "_subtype_map", {}))
        assert all("." not in key for _, key, _ in fields)  # no flattened keys in botbuilder's schema
        layout = _LAYOUTS[cls] = (fields, frozenset(key for _, key, _ in fields if key), readonly, skipped)
    return layout


def _read_model(cls: type, data: dict[str, Any]) -> Any:
    fields, keys, readonly, skipped = _layout(cls)
    values = {attribute: _read(data.get(key), type_) for attribute, key, type_ in fields}
    model = cls(**{k: v for k, v in values.items() if k not in skipped})
    for attribute in readonly:
        setattr(model, attribute, values.get(attribute))
    extra = {key: data[key] for key in data.keys() - keys}
    if extra and cls._attribute_map.get("additional_properties", {}).get("key", "") == "":
        model.additional_properties = extra
    return model


_ISO_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)", re.ASCII)
"""A timestamp as Teams sends one (`timestamp`, `localTimestamp`: at most microseconds, with its
offset): read by `datetime.fromisoformat`, the same instant msrest's isodate parse gives, in a tenth
of its time. Anything else (7 fractional digits, no offset, years at the ends of the range that
msrest refuses after converting to UTC) goes through msrest."""


def _read(value: Any, type_: str) -> Any:
    if value is None:
        return None
    plain = _PLAIN.get(type_)
    if plain is not None and type(value) is plain:
        return value
    if type_ == "iso-8601" and type(value) is str and _ISO_TIMESTAMP.fullmatch(value) and "0001" < value[:4] < "9999":
        return datetime.fromisoformat(value)
    if type_ == "object" and isinstance(value, (str, int, float, bool)):
        return value
    if type_[0] == "[" and isinstance(value, list):
        inner = type_[1:-1]
        return [_read(item, inner) for item in value]
    model = _MODELS.get(type_)
    if model is not None and isinstance(value, dict) and not getattr(model, "_subtype_map", None):
        return _read_model(model, value)
    return _DESERIALIZE.deserialize_data(value, type_)  # dates, numbers, free-form dicts: msrest's way


def _plain(body: Any) -> Any:
    """An invoke response body as JSON-ready data, whether the handler gave a dict or an SDK model."""
    if isinstance(body, Model):
        return body.serialize()
    return body
