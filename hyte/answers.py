"""Validation of a section's answers against the survey definition.

The card layer turns a card's inputs into *raw* values per question (strings, lists, dicts as
they came); this module checks them and returns clean answers plus errors with codes. Texts of
errors live in the message catalogue, not here.

Two levels:
- lenient (save a draft, go back): values must be well-formed: known options, numbers in range,
  texts within their length limits. Missing answers are fine.
- strict (next, submit): also required answers, the "Jokin muu, mikä" text, exclusive options
  not combined, a method's evidence level.

A "Jokin muu, mikä" text written without ticking the option chooses the option (as Forms and
Webropol do), unless an exclusive option is chosen: that stays an error.

`answer_lines` is the one way an answer is turned into text people read, on cards and in exports.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Mapping

from hyte.survey import (
    EvidenceLevel,
    MethodsQuestion,
    MultiChoiceQuestion,
    Question,
    ScaleQuestion,
    Section,
    SingleChoiceQuestion,
    Survey,
    TextQuestion,
)

Answer = Any
"""A clean answer, JSON-ready: str (choice, text), int (scale), dict (multi choice, methods)."""


class ErrorCode(StrEnum):
    REQUIRED = "required"
    NOT_AN_OPTION = "not_an_option"
    OUT_OF_RANGE = "out_of_range"
    TOO_LONG = "too_long"
    WRONG_TYPE = "wrong_type"
    OTHER_TEXT_REQUIRED = "other_text_required"
    OTHER_TEXT_WITH_EXCLUSIVE = "other_text_with_exclusive"
    EXCLUSIVE_COMBINED = "exclusive_combined"
    METHOD_NAME_REQUIRED = "method_name_required"
    METHOD_LEVEL_REQUIRED = "method_level_required"
    METHODS_NONE_COMBINED = "methods_none_combined"


@dataclass(frozen=True)
class FieldError:
    question_id: str
    code: ErrorCode
    params: Mapping[str, Any] = field(default_factory=dict)
    part: str | None = None
    """Which part of a composite answer: "other", or a priority area id."""


@dataclass(frozen=True)
class SectionResult:
    answers: dict[str, Answer]
    """Clean answers of the section; a question left empty is absent."""
    errors: list[FieldError]

    @property
    def ok(self) -> bool:
        return not self.errors


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: object) -> str | None:
    """Normalise a free-text value: NFC, unified line breaks, no control characters, trimmed."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("text expected")
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text).strip()
    return text or None


def validate_section(section: Section, raw: Mapping[str, object], *, strict: bool) -> SectionResult:
    answers: dict[str, Answer] = {}
    errors: list[FieldError] = []
    for question in section.questions:
        value, question_errors = _validate(question, raw.get(question.id), strict)
        errors.extend(question_errors)
        if value is not None:
            answers[question.id] = value
    return SectionResult(answers, errors)


def validate_all(survey: Survey, answers: Mapping[str, Answer]) -> dict[str, list[FieldError]]:
    """Strict check of stored answers, section by section (before submit). Only sections with errors.

    Clean answers have the raw shape, so stored answers are validated as they are."""
    problems: dict[str, list[FieldError]] = {}
    for section in survey.sections:
        result = validate_section(section, answers, strict=True)
        if result.errors:
            problems[section.id] = result.errors
    return problems


def _validate(question: Question, raw: object, strict: bool) -> tuple[Answer | None, list[FieldError]]:
    try:
        match question:
            case SingleChoiceQuestion():
                value, errors = _single(question, raw)
            case MultiChoiceQuestion():
                value, errors = _multi(question, raw, strict)
            case ScaleQuestion():
                value, errors = _scale(question, raw)
            case TextQuestion():
                value, errors = _text(question, raw)
            case MethodsQuestion():
                value, errors = _methods(question, raw, strict)
    except (TypeError, ValueError, AttributeError):
        return None, [FieldError(question.id, ErrorCode.WRONG_TYPE)]
    if errors:
        return None, errors
    if value is None and strict and question.required:
        return None, [FieldError(question.id, ErrorCode.REQUIRED)]
    return value, []


def _single(question: SingleChoiceQuestion, raw: object) -> tuple[str | None, list[FieldError]]:
    choice = clean_text(raw)
    if choice is None:
        return None, []
    if choice not in {o.id for o in question.options}:
        return None, [FieldError(question.id, ErrorCode.NOT_AN_OPTION)]
    return choice, []


