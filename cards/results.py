"""Cards of the HYTE team's results: the response status and the survey summary.

The summary is split into several cards, each well under Teams' message limit (100 KB; we keep
under `MAX_CARD_BYTES`). Charts are Teams' Adaptive Card chart elements (`Chart.HorizontalBar`,
`Chart.VerticalBar`) with a plain-text fallback for clients that do not render them. Quotes in
cards name only the organisation's category; user text is escaped (cards/escape.py).
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Sequence

from cards import elements as ui
from cards.catalogue import format_datetime, t
from cards.escape import escape
from hyte.results import (
    Distribution, GoalRanking, MethodsResult, Status, SurveySummary, Tally, TextResult,
)
from hyte.round import Organisation

MAX_CARD_BYTES = 75_000
"""A summary card's JSON stays under this; the message around it stays under 80 KB."""
MAX_QUOTE_CHARS = 400
VERB_ANSWERS = "results.answers"

Element = dict[str, Any]
Block = list[Element]


def card_bytes(card: dict[str, Any]) -> int:
    """The card's size as sent: the Bot Framework client (msrest) writes JSON with `json.dumps`'
    default ASCII escapes, so "ä" costs six bytes on the wire, not two."""
    return len(json.dumps(card).encode("ascii"))


# Status -------------------------------------------------------------------------------------------


def _category_name(category) -> str:
    return t(f"results.category.{category.value}")


def _progress(tally: Tally) -> Element:
    percent = round(tally.rate * 100)
    return {
        "type": "ProgressBar",
        "value": percent,
        "max": 100,
        "color": "Good" if percent >= 100 else "Accent",
        "fallback": ui.text(t("results.progress_fallback", percent=percent), size="Small", subtle=True),
    }


def _tally_line(tally: Tally) -> str:
    return t(
        "results.tally", submitted=tally.submitted, total=tally.total, drafting=tally.drafting,
        not_started=tally.not_started, percent=round(tally.rate * 100),
    )


def team_status_card(status: Status, round_name: str) -> dict[str, Any]:
    phase = t(f"results.phase.{status.phase.value}") if status.phase else t("results.phase.planning")
    body: list[Element] = [
        ui.heading(t("results.status_title", round=escape(round_name))),
        ui.text(t("results.phase", phase=phase)),
        ui.subheading(t("results.overall")),
        ui.text(_tally_line(status.overall)),
        _progress(status.overall),
    ]
    for tally in status.by_category:
        body += [
            ui.text(_category_name(tally.category), weight="Bolder", spacing="Medium"),
            ui.text(_tally_line(tally)),
            _progress(tally),
        ]
    missing = status.missing
    body.append(ui.subheading(t("results.missing_title", count=len(missing))))
    if missing:
        body.append(ui.text("\n".join(
            f"- {escape(s.organisation.name)}" + (t("results.missing_drafting") if s.drafting else "")
            for s in missing
        )))
    else:
        body.append(ui.text(t("results.missing_none")))
    return ui.card(body)


# Summary ------------------------------------------------------------------------------------------


def _chart(distribution: Distribution | None, title: str, bars: Sequence[tuple[str, int]]) -> Element:
    fallback = ui.text("\n".join(f"- {label}: {count}" for label, count in bars) or t("results.no_answers"))
    return {
        "type": "Chart.HorizontalBar",
        "title": title,
        "data": [{"x": label, "y": count} for label, count in bars],
        "fallback": fallback,
    }


def _distribution_block(d: Distribution) -> Block:
    bars = [(escape(bar.label), bar.count) for bar in d.bars]
    return [
        ui.text(t("results.question", number=escape(d.number), text=escape(d.text)), weight="Bolder", spacing="Medium"),
        ui.text(t("results.answered", count=d.answered), size="Small", subtle=True),
        _chart(d, escape(d.text), bars),
    ]


