"""The Word summary's questions: each question's results as the regional government reads them,
and the sentences that open a legal topic with its headline figures, written from the data.

- A choice question: its chart (documents/charts.py) and the same numbers once, as a table.
- The goals question: the goals ranked with the organisations that chose them, and the "other" texts.
- The methods question: proposals by priority area, strongest evidence first, with the
  organisation; the organisations that could not name one, by name.
- A free-text question: each theme with the organisations that raised it and every answer it
  carries, with its organisation: its representative quotes first, then the rest (an answer shown
  once: under the theme it represents, else the first that carries it);
  every answer is in the appendix too (documents/summary_docx.py).
"""

from __future__ import annotations

import io
from typing import Callable

from docx.shared import Cm

from documents.charts import bar_chart_png
from documents.docx_parts import table
from hyte.results import Distribution, GoalRanking, MethodsResult, SurveySummary, TextResult
from hyte.survey import ScaleQuestion, Survey

Tr = Callable[..., str]
Q = "\u201d"  # the Finnish (and Swedish) quotation mark, on both sides


def _percent(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0


# Results of one question ---------------------------------------------------------------------------


def distribution(document, d: Distribution, tr: Tr) -> None:
    bars = [(bar.label, bar.count) for bar in d.bars]
    if d.answered:  # the chart and its table on one page
        document.add_picture(io.BytesIO(bar_chart_png(f"{d.number}. {d.text}", bars)), width=Cm(15))
        document.paragraphs[-1].paragraph_format.keep_with_next = True
    table(document, [tr("docx.table.answer"), tr("docx.table.organisations"), tr("docx.table.percent")],
          [(label, count, _percent(count, d.answered)) for label, count in bars]
          + [(tr("docx.table.total"), d.answered, 100 if d.answered else 0)])


def ranking(document, r: GoalRanking, counted: int, tr: Tr) -> None:
    if r.goals:
        top = [(g.label, g.count) for g in r.goals[:10]]
        document.add_picture(io.BytesIO(bar_chart_png(tr("results.goals_chart"), top)), width=Cm(15))
    for index, goal in enumerate(r.goals, start=1):
        document.add_paragraph(
            tr("docx.goal", rank=index, label=goal.label, count=goal.count, total=counted,
               organisations=", ".join(o.name for o in goal.organisations)),
            style="List Number",
        )
    if not r.goals:
        document.add_paragraph(tr("results.no_answers"))
    if r.others:
        document.add_paragraph(tr("results.other_texts", option=r.other_label))
        for other in r.others:
            document.add_paragraph(f"{other.text} ({other.organisation.name})", style="List Bullet")


def methods(document, m: MethodsResult, tr: Tr) -> None:
    for area, proposals in m.by_area:
        document.add_paragraph(f"{area.numeral}. {area.label}", style="List Bullet")
        for p in proposals:
            document.add_paragraph(
                tr("docx.method", name=p.name, level=p.level_label or "–", organisation=p.organisation.name)
                + (f": {p.description}" if p.description else ""),
                style="List Bullet 2",
            )
        if not proposals:
            document.add_paragraph(tr("results.no_methods"), style="List Bullet 2")
    if m.none_organisations:
        option = m.none_numeral or f"{Q}{m.none_label}{Q}"
        document.add_paragraph(tr("docx.methods_none", option=option, count=len(m.none_organisations),
                                  organisations=", ".join(o.name for o in m.none_organisations)))


def themes(document, result: TextResult, tr: Tr) -> None:
    document.add_paragraph(tr("results.text_answers", count=len(result.answers)))
    if not result.themes:
        document.add_paragraph(tr("docx.no_themes") if result.answers else tr("results.no_answers"))
    shown: set[tuple[str, str]] = set()
    quoted = {(q.organisation.id, q.text) for theme in result.themes for q in theme.quotes}
    for theme in result.themes:
        document.add_paragraph(
            tr("docx.theme", label=theme.label, count=theme.count,
               organisations=", ".join(o.name for o in theme.organisations)),
            style="List Bullet",
        )
        # Its representative quotes first (each represents one theme), then the other answers it
        # carries that no theme before it showed and no other theme has as its quote.
        carried = list(theme.quotes) + [a for a in theme.answers
                                        if a not in theme.quotes and (a.organisation.id, a.text) not in quoted]
        for answer in carried:
            key = (answer.organisation.id, answer.text)
            if key in shown:
                continue
            shown.add(key)
            document.add_paragraph(f"{Q}{answer.text}{Q} ({answer.organisation.name})", style="Quote")
    rest = sum(1 for a in result.answers if (a.organisation.id, a.text) not in shown)
    if result.themes and rest:
        document.add_paragraph(tr("docx.answers_in_appendix", count=rest))


# A topic's opening sentences -------------------------------------------------------------------------


def opening(summary: SurveySummary, survey: Survey, question_ids: list[str], tr: Tr) -> list[str]:
    """The headline figures of the questions filed under one topic, as sentences to edit."""
    distributions = {d.question_id: d for d in summary.distributions}
    rankings = {r.question_id: r for r in summary.goal_rankings}
    method_results = {m.question_id: m for m in summary.methods}
    texts = {r.question_id: r for r in summary.texts}
    sentences: list[str] = []
    for question_id in question_ids:
        question = survey.question(question_id)
        if question_id in distributions:
            d = distributions[question_id]
            if not d.answered:
                continue
            if isinstance(question, ScaleQuestion):
                mean = sum(int(b.key) * b.count for b in d.bars) / d.answered
                upper = sum(b.count for b in d.bars if int(b.key) > (question.min + question.max) / 2)
                sentences.append(tr("docx.opening.scale", text=question.text, answered=d.answered,
                                    mean=f"{mean:.1f}".replace(".", ","), low=question.min, high=question.max,
                                    low_label=question.min_label, high_label=question.max_label, upper=upper))
            else:
                top = max(d.bars, key=lambda b: b.count)
                sentences.append(tr("docx.opening.choice", count=top.count, answered=d.answered, label=top.label,
                                    text=question.text))
        elif question_id in rankings and rankings[question_id].goals:
            goals = ", ".join(f"{Q}{g.label}{Q} ({g.count}/{summary.counted})" for g in rankings[question_id].goals[:3])
            sentences.append(tr("docx.opening.goals", goals=goals))
        elif question_id in method_results:
            m = method_results[question_id]
            proposals = [p for _, ps in m.by_area for p in ps]
            sentences.append(tr("docx.opening.methods", count=len(proposals),
                                organisations=len({p.organisation.id for p in proposals}),
                                none=len(m.none_organisations), option=m.none_numeral or f"{Q}{m.none_label}{Q}"))
        elif question_id in texts and texts[question_id].answers:
            r = texts[question_id]
            if r.themes:
                named = ", ".join(f"{t.label} ({t.count})" for t in r.themes[:3])
                sentences.append(tr("docx.opening.text", text=question.text, count=len(r.answers), themes=named))
            else:
                sentences.append(tr("docx.opening.text_no_themes", text=question.text, count=len(r.answers)))
    return sentences
