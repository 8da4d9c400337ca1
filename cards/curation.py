"""The HYTE team's theme curation card for one free-text question (hyte/curation.py).

It shows the question's themes as they are now (curated), each with its first quote, the themes
hidden, the last change with who and when, and a form: the theme, the theme to merge it into, a
new name, the answer that represents it; one button per edit (Action.Execute, the card updated in
place). Theme labels and answers are user text: in TextRuns, and neutralised where a choice
title shows them (cards/text.py). Answers name only the organisation's category.
"""

from __future__ import annotations

from typing import Any, Sequence

from cards import elements as ui
from cards.catalogue import format_datetime, t
from cards.inputs import CURATION_LABEL, CURATION_QUOTE, CURATION_TARGET, CURATION_THEME
from cards.payloads import CurationApply, CurationDone
from cards.text import Config, Phrase, User, neutralise
from hyte.curation import MAX_LABEL, CurationEdit
from hyte.results import SurveySummary, TextResult
from hyte.text import cut

QUOTE_CHOICE_CHARS = 90
QUOTE_CHARS = 300


def curation_card(
    summary: SurveySummary, result: TextResult, hidden: Sequence[str], last: CurationEdit | None,
    notice: tuple[Phrase, str] | None = None, typed: dict[str, str] | None = None,
) -> dict[str, Any]:
    typed = typed or {}
    body: list[dict[str, Any]] = [
        ui.heading(t("curation.title")),
        ui.sentence("results.question", section=Config(summary.section_titles.get(result.section_id, "")),
                    number=Config(result.number), text=Config(result.text), size="Small", subtle=True),
        ui.notice_box(notice),  # type: ignore[arg-type]
        ui.text(t("curation.hint"), size="Small"),
    ]
    for theme in result.themes:
        body.append(ui.sentence("curation.theme_line", label=User(theme.label), count=theme.count, bullet=True,
                                weight="Bolder", spacing="Small"))
        if theme.quotes:
            quote = theme.quotes[0]
            body.append(ui.sentence("results.quote", text=User(cut(quote.text, QUOTE_CHARS, one_line=True)),
                                    by=t(f"results.quote_by.{quote.organisation.category.value}"),
                                    size="Small", subtle=True, spacing="None"))
    if not result.themes:
        body.append(ui.text(t("curation.no_themes")))
    if hidden:
        body.append(ui.sentence("curation.hidden", labels=User(", ".join(hidden)), size="Small", spacing="Medium"))
    if last is not None and last.at is not None:
        body.append(ui.sentence("curation.last", name=User(last.by_name or "–"), at=format_datetime(last.at),
                                size="Small", subtle=True))
    actions: list[dict[str, Any]] = []
    if result.themes:
        themes = [(theme.key, neutralise(theme.label)) for theme in result.themes]
        answers = [(a.organisation.id, t("curation.quote_choice", by=t(f"results.category.{a.organisation.category.value}"),
                                          text=neutralise(cut(a.text, QUOTE_CHOICE_CHARS, one_line=True))))
                   for a in result.answers]
        body += [
            ui.input_choices(CURATION_THEME, t("curation.theme"), themes, typed.get(CURATION_THEME), expanded=False),
            ui.input_choices(CURATION_TARGET, t("curation.target"), themes, typed.get(CURATION_TARGET), expanded=False),
            ui.input_text(CURATION_LABEL, t("curation.label"), typed.get(CURATION_LABEL), max_length=MAX_LABEL,
                          multiline=False),
            ui.input_choices(CURATION_QUOTE, t("curation.quote"), answers, typed.get(CURATION_QUOTE), expanded=False),
        ]
        for action, title in (("merge", "curation.merge"), ("rename", "curation.rename"), ("hide", "curation.hide"),
                              ("quote", "curation.pick_quote")):
            actions.append(ui.execute(t(title), CurationApply(r=summary.round_id, question=result.question_id,
                                                              action=action)))
    actions.append(ui.execute(t("curation.done"), CurationDone(r=summary.round_id, question=result.question_id),
                              inputs=False))
    return ui.card(body, actions)
