"""A Teams user talking to the bot: types commands, presses card buttons, reads what came back.

Pressing a button works as Teams does it: the action's data merged with the card's input values
(as the card shows them, overridden by what the test "types"), sent as an adaptiveCard/action
invoke; the invoke's answer is the card that replaces the pressed one.
"""

from __future__ import annotations

from typing import Any

from cards.elements import walk
from loopback.connector import ConnectorStandIn
from loopback.http import BotClient
from loopback.teams import TeamsEnv, TeamsUser, card_action, conversation_id_for, personal_install, personal_message

CARD = "application/vnd.microsoft.card.adaptive"


def block_text(element: dict[str, Any]) -> str | None:
    """What a TextBlock or RichTextBlock shows, as one string (a RichTextBlock's runs joined)."""
    if element.get("type") == "TextBlock":
        return element["text"]
    if element.get("type") == "RichTextBlock":
        return "".join(run["text"] if isinstance(run, dict) else run for run in element["inlines"])
    return None


def shown_texts(card: dict[str, Any]) -> list[str]:
    """Every TextBlock's and RichTextBlock's text of a card, in order (fallbacks included)."""
    return [text for element in walk(card) if (text := block_text(element)) is not None]


def texts(card: dict) -> str:
    """All TextBlock and RichTextBlock texts of a card, one per line."""
    return "\n".join(shown_texts(card))


def plain(text: str) -> str:
    """A catalogue text as a RichTextBlock shows it: its `**bold**` is a bold run, not asterisks."""
    return text.replace("**", "")


def only_card(replies: list[dict]) -> dict:
    """The one card of a one-message answer."""
    assert len(replies) == 1, replies
    (attachment,) = replies[0]["attachments"]
    assert attachment["contentType"] == CARD
    return attachment["content"]


def inputs(card: dict) -> dict[str, Any]:
    return {e["id"]: e.get("value") for e in walk(card) if str(e.get("type", "")).startswith("Input.")}


def actions(card: dict) -> dict[str, dict]:
    return {e["title"]: e for e in walk(card) if e.get("type") == "Action.Execute"}


class Person:
    def __init__(self, client: BotClient, connector: ConnectorStandIn, env: TeamsEnv, user: TeamsUser) -> None:
        self.client, self.connector, self.env, self.user = client, connector, env, user
        self.conversation_id = conversation_id_for(user)

    def _received_since(self, count: int) -> list[dict]:
        return self.connector.sent(self.conversation_id)[count:]

    async def install(self) -> list[dict]:
        before = len(self.connector.sent(self.conversation_id))
        status, _ = await self.client.post(personal_install(self.env, self.user))
        assert status in (200, 201), status
        return self._received_since(before)

    async def say(self, text: str) -> list[dict]:
        """Send a message; return the activities the bot sent to this chat in answer."""
        before = len(self.connector.sent(self.conversation_id))
        status, body = await self.client.post(personal_message(self.env, self.user, text))
        assert status in (200, 201), (status, body)
        return self._received_since(before)

    async def open_card(self, text: str) -> dict:
        """Send a command whose answer is one card; return the card."""
        replies = await self.say(text)
        cards = [a["content"] for r in replies for a in r.get("attachments") or [] if a["contentType"] == CARD]
        assert len(cards) == 1, replies
        return cards[0]

    async def press(self, card: dict, title: str, fill: dict[str, Any] | None = None, *, raw: dict | None = None) -> dict:
        """Press the button `title` on `card` after typing `fill` into its inputs; return the new card."""
        action = actions(card).get(title)
        assert action is not None, f"no button {title!r}; buttons: {sorted(actions(card))}"
        data = dict(action.get("data") or {})
        if action.get("associatedInputs", "auto") != "none":
            values = {k: v for k, v in inputs(card).items() if v is not None}
            values.update(fill or {})
            data.update({k: v for k, v in values.items() if v is not None})
        if raw is not None:
            data = raw
        return await self.invoke(action["verb"], data)

    async def invoke(self, verb: str, data: dict) -> dict:
        status, body = await self.client.post(card_action(self.env, self.user, verb, data))
        assert status == 200, (status, body)
        assert body["statusCode"] == 200 and body["type"] == CARD, body
        return body["value"]
