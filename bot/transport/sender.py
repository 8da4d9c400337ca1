"""Proactive messages (reminders, announcements, cards sent outside a turn).

A person is reached through their stored 1:1 conversation reference.
Without one (or when Teams no longer knows that conversation), the person is looked up in the
board team's roster (`GET /v3/conversations/{teamId}/pagedmembers`; the bot is installed there) and
the 1:1 conversation is created with the connector (`POST /v3/conversations`, the member's Teams
user id, the tenant given, `isGroup: false`); what was learnt is stored (the reference, and a
UPN-only person's Entra id). The board channel is reached through the board team's General channel.

Every connector call goes through the bot's one `Outbound` (bot/transport/outbound.py: rate
limits, retries of 429, 412, 502 and 504 honouring Retry-After). A failure is returned as a
`Delivery` (hyte/jobs.py) with its typed reason and the connector's words, never swallowed; no
token from Entra ID (TokenUnavailable) is a passing failure (RETRY). The credentials are those
botbuilder makes for the bot's app identity and the service URL (the cached connector client of
bot/transport/connectors.py).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import ChannelAccount, ConversationAccount, ConversationParameters, ConversationReference

from bot.connector import Member, SendError, SendFailed
from bot.transport.outbound import RETRYABLE, Outbound, send_error
from bot.transport.replies import addressed, card_message
from hyte.jobs import Delivery, DeliveryOutcome, FailureReason
from hyte.round import Representative, TeamMember
from hyte.teams import Team

logger = logging.getLogger(__name__)

TEAMS_CHANNEL = "msteams"
ROSTER_PAGE = 500


def is_(member: Member, person: Representative | TeamMember, aad_object_id: str | None) -> bool:
    """Whether a team member is this configured person: by Entra object id, else by UPN (or e-mail)."""
    aad = (aad_object_id or person.aad_object_id or "").lower()
    if aad and member.aad_object_id and member.aad_object_id.lower() == aad:
        return True
    upn = (person.upn or "").lower()
    return bool(upn) and upn in {(member.upn or "").lower(), (member.email or "").lower()}


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
        return next((m for m in self._members[team.team_id] if is_(m, person, aad_object_id)), None)


# The sender ---------------------------------------------------------------------------------------


class Sender:
    def __init__(self, adapter: Any, *, app_id: str, outbound: Outbound, conversations: Any, teams: Any,
                 people: Any) -> None:
        self._adapter = adapter
        self._app_id = app_id
        self.outbound = outbound
        self._conversations = conversations
        self._teams = teams
        self._people = people

    @property
    def _bot(self) -> ChannelAccount | None:
        return ChannelAccount(id=f"28:{self._app_id}") if self._app_id else None

    def roster(self) -> Roster:
        return Roster(self)

    # Targets ---------------------------------------------------------------------------------------

    async def to_channel(self, tenant_id: str, card: dict[str, Any]) -> Delivery:
        """A new post in the board team's General channel."""
        team = await self._teams.board_team(tenant_id)
        if team is None:
            return Delivery(DeliveryOutcome.RETRY, "no_board_team", failure=FailureReason.NO_BOARD_TEAM)
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
                if not (delivery.outcome is DeliveryOutcome.FAILED and delivery.status == 404):
                    return delivery
                logger.info("stored conversation unknown to Teams, creating a new one: tenant=%s", tenant_id)
        team = await self._teams.board_team(tenant_id)
        if team is None:
            return Delivery(DeliveryOutcome.RETRY, "no_board_team", failure=FailureReason.NO_BOARD_TEAM)
        try:
            member = await roster.find(team, person, aad)
        except SendError as error:
            return self._failure(error, 0)
        if member is None:
            return Delivery(DeliveryOutcome.UNREACHABLE, "not_in_team", failure=FailureReason.NOT_IN_TEAM)
        if member.aad_object_id and not person.aad_object_id:
            await self._conversations.remember_person(tenant_id, member.aad_object_id, person.upn, member.name, now)
        try:
            reference, retries = await self._create_personal(tenant_id, team, member)
        except SendFailed as failed:
            return self._failure(failed.error, failed.retries)
        await self._conversations.remember(
            tenant_id, reference.conversation.id, "personal", team.service_url, reference.serialize(),
            member.aad_object_id or aad, now,
        )
        delivery = await self._deliver(tenant_id, reference, card)
        return replace(delivery, retries=delivery.retries + retries)

    # Connector calls -------------------------------------------------------------------------------

    async def _deliver(self, tenant_id: str, reference: ConversationReference, card: dict[str, Any]) -> Delivery:
        """A new message (not a reply) in the reference's conversation."""
        conversation_id = reference.conversation.id
        activity = addressed(
            card_message(card), channel_id=reference.channel_id, service_url=reference.service_url,
            conversation=reference.conversation.serialize(), bot=reference.bot.serialize() if reference.bot else None,
            person=reference.user.serialize() if reference.user else None, locale=reference.locale,
        )
        try:
            client = await self._connector(reference.service_url)
            activity_id, retries = await self.outbound.post_activity(
                tenant_id, reference.service_url, conversation_id, activity, client.config.credentials, background=True,
            )
        except SendFailed as failed:
            return self._failure(failed.error, failed.retries)
        except Exception as exc:  # noqa: BLE001 - a connector client that could not even be built
            return self._failure(send_error(exc), 0)
        return Delivery(DeliveryOutcome.SENT, conversation_id=conversation_id, activity_id=activity_id, retries=retries)

    async def _create_personal(self, tenant_id: str, team: Team, member: Member) -> tuple[ConversationReference, int]:
        await self._connector(team.service_url)  # the token, before botbuilder's msrest client signs on the loop
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
            except Exception as exc:  # noqa: BLE001 - classified by send_error
                raise send_error(exc) from exc
            if not created.get("id"):
                raise SendError(None, "no_conversation_id")
            return created["id"]

        conversation_id, retries = await self.outbound.with_retries(tenant_id, None, create, background=True)
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
                except Exception as exc:  # noqa: BLE001 - classified by send_error
                    raise send_error(exc) from exc

            try:
                result, _ = await self.outbound.with_retries(team.tenant_id, None, page, background=True)
            except SendFailed as failed:
                raise failed.error from None
            for account in result.members or []:
                members.append(Member(account.id, getattr(account, "aad_object_id", None),
                                      getattr(account, "user_principal_name", None), getattr(account, "email", None),
                                      getattr(account, "name", None)))
            token = result.continuation_token
            if not token:
                return members

    async def _connector(self, service_url: str):
        """The bot's connector client for the service URL, with its token at hand (msrest signs its
        requests on the loop); TokenUnavailable when Entra ID gives none in time."""
        authentication = self._adapter.bot_framework_authentication
        factory = authentication.create_connector_factory(self._adapter.create_claims_identity(self._app_id))
        client = await factory.create(service_url, None)
        await self.outbound.authorizations.header(client.config.credentials)
        return client

    async def credentials(self, service_url: str) -> Any:
        """The bot's credentials for the service URL (those of a turn there), for bot/transport/queued.py."""
        authentication = self._adapter.bot_framework_authentication
        factory = authentication.create_connector_factory(self._adapter.create_claims_identity(self._app_id))
        return (await factory.create(service_url, None)).config.credentials

    @staticmethod
    def _failure(error: SendError, retries: int) -> Delivery:
        status = error.status
        if status == 403:
            return Delivery(DeliveryOutcome.UNREACHABLE, f"blocked: {error.reason}", status, retries=retries,
                            failure=FailureReason.BLOCKED)
        if status is None or status in RETRYABLE or status >= 500:
            return Delivery(DeliveryOutcome.RETRY, error.reason, status, retries=retries,
                            retry_after=error.retry_after, failure=FailureReason.UNAVAILABLE)
        return Delivery(DeliveryOutcome.FAILED, error.reason, status, retries=retries, failure=FailureReason.REFUSED)


class _ConversationParameters(ConversationParameters):
    """botbuilder-schema 4.17 serialises `tenant_id` as "tenantID"; Teams documents "tenantId"."""

    _attribute_map = {**ConversationParameters._attribute_map, "tenant_id": {"key": "tenantId", "type": "str"}}
