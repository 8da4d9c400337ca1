"""The rounds that serve turns, with their effective timetables.

One deployment serves many counties, each in its own tenant (hyte/rounds.py `RoundCatalogue`: the
rounds folder). A turn is served by the current round of its tenant's county, and by nothing else:
`current(tenant)` is None for a tenant no county is in. A county's past rounds are found through
its tenant too (`find`, `in_year`), so a round of another county is never found for an activity,
whatever its card data or command names. Every round comes with the dates the HYTE team moved
applied (kept for a moment by the timetable repository, so that a turn seldom reads the database
for it).
"""

from __future__ import annotations

from hyte.round import Round
from hyte.rounds import RoundCatalogue
from hyte.timetable import TimetableRepository


class Rounds:
    def __init__(self, catalogue: RoundCatalogue, timetables: TimetableRepository) -> None:
        self.catalogue = catalogue
        self._timetables = timetables

    @property
    def configured(self) -> Round:
        """The first county's current round, as configured (a one-file folder's only round)."""
        return self.catalogue.default

    @property
    def tenants(self) -> frozenset[str]:
        return self.catalogue.tenants

    async def effective(self, round_: Round) -> Round:
        """The round with its moved dates."""
        return await self._timetables.effective(round_)

    async def current(self, tenant_id: str | None) -> Round | None:
        """The round serving `tenant_id` (its county's newest), with its moved dates; None when no
        county is in that tenant."""
        round_ = self.catalogue.current(tenant_id)
        return await self.effective(round_) if round_ is not None else None

    async def find(self, tenant_id: str | None, round_id: str) -> Round | None:
        """A round, current or past, of the tenant's county; None for any other county's."""
        round_ = self.catalogue.find(tenant_id, round_id)
        return await self.effective(round_) if round_ is not None else None

    async def in_year(self, tenant_id: str | None, year: int) -> Round | None:
        round_ = self.catalogue.in_year(tenant_id, year)
        return await self.effective(round_) if round_ is not None else None

    def is_current(self, round_: Round) -> bool:
        return self.catalogue.is_current(round_)
