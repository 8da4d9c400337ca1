"""Workshop cards: the channel choice, a question's post, start/stop notices, the welcome in a
team, and the consolidated summary, split into cards by the one pager (cards/pager.py).

The workshop's questions and prompts are configuration text; channel names, notes and the themes
found in them are user text (cards/text.py).
"""

from __future__ import annotations

from typing import Any, Sequence

from cards import elements as ui
from cards.catalogue import format_datetime, t
from cards.inputs import WORKSHOP_GROUPS
from cards.pager import Block, Part, paginate
from cards.payloads import WorkshopStart
from cards.text import Config, User, neutralise, phrase
from hyte.teams import Channel
from hyte.text import cut
from hyte.workshop import Group, WorkshopDefinition, WorkshopQuestion, WorkshopRun
from hyte.workshop_summary import GroupPoints, Point, QuestionSummary, WorkshopSummary

MAX_POINT_CHARS = 1_500
"""A longer note is shown cut in the summary (it is stored whole)."""


def _names(groups: Sequence[Group] | Sequence[str]) -> User:
    return User(", ".join(g if isinstance(g, str) else g.name for g in groups))


# Starting -------------------------------------------------------------------------------------------


def channel_choice_card(
    round_id: str, definition: WorkshopDefinition, channels: Sequence[Channel], preselected: Sequence[str],
    running: WorkshopRun | None = None,
) -> dict[str, Any]:
    body: list[ui.Element] = [
        ui.heading(t("workshop.choose_title")),
        ui.config_text(definition.title, subtle=True, size="Small"),
    ]
    if running is not None:
        body.append(ui.sentence("workshop.already_running", groups=_names(running.groups), color="warning"))
    body.append(ui.text(t("workshop.choose_body", count=len(definition.questions))))
    choices = [(c.channel_id, neutralise(c.name or c.channel_id)) for c in channels]
    body.append(ui.input_choices(WORKSHOP_GROUPS, t("workshop.choose_label"), choices, ",".join(preselected), multi=True))
    action = ui.execute(t("workshop.action_start"), WorkshopStart(r=round_id), style="positive")
    return ui.card(body, [action])


def question_card(definition: WorkshopDefinition, question: WorkshopQuestion) -> dict[str, Any]:
    body: list[ui.Element] = [
        ui.config_text(definition.title, subtle=True, size="Small"),
        ui.heading(t("workshop.question_heading", number=question.number)),
        ui.config_text(question.text, weight="Bolder"),
    ]
    body += [ui.sentence("list.item", text=Config(prompt), bullet=True, spacing="None") for prompt in question.prompts]
    body.append(ui.text(t("workshop.question_instructions", number=question.number), subtle=True, spacing="Medium"))
    body.append(ui.text(t("workshop.question_instructions_raise"), subtle=True))
    return ui.card(body)


def started_card(groups: Sequence[Group], questions: int, failed: Sequence[str]) -> dict[str, Any]:
    body: list[ui.Element] = [
        ui.heading(t("workshop.started_title")),
        ui.sentence("workshop.started_body", groups=_names(groups), questions=questions),
    ]
    if failed:
        body.append(ui.sentence("workshop.post_failed", channels=_names(failed), color="attention"))
    return ui.card(body)


def running_notice(groups: Sequence[Group]) -> dict[str, Any]:
    """Posted in General: which groups are running."""
    return ui.card([
        ui.heading(t("workshop.running_title")),
        ui.text(t("workshop.running_body")),
        *(ui.sentence("list.item", text=User(g.name), bullet=True, spacing="None") for g in groups),
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


def _point(point: Point, *, with_group: bool = False, question: WorkshopQuestion | None = None) -> ui.Element:
    marks = []
    if point.highlight:
        marks.append(t("workshop.summary_highlight_mark"))
    if point.reactions:
        marks.append(t("workshop.summary_reactions", count=point.reactions))
    if point.merged > 1:
        marks.append(t("workshop.summary_merged", count=point.merged))
    return ui.sentence(
        "workshop.summary_point",
        question=t("workshop.summary_question_ref", number=question.number) if question is not None else "",
        group=phrase("workshop.summary_point_group", group=User(point.group.name)) if with_group else "",
        text=User(cut(point.text, MAX_POINT_CHARS)),
        marks=t("workshop.summary_point_marks", marks=", ".join(marks)) if marks else "",
        bullet=True, spacing="Small",
    )


def _group_blocks(groups: Sequence[GroupPoints], definition: WorkshopDefinition | None = None) -> list[Block]:
    blocks: list[Block] = []
    for group_points in groups:
        blocks.append([ui.user_text(group_points.group.name, weight="Bolder", spacing="Medium")])
        for point in group_points.points:
            question = None
            if definition is not None and point.question_id is not None:
                question = next((q for q in definition.questions if q.id == point.question_id), None)
            blocks.append([_point(point, question=question)])
    return blocks


def _question_blocks(summary: QuestionSummary) -> list[Block]:
    blocks: list[Block] = []
    if summary.highlights:
        blocks.append([ui.text(t("workshop.summary_highlights"), weight="Bolder", color="accent", spacing="Medium")])
        blocks += [[_point(p, with_group=True)] for p in summary.highlights]
    if summary.themes:
        blocks.append([ui.text(t("workshop.summary_themes"), weight="Bolder", spacing="Medium")])
        for theme in summary.themes:
            block = [ui.sentence("workshop.summary_theme", label=User(theme.label), count=theme.group_count,
                                 groups=_names(theme.groups), bullet=True, spacing="Small")]
            if theme.quotes:
                quoted = cut(theme.quotes[0], MAX_POINT_CHARS)
                block.append(ui.sentence("workshop.summary_theme_quote", quote=User(quoted),
                                         size="Small", subtle=True, spacing="None"))
            blocks.append(block)
    if summary.groups:
        blocks.append([ui.text(t("workshop.summary_points"), weight="Bolder", spacing="Medium")])
        blocks += _group_blocks(summary.groups)
    else:
        blocks.append([ui.text(t("workshop.summary_no_points"), subtle=True)])
    return blocks


def _section(heading: str, **params: object) -> tuple[Block, Block]:
    """A part's heading, and the same marked as continued."""
    return (
        [ui.sentence(heading, size="Medium", weight="Bolder", spacing="Medium", **params)],
        [ui.sentence("workshop.summary_continued", heading=phrase(heading, **params), size="Medium", weight="Bolder",
                     spacing="Medium")],
    )


def _title(index: int, count: int) -> Block:
    if count == 1:
        return [ui.heading(t("workshop.summary_title"))]
    return [ui.heading(t("workshop.summary_title_part", index=index, count=count))]


def summary_cards(summary: WorkshopSummary) -> list[dict[str, Any]]:
    """The consolidated workshop as one card, or several when one would be too big for Teams."""
    definition = summary.definition
    parts = [Part([[ui.text(t(
        "workshop.summary_counts", groups=len(summary.groups), notes=summary.note_count, late=summary.late_count,
    ), subtle=True)]])]
    for question_summary in summary.questions:
        question = question_summary.question
        heading, continued = _section("workshop.summary_question", number=question.number, text=Config(question.text))
        parts.append(Part(_question_blocks(question_summary), heading, continued))
    if summary.unassigned:
        parts.append(Part(_group_blocks(summary.unassigned), *_section("workshop.summary_unassigned")))
    if summary.late:
        parts.append(Part(_group_blocks(summary.late, definition), *_section("workshop.summary_late")))
    return paginate(parts, _title)