def _ranking_blocks(ranking: GoalRanking, counted: int) -> list[Block]:
    blocks: list[Block] = [[
        ui.subheading(t("results.goals_title")),
        ui.text(t("results.question", number=escape(ranking.number), text=escape(ranking.text)), size="Small", subtle=True),
    ]]
    if not ranking.goals:
        blocks[0].append(ui.text(t("results.no_answers")))
        return blocks
    top = ranking.goals[:10]
    blocks[0].append(_chart(None, t("results.goals_chart"), [(escape(g.label), g.count) for g in top]))
    lines = [t("results.goal_line", rank=i, label=escape(g.label), count=g.count, total=counted)
             for i, g in enumerate(ranking.goals, start=1)]
    blocks.append([ui.text("\n".join(lines))])
    if ranking.others:
        blocks.append([
            ui.text(t("results.other_texts"), weight="Bolder"),
            ui.text("\n".join(f"- {escape(o.text)} ({_category_name(o.organisation.category)})" for o in ranking.others)),
        ])
    return blocks


def _methods_blocks(methods: MethodsResult) -> list[Block]:
    blocks: list[Block] = [[ui.subheading(t("results.methods_title"))]]
    for area, proposals in methods.by_area:
        block: Block = [ui.text(t("results.area", numeral=area.numeral, label=escape(area.label)), weight="Bolder", spacing="Medium")]
        if not proposals:
            block.append(ui.text(t("results.no_methods"), size="Small", subtle=True))
        for p in proposals:
            block.append(ui.text(t(
                "results.method_line", name=escape(p.name), level=p.level_label or t("results.level_missing"),
                organisation=escape(p.organisation.name),
            )))
            if p.description:
                block.append(ui.text(escape(_cut(p.description)), size="Small", subtle=True, spacing="None"))
        blocks.append(block)
    if methods.none_organisations:
        blocks.append([ui.text(t("results.methods_none", label=escape(methods.none_label),
                                 count=len(methods.none_organisations)), size="Small")])
    return blocks


def _quote_attribution(organisation: Organisation) -> str:
    return t(f"results.quote_by.{organisation.category.value}")


def _text_blocks(result: TextResult, round_id: str) -> list[Block]:
    head: Block = [
        ui.text(t("results.question", number=escape(result.number), text=escape(result.text)), weight="Bolder", spacing="Large", separator=True),
        ui.text(t("results.text_answers", count=len(result.answers)), size="Small", subtle=True),
    ]
    blocks = [head]
    if not result.themes:
        head.append(ui.text(t("results.no_themes") if result.answers else t("results.no_answers"), size="Small"))
    for theme in result.themes:
        block: Block = [ui.text(t("results.theme_line", label=escape(theme.label), count=theme.count))]
        for quote in theme.quotes:
            block.append(ui.text(t("results.quote", text=escape(_cut(quote.text)), by=_quote_attribution(quote.organisation)),
                                 size="Small", subtle=True, spacing="None"))
        blocks.append(block)
    if result.answers:
        blocks.append([{
            "type": "ActionSet",
            "actions": [ui.execute(t("results.show_answers"), VERB_ANSWERS, {"r": round_id, "question": result.question_id}, inputs=False)],
        }])
    return blocks


