"""A negotiation round's configuration: county, timetable, organisations, people.

Loaded from one YAML file that names the survey file it uses (relative to itself). Dates are
local Europe/Helsinki times; the demo round may give them relative to the day it is loaded
("today+14d 16:00") so that its survey is open whenever someone tries it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from hyte.decision import DecisionProposal
from hyte.clock import HELSINKI
from hyte.languages import SUPPORTED, LanguageCode
from hyte.configuration import ConfigurationError, describe_validation_error, read_yaml
from hyte.survey import Identifier, Survey, load_survey
from hyte.thesaurus import EMPTY as EMPTY_THESAURUS
from hyte.thesaurus import Thesaurus, load_round_thesaurus
from hyte.workshop import WorkshopDefinition, load_round_workshop

_RELATIVE = re.compile(r"^today(?:(?P<sign>[+-])(?P<days>\d{1,4})d)?(?:\s+(?P<hh>\d{1,2}):(?P<mm>\d{2}))?$")


def _local_datetime(value: object, info: ValidationInfo) -> object:
    """Accept an aware/naive datetime, an ISO string, or "today[+-Nd] [HH:MM]" (Helsinki time)."""
    if isinstance(value, str):
        match = _RELATIVE.match(value.strip())
        if match:
            today = (info.context or {}).get("today") or datetime.now(HELSINKI).date()
            offset = int(match["days"] or 0) * (-1 if match["sign"] == "-" else 1)
            clock = time(int(match["hh"] or 0), int(match["mm"] or 0))
            return datetime.combine(today + timedelta(days=offset), clock, HELSINKI)
        value = datetime.fromisoformat(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time(0, 0))
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=HELSINKI)
    return value


LocalDateTime = Annotated[datetime, BeforeValidator(_local_datetime)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Phase(StrEnum):
    MATERIAL_REVIEW = "material_review"
    SURVEY_OPENS = "survey_opens"
    SURVEY_CLOSES = "survey_closes"
    NEGOTIATION_MEETING = "negotiation_meeting"
    SUMMARY_TO_GOVERNMENT = "summary_to_government"
    RESULTS_INTO_PLAN = "results_into_plan"


class Timetable(_Strict):
    material_review: LocalDateTime
    survey_opens: LocalDateTime
    survey_closes: LocalDateTime
    negotiation_meeting: LocalDateTime
    summary_to_government: LocalDateTime
    results_into_plan: LocalDateTime

    @model_validator(mode="after")
    def _in_order(self) -> Timetable:
        dates = [getattr(self, phase.value) for phase in Phase]
        for (earlier, a), (later, b) in zip(zip(Phase, dates), list(zip(Phase, dates))[1:]):
            if b < a:
                raise ValueError(f"{later.value} ({b:%Y-%m-%d %H:%M}) is before {earlier.value} ({a:%Y-%m-%d %H:%M})")
        return self

    def at(self, phase: Phase) -> datetime:
        return getattr(self, phase.value)


class Category(StrEnum):
    MUNICIPALITY = "municipality"
    WELLBEING_COUNTY = "wellbeing_county"
    EDUCATION = "education"
    OTHER = "other"


class Organisation(_Strict):
    id: Identifier
    name: str = Field(min_length=1)
    category: Category


class SeatRole(StrEnum):
    MEMBER = "member"
    DEPUTY = "deputy"


class _Identified(_Strict):
    name: str = Field(min_length=1)
    aad_object_id: str | None = Field(default=None, pattern=r"^[0-9a-fA-F-]{36}$")
    upn: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")

    @model_validator(mode="after")
    def _identifiable(self):
        if not (self.aad_object_id or self.upn):
            raise ValueError(f"{self.name}: give aad_object_id or upn (or both)")
        return self

    def matches(self, aad_object_id: str | None, upn: str | None) -> bool:
        if aad_object_id and self.aad_object_id and self.aad_object_id.lower() == aad_object_id.lower():
            return True
        return bool(upn and self.upn and self.upn.lower() == upn.lower())


class Representative(_Identified):
    organisation: Identifier
    role: SeatRole


class TeamMember(_Identified):
    title: str | None = None


# Timetable and reminders ---------------------------------------------------------------------------


def _local_time(value: object) -> object:
    """"HH:MM", or what YAML 1.1 makes of an unquoted 9:30 (base 60: 570)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return time(value // 60, value % 60)
    return value


class ReminderRule(_Strict):
    """One reminder of the round's plan. In the round file give only what differs from the default."""

    enabled: bool = True
    days: int = Field(0, ge=-366, le=366)
    """Days from the date of the reminder's phase; negative: before it."""
    at: Annotated[time, BeforeValidator(_local_time)] | None = time(9, 0)
    """Local Europe/Helsinki time of day; None: the phase's own time."""


class RemindersConfig(_Strict):
    """The round file's optional `reminders:` section: one rule per reminder, with defaults.
    Which phase each reminder counts from and who gets it is in `hyte.reminders`."""

    review_meeting_ahead: ReminderRule = ReminderRule(days=-7)
    survey_open: ReminderRule = ReminderRule(days=0, at=None)
    survey_closing: ReminderRule = ReminderRule(days=-3)
    meeting_tomorrow: ReminderRule = ReminderRule(days=-1)
    survey_summary_ready: ReminderRule = ReminderRule(days=1)
    nonrespondents_early: ReminderRule = ReminderRule(days=-3)
    nonrespondents_last_day: ReminderRule = ReminderRule(days=-1)
    team_finish_summary: ReminderRule = ReminderRule(days=1)
    team_summary_due: ReminderRule = ReminderRule(days=-7)
    team_results_due: ReminderRule = ReminderRule(days=-14)

    @model_validator(mode="before")
    @classmethod
    def _over_defaults(cls, data: object) -> object:
        """A rule given in part keeps the rest of its default (`{days: -5}` keeps `at: 09:00`)."""
        if not isinstance(data, dict):
            return data
        merged = dict(data)
        for name, value in data.items():
            field = cls.model_fields.get(name) if isinstance(name, str) else None
            if field is not None and isinstance(value, dict) and isinstance(field.default, ReminderRule):
                merged[name] = {**field.default.model_dump(), **value}
        return merged


RoundId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


DEFAULT_NOTICE_TEMPLATE = "tietosuoja.html"
DEFAULT_TERMS_TEMPLATE = "kayttoehdot.html"
"""The privacy pages' templates a round uses beside its file when it names none."""


class PrivacyNotice(_Strict):
    """What the privacy notice and the terms of use (served by the bot, linked from the Teams app)
    say beyond what the bot knows itself: the county's own contacts and decisions, in Finnish."""

    contact: str | None = None
    """How to reach the controller (the county), e.g. its registry office."""
    data_protection_officer: str | None = None
    retention: str | None = None
    """The county's decision on when a round's data are deleted (the operator runs `round delete`)."""
    notice_template: str | None = None
    """The privacy notice's template, relative to the round file; None: `tietosuoja.html` beside it, if any."""
    terms_template: str | None = None
    """The terms of use's template, likewise; None: `kayttoehdot.html` beside the round file, if any."""


class RoundConfig(_Strict):
    id: RoundId
    county: str
    region: str
    year: int | None = Field(default=None, ge=2023, le=2100)
    """The year of the negotiations; unset: the year of the negotiation meeting (so that a round
    whose dates are relative to today, as the demo's, is named after the year its dates are in)."""
    tenant_id: str = Field(min_length=1)
    languages: tuple[LanguageCode, ...] = ("fi",)
    """The languages the round offers, the county's main language first: its people read the bot
    in one of them, and the survey, workshop and thesaurus files give every text in each. A person
    whose language the round does not offer reads the first."""
    board_team_id: str | None = None
    """The advisory board's Teams team: its thread id ("19:…@thread.tacv2") or its Microsoft 365
    group id. Unset: the first team a HYTE team member installs the bot in."""
    survey_file: str
    workshop_file: str | None = None
    """The workshop questions, relative to the round file; None: `workshop.yaml` beside it, if present."""
    thesaurus_file: str | None = None
    """The free-text themes' thesaurus, relative to the round file; None: `thesaurus.yaml` beside
    it, if present (else no thesaurus: the built-in stop words only)."""
    timetable: Timetable
    organisations: tuple[Organisation, ...] = Field(min_length=1)
    representatives: tuple[Representative, ...]
    hyte_team: tuple[TeamMember, ...] = Field(min_length=1)
    reminders: RemindersConfig = RemindersConfig()
    """The reminder plan (optional section; every reminder has a default)."""
    privacy: PrivacyNotice = PrivacyNotice()
    """The privacy notice's and terms' contacts and templates (optional section)."""
    decision_proposal: DecisionProposal = DecisionProposal()
    """The regional government's decision proposal page of the meeting's summary (hyte/decision.py)."""
    previous_round: RoundId | None = None
    """The id of the county's round of an earlier year that this round follows (set by `python
    app.py round new`): what this year's results are read against."""

    @model_validator(mode="after")
    def _consistent(self) -> RoundConfig:
        if not self.languages:
            raise ValueError("languages: give at least one, e.g. [fi]")
        unknown = [code for code in self.languages if code not in SUPPORTED]
        if unknown or len(set(self.languages)) != len(self.languages):
            raise ValueError(
                f"languages: {list(self.languages)} must be distinct codes of the languages the bot speaks, "
                f"{list(SUPPORTED)}"
            )
        ids = [o.id for o in self.organisations]
        duplicates = {i for i in ids if ids.count(i) > 1}
        if duplicates:
            raise ValueError(f"duplicate organisation ids: {sorted(duplicates)}")
        for rep in self.representatives:
            if rep.organisation not in ids:
                raise ValueError(f"representative {rep.name}: unknown organisation {rep.organisation!r}")
        return self


class Round(BaseModel):
    """A loaded round: its configuration with the survey, the themes' thesaurus and the workshop
    questions it uses."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    config: RoundConfig
    survey: Survey
    thesaurus: Thesaurus = EMPTY_THESAURUS
    workshop: WorkshopDefinition | None = None
    """The workshop's questions; None: the round has no workshop (its commands say so)."""
    _in_languages: dict[str, tuple[Round, Round]] = PrivateAttr(default_factory=dict)
    """Versions made by `in_language`, by language, each with the round it was made from: a copy
    of this round (the timetable's moved dates, `model_copy`) shares this dict, and must not be
    given this round's version."""

    def in_language(self, language: str) -> Round:
        """The round with its survey, workshop and thesaurus in `language` (the texts a person
        reading it sees); a language the round does not offer gives its first language's. Ids,
        answers and dates are the same in every version."""
        if language == self.survey.language or language not in self.languages:
            return self
        cached = self._in_languages.get(language)
        if cached is not None and cached[0] is self:
            return cached[1]
        version = self.model_copy(update={
            "survey": self.survey.in_language(language),
            "thesaurus": self.thesaurus.in_language(language),
            "workshop": self.workshop.in_language(language) if self.workshop is not None else None,
        })
        self._in_languages[language] = (self, version)
        return version

    @property
    def id(self) -> str:
        return self.config.id

    @property
    def tenant_id(self) -> str:
        return self.config.tenant_id

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the round offers, its main language first."""
        return self.config.languages

    @property
    def timetable(self) -> Timetable:
        return self.config.timetable

    @property
    def year(self) -> int:
        return self.config.year or self.timetable.negotiation_meeting.astimezone(HELSINKI).year

    @property
    def county_key(self) -> str:
        """The county's key in addresses (its privacy notice's, its Teams app package's): the
        region's name in lowercase ASCII, e.g. "pohjois-savo". The same every year."""
        return county_key(self.config.region)

    @property
    def has_upn_only_people(self) -> bool:
        """Whether someone is configured by UPN alone (recognised through a member look-up)."""
        return any(p.upn and not p.aad_object_id for p in (*self.config.representatives, *self.config.hyte_team))

    def organisation(self, organisation_id: str) -> Organisation:
        for organisation in self.config.organisations:
            if organisation.id == organisation_id:
                return organisation
        raise KeyError(organisation_id)

    def survey_state(self, now: datetime) -> SurveyWindow:
        if now < self.timetable.survey_opens:
            return SurveyWindow.NOT_YET_OPEN
        if now >= self.timetable.survey_closes:
            return SurveyWindow.CLOSED
        return SurveyWindow.OPEN


def county_key(region: str) -> str:
    """"Pohjois-Savo" -> "pohjois-savo", "Åland" -> "aland": letters without their marks, digits
    and single hyphens."""
    plain = unicodedata.normalize("NFKD", region).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "county"


class SurveyWindow(StrEnum):
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"


def load_round(path: Path, today: date | None = None) -> Round:
    """Load a round file, the survey, the thesaurus and the workshop questions it names, in every
    language the round offers; relative dates count from `today` (Helsinki)."""
    data = read_yaml(path)
    try:
        config = RoundConfig.model_validate(data, context={"today": today})
    except ValidationError as exc:
        raise ConfigurationError(describe_validation_error(path, exc)) from exc
    survey = load_survey((path.parent / config.survey_file).resolve(), config.languages)
    thesaurus = load_round_thesaurus(path, config.thesaurus_file, config.languages)
    workshop = load_round_workshop(path, config.workshop_file, config.languages)
    return Round(config=config, survey=survey, thesaurus=thesaurus, workshop=workshop)
