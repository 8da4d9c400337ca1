"""Survey cards built from the survey data: a section, the review, submitted, closed, welcome, status."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

from cards import elements as ui
from cards.catalogue import format_datetime, t
from cards.escape import escape
from cards.inputs import DESCRIPTION, LEVEL, NAME, NONE, OTHER, input_id, input_values
from hyte.answers import FieldError
from hyte.responses import Response, ResponseState
from hyte.round import Organisation, Round, SeatRole, SurveyWindow
from hyte.survey import (
    MethodsQuestion,
    MultiChoiceQuestion,
    Question,
    ScaleQuestion,
    SingleChoiceQuestion,
    TextQuestion,
)

Notice = tuple[str, ui.Color]
"""A message shown at the top of a card, with its colour."""

VERB_OPEN = "survey.open"
VERB_STEP = "survey.step"
VERB_GOTO = "survey.goto"
VERB_SUBMIT = "survey.submit"


def section_card(
    round_: Round, section_id: str, values: Mapping[str, Any], version: int,
    errors: Sequence[FieldError] = (), notice: Notice | None = None,
) -> dict[str, Any]:
    survey = round_.survey
    section = survey.section(section_id)
    index = survey.section_index(section_id)
    count = len(survey.sections)
    body: list[ui.Element] = [
        ui.text(escape(survey.title), size="Small", subtle=True),
        ui.heading(f"{t('survey.section_progress', index=index + 1, count=count)}: {escape(section.title)}"),
        _notice(notice),
    ]
    if section.intro:
        body.append(ui.text(escape(section.intro)))
    if any(q.required for q in section.questions):
        body.append(ui.text(t("survey.required_legend"), size="Small", subtle=True))
    by_question: dict[str, list[FieldError]] = {}
    for error in errors:
        by_question.setdefault(error.question_id, []).append(error)
    for question in section.questions:
        body.extend(_question(question, values.get(question.id), by_question.get(question.id, [])))

    data = {"r": round_.id, "section": section.id, "v": version}
    actions = []
    if index > 0:
        actions.append(ui.execute(t("action.back"), VERB_STEP, {**data, "move": "back"}))
    actions.append(ui.execute(t("action.save"), VERB_STEP, {**data, "move": "save"}))
    last = index + 1 == count
    actions.append(
        ui.execute(t("action.review" if last else "action.next"), VERB_STEP, {**data, "move": "next"}, style="positive")
    )
    return ui.card(body, actions)


def _notice(notice: Notice | None) -> ui.Element:
    if notice is None:
        return {}
    message, color = notice
    # The box's colour carries the meaning; its text keeps the default colour, which stays legible.
    style = {"attention": "attention", "warning": "warning", "good": "good"}.get(color, "emphasis")
    return ui.container([ui.text(message, weight="Bolder")], style=style, spacing="Medium")


def _question(question: Question, value: Any, errors: list[FieldError]) -> list[ui.Element]:
    """A question's inputs. The first input's label is the question itself (plain text, as Teams
    renders labels), so the question is shown once and screen readers announce it."""
    label = f"{question.number}. {question.text}{t('survey.required_mark') if question.required else ''}"
    shown = input_values(question, value)
    elements: list[ui.Element] = []
    match question:
        case SingleChoiceQuestion() | MultiChoiceQuestion():
            elements.append(
                ui.input_choices(input_id(question.id), label, [(o.id, o.label) for o in question.options],
                                 shown.get(input_id(question.id)), multi=isinstance(question, MultiChoiceQuestion))
            )
            elements.extend(ui.error_text(_error(e)) for e in errors if e.part is None)
            other = next((o for o in question.options if o.needs_text), None)
            if isinstance(question, MultiChoiceQuestion) and other:
                elements.append(
                    ui.input_text(input_id(question.id, OTHER), t("survey.other_text_label", option=other.label),
                                  shown.get(input_id(question.id, OTHER)), max_length=question.other_max_length,
                                  multiline=False)
                )
                elements.extend(ui.error_text(_error(e)) for e in errors if e.part == OTHER)
        case ScaleQuestion():
            choices = []
            for point in range(question.min, question.max + 1):
                if point == question.min:
                    title = t("survey.scale_point_min", value=point, label=question.min_label)
                elif point == question.max:
                    title = t("survey.scale_point_max", value=point, label=question.max_label)
                else:
                    title = t("survey.scale_point", value=point)
                choices.append((str(point), title))
            elements.append(ui.input_choices(input_id(question.id), label, choices, shown.get(input_id(question.id))))
        case TextQuestion():
            elements.append(
                ui.input_text(input_id(question.id), label, shown.get(input_id(question.id)),
                              max_length=question.max_length,
                              placeholder=t("survey.text_placeholder", max=question.max_length))
            )
        case MethodsQuestion():
            elements.append(ui.text(escape(label), weight="Bolder"))
            elements.extend(_methods(question, shown, errors))
    elements[0] = {**elements[0], "spacing": "ExtraLarge", "separator": True}
    if question.help:
        elements.insert(1, ui.text(escape(question.help), size="Small", subtle=True, spacing="Small"))
    if not isinstance(question, (SingleChoiceQuestion, MultiChoiceQuestion)):
        elements.extend(ui.error_text(_error(e)) for e in errors if e.part is None)
    return elements


def _methods(question: MethodsQuestion, shown: dict[str, str], errors: list[FieldError]) -> list[ui.Element]:
    elements: list[ui.Element] = [ui.text(escape(question.guidance), size="Small", subtle=True)]
    levels = [(level.value, label) for level, label in question.evidence_levels.items()]
    for area in question.areas:
        items = [
            ui.text(f"{escape(area.numeral)}\\. {escape(area.label)}", weight="Bolder"),
            ui.input_text(input_id(question.id, area.id, NAME), t("survey.method_name", numeral=area.numeral),
                          shown.get(input_id(question.id, area.id, NAME)), max_length=question.name_max_length,
                          multiline=False),
            ui.input_text(input_id(question.id, area.id, DESCRIPTION), t("survey.method_description", numeral=area.numeral),
                          shown.get(input_id(question.id, area.id, DESCRIPTION)),
                          max_length=question.description_max_length),
            ui.input_choices(input_id(question.id, area.id, LEVEL), t("survey.method_level", numeral=area.numeral), levels,
                             shown.get(input_id(question.id, area.id, LEVEL)), expanded=False,
                             placeholder=t("survey.method_level_placeholder")),
        ]
        items.extend(ui.error_text(_error(e)) for e in errors if e.part == area.id)
        elements.append(ui.container(items, style="emphasis", spacing="Medium"))
    elements.append(
        ui.input_toggle(input_id(question.id, NONE), t("survey.methods_none_toggle", label=question.none_option.label),
                        shown.get(input_id(question.id, NONE)) == "true")
    )
    return elements


def _error(error: FieldError) -> str:
    return t(f"error.{error.code.value}", **error.params)


# Review and submitted ----------------------------------------------------------------------------


def review_card(
    round_: Round, answers: Mapping[str, Any], version: int,
    problems: Mapping[str, Sequence[FieldError]] | None = None, notice: Notice | None = None,
) -> dict[str, Any]:
    problems = problems or {}
    body: list[ui.Element] = [
        ui.text(escape(round_.survey.title), size="Small", subtle=True),
        ui.heading(t("survey.review_title")),
        _notice(notice),
    ]
    for section in round_.survey.sections:
        body.append(ui.subheading(escape(section.title)))
        if section.id in problems:
            body.append(ui.error_text(t("error.section_has_errors")))
        body.extend(_answers(section.questions, answers, problems.get(section.id, ())))
        body.append(
            {"type": "ActionSet", "actions": [
                ui.execute(t("action.edit_section"), VERB_GOTO, {"r": round_.id, "section": section.id}, inputs=False)
            ]}
        )
    actions = [ui.execute(t("action.submit"), VERB_SUBMIT, {"r": round_.id, "v": version}, style="positive", inputs=False)]
    return ui.card(body, actions)


def submitted_card(round_: Round, response: Response, *, just_now: bool) -> dict[str, Any]:
    assert response.submitted_at is not None
    body: list[ui.Element] = [
        ui.text(escape(round_.survey.title), size="Small", subtle=True),
        ui.heading(t("survey.submitted_title" if just_now else "survey.submitted_again_title")),
        ui.text(t("survey.submitted_by", at=format_datetime(response.submitted_at), by=escape(response.submitted_by or "?"))),
        ui.text(t("survey.edit_until", at=format_datetime(round_.timetable.survey_closes)), subtle=True),
    ]
    for section in round_.survey.sections:
        body.append(ui.subheading(escape(section.title)))
        body.extend(_answers(section.questions, response.submitted_answers or {}))
    actions = [ui.execute(t("action.edit"), VERB_GOTO, {"r": round_.id, "section": round_.survey.sections[0].id}, inputs=False)]
    return ui.card(body, actions)


REVIEW_TEXT_LIMIT = 400
"""Characters of one answer line shown on the review and submitted cards, which must stay under
Teams' card size limit (about 28 KB) even when every text is at its maximum length."""


