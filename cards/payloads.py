"""Pydantic models of every card action payload; the `verb` field discriminates.

A card's action is built from its payload model (`cards.elements.execute(title, payload)` dumps it
by alias), so each verb and each data key is written once, here. `parse_payload` reads an
Action.Execute's data (or an older client's message value); anything that is not exactly one of
ours raises `ValidationError`, for a clean refusal.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, model_validator

from cards.inputs import CURATION_PREFIX, DATE_PREFIX, PREFIX, WORKSHOP_GROUPS

Ref = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9_-]+$")]
InputValue = Annotated[str, StringConstraints(max_length=20_000)] | bool
MAX_INPUTS = 200


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    round: Ref = Field(alias="r")
    FROM_INPUTS: ClassVar[frozenset[str]] = frozenset()
    """Fields the card's inputs fill when the action is pressed: not in the action's data."""

    def data(self) -> dict[str, Any]:
        """The action's data as the card carries it (by alias, without the inputs' fields)."""
        return self.model_dump(by_alias=True, exclude_none=True, exclude=set(self.FROM_INPUTS))


class _WithInputs(_Payload):
    """A payload whose card inputs (ids starting with INPUT_PREFIX) arrive beside the action's data,
    gathered into its `inputs` field."""

    INPUT_PREFIX: ClassVar[str]
    FROM_INPUTS: ClassVar[frozenset[str]] = frozenset({"inputs"})

    @model_validator(mode="before")
    @classmethod
    def _collect_inputs(cls, data: Any) -> Any:
        if isinstance(data, dict):
            inputs = {k: v for k, v in data.items() if isinstance(k, str) and k.startswith(cls.INPUT_PREFIX)}
            rest = {k: v for k, v in data.items() if k not in inputs}
            return {**rest, "inputs": inputs}
        return data


class SurveyOpen(_Payload):
    verb: Literal["survey.open"] = "survey.open"


class SurveyStep(_WithInputs):
    """Next, back or save on a section card; its answers are the card's "q." inputs."""

    INPUT_PREFIX: ClassVar[str] = PREFIX
    verb: Literal["survey.step"] = "survey.step"
    move: Literal["next", "back", "save"]
    section: Ref
    version: int = Field(alias="v", ge=0)
    inputs: dict[str, InputValue] = Field(default_factory=dict, max_length=MAX_INPUTS)


class SurveyGoTo(_Payload):
    verb: Literal["survey.goto"] = "survey.goto"
    section: Ref


class SurveySubmit(_Payload):
    verb: Literal["survey.submit"] = "survey.submit"
    version: int = Field(alias="v", ge=0)


class ResultsAnswers(_Payload):
    """Show every counted answer to one free-text question (the HYTE team's summary card)."""

    verb: Literal["results.answers"] = "results.answers"
    question: Ref


class CurationOpen(_Payload):
    """The HYTE team opens the theme curation card of one free-text question (on the summary)."""

    verb: Literal["curation.open"] = "curation.open"
    question: Ref


class CurationDone(_Payload):
    """Back from the curation card to the summary card that holds the question."""

    verb: Literal["curation.done"] = "curation.done"
    question: Ref


class CurationApply(_WithInputs):
    """Merge, rename, hide or pick the quote, with the card's "cur." inputs (theme, target, label, quote)."""

    INPUT_PREFIX: ClassVar[str] = CURATION_PREFIX
    verb: Literal["curation.apply"] = "curation.apply"
    question: Ref
    action: Literal["merge", "rename", "hide", "quote"]
    inputs: dict[str, Annotated[str, StringConstraints(max_length=400)]] = Field(default_factory=dict, max_length=8)


class UploadInfo(BaseModel):
    """What Teams gives with an accepted FileConsentCard: where to upload the file."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)
    name: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    upload_url: Annotated[str, StringConstraints(min_length=1, max_length=4000)] = Field(alias="uploadUrl")
    content_url: Annotated[str, StringConstraints(max_length=4000)] = Field("", alias="contentUrl")
    unique_id: Annotated[str, StringConstraints(max_length=200)] = Field("", alias="uniqueId")
    file_type: Annotated[str, StringConstraints(max_length=20)] = Field("", alias="fileType")


class ExportConsent(_Payload):
    """A FileConsentCard's answer: its context (ours) with Teams' action and upload info."""

    verb: Literal["export.consent"] = "export.consent"
    kind: Literal["xlsx", "docx"]
    action: Literal["accept", "decline"] | None = None
    """Teams' answer; absent in the context the bot writes into the card."""
    upload: UploadInfo | None = None
    language: Literal["fi", "sv"] | None = None
    """The file's language (a bilingual round's); None: the round's first."""


# Timetable and reminders


class TimelineShow(_Payload):
    """Show the timetable card (again)."""

    verb: Literal["timeline.show"] = "timeline.show"


