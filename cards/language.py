"""The `kieli` / `språk` card: the language I write to the person in, and a button per language
the round offers (each language named in itself: "Suomi", "Svenska")."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from cards import elements as ui
from cards.catalogue import speaking, t
from cards.payloads import ExportLanguage, LanguageChoose
from cards.text import User


def language_card(round_id: str, current: str, offered: Sequence[str], *, chosen: bool = False,
                  unknown: str | None = None) -> dict[str, Any]:
    """`current`: the language the person reads now (the card is in it); `chosen`: they just chose it."""
    body: list[dict[str, Any]] = [ui.heading(t("language.title"))]
    if unknown is not None:
        body.append(ui.sentence("language.unknown", words=User(unknown)))
    key = "language.chosen" if chosen else "language.current"
    body.append(ui.text(t(key, name=t(f"language.in_{current}"))))
    if len(offered) > 1:
        body.append(ui.text(t("language.choose_hint"), subtle=True))
    actions = [ui.execute(t(f"language.button_{code}"), LanguageChoose(verb="language.choose", r=round_id, language=code),
                          style="positive" if code == current else None, inputs=False)
               for code in offered if len(offered) > 1]
    return ui.card(body, actions)


def not_offered_text(offered: Sequence[str]) -> str:
    if len(offered) == 1:
        return t("language.only_one", name=t(f"language.in_{offered[0]}"))
    return t("language.not_offered", languages=", ".join(t(f"language.name_{code}") for code in offered))


def export_language_card(round_id: str, offered: Sequence[str], current: str) -> dict[str, Any]:
    """`vienti` in a bilingual round's 1:1 chat: which language the files are written in (the
    reader's own first)."""
    ordered = sorted(offered, key=lambda code: code != current)
    return ui.card(
        [ui.text(t("export.choose_language"))],
        [ui.execute(t(f"action.export_in_{code}"), ExportLanguage(verb="export.language", r=round_id, language=code),
                    style="positive" if code == current else None, inputs=False) for code in ordered],
    )


def in_languages(languages: Sequence[str], build: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """A channel post in every language the round offers, one after the other in the same card (its
    first language first, a separator between): `build(language)` gives the card in one language.

    One card, not one per language: a board channel's readers speak either, and a workshop
    question's notes are replies under its post, so one post keeps a group's notes in one thread.
    Buttons that do the same are one button titled in each language ("Aloita kysely / Öppna enkäten")."""
    cards = []
    for code in languages:
        with speaking(code):
            cards.append(build(code))
    if len(cards) == 1:
        return cards[0]
    body: list[dict[str, Any]] = []
    for index, part in enumerate(cards):
        blocks = list(part.get("body", []))
        if index and blocks:
            blocks[0] = {**blocks[0], "separator": True, "spacing": "ExtraLarge"}
        body += blocks
    actions: list[dict[str, Any]] = []
    for part in cards:
        for action in part.get("actions", []):
            same = next((a for a in actions if a.get("data") == action.get("data") and a.get("verb") == action.get("verb")
                         and a.get("url") == action.get("url")), None)
            if same is None:
                actions.append(dict(action))
            elif action["title"] not in same["title"].split(" / "):
                same["title"] = f"{same['title']} / {action['title']}"
    return ui.card(body, actions)
