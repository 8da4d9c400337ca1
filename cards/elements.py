"""Typed builders of Adaptive Card 1.5 elements. Plain dicts out; no JSON strings are spliced."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Literal, Protocol

from cards.catalogue import template
from cards.text import Phrase, catalogue_text, has_outside_text, neutralise, runs, text_run

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


def _block_style(block: Element, spacing: str | None, separator: bool) -> Element:
    if spacing:
        block["spacing"] = spacing
    if separator:
        block["separator"] = True
    return block


def _run_style(size: str | None, weight: str | None, color: Color | None, subtle: bool) -> dict[str, Any]:
    return {"size": size, "weight": weight, "color": color, "isSubtle": subtle}


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
    """A TextBlock of catalogue text (Markdown intended); never configuration or user text."""
    block: Element = {"type": "TextBlock", "text": value, "wrap": True}
    for key, given in _run_style(size, weight, color, subtle).items():
        if given:
            block[key] = given
    return _block_style(block, spacing, separator)


def rich(inlines: Iterable[Element], *, spacing: str | None = None, separator: bool = False) -> Element:
    """A RichTextBlock of TextRuns (`cards.text.text_run`), none of which Teams reads as Markdown."""
    return _block_style({"type": "RichTextBlock", "inlines": list(inlines)}, spacing, separator)


STYLE = ("size", "weight", "color", "subtle", "spacing", "separator")
"""The keywords of `text` that `sentence`, `config_text` and `user_text` take too."""


def _style(given: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the style keywords among `given`, as TextRun properties; the block's spacing and separator)."""
    style = {name: given.pop(name) for name in STYLE if name in given}
    block = {"spacing": style.pop("spacing", None), "separator": style.pop("separator", False)}
    return _run_style(style.pop("size", None), style.pop("weight", None), style.pop("color", None),
                      style.pop("subtle", False)), block


def sentence(key: str, *, bullet: bool = False, **params: Any) -> Element:
    """A catalogue sentence: a Markdown TextBlock when its parameters are catalogue texts, numbers
    and dates; a RichTextBlock of runs when any is `Config` or `User` text (cards/text.py). With
    `bullet`, a list item (a RichTextBlock starting with "• "). Takes `text`'s style keywords."""
    given = {name: params.pop(name) for name in STYLE if name in params}
    if not bullet and not has_outside_text(params):
        return text(catalogue_text(key, params), **given)
    style, block = _style(given)
    inlines = runs(template(key), params, style)
    if bullet:
        inlines.insert(0, text_run("• ", **style))
    return rich(inlines, **block)


def config_text(value: str, **style: Any) -> Element:
    """Configuration text (a survey's, workshop's or round's) shown exactly as typed."""
    return _plain(value, style)


def user_text(value: str, **style: Any) -> Element:
    """Text a person wrote (an answer, a note, a name) shown as typed, neutralised (cards/text.py)."""
    return _plain(neutralise(value), style)


def _plain(value: str, given: dict[str, Any]) -> Element:
    style, block = _style(given)
    if given:
        raise TypeError(f"unknown style: {sorted(given)}")
    return rich([text_run(value, **style)], **block)


def notice_box(notice: tuple[Phrase, Color] | None) -> Element:
    """A notice at the top of a card: the box's colour carries the meaning; its text keeps the
    default colour, which stays legible."""
    if notice is None:
        return {}
    message, color = notice
    style = {"attention": "attention", "warning": "warning", "good": "good"}.get(color, "emphasis")
    return container([sentence(message.key, weight="Bolder", **message.params)], style=style, spacing="Medium")


def heading(value: str) -> Element:
    return text(value, size="Large", weight="Bolder")


def subheading(value: str) -> Element:
    return text(value, size="Medium", weight="Bolder", spacing="Medium")


def container(items: Iterable[Element], *, style: str | None = None, spacing: str | None = None) -> Element:
    block: Element = {"type": "Container", "items": [item for item in items if item]}
    if style:
        block["style"] = style
    if spacing:
        block["spacing"] = spacing
    return block


class Payload(Protocol):
    """A card action's payload model (cards/payloads.py)."""

    def data(self) -> dict[str, Any]: ...


def execute(title: str, payload: Payload, *, style: str | None = None, inputs: bool = True) -> Element:
    """An Action.Execute (Universal Actions) carrying `payload`. Its verb is also in the data, so
    that a message-with-value submit from an older client routes the same way."""
    data = payload.data()
    action: Element = {
        "type": "Action.Execute",
        "title": title,
        "verb": data["verb"],
        "data": data,
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


def walk(element: Any) -> Iterator[dict[str, Any]]:
    """Every dict in a card (elements, actions, their data), depth first."""
    if isinstance(element, dict):
        yield element
        for value in element.values():
            yield from walk(value)
    elif isinstance(element, list):
        for item in element:
            yield from walk(item)
