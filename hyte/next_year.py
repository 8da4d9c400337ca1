"""Next year's round from last year's (`python app.py round new --from <round id> --year <year>`).

The new round is a folder of its own beside the old one's (`<rounds folder>/<new id>/`): the round
file, and copies of the survey, workshop and thesaurus files and of the privacy pages' templates it
uses, so that next year's questions can change without touching last year's. The round file is last
year's, comments kept (ruamel.yaml's round trip), with a new `id`, the `year`, `previous_round` set
to last year's id, and the timetable moved a year (the same day and month, the same time of day,
written as dates); the survey is the same file, its `version` unchanged (raise it if you change
questions: the bot refuses to start when the questions changed and the version did not).
Organisations, people and the reminder plan are carried over as they were: the board sits for a
council term. Nothing is read from the database: no answer, note or date moved in Teams is copied.

Moving a date a year changes its weekday: every date is listed with its weekday, and those that
fall on a weekend or a Finnish public holiday (the `holidays` package) are marked to check.
"""

from __future__ import annotations

import io
import re
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import holidays
from ruamel.yaml import YAML

from hyte.clock import HELSINKI
from hyte.configuration import ConfigurationError
from hyte.round import DEFAULT_NOTICE_TEMPLATE, DEFAULT_TERMS_TEMPLATE, Phase, Round, Timetable
from hyte.rounds import ROUND_FILE_NAME, RoundFile
from hyte.thesaurus import DEFAULT_THESAURUS_FILE
from hyte.workshop import DEFAULT_WORKSHOP_FILE

FRAME_TEMPLATE = "sivu.html"
"""The privacy pages' common frame, copied with them when it is beside the round file."""
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class MovedDate:
    phase: Phase
    old: datetime
    new: datetime
    check: tuple[str, ...]
    """Why to look at the new date: "Saturday", "Sunday", or a public holiday's name."""


@dataclass(frozen=True)
class NextRound:
    id: str
    year: int
    round_file: Path
    copied: tuple[Path, ...]
    dates: tuple[MovedDate, ...]


def next_round_id(round_id: str, old_year: int, new_year: int) -> str:
    """Last year's id with its year replaced ("pohjois-savo-2024" -> "pohjois-savo-2025"), or the
    year added ("pohjois-savo-demo" -> "pohjois-savo-demo-2025")."""
    old = str(old_year)
    if old in round_id:
        head, _, tail = round_id.rpartition(old)
        return f"{head}{new_year}{tail}"
    return f"{round_id}-{new_year}"


def a_year_on(at: datetime, years: int) -> datetime:
    """The same wall-clock time on the same day and month `years` later, in Helsinki (29 February
    becomes the 28th)."""
    local = at.astimezone(HELSINKI)
    day = local.day
    while True:
        try:
            return datetime.combine(date(local.year + years, local.month, day), local.time().replace(tzinfo=None),
                                    HELSINKI)
        except ValueError:
            day -= 1


def moved_timetable(timetable: Timetable, years: int) -> tuple[MovedDate, ...]:
    moved = []
    for phase in Phase:
        old = timetable.at(phase)
        new = a_year_on(old, years)
        public = holidays.Finland(years=new.year)
        check = []
        if new.weekday() >= 5:
            check.append(new.strftime("%A"))
        if new.date() in public:
            check.append(public[new.date()])
        moved.append(MovedDate(phase, old, new, tuple(check)))
    return tuple(moved)


def _files_to_copy(entry: RoundFile) -> dict[str, Path]:
    """The files the round uses, by the name each gets in the new folder."""
    config, folder = entry.round.config, entry.path.parent
    named = {
        "survey_file": config.survey_file,
        "workshop_file": config.workshop_file,
        "thesaurus_file": config.thesaurus_file,
    }
    files: dict[str, Path] = {}
    for field, value in named.items():
        if value is not None:
            files[field] = (folder / value).resolve()
    defaults = {"workshop_file": DEFAULT_WORKSHOP_FILE, "thesaurus_file": DEFAULT_THESAURUS_FILE}
    for field, name in defaults.items():
        if field not in files and (folder / name).is_file():
            files[field] = folder / name
    privacy = config.privacy
    for field, value, name in (("notice_template", privacy.notice_template, DEFAULT_NOTICE_TEMPLATE),
                               ("terms_template", privacy.terms_template, DEFAULT_TERMS_TEMPLATE)):
        if value is not None:
            files[field] = (folder / value).resolve()
        elif (folder / name).is_file():
            files[field] = folder / name
    if (folder / FRAME_TEMPLATE).is_file():
        files["frame"] = folder / FRAME_TEMPLATE
    return files


def write_next_round(entry: RoundFile, year: int, *, new_id: str | None = None, folder: Path | None = None) -> NextRound:
    """Write next year's round (see the module's docstring); ConfigurationError when it cannot be
    written (a year not after the round's, an id taken, a folder that exists)."""
    round_: Round = entry.round
    if year <= round_.year:
        raise ConfigurationError(f"--year {year} is not after the round's year {round_.year}")
    new_id = new_id or next_round_id(round_.id, round_.year, year)
    if not _ID.match(new_id):
        raise ConfigurationError(f"{new_id!r} is not a round id (lowercase letters, digits, - and _; at most 64)")
    if new_id == round_.id:
        raise ConfigurationError(f"the new round's id must differ from {round_.id!r}")
    target = folder or entry.path.parent.parent / new_id
    if target.exists():
        raise ConfigurationError(f"{target} exists already: name another folder with --out, or remove it")
    files = _files_to_copy(entry)
    names = [path.name for path in files.values()]
    if len(set(names)) != len(names):
        raise ConfigurationError(f"{entry.path}: two of the files it uses share a name ({sorted(names)}): copy them by hand")

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    data = yaml.load(entry.path.read_text(encoding="utf-8"))
    dates = moved_timetable(round_.timetable, year - round_.year)
    data["id"] = new_id
    if "year" in data:
        data["year"] = year
    else:
        data.insert(list(data).index("region") + 1 if "region" in data else len(data), "year", year)
    data["previous_round"] = round_.id
    for moved in dates:
        data["timetable"][moved.phase.value] = moved.new.strftime("%Y-%m-%dT%H:%M")
    for field in ("survey_file", "workshop_file", "thesaurus_file"):
        if field in files and field in data:
            data[field] = files[field].name
    privacy = data.get("privacy")
    for field in ("notice_template", "terms_template"):
        if privacy is not None and field in privacy and field in files:
            privacy[field] = files[field].name
    text = io.StringIO()
    text.write(f"# Written by `python app.py round new --from {round_.id} --year {year}`: check the dates, the\n"
               "# organisations and the people before the round starts. Last year's file as it was:\n")
    yaml.dump(data, text)

    target.mkdir(parents=True)
    copied = []
    for path in files.values():
        copied.append(Path(shutil.copy2(path, target / path.name)))
    round_file = target / ROUND_FILE_NAME
    round_file.write_text(text.getvalue(), encoding="utf-8")
    return NextRound(new_id, year, round_file, tuple(copied), dates)
