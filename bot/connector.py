"""What the bot may ask of Teams, as the transport (bot/transport/) offers it: a reply (`Reply`),
more messages, posts, look-ups; and how a send fails.

A turn's `Connector` writes into the conversation the activity came from, posts into a team's
channels and asks the Bot Connector about the team and its members; `Proactive` reaches people and
the board's channel outside any turn (reminders). Both are Protocols: the features and services
depend on these, and only the transport knows the SDK that carries them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from hyte.jobs import Delivery
from hyte.round import Representative, TeamMember
from hyte.teams import Channel


@dataclass(frozen=True)
class Reply:
    """A card, or a text, or files offered (Teams attachments, with a text or not); nothing at all
    when every field is empty. A card action's reply replaces the card it came from."""

    card: dict[str, Any] | None = None
    text: str | None = None
    attachments: tuple[dict[str, Any], ...] = ()

    @property
    def empty(self) -> bool:
        return self.card is None and not self.text and not self.attachments


class SendError(Exception):
    """One failed call: its HTTP status (None: no answer), reason and Retry-After."""

    def __init__(self, status: int | None, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.retry_after = retry_after


class SendFailed(Exception):
    """A call that failed for good: not retryable, out of retries, or asked to wait too long."""

    def __init__(self, error: SendError, retries: int) -> None:
        super().__init__(f"{error.reason} after {retries} retries")
        self.error = error
        self.retries = retries


class TokenUnavailable(SendFailed):
    """No Authorization header for the bot could be had from Entra ID in time (unreachable, slow, or
    refusing). A SendFailed with no HTTP status, so that every caller that handles a failed send
    handles this too; a reply in a turn is queued instead (bot/transport/replies.py, queued.py)."""

    def __init__(self, reason: str) -> None:
        super().__init__(SendError(None, f"no_token ({reason})"), 0)


@dataclass(frozen=True)
class Member:
    """A member of a conversation or team as the Bot Connector knows them."""

    id: str
    aad_object_id: str | None
    upn: str | None
    email: str | None = None
    name: str | None = None


class Connector(Protocol):
    """The turn's way to Teams: bound to the activity's conversation and the bot's credentials."""

    async def say(self, reply: Reply) -> None:
        """A new message in the turn's conversation (a reply to the activity). Raises SendFailed
        when the connector refuses for good; without a token from Entra ID it is queued instead."""
        ...

    async def post(self, service_url: str, tenant_id: str, channel_id: str, card: dict[str, Any]) -> str:
        """A new top-level post in a channel; its message id. Raises SendFailed (TokenUnavailable
        too: a post whose id is needed cannot be queued)."""
        ...

    async def update_post(self, service_url: str, tenant_id: str, channel_id: str, message_id: str,
                          card: dict[str, Any]) -> None:
        """Replace a top-level post the bot made in a channel (a card kept up to date in place).
        Raises SendFailed (TokenUnavailable too)."""
        ...

    async def team_channels(self, team_id: str) -> list[Channel]:
        """The team's channels (General has the team's id and no name); on a failure, General only."""
        ...

    async def member(self, member_id: str) -> Member | None:
        """The conversation's member with this Teams user id; None when the connector does not
        know them. Raises TokenUnavailable when no token can be had."""
        ...

    def reference(self) -> dict[str, Any]:
        """The conversation reference to this conversation, as kept for proactive messages."""
        ...

    def channel_reference(self, channel_id: str) -> dict[str, Any]:
        """A conversation reference to a channel of this turn's team, as kept for proactive messages."""
        ...


class Roster(Protocol):
    """The board team's members, fetched once per use (a scheduler run)."""


class Proactive(Protocol):
    """Messages outside a turn: a person's 1:1 chat (found or created), the board's channel."""

    def roster(self) -> Roster: ...

    async def to_channel(self, tenant_id: str, card: dict[str, Any]) -> Delivery: ...

    async def to_person(
        self, tenant_id: str, person: Representative | TeamMember, card: dict[str, Any], roster: Roster,
        now: datetime,
    ) -> Delivery: ...
