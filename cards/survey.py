"""Survey cards built from the survey data: a section, the review, submitted, closed, welcome, status.

The survey's texts are configuration text (cards/text.py: shown as typed, in runs); answers and
people's names are user text; everything else comes from the catalogue.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

from cards import elements as ui
from cards.catalogue import format_datetime, t
from cards.inputs import DESCRIPTION, LEVEL, NAME, NONE, OTHER, input_id, input_values
from cards.payloads import SurveyGoTo, SurveyOpen, SurveyStep, SurveySubmit
from cards.text import Config, Phrase, User, phrase, text_run
from hyte.answers import AnswerLine, FieldError, answer_lines, none_line
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

Notice = tuple[Phrase, ui.Color]
"""A message shown at the top of a card (a catalogue text, maybe with a person's name), with its colour."""


def section_card(
    round_: Round, section_id: str, values: Mapping[str, Any], version: int,
    errors: Sequence[FieldError] = (), notice: Notice | None = None,
) -> dict[str, Any]:
    survey = round_.survey
    section = survey.section(section_id)
    index = survey.section_index(section_id)
    count = len(survey.sections)
    body: list[ui.Element] = [
        ui.config_text(survey.title, size="Small", subtle=True),
        ui.sentence("survey.section_heading", index=index + 1, count=count, title=Config(section.title),
                    size="Large", weight="Bolder"),
        ui.notice_box(notice),
    ]
    if section.intro:
        body.append(ui.config_text(section.intro))
    if any(q.required for q in section.questions):
        body.append(ui.text(t("survey.required_legend"), size="Small", subtle=True))
    by_question: dict[str, list[FieldError]] = {}
    for error in errors:
        by_question.setdefault(error.question_id, []).append(error)
    for question in section.questions:
        body.extend(_question(question, values.get(question.id), by_question.get(question.id, [])))

    saved = SurveyStep(verb="survey.step", r=round_.id, section=section.id, v=version, move="save").data()

    def step(move: str) -> _Moved:  # the same payload, validated and dumped once, with another move
        return _Moved(saved, move)

    actions = []
    if index > 0:
        actions.append(ui.execute(t("action.back"), step("back")))
    actions.append(ui.execute(t("action.save"), step("save")))
    last = index + 1 == count
    actions.append(ui.execute(t("action.review" if last else "action.next"), step("next"), style="positive"))
    return ui.card(body, actions)


class _Moved:
    """A section card's step payload: the save payload's data (validated and dumped once per card)
    with the move of its button, one of SurveyStep.move's literals."""

    def __init__(self, saved: dict[str, Any], move: str) -> None:
        assert move in ("back", "save", "next")
        self._saved, self._move = saved, move

    def data(self) -> dict[str, Any]:
        return {**self._saved, "move": self._move}


def _question(question: Question, value: Any, errors: list[FieldError]) -> list[ui.Element]:
    """A question's inputs. The first input's label is the question itself (plain text, as Teams
    renders labels), so the question is shown once and screen readers announce it."""
    label = t("survey.question", number=question.number, text=question.text)
    label += t("survey.required_mark") if question.required else ""
    shown = input_values(question, value)
    elements: list[ui.Element] = []
    match question:
        case SingleChoiceQuestion() | MultiChoiceQuestion():
            elements.append(
                ui.input_choices(input_id(question.id), label, [(o.id, o.label) for o in question.options],
                                 shown.get(input_id(question.id)), multi=isinstance(question, MultiChoiceQuestion))
            )
            elements.extend(error_element(e) for e in errors if e.part is None)
            other = question.other_option if isinstance(question, MultiChoiceQuestion) else None
            if isinstance(question, MultiChoiceQuestion) and other:
                elements.append(
                    ui.input_text(input_id(question.id, OTHER), t("survey.other_text_label", option=other.label),
                                  shown.get(input_id(question.id, OTHER)), max_length=question.other_max_length,
                                  multiline=False)
                )
                elements.extend(error_element(e) for e in errors if e.part == OTHER)
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
            elements.append(ui.config_text(label, weight="Bolder"))
            elements.extend(_methods(question, shown, errors))
    elements[0] = {**elements[0], "spacing": "ExtraLarge", "separator": True}
    if question.help:
        elements.insert(1, ui.config_text(question.help, size="Small", subtle=True, spacing="Small"))
    if not isinstance(question, (SingleChoiceQuestion, MultiChoiceQuestion)):
        elements.extend(error_element(e) for e in errors if e.part is None)
    return elements


def _methods(question: MethodsQuestion, shown: dict[str, str], errors: list[FieldError]) -> list[ui.Element]:
    elements: list[ui.Element] = [ui.config_text(question.guidance, size="Small", subtle=True)]
    levels = [(level.value, label) for level, label in question.evidence_levels.items()]
    for area in question.areas:
        items = [
            ui.sentence("survey.numbered", numeral=Config(area.numeral), label=Config(area.label), weight="Bolder"),
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
        items.extend(error_element(e) for e in errors if e.part == area.id)
        elements.append(ui.container(items, style="emphasis", spacing="Medium"))
    none = none_line(question)
    elements.append(
        ui.input_toggle(input_id(question.id, NONE), t(none.key, **none.params),
                        shown.get(input_id(question.id, NONE)) == "true")
    )
    return elements


def error_element(error: FieldError) -> ui.Element:
    """A validation error under its input; the survey's texts in it (an option, a numeral) as typed."""
    key = f"error.{error.code.value}"
    if error.code.value == "methods_none_combined" and not error.params.get("numeral"):
        key = "error.methods_none_combined_unnumbered"
    params = {name: Config(value) if isinstance(value, str) else value for name, value in error.params.items()}
    return ui.sentence(key, color="attention", size="Small", spacing="None", **params)


# Review and submitted ----------------------------------------------------------------------------


def review_card(
    round_: Round, answers: Mapping[str, Any], version: int,
    problems: Mapping[str, Sequence[FieldError]] | None = None, notice: Notice | None = None,
) -> dict[str, Any]:
    problems = problems or {}
    body: list[ui.Element] = [
        ui.config_text(round_.survey.title, size="Small", subtle=True),
        ui.heading(t("survey.review_title")),
        ui.notice_box(notice),
    ]
    for section in round_.survey.sections:
        body.append(ui.config_text(section.title, size="Medium", weight="Bolder", spacing="Medium"))
        if section.id in problems:
            body.append(ui.text(t("error.section_has_errors"), color="attention", size="Small", spacing="None"))
        body.extend(_answers(section.questions, answers, problems.get(section.id, ())))
        goto = SurveyGoTo(verb="survey.goto", r=round_.id, section=section.id)
        body.append({"type": "ActionSet", "actions": [ui.execute(t("action.edit_section"), goto, inputs=False)]})
    submit = SurveySubmit(verb="survey.submit", r=round_.id, v=version)
    return ui.card(body, [ui.execute(t("action.submit"), submit, style="positive", inputs=False)])


def submitted_card(round_: Round, response: Response, *, just_now: bool) -> dict[str, Any]:
    assert response.submitted_at is not None
    body: list[ui.Element] = [
        ui.config_text(round_.survey.title, size="Small", subtle=True),
        ui.heading(t("survey.submitted_title" if just_now else "survey.submitted_again_title")),
        ui.sentence("survey.submitted_by", at=format_datetime(response.submitted_at),
                    by=User(response.submitted_by or "?")),
        ui.text(t("survey.edit_until", at=format_datetime(round_.timetable.survey_closes)), subtle=True),
    ]
    for section in round_.survey.sections:
        body.append(ui.config_text(section.title, size="Medium", weight="Bolder", spacing="Medium"))
        body.extend(_answers(section.questions, response.submitted_answers or {}))
    edit = SurveyGoTo(verb="survey.goto", r=round_.id, section=round_.survey.sections[0].id)
    return ui.card(body, [ui.execute(t("action.edit"), edit, inputs=False)])


REVIEW_TEXT_LIMIT = 400
"""Characters of one written text shown on the review and submitted cards, which must stay under
Teams' card size limit (about 28 KB) even when every text is at its maximum length."""


def _answers(
    questions: Iterable[Question], answers: Mapping[str, Any], problems: Sequence[FieldError] = ()
) -> list[ui.Element]:
    elements: list[ui.Element] = []
    for question in questions:
        elements.append(ui.sentence("survey.question", number=Config(question.number), text=Config(question.text),
                                    size="Small", weight="Bolder", subtle=True))
        elements.extend(error_element(e) for e in problems if e.question_id == question.id)
        lines = answer_lines(question, answers.get(question.id))
        if not lines:
            elements.append(ui.text(t("survey.review_empty"), subtle=True, spacing="None"))
        for line in lines:
            elements.extend(answer_elements(line))
    return elements


def answer_elements(line: AnswerLine, limit: int = REVIEW_TEXT_LIMIT) -> list[ui.Element]:
    """One answer line as blocks: the survey's texts as typed, the written text neutralised and cut
    to `limit` characters; a written text's further lines are blocks of their own (so that every
    client shows the line breaks)."""
    params: dict[str, object] = {}
    shortened = False
    rest: list[str] = []
    for name, value in line.params.items():
        if name in line.written:
            text = str(value)
            if len(text) > limit:
                text, shortened = text[:limit].rstrip(), True
            first, *more = [part for part in text.split("\n") if part.strip()] or [""]
            params[name] = User(first)
            rest += more
        else:
            params[name] = Config(value) if isinstance(value, str) else value
    elements = [ui.sentence(line.key, spacing="None", **params)]
    elements += [ui.user_text(part, spacing="None") for part in rest]
    if shortened:
        last = elements[-1]
        if last["type"] == "RichTextBlock":
            last["inlines"].append(text_run(t("survey.review_shortened"), isSubtle=True))
    return elements


# Window, welcome, status ----------------------------------------------------------------------


def window_card(window: SurveyWindow, opens: datetime, closes: datetime) -> dict[str, Any]:
    if window is SurveyWindow.NOT_YET_OPEN:
        return ui.card([ui.heading(t("survey.not_yet_open_title")),
                        ui.text(t("survey.not_yet_open_body", at=format_datetime(opens)))])
    return ui.card([ui.heading(t("survey.closed_title")),
                    ui.text(t("survey.closed_body", at=format_datetime(closes)))])


def state_phrase(response: Response | None) -> Phrase:
    """The state of an organisation's response, with who saved or sent it."""
    if response is None or response.state is ResponseState.NOT_STARTED:
        return phrase("state.not_started")
    if response.state is ResponseState.DRAFT:
        return phrase("state.draft", at=format_datetime(response.updated_at), by=User(response.updated_by or t("person.erased")))
    key = "state.submitted" if response.state is ResponseState.SUBMITTED else "state.submitted_with_changes"
    return phrase(key, at=format_datetime(response.submitted_at), by=User(response.submitted_by or "?"))


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
        ui.sentence("greeting.representative", name=User(name), organisation=Config(organisation.name),
                    role=t(f"role.{role.value}")),
        ui.text(t("greeting.survey_intro")),
        ui.sentence("state.line", state=state_phrase(response)),
        ui.text(deadline_text(round_, now), weight="Bolder"),
    ]
    return ui.card(body, _open_actions(round_, response, now))


def status_card(round_: Round, organisation: Organisation, response: Response | None, now: datetime) -> dict[str, Any]:
    body = [
        ui.sentence("status.title", organisation=Config(organisation.name), size="Large", weight="Bolder"),
        ui.sentence("state.line", state=state_phrase(response)),
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
    return [ui.execute(t(title), SurveyOpen(verb="survey.open", r=round_.id), style="positive", inputs=False)]