def _multi(question: MultiChoiceQuestion, raw: object, strict: bool) -> tuple[dict | None, list[FieldError]]:
    if raw is None:
        return None, []
    if not isinstance(raw, Mapping):
        raise TypeError("multi choice expects a mapping")
    selected_raw = raw.get("selected") or []
    if isinstance(selected_raw, str):
        selected_raw = [part for part in selected_raw.split(",")]
    selected = []
    for item in selected_raw:
        item = clean_text(item)
        if item and item not in selected:
            selected.append(item)
    other = clean_text(raw.get("other"))
    options = {o.id: o for o in question.options}
    errors: list[FieldError] = []
    if any(item not in options for item in selected):
        return None, [FieldError(question.id, ErrorCode.NOT_AN_OPTION)]
    other_option = question.other_option
    if other and other_option is None:
        return None, [FieldError(question.id, ErrorCode.NOT_AN_OPTION, {}, "other")]
    if other and len(other) > question.other_max_length:
        errors.append(FieldError(question.id, ErrorCode.TOO_LONG, {"max": question.other_max_length}, "other"))
    exclusive = [options[i] for i in selected if options[i].exclusive]
    if other and other_option is not None and other_option.id not in selected and not exclusive:
        selected.append(other_option.id)  # a written "other" text chooses its option
    # Keep the survey's order, whatever order the client sent.
    selected = [o.id for o in question.options if o.id in selected]
    needs_text = [options[i] for i in selected if options[i].needs_text]
    if strict:
        if exclusive and len(selected) > 1:
            errors.append(
                FieldError(question.id, ErrorCode.EXCLUSIVE_COMBINED, {"option": exclusive[0].label})
            )
        if needs_text and not other:
            errors.append(
                FieldError(question.id, ErrorCode.OTHER_TEXT_REQUIRED, {"option": needs_text[0].label}, "other")
            )
        if other and exclusive and len(selected) == 1:
            errors.append(FieldError(question.id, ErrorCode.OTHER_TEXT_WITH_EXCLUSIVE,
                                     {"option": exclusive[0].label, "other": other_option.label}, "other"))
    if errors:
        return None, errors
    if not selected and not other:
        return None, []
    return {"selected": selected, "other": other}, []


def _scale(question: ScaleQuestion, raw: object) -> tuple[int | None, list[FieldError]]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, []
    if isinstance(raw, bool):
        raise TypeError("scale expects a number")
    number = int(raw.strip()) if isinstance(raw, str) else raw
    if not isinstance(number, int):
        raise TypeError("scale expects a number")
    if not question.min <= number <= question.max:
        return None, [FieldError(question.id, ErrorCode.OUT_OF_RANGE, {"min": question.min, "max": question.max})]
    return number, []


def _text(question: TextQuestion, raw: object) -> tuple[str | None, list[FieldError]]:
    text = clean_text(raw)
    if text is not None and len(text) > question.max_length:
        return None, [FieldError(question.id, ErrorCode.TOO_LONG, {"max": question.max_length})]
    return text, []


def _methods(question: MethodsQuestion, raw: object, strict: bool) -> tuple[dict | None, list[FieldError]]:
    if raw is None:
        return None, []
    if not isinstance(raw, Mapping):
        raise TypeError("methods expects a mapping")
    none_chosen = bool(raw.get("none"))
    areas_raw = raw.get("areas") or {}
    if not isinstance(areas_raw, Mapping):
        raise TypeError("areas expects a mapping")
    known = {a.id for a in question.areas}
    if any(key not in known for key in areas_raw):
        return None, [FieldError(question.id, ErrorCode.NOT_AN_OPTION)]
    errors: list[FieldError] = []
    areas: dict[str, dict] = {}
    for area in question.areas:
        entry = areas_raw.get(area.id) or {}
        if not isinstance(entry, Mapping):
            raise TypeError("area expects a mapping")
        name = clean_text(entry.get("name"))
        description = clean_text(entry.get("description"))
        level = clean_text(entry.get("level"))
        if level is not None and level not in set(EvidenceLevel):
            return None, [FieldError(question.id, ErrorCode.NOT_AN_OPTION, {}, area.id)]
        if name and len(name) > question.name_max_length:
            errors.append(FieldError(question.id, ErrorCode.TOO_LONG, {"max": question.name_max_length}, area.id))
        if description and len(description) > question.description_max_length:
            errors.append(
                FieldError(question.id, ErrorCode.TOO_LONG, {"max": question.description_max_length}, area.id)
            )
        if not (name or description or level):
            continue
        if strict and not name:
            errors.append(FieldError(question.id, ErrorCode.METHOD_NAME_REQUIRED, {"area": area.numeral}, area.id))
        if strict and not level:
            errors.append(FieldError(question.id, ErrorCode.METHOD_LEVEL_REQUIRED, {"area": area.numeral}, area.id))
        areas[area.id] = {"name": name, "description": description, "level": level}
    if strict and none_chosen and areas:
        errors.append(FieldError(question.id, ErrorCode.METHODS_NONE_COMBINED, {"numeral": question.none_numeral}))
    if errors:
        return None, errors
    if not none_chosen and not areas:
        return None, []
    return {"none": none_chosen, "areas": areas}, []