class TimelineEdit(_Payload):
    """The HYTE team opens the date-moving card."""

    verb: Literal["timeline.edit"] = "timeline.edit"


class TimelineSave(_WithInputs):
    """The date-moving card's dates ("t.<phase>.date|time" inputs), from the timetable at revision `v`."""

    INPUT_PREFIX: ClassVar[str] = DATE_PREFIX
    verb: Literal["timeline.save"] = "timeline.save"
    revision: int = Field(alias="v", ge=0)
    inputs: dict[str, Annotated[str, StringConstraints(max_length=40)]] = Field(default_factory=dict, max_length=24)


class RemindPreview(_Payload):
    """Show who the non-respondent reminder would go to (the same as `muistuta`)."""

    verb: Literal["remind.preview"] = "remind.preview"


class RemindSend(_Payload):
    """Send the previewed reminder; the batch id makes a second press send nothing more."""

    verb: Literal["remind.send"] = "remind.send"
    batch: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


class RemindCancel(_Payload):
    verb: Literal["remind.cancel"] = "remind.cancel"


class ReminderSurvey(_Payload):
    """"Aloita kysely" on the board channel's announcement: the survey opens in the presser's 1:1 chat."""

    verb: Literal["reminder.survey"] = "reminder.survey"


# Workshop


class WorkshopStart(_Payload):
    """The channel choice of `työpaja aloita`: the chosen channels' ids, comma-separated."""

    verb: Literal["workshop.start"] = "workshop.start"
    groups: Annotated[str, StringConstraints(max_length=20_000)] = Field("", alias=WORKSHOP_GROUPS)
    FROM_INPUTS: ClassVar[frozenset[str]] = frozenset({"groups"})


# Language (issue 19)


class ExportLanguage(_Payload):
    """`vienti` in 1:1 chat of a bilingual round: the files in this language."""

    verb: Literal["export.language"] = "export.language"
    language: Literal["fi", "sv"]


class LanguageChoose(_Payload):
    """A button of the `kieli` / `språk` card: read the bot in this language from now on."""

    verb: Literal["language.choose"] = "language.choose"
    language: Literal["fi", "sv"]


# The meeting's joint discussion (bot/features/meeting.py)

MEETING_PREFIX = "m."
"""The conclusion card's inputs: "m.topic", "m.text", "m.evidence" (a multi-select, comma-separated)."""


class MeetingShow(_Payload):
    """Show the conclusions card (again, as stored now)."""

    verb: Literal["meeting.show"] = "meeting.show"


class MeetingWrite(_Payload):
    """Open the card for a new conclusion, or for editing one (`id` at version `v`)."""

    verb: Literal["meeting.write"] = "meeting.write"
    conclusion: int | None = Field(None, alias="id", ge=1)
    version: int | None = Field(None, alias="v", ge=1)


class MeetingSave(_WithInputs):
    """Save the conclusion card: a new conclusion (no `id`), or an edit made on version `v`."""

    INPUT_PREFIX: ClassVar[str] = MEETING_PREFIX
    verb: Literal["meeting.save"] = "meeting.save"
    conclusion: int | None = Field(None, alias="id", ge=1)
    version: int | None = Field(None, alias="v", ge=1)
    inputs: dict[str, Annotated[str, StringConstraints(max_length=20_000)]] = Field(default_factory=dict, max_length=3)


class MeetingMove(_Payload):
    verb: Literal["meeting.move"] = "meeting.move"
    conclusion: int = Field(alias="id", ge=1)
    version: int = Field(alias="v", ge=1)
    step: Literal[-1, 1]


class MeetingDelete(_Payload):
    verb: Literal["meeting.delete"] = "meeting.delete"
    conclusion: int = Field(alias="id", ge=1)
    version: int = Field(alias="v", ge=1)


class MeetingFinish(_Payload):
    """"Viimeistele yhteenveto": freeze the conclusions as the next version."""

    verb: Literal["meeting.finish"] = "meeting.finish"


Payload = Annotated[
    SurveyOpen
    | SurveyStep
    | SurveyGoTo
    | SurveySubmit
    | ResultsAnswers
    | CurationOpen
    | CurationDone
    | CurationApply
    | ExportConsent
    | TimelineShow
    | TimelineEdit
    | TimelineSave
    | RemindPreview
    | RemindSend
    | RemindCancel
    | ReminderSurvey
    | WorkshopStart
    | MeetingShow
    | MeetingWrite
    | MeetingSave
    | MeetingMove
    | MeetingDelete
    | MeetingFinish
    | LanguageChoose
    | ExportLanguage,
    Field(discriminator="verb"),
]
_ADAPTER: TypeAdapter[Payload] = TypeAdapter(Payload)


def parse_payload(data: Any) -> Payload:
    return _ADAPTER.validate_python(data)