def _answers(
    questions: Iterable[Question], answers: Mapping[str, Any], problems: Sequence[FieldError] = ()
) -> list[ui.Element]:
    elements: list[ui.Element] = []
    for question in questions:
        elements.append(ui.text(f"{escape(question.number)}\\. {escape(question.text)}", size="Small", weight="Bolder", subtle=True))
        elements.extend(ui.error_text(_error(e)) for e in problems if e.question_id == question.id)
        lines = answer_lines(question, answers.get(question.id))
        if not lines:
            elements.append(ui.text(t("survey.review_empty"), subtle=True, spacing="None"))
        for line in lines:
            # One block per line: Teams joins the lines of one TextBlock.
            elements.extend(ui.user_text(part, spacing="None") for part in _shorten(line).split("\n") if part.strip())
    return elements


def _shorten(line: str) -> str:
    if len(line) <= REVIEW_TEXT_LIMIT:
        return line
    return line[:REVIEW_TEXT_LIMIT].rstrip() + t("survey.review_shortened")


def answer_lines(question: Question, answer: Any) -> list[str]:
    """An answer as readable lines (user text, not yet escaped)."""
    if answer is None:
        return []
    match question:
        case SingleChoiceQuestion():
            return [o.label for o in question.options if o.id == answer]
        case MultiChoiceQuestion():
            lines = [o.label for o in question.options if o.id in answer.get("selected", []) and not o.needs_text]
            if answer.get("other"):
                lines.append(t("survey.review_other", text=answer["other"]))
            return lines
        case ScaleQuestion():
            return [f"{answer} / {question.max} ({question.min} = {question.min_label}, {question.max} = {question.max_label})"]
        case TextQuestion():
            return [answer]
        case MethodsQuestion():
            lines = []
            for area in question.areas:
                entry = answer.get("areas", {}).get(area.id)
                if entry:
                    level = question.evidence_levels.get(entry.get("level"), "") if entry.get("level") else ""
                    lines.append(t("survey.review_method", numeral=area.numeral, area=area.label,
                                   name=entry.get("name") or "", level=level))
                    if entry.get("description"):
                        lines.append(t("survey.review_method_description", description=entry["description"]))
            if answer.get("none"):
                lines.append(t("survey.review_methods_none", label=question.none_option.label))
            return lines
    return []


