"""What arrived from Teams, as plain data.

The transport (bot/transport/activity.py) reads every activity into an `Inbound` once, with Teams'
knowledge applied (the tenant from channelData, the channel a thread is in, the message's HTML as
clean text, whether the bot is @mentioned), so that nothing past the transport sees an SDK type.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    MESSAGE = "message"
    CARD_ACTION = "card action"
    """An Adaptive Card's Action.Execute (an invoke), or an older client's message carrying a card's data."""
    FILE_CONSENT = "file consent"
    """A FileConsentCard answered (an invoke)."""
    CONVERSATION_UPDATE = "conversation update"
    MESSAGE_CHANGE = "message change"
    """A channel message edited, deleted or brought back (messageUpdate, messageDelete)."""
    REACTION = "reaction"
    OTHER_INVOKE = "other invoke"
    OTHER = "other"


class Event(StrEnum):
    """Activities that are not commands or card actions, and the routes that handle them."""

    PERSONAL_INSTALL = "the bot added to a 1:1 chat"
    TEAM_UPDATE = "a team's update (installation, channels)"
    CHANNEL_MESSAGE = "a channel message that is not a command"
    MESSAGE_CHANGE = "a channel message edited or deleted"
    REACTION = "a reaction to a channel message"


@dataclass(frozen=True)
class Account:
    id: str | None
    name: str | None = None
    aad_object_id: str | None = None


@dataclass(frozen=True)
class Conversation:
    id: str
    type: str
    """"personal", "channel" or "groupChat" (Teams' conversationType; none given: personal)."""
    tenant_id: str | None
    service_url: str
    team_id: str | None = None
    """channelData.team.id: set in a team's channels (Teams may leave it out of RSC deliveries)."""
    team_name: str | None = None
    team_aad_group_id: str | None = None
    channel_id: str | None = None
    """The channel a team activity is in: channelData.channel.id, else the conversation's id without
    its ";messageid=…" thread part."""
    thread_root: str | None = None
    """The root post of the thread a channel message is in; None for a top-level post."""

    @property
    def personal(self) -> bool:
        return self.type == "personal"

    @property
    def channel(self) -> bool:
        return self.type == "channel"


@dataclass(frozen=True)
class Inbound:
    kind: Kind
    id: str | None
    conversation: Conversation
    sender: Account
    bot: Account
    from_bot: bool = False
    """Sent by the bot itself (its own posts come back to it in a channel)."""
    command: str = ""
    """A message's text as a command is matched (the router normalises case and spaces): Teams'
    HTML removed; in 1:1 chat or when the bot is @mentioned every mention removed, otherwise only
    the bot's (so that "@Matti tila" is not a command)."""
    text: str = ""
    """A channel message's text as a note keeps it: clean, the bot's mention removed, other
    mentions kept as names (from the message's HTML when Teams gives it)."""
    mentions_bot: bool = False
    data: dict[str, Any] | None = None
    """A card action's data (with its verb), or a file consent's context with Teams' answer."""
    reply_to_id: str | None = None
    event_type: str | None = None
    """Teams' channelData.eventType (teamRenamed, channelCreated, editMessage, …)."""
    event_channel: tuple[str, str | None] | None = None
    """channelData.channel as Teams gives it (id, name): the channel a channel event is about."""
    deleted: bool = False
    """A messageDelete."""
    members_added: tuple[str, ...] = ()
    members_removed: tuple[str, ...] = ()
    reactions_added: tuple[str, ...] = ()
    reactions_removed: tuple[str, ...] = ()
    locale: str | None = None
    """The Teams client's locale ("fi-FI", "sv-FI", "en-US"): a person's language unless they chose one."""

    @property
    def tenant_id(self) -> str | None:
        return self.conversation.tenant_id

    @property
    def bot_added(self) -> bool:
        return self.bot.id is not None and self.bot.id in self.members_added

    @property
    def bot_removed(self) -> bool:
        return self.bot.id is not None and self.bot.id in self.members_removed
