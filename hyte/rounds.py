"""Every county's rounds, year after year: the rounds folder as one deployment serves it.

A deployment serves many wellbeing services counties, each in its own Microsoft 365 tenant, and
keeps each county's earlier rounds readable. The rounds folder holds one round file per county and
year (`<folder>/<any subfolder>/round.yaml`, each with its survey, workshop and thesaurus files
beside it); a single round file is a folder of one. `RoundCatalogue` is what was loaded, checked
as a whole:

- a round id is used once; a county (its `county` name) has one tenant, and a tenant one county:
  two counties claiming one tenant is an error, as is one county twice in a year;
- the county's current round is its round of the latest year; the others are its past rounds;
- `previous_round` names a round of the same county and an earlier year, when that round is in
  the folder (one that is not is noted: its data may have been deleted, see the README's
  retention); a survey whose `version` was not raised must ask the same questions as the previous
  round's (`question_changes`).

Isolation starts here: every look-up of a round goes through a tenant (`current`, `find`,
`in_year`), so a round of another county is never found for an activity, whatever it names.
`previous_results` gives the previous round of a round and its submitted responses, for reading
this year against last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Mapping, Sequence

from hyte.configuration import ConfigurationError
from hyte.responses import Response, ResponseRepository
from hyte.round import Round, load_round
from hyte.survey import MethodsQuestion, MultiChoiceQuestion, ScaleQuestion, SingleChoiceQuestion, Survey

ROUND_FILE_NAME = "round.yaml"


@dataclass(frozen=True)
class RoundFile:
    """A loaded round and the file it came from (its survey, workshop and thesaurus are beside it)."""

    path: Path
    round: Round


@dataclass(frozen=True)
class County:
    """A county as the deployment serves it: its tenant and its rounds, the newest first."""

    tenant_id: str
    key: str
    """The region's name as an address part (`Round.county_key`), e.g. "pohjois-savo"."""
    name: str
    rounds: tuple[Round, ...]

    @property
    def current(self) -> Round:
        return self.rounds[0]

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(r.year for r in self.rounds)


def _name(county: str) -> str:
    return " ".join(county.split()).casefold()


class RoundCatalogue:
    """The deployment's rounds, by county (tenant). Built from loaded round files; raises
    ConfigurationError naming every file and field that do not fit together."""

    def __init__(self, files: Sequence[RoundFile]) -> None:
        if not files:
            raise ConfigurationError("no round files")
        self.files = tuple(files)
        self.notes: list[str] = []
        """What is worth a warning at start but not an error (a previous round not in the folder)."""
        problems: list[str] = []
        by_id: dict[str, RoundFile] = {}
        for entry in self.files:
            other = by_id.get(entry.round.id)
            if other is not None:
                problems.append(f"{entry.path}: id: {entry.round.id!r} is already the id of the round in {other.path}")
            else:
                by_id[entry.round.id] = entry
        self._by_id = by_id
        grouped: dict[str, list[RoundFile]] = {}
        for entry in by_id.values():
            grouped.setdefault(entry.round.tenant_id, []).append(entry)
        counties: list[County] = []
        keys: dict[str, RoundFile] = {}
        for tenant_id, entries in grouped.items():
            first = entries[0]
            for entry in entries[1:]:
                if _name(entry.round.config.county) != _name(first.round.config.county):
                    problems.append(
                        f"{entry.path}: tenant_id: tenant {tenant_id} is claimed by two counties, "
                        f"{entry.round.config.county!r} and {first.round.config.county!r} ({first.path}); "
                        "each county has a tenant of its own"
                    )
            years: dict[int, RoundFile] = {}
            for entry in entries:
                clash = years.get(entry.round.year)
                if clash is not None:
                    problems.append(f"{entry.path}: year: {entry.round.year} is already the year of {clash.round.id!r} "
                                    f"({clash.path}); a county has one round a year")
                years[entry.round.year] = entry
            key = first.round.county_key
            claimed = keys.get(key)
            if claimed is not None:
                problems.append(f"{first.path}: region: {first.round.config.region!r} gives the county key {key!r}, "
                                f"already that of {claimed.round.config.county!r} ({claimed.path})")
            keys[key] = first
            rounds = tuple(sorted((e.round for e in entries), key=lambda r: (r.year, r.timetable.negotiation_meeting),
                                  reverse=True))
            counties.append(County(tenant_id, key, first.round.config.county, rounds))
        self.counties = tuple(counties)
        self._by_tenant = {c.tenant_id: c for c in counties}
        for entry in by_id.values():
            problems += self._check_previous(entry)
        if problems:
            raise ConfigurationError("\n".join(problems))

    def _check_previous(self, entry: RoundFile) -> list[str]:
        round_ = entry.round
        named = round_.config.previous_round
        if named is None:
            return []
        previous = self._by_id.get(named)
        if previous is None:
            self.notes.append(f"{entry.path}: previous_round {named!r} is not in the rounds folder: "
                              f"{round_.id!r} is read without last year's")
            return []
        where = f"{entry.path}: previous_round: {named!r}"
        if previous.round.tenant_id != round_.tenant_id:
            return [f"{where} is a round of another county ({previous.round.config.county!r}, {previous.path})"]
        if previous.round.year >= round_.year:
            return [f"{where} is of {previous.round.year}, not a year before {round_.year}"]
        old, new = previous.round.survey, round_.survey
        if old.id == new.id and old.version == new.version:
            changed = question_changes(old, new)
            if changed:
                listed = ", ".join(f"{q} ({why})" for q, why in sorted(changed.items()))
                return [f"{entry.path}: survey_file: its questions changed since {named!r} ({listed}), but the "
                        f"survey's version is still {new.version}: raise `version` in the survey file"]
        return []

    # Look-ups by tenant: an activity's --------------------------------------------------------------

    @property
    def tenants(self) -> frozenset[str]:
        return frozenset(self._by_tenant)

    @property
    def default(self) -> Round:
        """The first county's current round (a one-file folder's only round)."""
        return self.counties[0].current

    def county(self, tenant_id: str | None) -> County | None:
        return self._by_tenant.get(tenant_id) if tenant_id else None

    def current(self, tenant_id: str | None) -> Round | None:
        """The round that serves the tenant's activities: its county's newest; None when no county
        is in that tenant."""
        county = self.county(tenant_id)
        return county.current if county is not None else None

    def find(self, tenant_id: str | None, round_id: str) -> Round | None:
        """A round of the tenant's county, current or past; None for any other county's."""
        county = self.county(tenant_id)
        return next((r for r in county.rounds if r.id == round_id), None) if county is not None else None

    def in_year(self, tenant_id: str | None, year: int) -> Round | None:
        county = self.county(tenant_id)
        return next((r for r in county.rounds if r.year == year), None) if county is not None else None

    def current_rounds(self) -> list[Round]:
        """Every county's current round."""
        return [county.current for county in self.counties]

    def is_current(self, round_: Round) -> bool:
        county = self.county(round_.tenant_id)
        return county is not None and county.current.id == round_.id

    def previous(self, round_: Round) -> Round | None:
        """The round `round_` follows (`previous_round`), when it is in the folder and the same county's."""
        named = round_.config.previous_round
        if named is None:
            return None
        return self.find(round_.tenant_id, named)

    # The operator's look-ups (the command line): any county ----------------------------------------------

    def entry(self, round_id: str) -> RoundFile | None:
        return self._by_id.get(round_id)


