"""The repositories are what the domain's Protocols say (hyte/): the features and services are typed
with the Protocols and get the SQL repositories from the composition root, so a Protocol that
drifted from its repository would be a lie no test run catches. Each Protocol method must exist on
its repository with the same parameters (names, kinds, defaults) and be a coroutine there too."""

from __future__ import annotations

import inspect

import pytest

from bot.transport.http import ActivityLog
from hyte.curation import CurationRepository
from hyte.jobs import JobRepository
from hyte.reads import DeferredRead
from hyte.responses import PositionRepository, ResponseRepository
from hyte.teams import ConversationRepository, TeamRepository
from hyte.timetable import TimetableRepository
from hyte.workshop import WorkshopRepository
from storage.activities import SqlActivityLog
from storage.curation import SqlCurationRepository
from storage.db import StoredRead
from storage.reminders import SqlJobRepository, SqlTimetableRepository
from storage.repositories import (
    SqlConversationRepository, SqlPositionRepository, SqlResponseRepository, SqlTeamRepository,
)
from storage.workshop import SqlWorkshopRepository

PAIRS = [
    (ResponseRepository, SqlResponseRepository), (PositionRepository, SqlPositionRepository),
    (TeamRepository, SqlTeamRepository), (ConversationRepository, SqlConversationRepository),
    (WorkshopRepository, SqlWorkshopRepository), (TimetableRepository, SqlTimetableRepository),
    (JobRepository, SqlJobRepository), (ActivityLog, SqlActivityLog), (CurationRepository, SqlCurationRepository),
    (DeferredRead, StoredRead),
]


def _methods(protocol: type) -> dict[str, object]:
    return {name: value for name, value in vars(protocol).items() if inspect.isfunction(value) and not name.startswith("_")}


def _shape(function) -> list[tuple[str, object, object]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


@pytest.mark.parametrize("protocol, repository", PAIRS, ids=[p.__name__ for p, _ in PAIRS])
def test_the_repository_is_what_its_protocol_says(protocol: type, repository: type):
    methods = _methods(protocol)
    assert methods, protocol
    for name, declared in methods.items():
        implemented = getattr(repository, name, None)
        assert implemented is not None, f"{repository.__name__} has no {name}"
        assert _shape(implemented) == _shape(declared), f"{repository.__name__}.{name}"
        assert inspect.iscoroutinefunction(implemented) == inspect.iscoroutinefunction(declared), name
    for name in (name for name, value in vars(protocol).items() if isinstance(value, property)):
        assert isinstance(getattr(repository, name, None), property), f"{repository.__name__} has no {name}"