# Answers as text -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerLine:
    """One line of an answer as people read it: a catalogue text (`key`) and its parameters. The
    parameters named in `written` are text a person wrote; the others are the survey's own texts
    and numbers. Cards show the two kinds differently; exports write both as they are."""

    key: str
    params: Mapping[str, object]
    written: frozenset[str] = frozenset()


def answer_lines(question: Question, answer: Answer | None) -> list[AnswerLine]:
    """A stored answer as lines (labels, never ids); an unknown shape gives no lines."""
    if answer is None:
        return []
    try:
        return _lines(question, answer)
    except (AttributeError, TypeError):
        return []


def _lines(question: Question, answer: Answer) -> list[AnswerLine]:
    match question:
        case SingleChoiceQuestion():
            return [AnswerLine("survey.answer_option", {"label": o.label}) for o in question.options if o.id == answer]
        case MultiChoiceQuestion():
            selected = answer.get("selected") or []
            lines = [AnswerLine("survey.answer_option", {"label": o.label})
                     for o in question.options if o.id in selected and not o.needs_text]
            other_option = question.other_option
            if answer.get("other"):
                label = other_option.label if other_option is not None else ""
                lines.append(AnswerLine("survey.review_other", {"option": label, "text": answer["other"]},
                                        frozenset({"text"})))
            return lines
        case ScaleQuestion():
            return [AnswerLine("survey.answer_scale", {
                "value": answer, "min": question.min, "max": question.max,
                "min_label": question.min_label, "max_label": question.max_label,
            })]
        case TextQuestion():
            return [AnswerLine("survey.answer_text", {"text": answer}, frozenset({"text"}))]
        case MethodsQuestion():
            return _method_lines(question, answer)
    return []


def _method_lines(question: MethodsQuestion, answer: Mapping[str, Any]) -> list[AnswerLine]:
    lines: list[AnswerLine] = []
    for area in question.areas:
        entry = (answer.get("areas") or {}).get(area.id)
        if not entry:
            continue
        params: dict[str, object] = {"numeral": area.numeral, "area": area.label, "name": entry.get("name") or ""}
        level = question.evidence_levels.get(entry.get("level")) if entry.get("level") else None
        if level:
            lines.append(AnswerLine("survey.review_method_level", {**params, "level": level}, frozenset({"name"})))
        else:
            lines.append(AnswerLine("survey.review_method", params, frozenset({"name"})))
        if entry.get("description"):
            lines.append(AnswerLine("survey.review_method_description", {"description": entry["description"]},
                                    frozenset({"description"})))
    if answer.get("none"):
        lines.append(none_line(question))
    return lines


def none_line(question: MethodsQuestion) -> AnswerLine:
    """The "cannot name one now" choice, numbered as the survey numbers it."""
    if question.none_numeral:
        return AnswerLine("survey.numbered", {"numeral": question.none_numeral, "label": question.none_option.label})
    return AnswerLine("survey.answer_option", {"label": question.none_option.label})


def answer_text(question: Question, answer: Answer | None, translate: Any, separator: str = "\n") -> str:
    """An answer as plain text (exports): its lines through the catalogue function, joined."""
    return separator.join(translate(line.key, **line.params) for line in answer_lines(question, answer))
