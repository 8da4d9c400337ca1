"""Typed builders of Adaptive Card 1.5 elements. Plain dicts out; no JSON strings are spliced."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Literal

from cards.escape import escape

CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

Element = dict[str, Any]
Color = Literal["default", "accent", "good", "warning", "attention"]


def card(body: Iterable[Element], actions: Iterable[Element] = ()) -> dict[str, Any]:
    content: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": [element for element in body if element],
        "msteams": {"width": "Full"},
    }
    actions = list(actions)
    if actions:
        content["actions"] = actions
    return content


def text(
    value: str,
    *,
    size: str | None = None,
    weight: str | None = None,
    color: Color | None = None,
    subtle: bool = False,
    spacing: str | None = None,
    separator: bool = False,
) -> Element:
    """A TextBlock of our own (catalogue) text; Markdown in it is intended."""
    block: Element = {"type": "TextBlock", "text": value, "wrap": True}
    if size:
        block["size"] = size
    if weight:
        block["weight"] = weight
    if color:
        block["color"] = color
    if subtle:
        block["isSubtle"] = True
    if spacing:
        block["spacing"] = spacing
    if separator:
        block["separator"] = True
    return block


def user_text(value: str, **style: Any) -> Element:
    """A TextBlock showing text a user wrote: escaped, so it renders as typed."""
    return text(escape(value), **style)


def heading(value: str) -> Element:
    return text(value, size="Large", weight="Bolder")


def subheading(value: str) -> Element:
    return text(value, size="Medium", weight="Bolder", spacing="Medium")


def fact_set(facts: Iterable[tuple[str, str]]) -> Element:
    return {"type": "FactSet", "facts": [{"title": title, "value": value} for title, value in facts]}


def container(items: Iterable[Element], *, style: str | None = None, spacing: str | None = None) -> Element:
    block: Element = {"type": "Container", "items": [item for item in items if item]}
    if style:
        block["style"] = style
    if spacing:
        block["spacing"] = spacing
    return block


def execute(title: str, verb: str, data: dict[str, Any], *, style: str | None = None, inputs: bool = True) -> Element:
    """An Action.Execute (Universal Actions). `verb` is also in data, so that a message-with-value
    submit from an older client routes the same way."""
    action: Element = {
        "type": "Action.Execute",
        "title": title,
        "verb": verb,
        "data": {"verb": verb, **data},
        "associatedInputs": "auto" if inputs else "none",
    }
    if style:
        action["style"] = style
    return action


def input_text(
    input_id: str, label: str, value: str | None, *, max_length: int, multiline: bool = True,
    placeholder: str | None = None,
) -> Element:
    element: Element = {
        "type": "Input.Text",
        "id": input_id,
        "label": label,
        "isMultiline": multiline,
        "maxLength": max_length,
    }
    if value:
        element["value"] = value
    if placeholder:
        element["placeholder"] = placeholder
    return element


def input_choices(
    input_id: str, label: str, choices: Iterable[tuple[str, str]], value: str | None, *,
    multi: bool = False, expanded: bool = True, placeholder: str | None = None,
) -> Element:
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "style": "expanded" if expanded else "compact",
        "isMultiSelect": multi,
        "choices": [{"title": title, "value": choice} for choice, title in choices],
    }
    if value:
        element["value"] = value
    if placeholder:
        element["placeholder"] = placeholder
    return element


def input_toggle(input_id: str, title: str, value: bool) -> Element:
    return {
        "type": "Input.Toggle",
        "id": input_id,
        "title": title,
        "value": "true" if value else "false",
        "valueOn": "true",
        "valueOff": "false",
        "wrap": True,
    }


def error_text(message: str) -> Element:
    return text(message, color="attention", spacing="None", size="Small")


def walk(element: Any) -> Iterator[dict[str, Any]]:
    """Every dict in a card (elements, actions, their data), depth first."""
    if isinstance(element, dict):
        yield element
        for value in element.values():
            yield from walk(value)
    elif isinstance(element, list):
        for item in element:
            yield from walk(item)
