"""A round's response status: which organisations have submitted, which are drafting, and who has
not started, by category; the phase the round is in. Plain Python; the summary (hyte/results.py)
and the status cards read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Sequence

from hyte.responses import Response, ResponseState
from hyte.round import Category, Organisation, Phase, Round
from hyte.timetable import current_phase, is_over

CATEGORY_ORDER: tuple[Category, ...] = (
    Category.MUNICIPALITY, Category.WELLBEING_COUNTY, Category.EDUCATION, Category.OTHER,
)


@dataclass(frozen=True)
class OrganisationStatus:
    organisation: Organisation
    state: ResponseState
    submitted_at: datetime | None = None
    submitted_by: str | None = None
    updated_at: datetime | None = None

    @property
    def submitted(self) -> bool:
        return self.state in (ResponseState.SUBMITTED, ResponseState.SUBMITTED_WITH_CHANGES)

    @property
    def drafting(self) -> bool:
        return self.state is ResponseState.DRAFT


@dataclass(frozen=True)
class Tally:
    """Organisations submitted / drafting / not started, overall or in one category."""

    category: Category | None
    total: int
    submitted: int
    drafting: int

    @property
    def not_started(self) -> int:
        return self.total - self.submitted - self.drafting

    @property
    def rate(self) -> float:
        """Share of organisations that have submitted, 0..1."""
        return self.submitted / self.total if self.total else 0.0


@dataclass(frozen=True)
class Status:
    round_id: str
    phase: Phase | None
    """The phase the round is in (hyte.timetable.current_phase); None before the first and after the last."""
    organisations: tuple[OrganisationStatus, ...]
    overall: Tally
    by_category: tuple[Tally, ...]
    over: bool = False
    """The round has ended (its last phase has passed)."""

    @property
    def missing(self) -> tuple[OrganisationStatus, ...]:
        """Organisations that have not submitted (drafting or not started), in configuration order."""
        return tuple(s for s in self.organisations if not s.submitted)

    @property
    def drafts(self) -> tuple[OrganisationStatus, ...]:
        return tuple(s for s in self.organisations if s.drafting)


def response_status(round_: Round, responses: Iterable[Response], now: datetime) -> Status:
    by_org = {r.key.organisation_id: r for r in responses if r.key.round_id == round_.id}
    statuses = []
    for organisation in round_.config.organisations:
        response = by_org.get(organisation.id)
        if response is None:
            statuses.append(OrganisationStatus(organisation, ResponseState.NOT_STARTED))
            continue
        statuses.append(OrganisationStatus(
            organisation, response.state, response.submitted_at, response.submitted_by, response.updated_at,
        ))
    return Status(
        round_id=round_.id,
        phase=current_phase(round_.timetable, now),
        over=is_over(round_.timetable, now),
        organisations=tuple(statuses),
        overall=_tally(None, statuses),
        by_category=tuple(
            _tally(category, [s for s in statuses if s.organisation.category is category])
            for category in CATEGORY_ORDER
        ),
    )


def _tally(category: Category | None, statuses: Sequence[OrganisationStatus]) -> Tally:
    return Tally(
        category, len(statuses), sum(1 for s in statuses if s.submitted), sum(1 for s in statuses if s.drafting)
    )
