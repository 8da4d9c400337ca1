"""Input ids of cards, shared by the card builders and the payload parser.

A question's inputs are named "q.<question id>[.<part>]". Card inputs arrive as strings
(a multi-select as "a,b,c", a toggle as "true"/"false"); `raw_answers` turns them into the raw
shapes `hyte.answers` validates, and `input_values` does the reverse to prefill a card.
"""

from __future__ import annotations

from typing import Any, Mapping

from hyte.survey import (
    MethodsQuestion,
    MultiChoiceQuestion,
    Question,
    ScaleQuestion,
    Section,
    SingleChoiceQuestion,
    TextQuestion,
)

PREFIX = "q."
OTHER = "other"
NONE = "none"
NAME, DESCRIPTION, LEVEL = "name", "description", "level"
DATE_PREFIX = "t."
"""The date-moving card's inputs: "t.<phase>.date" and "t.<phase>.time" (cards/timeline.py)."""
CURATION_PREFIX = "cur."
"""The theme curation card's inputs (cards/curation.py)."""
CURATION_THEME, CURATION_TARGET, CURATION_LABEL, CURATION_QUOTE = "cur.theme", "cur.target", "cur.label", "cur.quote"
WORKSHOP_GROUPS = "ws.groups"
"""The workshop's channel choice: the chosen channel ids, comma-separated (Input.ChoiceSet multi)."""


def input_id(question_id: str, *parts: str) -> str:
    return ".".join((PREFIX.rstrip("."), question_id, *parts))


def raw_answers(section: Section, data: Mapping[str, Any]) -> dict[str, Any]:
    """The raw answers of a section's questions from a card's input values (absent → None)."""
    return {q.id: _raw(q, data) for q in section.questions}


def _raw(question: Question, data: Mapping[str, Any]) -> Any:
    own = data.get(input_id(question.id))
    match question:
        case MultiChoiceQuestion():
            other = data.get(input_id(question.id, OTHER))
            if own is None and other is None:
                return None
            selected = own.split(",") if isinstance(own, str) else own
            return {"selected": selected or [], "other": other}
        case MethodsQuestion():
            none = data.get(input_id(question.id, NONE))
            areas = {}
            for area in question.areas:
                entry = {
                    NAME: data.get(input_id(question.id, area.id, NAME)),
                    DESCRIPTION: data.get(input_id(question.id, area.id, DESCRIPTION)),
                    LEVEL: data.get(input_id(question.id, area.id, LEVEL)),
                }
                if any(value not in (None, "") for value in entry.values()):
                    areas[area.id] = entry
            if none is None and not areas:
                return None
            return {"none": none is True or none == "true", "areas": areas}
        case SingleChoiceQuestion() | ScaleQuestion() | TextQuestion():
            return own
    raise TypeError(question)


def input_values(question: Question, value: Any) -> dict[str, str]:
    """Card input values that show an answer (clean, or raw as sent); unknown shapes show nothing."""
    if value is None:
        return {}
    try:
        match question:
            case MultiChoiceQuestion():
                selected = value.get("selected") or []
                if isinstance(selected, str):
                    selected = selected.split(",")
                values = {input_id(question.id): ",".join(str(s) for s in selected)}
                if value.get("other"):
                    values[input_id(question.id, OTHER)] = str(value["other"])
                return values
            case MethodsQuestion():
                values = {input_id(question.id, NONE): "true" if value.get("none") else "false"}
                for area_id, entry in (value.get("areas") or {}).items():
                    for part in (NAME, DESCRIPTION, LEVEL):
                        if entry.get(part):
                            values[input_id(question.id, area_id, part)] = str(entry[part])
                return values
            case _:
                return {input_id(question.id): str(value)}
    except AttributeError:
        return {}