def round_files(folder: Path) -> list[Path]:
    """The round files of a rounds folder: every `round.yaml` in it or below it (hidden folders left
    out), in path order."""
    return sorted(p for p in folder.rglob(ROUND_FILE_NAME)
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def load_rounds(source: Path, today: date | None = None) -> RoundCatalogue:
    """The rounds of a folder (or of one round file): every file loaded and checked, every problem
    of every file reported together (ConfigurationError)."""
    if source.is_dir():
        paths = round_files(source)
        if not paths:
            raise ConfigurationError(f"{source}: no round files: a rounds folder holds one {ROUND_FILE_NAME} per "
                                     "county and year, each in a folder of its own with its survey")
    else:
        paths = [source]
    loaded, problems = [], []
    for path in paths:
        try:
            loaded.append(RoundFile(path, load_round(path, today=today)))
        except ConfigurationError as exc:
            problems.append(str(exc))
    if problems:
        raise ConfigurationError("\n".join(problems))
    return RoundCatalogue(loaded)


# This year against last -------------------------------------------------------------------------------


def question_changes(old: Survey, new: Survey) -> dict[str, str]:
    """The questions of `new` that cannot be read against `old`, each with why: "new" (not in the
    old survey), "type" (another kind of question), "options" (other option ids), "scale" (another
    range), "areas" (other priority areas); and the old questions dropped ("dropped"). A text
    corrected, or a question moved to another section or number, is not a change: answers are
    stored by ids."""
    before = {q.id: q for q in old.questions}
    after = {q.id: q for q in new.questions}
    changes: dict[str, str] = {}
    for question_id, question in after.items():
        earlier = before.get(question_id)
        if earlier is None:
            changes[question_id] = "new"
        elif earlier.type != question.type:
            changes[question_id] = "type"
        elif isinstance(question, (SingleChoiceQuestion, MultiChoiceQuestion)) and (
                [o.id for o in question.options] != [o.id for o in earlier.options]  # type: ignore[attr-defined]
                or [(o.exclusive, o.needs_text) for o in question.options]
                != [(o.exclusive, o.needs_text) for o in earlier.options]):  # type: ignore[attr-defined]
            changes[question_id] = "options"
        elif isinstance(question, ScaleQuestion) and (question.min, question.max) != (earlier.min, earlier.max):  # type: ignore[attr-defined]
            changes[question_id] = "scale"
        elif isinstance(question, MethodsQuestion) and (
                [a.id for a in question.areas] != [a.id for a in earlier.areas]  # type: ignore[attr-defined]
                or question.none_option.id != earlier.none_option.id):  # type: ignore[attr-defined]
            changes[question_id] = "areas"
    for question_id in before.keys() - after.keys():
        changes[question_id] = "dropped"
    return changes


@dataclass(frozen=True)
class PreviousRound:
    """The round a round follows, with what its organisations submitted."""

    round: Round
    responses: tuple[Response, ...]
    """Its submitted responses (each with its latest submitted answers in `submitted_answers`);
    drafts that were never submitted are left out, as every summary leaves them out."""
    changed: Mapping[str, str] = field(default_factory=dict)
    """The questions that cannot be read against last year's, with why (`question_changes`)."""


async def previous_results(
    catalogue: RoundCatalogue, responses: ResponseRepository, round_: Round,
) -> PreviousRound | None:
    """The previous round of `round_` (same county, named by its `previous_round`) and its
    submitted responses; None when the round has none in the folder."""
    previous = catalogue.previous(round_)
    if previous is None:
        return None
    stored = await responses.list_for_round(previous.tenant_id, previous.id)
    submitted = tuple(r for r in stored if r.submitted_answers is not None)
    return PreviousRound(previous, submitted, question_changes(previous.survey, round_.survey))
