"""Cards of the HYTE team's results: the response status and the survey summary.

The summary may need several cards (cards/pager.py). Charts are Teams' Adaptive Card chart
elements (`Chart.HorizontalBar`, `Chart.VerticalBar`): their titles and labels are plain text,
shown as typed; a client that does not render them shows their fallback, a list of the same
figures. The survey's texts and organisation names are configuration text; answers, "other" texts,
method names and the themes found in answers are user text (cards/text.py). Quotes name only the
organisation's category.
"""

from __future__ import annotations

from typing import Any, Sequence

from cards import elements as ui
from cards.catalogue import format_datetime, t
from cards.comparison import comparison_blocks
from cards.pager import Block, Part, paginate
from cards.payloads import CurationOpen, ExportConsent, ResultsAnswers
from cards.text import Config, User, phrase
from hyte.comparison import Comparison
from hyte.results import Distribution, GoalRanking, MethodsResult, SurveySummary, TextResult
from hyte.round import Category, Organisation
from hyte.status import Status, Tally
from hyte.text import cut

MAX_QUOTE_CHARS = 400

Element = dict[str, Any]


# Status -------------------------------------------------------------------------------------------


def _category_name(category: Category) -> str:
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


def team_status_card(status: Status, county: str) -> dict[str, Any]:
    if status.over:  # as the timetable says it (`aikataulu`)
        where = t("timeline.todo.hyte_team.over")
    else:
        where = t("results.phase", phase=t(f"results.phase.{status.phase.value}") if status.phase
                  else t("results.phase.planning"))
    body: list[Element] = [
        ui.sentence("results.status_title", county=Config(county), size="Large", weight="Bolder"),
        ui.text(where),
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
    for state in missing:
        key = "results.missing_drafting" if state.drafting else "results.missing_line"
        body.append(ui.sentence(key, organisation=Config(state.organisation.name), bullet=True, spacing="None"))
    if not missing:
        body.append(ui.text(t("results.missing_none")))
    return ui.card(body)


# Summary ------------------------------------------------------------------------------------------


def _chart(kind: str, title: str, bars: Sequence[tuple[str, int]], line_key: str = "results.chart_line") -> Element:
    """A Teams chart: title and labels as typed; its fallback lists the same figures."""
    if bars:
        fallback = ui.container([
            ui.sentence(line_key, label=Config(label), value=value, bullet=True, spacing="None") for label, value in bars
        ])
    else:
        fallback = ui.text(t("results.no_answers"))
    return {
        "type": kind,
        "title": title,
        "data": [{"x": label, "y": value} for label, value in bars],
        "fallback": fallback,
    }


def _question_heading(summary: SurveySummary, section_id: str, number: str, text: str, **style: Any) -> Element:
    """A question named with its section, since question numbers restart in every section."""
    return ui.sentence("results.question", section=Config(summary.section_titles.get(section_id, "")),
                       number=Config(number), text=Config(text), **style)


def _distribution_block(summary: SurveySummary, d: Distribution) -> Block:
    title = t("results.question", section=summary.section_titles.get(d.section_id, ""), number=d.number, text=d.text)
    return [
        _question_heading(summary, d.section_id, d.number, d.text, weight="Bolder", spacing="Medium"),
        ui.text(t("results.answered", count=d.answered), size="Small", subtle=True),
        _chart("Chart.HorizontalBar", title, [(bar.label, bar.count) for bar in d.bars]),
    ]


def _ranking_blocks(summary: SurveySummary, ranking: GoalRanking) -> list[Block]:
    blocks: list[Block] = [[
        ui.subheading(t("results.goals_title")),
        _question_heading(summary, ranking.section_id, ranking.number, ranking.text, size="Small", subtle=True),
    ]]
    if not ranking.goals:
        blocks[0].append(ui.text(t("results.no_answers")))
        return blocks
    top = ranking.goals[:10]
    blocks[0].append(_chart("Chart.HorizontalBar", t("results.goals_chart"), [(g.label, g.count) for g in top]))
    blocks.append([
        ui.sentence("results.goal_line", rank=rank, label=Config(goal.label), count=goal.count, total=summary.counted,
                    spacing="None")
        for rank, goal in enumerate(ranking.goals, start=1)
    ])
    if ranking.others:
        blocks.append([
            ui.sentence("results.other_texts", option=Config(ranking.other_label), weight="Bolder"),
            *(ui.sentence("results.other_line", text=User(other.text),
                          category=_category_name(other.organisation.category), bullet=True, spacing="None")
              for other in ranking.others),
        ])
    return blocks


def _methods_blocks(methods: MethodsResult) -> list[Block]:
    blocks: list[Block] = [[ui.subheading(t("results.methods_title"))]]
    for area, proposals in methods.by_area:
        block: Block = [ui.sentence("survey.numbered", numeral=Config(area.numeral), label=Config(area.label),
                                    weight="Bolder", spacing="Medium")]
        if not proposals:
            block.append(ui.text(t("results.no_methods"), size="Small", subtle=True))
        for p in proposals:
            level = Config(p.level_label) if p.level_label else t("results.level_missing")
            block.append(ui.sentence("results.method_line", name=User(p.name), level=level,
                                     organisation=Config(p.organisation.name), bullet=True))
            if p.description:
                block.append(ui.user_text(cut(p.description, MAX_QUOTE_CHARS, one_line=True), size="Small", subtle=True,
                                          spacing="None"))
        blocks.append(block)
    if methods.none_organisations:
        count = len(methods.none_organisations)
        option = Config(methods.none_numeral) if methods.none_numeral else phrase(
            "results.quoted", text=Config(methods.none_label))
        blocks.append([ui.sentence("results.methods_none_one" if count == 1 else "results.methods_none",
                                   option=option, count=count, size="Small")])
    return blocks


def _quote_attribution(organisation: Organisation) -> str:
    return t(f"results.quote_by.{organisation.category.value}")


def _text_blocks(summary: SurveySummary, result: TextResult) -> list[Block]:
    head: Block = [
        _question_heading(summary, result.section_id, result.number, result.text, weight="Bolder", spacing="Large",
                          separator=True),
        ui.text(t("results.text_answers", count=len(result.answers)), size="Small", subtle=True),
    ]
    blocks = [head]
    if not result.themes:
        head.append(ui.text(t("results.no_themes") if result.answers else t("results.no_answers"), size="Small"))
    for theme in result.themes:
        block: Block = [ui.sentence("results.theme_line", label=User(theme.label), count=theme.count, bullet=True)]
        for quote in theme.quotes:
            quoted = cut(quote.text, MAX_QUOTE_CHARS, one_line=True)
            block.append(ui.sentence("results.quote", text=User(quoted),
                                     by=_quote_attribution(quote.organisation), size="Small", subtle=True,
                                     spacing="None"))
        blocks.append(block)
    if result.answers:
        show = ResultsAnswers(r=summary.round_id, question=result.question_id)
        actions = [ui.execute(t("results.show_answers"), show, inputs=False)]
        if len(result.answers) >= 2:  # themes to curate (the HYTE team's: the summary is theirs only)
            actions.append(ui.execute(t("results.curate"), CurationOpen(r=summary.round_id, question=result.question_id),
                                      inputs=False))
        blocks.append([{"type": "ActionSet", "actions": actions}])
    return blocks


def summary_blocks(summary: SurveySummary, county: str) -> list[Block]:
    status = summary.status
    head: Block = [
        ui.sentence("results.summary_title", county=Config(county), size="Large", weight="Bolder"),
        ui.text(t("results.summary_counted", counted=summary.counted, total=status.overall.total)),
        _progress(status.overall),
        _chart("Chart.VerticalBar", t("results.rate_chart"),
               [(_category_name(tally.category), round(tally.rate * 100)) for tally in status.by_category],
               "results.rate_line"),
    ]
    if status.drafts:
        names = ", ".join(s.organisation.name for s in status.drafts)
        head.append(ui.sentence("results.drafts", count=len(status.drafts), names=Config(names), size="Small"))
    blocks: list[Block] = [head, [ui.subheading(t("results.distributions_title"))]]
    blocks += [_distribution_block(summary, d) for d in summary.distributions]
    for ranking in summary.goal_rankings:
        blocks += _ranking_blocks(summary, ranking)
    for methods in summary.methods:
        blocks += _methods_blocks(methods)
    blocks.append([ui.subheading(t("results.themes_title"))])
    for result in summary.texts:
        blocks += _text_blocks(summary, result)
    return blocks


def _continued(index: int, count: int) -> Block:
    return [] if index == 1 else [ui.text(t("results.continued"), size="Small", subtle=True)]


def summary_cards(summary: SurveySummary, county: str, comparison: Comparison | None = None) -> list[dict[str, Any]]:
    """The summary's cards; with `comparison`, this year against last at the end (cards/comparison.py)."""
    return paginate([Part(summary_blocks(summary, county) + comparison_blocks(summary, comparison))], _continued)


def answers_cards(summary: SurveySummary, result: TextResult) -> list[dict[str, Any]]:
    """Every counted answer to one free-text question, attributed to the organisation's category."""
    blocks: list[Block] = [[
        ui.sentence("results.all_answers_title", section=Config(summary.section_titles.get(result.section_id, "")),
                    number=Config(result.number), weight="Bolder"),
        ui.config_text(result.text, size="Small", subtle=True),
    ]]
    for answer in result.answers:
        blocks.append([
            ui.text(_quote_attribution(answer.organisation), weight="Bolder", size="Small", spacing="Medium"),
            ui.user_text(answer.text, spacing="None"),
        ])
    return paginate([Part(blocks)], _continued)


# Exports ------------------------------------------------------------------------------------------


def download_card(links: Sequence[tuple[str, str]], expires_at) -> dict[str, Any]:
    """Links to the exports, served by the bot (signed, expiring)."""
    return ui.card(
        [ui.heading(t("export.ready_title")), ui.text(t("export.links_expire", at=format_datetime(expires_at)))],
        [{"type": "Action.OpenUrl", "title": title, "url": url} for title, url in links],
    )


def file_consent_attachment(filename: str, size: int, round_id: str, kind: str,
                            language: str | None = None) -> dict[str, Any]:
    """A FileConsentCard: Teams asks the user to allow the upload into their OneDrive. Its context
    comes back with the answer, as an `ExportConsent` payload (with the file's language, if chosen)."""
    context = ExportConsent(r=round_id, kind=kind, language=language).data()
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
