"""The pre-survey as data: models of a versioned survey definition file, and its loader.

A survey file (YAML) holds sections, questions and options verbatim in the county's language,
or in each language its round offers (`text: {fi: …, sv: …}`, see `hyte.languages`): the loaded
survey is in the round's first language, `survey.in_language("sv")` the same survey in Swedish.
Answers refer to questions and options by their stable ids, never by their texts, so a text can
be corrected between rounds, or read in another language, without breaking stored answers.
"""

from __future__ import annotations

from enum import StrEnum
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hyte.configuration import read_yaml
from hyte.languages import Multilingual, Text, load_in_languages

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class LegalTopic(StrEnum):
    """The four topics the law (612/2021 §7) obliges the county to negotiate."""

    GOALS = "goals"
    MEASURES = "measures"
    COOPERATION = "cooperation"
    MONITORING = "monitoring"


class EvidenceLevel(StrEnum):
    """The seed's preference order for proposed methods, strongest first."""

    RESEARCH_BASED = "research_based"
    GOOD_PRACTICE = "good_practice"
    PILOT = "pilot"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    id: Identifier
    label: Text = Field(min_length=1)
    exclusive: bool = False
    """Cannot be combined with any other option (e.g. "Emme osaa sanoa")."""
    needs_text: bool = False
    """Choosing it requires a free-text specification (e.g. "Jokin muu, mikä")."""


class _Question(_Strict):
    id: Identifier
    number: str = Field(min_length=1)
    text: Text = Field(min_length=1)
    help: Text | None = None
    required: bool = True
    topics: tuple[LegalTopic, ...] | None = Field(default=None, min_length=1)
    """The legal topics the question informs, if not its section's (`Survey.question_topics`)."""


class _ChoiceQuestion(_Question):
    options: tuple[Option, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _unique_options(self):
        _check_unique_ids(self.options, f"question {self.id}")
        return self


class SingleChoiceQuestion(_ChoiceQuestion):
    type: Literal["single_choice"]


class MultiChoiceQuestion(_ChoiceQuestion):
    type: Literal["multi_choice"]
    other_max_length: int = Field(default=500, gt=0)

    @property
    def other_option(self) -> Option | None:
        """The option whose text is written ("Jokin muu, mikä"), if the question has one."""
        return next((o for o in self.options if o.needs_text), None)


class ScaleQuestion(_Question):
    type: Literal["scale"]
    min: int = 1
    max: int = 5
    min_label: Text
    max_label: Text

    @model_validator(mode="after")
    def _range(self) -> ScaleQuestion:
        if not self.min < self.max:
            raise ValueError(f"scale {self.id}: min must be below max")
        return self


class TextQuestion(_Question):
    type: Literal["text"]
    max_length: int = Field(default=2000, gt=0)


class PriorityArea(_Strict):
    id: Identifier
    numeral: str
    label: Text


class MethodsQuestion(_Question):
    """Methods to strengthen across the region, by priority area, or "cannot name one now"."""

    type: Literal["methods"]
    areas: tuple[PriorityArea, ...] = Field(min_length=1)
    none_option: Option
    none_numeral: str | None = None
    """How the survey numbers the "cannot name one now" choice after the areas ("VII"), if it does."""
    evidence_levels: dict[EvidenceLevel, Text]
    guidance: Text
    name_max_length: int = Field(default=200, gt=0)
    description_max_length: int = Field(default=1000, gt=0)

    @model_validator(mode="after")
    def _complete(self) -> MethodsQuestion:
        _check_unique_ids(self.areas, f"question {self.id}")
        missing = set(EvidenceLevel) - set(self.evidence_levels)
        if missing:
            raise ValueError(f"question {self.id}: evidence level labels missing: {sorted(missing)}")
        return self


Question = Annotated[
    SingleChoiceQuestion | MultiChoiceQuestion | ScaleQuestion | TextQuestion | MethodsQuestion,
    Field(discriminator="type"),
]


class Section(_Strict):
    id: Identifier
    title: Text
    intro: Text | None = None
    topics: tuple[LegalTopic, ...] = Field(min_length=1)
    questions: tuple[Question, ...] = Field(min_length=1)


class Survey(_Strict, Multilingual):
    id: Identifier
    version: int = Field(ge=1)
    language: str = Field(pattern=r"^[a-z]{2}$")
    """The language of the file's plain texts; of a loaded version, the language of its texts."""
    title: Text
    sections: tuple[Section, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Survey:
        _check_unique_ids(self.sections, f"survey {self.id}")
        _check_unique_ids(
            [q for s in self.sections for q in s.questions], f"survey {self.id} (questions)"
        )
        return self

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def section_index(self, section_id: str) -> int:
        return [s.id for s in self.sections].index(section_id)

    def question(self, question_id: str) -> Question:
        for section in self.sections:
            for question in section.questions:
                if question.id == question_id:
                    return question
        raise KeyError(question_id)

    def question_topics(self, question_id: str) -> tuple[LegalTopic, ...]:
        """The legal topics a question informs: its own, else its section's. The summary files the
        question under the first."""
        for section in self.sections:
            for question in section.questions:
                if question.id == question_id:
                    return question.topics or section.topics
        raise KeyError(question_id)

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]


def _check_unique_ids(items, where: str) -> None:
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise ValueError(f"{where}: duplicate id {item.id!r}")
        seen.add(item.id)


def load_survey(path: Path, languages: Sequence[str] | None = None) -> Survey:
    """The survey in the first of `languages` (the round's; None: the file's own language), with
    every other as its `in_language(...)`; a missing translation names the file and the field."""
    return load_in_languages(Survey, path, read_yaml(path), languages)
