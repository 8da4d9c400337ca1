"""Workshop cards: the channel choice, a question's post, start/stop notices, the welcome in a
team, and the consolidated summary split into cards that each stay under Teams' message limit.

Every channel name and note text is user-supplied and goes through `escape` (cards.escape).
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from cards import elements as ui
from cards.catalogue import format_datetime, t
from cards.escape import escape
from hyte.teams import Channel
from hyte.workshop import (
    Group, GroupPoints, Point, QuestionSummary, WorkshopDefinition, WorkshopQuestion, WorkshopRun, WorkshopSummary,
)

VERB_START = "workshop.start"
INPUT_GROUPS = "ws.groups"
"""The channel choice's input: the chosen channel ids, comma-separated (Input.ChoiceSet multi)."""

MAX_MESSAGE_BYTES = 80_000
"""Teams refuses messages over 100 KB; every summary message stays under this."""
CARD_BUDGET_BYTES = MAX_MESSAGE_BYTES - 4_000
"""What the card itself may take: the rest is the activity around it."""
MAX_POINT_CHARS = 1_500
"""A longer note is shown cut in the summary (it is stored whole)."""


def card_bytes(card: dict[str, Any]) -> int:
    """A card's size as the connector client sends it (JSON with non-ASCII escaped: the worst case)."""
    return len(json.dumps(card).encode("utf-8"))


# Starting -------------------------------------------------------------------------------------------


def channel_choice_card(
    round_id: str, definition: WorkshopDefinition, channels: Sequence[Channel], preselected: Sequence[str],
    running: WorkshopRun | None = None,
) -> dict[str, Any]:
    body: list[ui.Element] = [
        ui.heading(t("workshop.choose_title")),
        ui.text(escape(definition.title), subtle=True, size="Small"),
    ]
    if running is not None:
        names = ", ".join(escape(g.name) for g in running.groups)
        body.append(ui.text(t("workshop.already_running", groups=names), color="warning"))
    body.append(ui.text(t("workshop.choose_body", count=len(definition.questions))))
    choices = [(c.channel_id, c.name or c.channel_id) for c in channels]
    body.append(ui.input_choices(INPUT_GROUPS, t("workshop.choose_label"), choices, ",".join(preselected), multi=True))
    action = ui.execute(t("workshop.action_start"), VERB_START, {"r": round_id}, style="positive")
    return ui.card(body, [action])


def question_card(definition: WorkshopDefinition, question: WorkshopQuestion) -> dict[str, Any]:
    body: list[ui.Element] = [
        ui.text(escape(definition.title), subtle=True, size="Small"),
        ui.heading(t("workshop.question_heading", number=question.number)),
        ui.text(escape(question.text), weight="Bolder"),
    ]
    if question.prompts:
        body.append(ui.text("\n".join(f"- {escape(p)}" for p in question.prompts)))
    body.append(ui.text(t("workshop.question_instructions", number=question.number), subtle=True, spacing="Medium"))
    return ui.card(body)


def started_card(groups: Sequence[Group], questions: int, failed: Sequence[str]) -> dict[str, Any]:
    body: list[ui.Element] = [
        ui.heading(t("workshop.started_title")),
        ui.text(t("workshop.started_body", groups=", ".join(escape(g.name) for g in groups), questions=questions)),
    ]
    if failed:
        body.append(ui.text(t("workshop.post_failed", channels=", ".join(escape(n) for n in failed)), color="attention"))
    return ui.card(body)


def running_notice(groups: Sequence[Group]) -> dict[str, Any]:
    """Posted in General: which groups are running."""
    lines = "\n".join(f"- {escape(g.name)}" for g in groups)
    return ui.card([
        ui.heading(t("workshop.running_title")),
        ui.text(t("workshop.running_body")),
        ui.text(lines),
    ])


def stopped_notice(run: WorkshopRun, notes: int) -> dict[str, Any]:
    at = format_datetime(run.stopped_at) if run.stopped_at else ""
    return ui.card([
        ui.heading(t("workshop.stopped_title")),
        ui.text(t("workshop.stopped_body", at=at, notes=notes, groups=len(run.groups))),
    ])


def welcome_card(is_board: bool) -> dict[str, Any]:
    body = [ui.heading(t("workshop.welcome_title")), ui.text(t("workshop.welcome_body"))]
    body.append(ui.text(t("workshop.welcome_board" if is_board else "workshop.welcome_not_board")))
    return ui.card(body)


# The summary ---------------------------------------------------------------------------------------


def _cut(text: str) -> str:
    return text if len(text) <= MAX_POINT_CHARS else text[:MAX_POINT_CHARS].rstrip() + " …"


