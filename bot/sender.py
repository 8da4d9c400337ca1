"""The one sender of proactive messages (reminders, announcements, cards sent outside a turn).

A person is reached through their stored 1:1 conversation reference (`continue_conversation`).
Without one (or when Teams no longer knows that conversation), the person is looked up in the
board team's roster (`GET /v3/conversations/{teamId}/pagedmembers`; the bot is installed there) and
the 1:1 conversation is created with the connector (`POST /v3/conversations`, the member's Teams
user id, the tenant given, `isGroup: false`); what was learnt is stored (the reference, and a
UPN-only person's Entra id). The board channel is reached through the board team's General channel.

Every outgoing call waits for the shared `RateLimiter` (Teams' limits: per conversation 7 per
second and 60 per 30 seconds; per app and tenant about 50 per second) and is retried on 429, 412,
502 and 504 with exponential backoff and jitter, honouring Retry-After. msrest does not retry these
POSTs itself (urllib3 2 never retries a POST), so these are the only retries. A failure is returned
with its reason, never swallowed: botbuilder's `continue_conversation` returns normally when the
send inside its callback failed, so the callback keeps the send's result or exception.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Awaitable, Callable, TypeVar

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationParameters, ConversationReference

from hyte.round import Representative, TeamMember
from hyte.teams import Team

logger = logging.getLogger(__name__)

RETRYABLE = frozenset({412, 429, 502, 504})
"""Retried at once (after the backoff) by the sender."""
TEAMS_CHANNEL = "msteams"
ROSTER_PAGE = 500

T = TypeVar("T")


# Rate limiting ------------------------------------------------------------------------------------


class RateLimiter:
    """Sliding-window limits shared by every outgoing call of this process: per conversation
    (7 per 1 s and 60 per 30 s by default) and per app and tenant (`tenant_per_second`).
    `acquire` waits until a call fits every window, then counts it. Each window is `guard`
    seconds longer than Teams' own, so that the jitter between our clock and the moment a request
    reaches Teams cannot push one of Teams' windows over its limit."""

    def __init__(
        self, *, tenant_per_second: float = 50, per_conversation: tuple[tuple[int, float], ...] = ((7, 1.0), (60, 30.0)),
        guard: float = 0.05, monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.tenant_per_second = tenant_per_second
        self._tenant_windows = ((max(1, int(tenant_per_second)), 1.0 + guard),)
        self._conversation_windows = tuple((limit, period + guard) for limit, period in per_conversation)
        self._monotonic = monotonic
        self._sleep = sleep
        self._calls: dict[tuple[str, str], deque[float]] = {}
        self.waited = 0.0

    async def acquire(self, tenant_id: str, conversation_id: str | None) -> float:
        keys = [(("tenant", tenant_id), self._tenant_windows)]
        if conversation_id:
            keys.append((("conversation", conversation_id), self._conversation_windows))
        waited = 0.0
        while True:
            now = self._monotonic()
            wait = max(self._wait(key, windows, now) for key, windows in keys)
            if wait <= 0:
                for key, _ in keys:
                    self._calls.setdefault(key, deque()).append(now)
                self.waited += waited
                return waited
            await self._sleep(wait)
            waited += wait

    def _wait(self, key: tuple[str, str], windows: tuple[tuple[int, float], ...], now: float) -> float:
        calls = self._calls.get(key)
        if not calls:
            return 0.0
        keep = max(period for _, period in windows)
        while calls and calls[0] <= now - keep:
            calls.popleft()
        if not calls:
            del self._calls[key]
            return 0.0
        wait = 0.0
        stamps = list(calls)
        for limit, period in windows:
            recent = len(stamps) - bisect_right(stamps, now - period)
            if recent >= limit:
                wait = max(wait, stamps[len(stamps) - limit] + period - now)
        return wait


# Results ------------------------------------------------------------------------------------------


class Outcome(StrEnum):
    SENT = "sent"
    UNREACHABLE = "unreachable"
    """Not in the board's team, or has blocked the bot (403): do not try this person again."""
    RETRY = "retry"
    """A passing failure (throttled beyond the retries, 5xx, no board team yet): try again later."""
    FAILED = "failed"
    """A failure no retry can fix (400, 401, …)."""


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    reason: str | None = None
    conversation_id: str | None = None
    activity_id: str | None = None
    retries: int = 0
    retry_after: float | None = None
    """Seconds Teams asked to wait, when it asked for longer than the sender waits."""


class SendError(Exception):
    def __init__(self, status: int | None, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.retry_after = retry_after

    @classmethod
    def of(cls, exc: BaseException) -> SendError:
        """The status, error code and Retry-After of a connector call's exception."""
        if isinstance(exc, SendError):
            return exc
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None) or getattr(response, "status", None)
        code = getattr(getattr(getattr(exc, "error", None), "error", None), "code", None)
        retry_after = None
        headers = getattr(response, "headers", None)
        if headers is not None:
            retry_after = _retry_after(headers.get("Retry-After"))
        if status is None:
            return cls(None, f"{type(exc).__name__}")
        return cls(int(status), f"{status} {code or ''}".strip(), retry_after)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


@dataclass
class SenderStats:
    calls: int = 0
    """HTTP calls made (sends, creations, roster pages), retries included."""
    retries: int = 0
    throttled: int = 0
    """429 answers."""
    retry_wait: float = 0.0
    """Seconds waited before retries."""
    by_status: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Member:
    id: str
    aad_object_id: str | None
    upn: str | None
    email: str | None
    name: str | None

    def is_(self, person: Representative | TeamMember, aad_object_id: str | None) -> bool:
        aad = (aad_object_id or person.aad_object_id or "").lower()
        if aad and self.aad_object_id and self.aad_object_id.lower() == aad:
            return True
        upn = (person.upn or "").lower()
        return bool(upn) and upn in {(self.upn or "").lower(), (self.email or "").lower()}


class Roster:
    """The board team's members, fetched once per scheduler run, page by page."""

    def __init__(self, sender: Sender) -> None:
        self._sender = sender
        self._members: dict[str, list[Member]] = {}
        self._lock = asyncio.Lock()

    async def find(self, team: Team, person: Representative | TeamMember, aad_object_id: str | None) -> Member | None:
        async with self._lock:
            if team.team_id not in self._members:
                self._members[team.team_id] = await self._sender.team_members(team)
        return next((m for m in self._members[team.team_id] if m.is_(person, aad_object_id)), None)


# The sender ---------------------------------------------------------------------------------------


class Sender:
    def __init__(
        self, adapter: Any, *, app_id: str, limiter: RateLimiter, conversations: Any, teams: Any, people: Any,
        backoff_base: float = 1.0, max_retries: int = 5, max_wait: float = 60.0,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep, rand: Callable[[], float] = random.random,
    ) -> None:
        self._adapter = adapter
        self._app_id = app_id
        self.limiter = limiter
        self._conversations = conversations
        self._teams = teams
        self._people = people
        self.backoff_base = backoff_base
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.sleep = sleep
        self._rand = rand
        self.stats = SenderStats()

    @property
    def _bot(self) -> ChannelAccount | None:
        return ChannelAccount(id=f"28:{self._app_id}") if self._app_id else None

    def roster(self) -> Roster:
        return Roster(self)

    # Targets ---------------------------------------------------------------------------------------

    async def to_reference(self, tenant_id: str, reference: dict[str, Any] | ConversationReference,
                           card: dict[str, Any]) -> Delivery:
        """A new message in a conversation the bot has a reference to (as stored from a turn)."""
        if isinstance(reference, dict):
            reference = ConversationReference().deserialize(reference)
        return await self._deliver(tenant_id, reference, card)

    async def to_channel(self, tenant_id: str, card: dict[str, Any]) -> Delivery:
        """A new post in the board team's General channel."""
        team = await self._teams.board_team(tenant_id)
        if team is None:
            return Delivery(Outcome.RETRY, "no_board_team")
        reference = ConversationReference(
            channel_id=TEAMS_CHANNEL, service_url=team.service_url, bot=self._bot,
            conversation=ConversationAccount(id=team.general_channel_id, conversation_type="channel", is_group=True,
                                             tenant_id=tenant_id),
        )
        return await self._deliver(tenant_id, reference, card)

    async def to_person(
        self, tenant_id: str, person: Representative | TeamMember, card: dict[str, Any], roster: Roster, now: datetime,
    ) -> Delivery:
        """A 1:1 message: through the stored conversation, or one created through the board team."""
        aad = person.aad_object_id
        if aad is None and person.upn:
            aad = await self._people.aad_for_upn(tenant_id, person.upn)
        if aad:
            stored = await self._conversations.personal(tenant_id, aad)
            if stored is not None:
                delivery = await self._deliver(tenant_id, ConversationReference().deserialize(stored), card)
                if not (delivery.outcome is Outcome.FAILED and (delivery.reason or "").startswith("404")):
                    return delivery
                logger.info("stored conversation unknown to Teams, creating a new one: tenant=%s", tenant_id)
        team = await self._teams.board_team(tenant_id)
        if team is None:
            return Delivery(Outcome.RETRY, "no_board_team")
        try:
            member = await roster.find(team, person, aad)
        except SendError as error:
            return self._failure(error, 0)
        if member is None:
            return Delivery(Outcome.UNREACHABLE, "not_in_team")
        if member.aad_object_id and not person.aad_object_id:
            await self._conversations.remember_person(tenant_id, member.aad_object_id, person.upn, member.name, now)
        try:
            reference, retries = await self._create_personal(tenant_id, team, member)
        except _GaveUp as gave_up:
            return self._failure(gave_up.error, gave_up.retries)
        await self._conversations.remember(
            tenant_id, reference.conversation.id, "personal", team.service_url, reference.serialize(),
            member.aad_object_id or aad, now,
        )
        delivery = await self._deliver(tenant_id, reference, card)
        return Delivery(delivery.outcome, delivery.reason, delivery.conversation_id, delivery.activity_id,
                        delivery.retries + retries, delivery.retry_after)

    # Connector calls -------------------------------------------------------------------------------

    async def _deliver(self, tenant_id: str, reference: ConversationReference, card: dict[str, Any]) -> Delivery:
        conversation_id = reference.conversation.id
        try:
            activity_id, retries = await self._with_retries(
                tenant_id, conversation_id, lambda: self._post(reference, card)
            )
        except _GaveUp as gave_up:
            return self._failure(gave_up.error, gave_up.retries)
        return Delivery(Outcome.SENT, None, conversation_id, activity_id, retries)

    async def _post(self, reference: ConversationReference, card: dict[str, Any]) -> str | None:
        """One send through `continue_conversation`; its result or exception is kept by the callback."""
        result: dict[str, Any] = {}

        async def send(context: TurnContext) -> None:
            activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
            TurnContext.apply_conversation_reference(activity, reference)
            activity.reply_to_id = None  # a new message, not a reply to the continuation activity
            try:
                client = context.turn_state[context.adapter.BOT_CONNECTOR_CLIENT_KEY]
                response = await client.conversations.send_to_conversation(reference.conversation.id, activity)
                result["id"] = getattr(response, "id", None)
            except Exception as exc:  # noqa: BLE001 - classified by SendError.of below
                result["error"] = exc

        try:
            await self._adapter.continue_conversation(reference, send, self._app_id)
        except Exception as exc:  # noqa: BLE001 - a connector that could not even be built
            raise SendError.of(exc) from exc
        if "error" in result:
            raise SendError.of(result["error"])
        if "id" not in result:
            raise SendError(None, "callback_not_run")
        return result["id"]

    async def _create_personal(self, tenant_id: str, team: Team, member: Member) -> tuple[ConversationReference, int]:
        parameters = _ConversationParameters(
            is_group=False, bot=self._bot, members=[ChannelAccount(id=member.id)], tenant_id=tenant_id,
            channel_data={"tenant": {"id": tenant_id}},
        )
        created: dict[str, Any] = {}

        async def keep(context: TurnContext) -> None:
            created["id"] = context.activity.conversation.id

        async def create() -> str:
            created.clear()
            try:
                await self._adapter.create_conversation(self._app_id, keep, parameters, TEAMS_CHANNEL, team.service_url)
            except Exception as exc:  # noqa: BLE001 - classified by SendError.of
                raise SendError.of(exc) from exc
            if not created.get("id"):
                raise SendError(None, "no_conversation_id")
            return created["id"]

        conversation_id, retries = await self._with_retries(tenant_id, None, create)
        reference = ConversationReference(
            channel_id=TEAMS_CHANNEL, service_url=team.service_url, bot=self._bot,
            user=ChannelAccount(id=member.id, name=member.name, aad_object_id=member.aad_object_id),
            conversation=ConversationAccount(id=conversation_id, conversation_type="personal", tenant_id=tenant_id),
        )
        return reference, retries

    async def team_members(self, team: Team) -> list[Member]:
        """Every member of a team, page by page (raises SendError when Teams keeps refusing)."""
        members: list[Member] = []
        token: str | None = None
        while True:
            async def page(token=token):
                client = await self._connector(team.service_url)
                try:
                    return await client.conversations.get_teams_conversation_paged_members(
                        team.team_id, page_size=ROSTER_PAGE, continuation_token=token
                    )
                except Exception as exc:  # noqa: BLE001 - classified by SendError.of
                    raise SendError.of(exc) from exc

            try:
                result, _ = await self._with_retries(team.tenant_id, None, page)
            except _GaveUp as gave_up:
                raise gave_up.error from None
            for account in result.members or []:
                members.append(Member(account.id, getattr(account, "aad_object_id", None),
                                      getattr(account, "user_principal_name", None), getattr(account, "email", None),
                                      getattr(account, "name", None)))
            token = result.continuation_token
            if not token:
                return members

    async def _connector(self, service_url: str):
        authentication = self._adapter.bot_framework_authentication
        factory = authentication.create_connector_factory(self._adapter.create_claims_identity(self._app_id))
        return await factory.create(service_url, None)

    async def _with_retries(self, tenant_id: str, conversation_id: str | None, call: Callable[[], Awaitable[T]]) -> tuple[T, int]:
        retries = 0
        while True:
            await self.limiter.acquire(tenant_id, conversation_id)
            self.stats.calls += 1
            try:
                return await call(), retries
            except SendError as error:
                if error.status is not None:
                    self.stats.by_status[error.status] = self.stats.by_status.get(error.status, 0) + 1
                if error.status == 429:
                    self.stats.throttled += 1
                if error.status not in RETRYABLE or retries >= self.max_retries:
                    raise _GaveUp(error, retries) from None
                wait = self._backoff(retries, error.retry_after)
                if wait > self.max_wait:
                    raise _GaveUp(SendError(error.status, error.reason, wait), retries) from None
                retries += 1
                self.stats.retries += 1
                self.stats.retry_wait += wait
                logger.info("send retry: status=%s attempt=%d wait=%.2f", error.status, retries, wait)
                await self.sleep(wait)

    def _backoff(self, retries: int, retry_after: float | None) -> float:
        """Retry-After when Teams gives one (plus a little jitter, so that waiting senders do not
        return together); otherwise exponential: base·2ⁿ, half of it random ("equal jitter")."""
        if retry_after is not None:
            return retry_after + self._rand() * self.backoff_base * 0.1
        step = self.backoff_base * 2 ** retries
        return step / 2 + self._rand() * step / 2

    @staticmethod
    def _failure(error: SendError, retries: int) -> Delivery:
        status = error.status
        if status == 403:
            return Delivery(Outcome.UNREACHABLE, f"blocked: {error.reason}", retries=retries)
        if status is None or status in RETRYABLE or status >= 500:
            return Delivery(Outcome.RETRY, error.reason, retries=retries, retry_after=error.retry_after)
        return Delivery(Outcome.FAILED, error.reason, retries=retries)


class _GaveUp(Exception):
    def __init__(self, error: SendError, retries: int) -> None:
        super().__init__(error.reason)
        self.error = error
        self.retries = retries


class _ConversationParameters(ConversationParameters):
    """botbuilder-schema 4.17 serialises `tenant_id` as "tenantID"; Teams documents "tenantId"."""

    _attribute_map = {**ConversationParameters._attribute_map, "tenant_id": {"key": "tenantId", "type": "str"}}