def _cut(text: str, limit: int = MAX_QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summary_blocks(summary: SurveySummary, round_name: str) -> list[Block]:
    status = summary.status
    head: Block = [
        ui.heading(t("results.summary_title", round=escape(round_name))),
        ui.text(t("results.summary_counted", counted=summary.counted, total=status.overall.total)),
        _progress(status.overall),
    ]
    rates = [(_category_name(tally.category), round(tally.rate * 100)) for tally in status.by_category]
    head.append({
        "type": "Chart.VerticalBar",
        "title": t("results.rate_chart"),
        "data": [{"x": name, "y": percent} for name, percent in rates],
        "fallback": ui.text("\n".join(f"- {name}: {percent} %" for name, percent in rates)),
    })
    if status.drafts:
        head.append(ui.text(t("results.drafts", count=len(status.drafts),
                              names=", ".join(escape(s.organisation.name) for s in status.drafts)), size="Small"))
    blocks: list[Block] = [head, [ui.subheading(t("results.distributions_title"))]]
    blocks += [_distribution_block(d) for d in summary.distributions]
    for ranking in summary.goal_rankings:
        blocks += _ranking_blocks(ranking, summary.counted)
    for methods in summary.methods:
        blocks += _methods_blocks(methods)
    blocks.append([ui.subheading(t("results.themes_title"))])
    for result in summary.texts:
        blocks += _text_blocks(result, summary.round_id)
    return blocks


def pack(blocks: Iterable[Block], *, limit: int = MAX_CARD_BYTES, continued: str | None = None) -> list[dict[str, Any]]:
    """Cards of whole blocks, each under `limit` bytes; a block too big alone is split by element."""
    # A card's size is the empty card's plus each element's JSON and ", " between elements: summed as
    # pieces are added, so that packing is linear in the blocks, not a re-serialisation per piece.
    empty = card_bytes(ui.card([]))

    def size(elements: int, element_bytes: int) -> int:
        return empty + element_bytes + 2 * max(0, elements - 1)

    cards: list[dict[str, Any]] = []
    current: list[Element] = []
    current_bytes = 0
    for block in blocks:
        for piece in _fit(block, limit):
            piece_bytes = sum(card_bytes(element) for element in piece)
            if current and size(len(current) + len(piece), current_bytes + piece_bytes) > limit:
                cards.append(ui.card(current))
                current = [ui.text(continued, size="Small", subtle=True)] if continued else []
                current_bytes = sum(card_bytes(element) for element in current)
            current = current + piece
            current_bytes += piece_bytes
    if current:
        cards.append(ui.card(current))
    return cards


def _fit(block: Block, limit: int) -> list[Block]:
    if card_bytes(ui.card(block)) <= limit // 2:
        return [block]
    return [[element] for element in block]


def summary_cards(summary: SurveySummary, round_name: str) -> list[dict[str, Any]]:
    return pack(summary_blocks(summary, round_name), continued=t("results.continued"))


def answers_cards(result: TextResult) -> list[dict[str, Any]]:
    """Every counted answer to one free-text question, attributed to the organisation's category."""
    blocks: list[Block] = [[
        ui.text(t("results.all_answers_title", number=escape(result.number)), weight="Bolder"),
        ui.text(escape(result.text), size="Small", subtle=True),
    ]]
    for answer in result.answers:
        blocks.append([
            ui.text(_quote_attribution(answer.organisation), weight="Bolder", size="Small", spacing="Medium"),
            ui.text(escape(answer.text), spacing="None"),
        ])
    return pack(blocks, continued=t("results.continued"))


# Exports ------------------------------------------------------------------------------------------


def download_card(links: Sequence[tuple[str, str]], expires_at) -> dict[str, Any]:
    """Links to the exports, served by the bot (signed, expiring)."""
    return ui.card(
        [ui.heading(t("export.ready_title")), ui.text(t("export.links_expire", at=format_datetime(expires_at)))],
        [{"type": "Action.OpenUrl", "title": title, "url": url} for title, url in links],
    )


def file_consent_attachment(filename: str, size: int, context: dict[str, Any]) -> dict[str, Any]:
    """A FileConsentCard: Teams asks the user to allow the upload into their OneDrive."""
    return {
        "contentType": "application/vnd.microsoft.teams.card.file.consent",
        "name": filename,
        "content": {
            "description": t("export.consent_description", name=filename),
            "sizeInBytes": size,
            "acceptContext": context,
            "declineContext": context,
        },
    }


def file_info_attachment(name: str, content_url: str, unique_id: str, file_type: str) -> dict[str, Any]:
    return {
        "contentType": "application/vnd.microsoft.teams.card.file.info",
        "contentUrl": content_url,
        "name": name,
        "content": {"uniqueId": unique_id, "fileType": file_type},
    }