# Window, welcome, status ----------------------------------------------------------------------


def window_card(window: SurveyWindow, opens: datetime, closes: datetime) -> dict[str, Any]:
    if window is SurveyWindow.NOT_YET_OPEN:
        return ui.card([ui.heading(t("survey.not_yet_open_title")),
                        ui.text(t("survey.not_yet_open_body", at=format_datetime(opens)))])
    return ui.card([ui.heading(t("survey.closed_title")),
                    ui.text(t("survey.closed_body", at=format_datetime(closes)))])


def state_text(response: Response | None) -> str:
    if response is None or response.state is ResponseState.NOT_STARTED:
        return t("state.not_started")
    if response.state is ResponseState.DRAFT:
        return t("state.draft", at=format_datetime(response.updated_at), by=escape(response.updated_by or "?"))
    key = "state.submitted" if response.state is ResponseState.SUBMITTED else "state.submitted_with_changes"
    return t(key, at=format_datetime(response.submitted_at), by=escape(response.submitted_by or "?"))


def deadline_text(round_: Round, now: datetime) -> str:
    window = round_.survey_state(now)
    if window is SurveyWindow.NOT_YET_OPEN:
        return t("deadline.not_yet_open", at=format_datetime(round_.timetable.survey_opens))
    if window is SurveyWindow.CLOSED:
        return t("deadline.closed", at=format_datetime(round_.timetable.survey_closes))
    return t("deadline.open", at=format_datetime(round_.timetable.survey_closes))


def welcome_card(
    round_: Round, name: str, organisation: Organisation, role: SeatRole, response: Response | None, now: datetime,
) -> dict[str, Any]:
    body = [
        ui.text(t("greeting.representative", name=escape(name), organisation=escape(organisation.name),
                  role=t(f"role.{role.value}"))),
        ui.text(t("greeting.survey_intro")),
        ui.fact_set([(t("state.label"), state_text(response))]),
        ui.text(deadline_text(round_, now), weight="Bolder"),
    ]
    return ui.card(body, _open_actions(round_, response, now))


def status_card(round_: Round, organisation: Organisation, response: Response | None, now: datetime) -> dict[str, Any]:
    body = [
        ui.heading(t("status.title", organisation=escape(organisation.name))),
        ui.fact_set([(t("state.label"), state_text(response))]),
        ui.text(deadline_text(round_, now), weight="Bolder"),
    ]
    return ui.card(body, _open_actions(round_, response, now))


def _open_actions(round_: Round, response: Response | None, now: datetime) -> list[ui.Element]:
    if round_.survey_state(now) is not SurveyWindow.OPEN:
        return []
    state = response.state if response is not None else ResponseState.NOT_STARTED
    title = {ResponseState.NOT_STARTED: "action.start", ResponseState.SUBMITTED: "action.show_submitted"}.get(
        state, "action.resume"
    )
    return [ui.execute(t(title), VERB_OPEN, {"r": round_.id}, style="positive", inputs=False)]