def _point(point: Point, *, with_group: bool = False, question: WorkshopQuestion | None = None) -> ui.Element:
    marks = []
    if point.highlight:
        marks.append(t("workshop.summary_highlight_mark"))
    if point.reactions:
        marks.append(t("workshop.summary_reactions", count=point.reactions))
    if point.merged > 1:
        marks.append(t("workshop.summary_merged", count=point.merged))
    prefix = ""
    if question is not None:
        prefix += t("workshop.summary_question_ref", number=question.number)
    if with_group:
        prefix += f"{escape(point.group.name)}: "
    suffix = f" ({', '.join(marks)})" if marks else ""
    return {"type": "TextBlock", "text": f"• {prefix}{escape(_cut(point.text))}{suffix}", "wrap": True, "spacing": "Small"}


def _group_blocks(groups: Sequence[GroupPoints], definition: WorkshopDefinition | None = None) -> list[ui.Element]:
    blocks: list[ui.Element] = []
    for group_points in groups:
        blocks.append(ui.text(escape(group_points.group.name), weight="Bolder", spacing="Medium"))
        for point in group_points.points:
            question = None
            if definition is not None and point.question_id is not None:
                question = next((q for q in definition.questions if q.id == point.question_id), None)
            blocks.append(_point(point, question=question))
    return blocks


def _question_blocks(summary: QuestionSummary) -> list[ui.Element]:
    blocks: list[ui.Element] = []
    if summary.highlights:
        blocks.append(ui.text(t("workshop.summary_highlights"), weight="Bolder", color="accent", spacing="Medium"))
        blocks.extend(_point(p, with_group=True) for p in summary.highlights)
    if summary.themes:
        blocks.append(ui.text(t("workshop.summary_themes"), weight="Bolder", spacing="Medium"))
        for theme in summary.themes:
            line = t(
                "workshop.summary_theme", label=escape(theme.label), count=theme.group_count,
                groups=", ".join(escape(g.name) for g in theme.groups),
            )
            if theme.quotes:
                line += "\n" + t("workshop.summary_theme_quote", quote=escape(_cut(theme.quotes[0])))
            blocks.append({"type": "TextBlock", "text": line, "wrap": True, "spacing": "Small"})
    if summary.groups:
        blocks.append(ui.text(t("workshop.summary_points"), weight="Bolder", spacing="Medium"))
        blocks.extend(_group_blocks(summary.groups))
    else:
        blocks.append(ui.text(t("workshop.summary_no_points"), subtle=True))
    return blocks


def summary_cards(summary: WorkshopSummary, *, budget: int = CARD_BUDGET_BYTES) -> list[dict[str, Any]]:
    """The consolidated workshop as one card, or several when one would be too big for Teams."""
    definition = summary.definition
    sections: list[tuple[str | None, list[ui.Element]]] = []
    intro = [ui.text(t(
        "workshop.summary_counts", groups=len(summary.groups), notes=summary.note_count, late=summary.late_count,
    ), subtle=True)]
    sections.append((None, intro))
    for question_summary in summary.questions:
        question = question_summary.question
        heading = t("workshop.summary_question", number=question.number, text=escape(question.text))
        sections.append((heading, _question_blocks(question_summary)))
    if summary.unassigned:
        sections.append((t("workshop.summary_unassigned"), _group_blocks(summary.unassigned)))
    if summary.late:
        sections.append((t("workshop.summary_late"), _group_blocks(summary.late, definition)))
    return _pack(sections, budget)


def _pack(sections: list[tuple[str | None, list[ui.Element]]], budget: int) -> list[dict[str, Any]]:
    """Greedy packing of the sections' blocks into cards under `budget` bytes; a section that goes
    on in the next card repeats its heading there, marked as continued."""
    title_room = card_bytes(ui.card([ui.heading(t("workshop.summary_title_part", index=99, count=99))]))
    pages: list[list[ui.Element]] = [[]]
    used = title_room
    for heading, blocks in sections:
        placed = False
        for block in blocks:
            head = [ui.subheading(heading)] if heading and not placed else []
            size = sum(_size(b) for b in head) + _size(block)
            if used + size > budget and pages[-1]:
                pages.append([])
                used = title_room
                if heading:
                    head = [ui.subheading(t("workshop.summary_continued", heading=heading) if placed else heading)]
                size = sum(_size(b) for b in head) + _size(block)
            pages[-1].extend([*head, block])
            used += size
            placed = True
    cards = []
    for index, page in enumerate(pages, start=1):
        key = "workshop.summary_title" if len(pages) == 1 else "workshop.summary_title_part"
        cards.append(ui.card([ui.heading(t(key, index=index, count=len(pages))), *page]))
    return cards


def _size(element: ui.Element) -> int:
    return len(json.dumps(element).encode("utf-8")) + 1
