"""The round that serves a turn, with its effective timetable.

Today one deployment serves one configured round (HYTE_ROUND_FILE) and the tenants the settings
allow. Every turn asks `current(tenant)` for its round with the dates the HYTE team moved applied
(kept for a moment by the timetable repository, so that a turn seldom reads the database for it);
serving several counties means answering here from the tenant.
"""

from __future__ import annotations

from hyte.round import Round
from hyte.timetable import TimetableRepository


class Rounds:
    def __init__(self, configured: Round, timetables: TimetableRepository) -> None:
        self.configured = configured
        self._timetables = timetables

    async def current(self, tenant_id: str | None) -> Round:
        """The round serving `tenant_id`, with its moved dates (the configured round for every
        tenant the settings let in)."""
        return await self._timetables.effective(self.configured)
