"""The survey summary as the HYTE team reads it everywhere (cards, both exports): the submitted
responses summarised, with the team's theme curation applied (hyte/curation.py)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from hyte.curation import CurationEdit, CurationRepository, curate
from hyte.responses import ResponseRepository
from hyte.results import SurveySummary, summarise
from hyte.round import Round


async def curated_summary(
    round_: Round, responses: ResponseRepository, curation: CurationRepository | None, now: datetime,
) -> tuple[SurveySummary, SurveySummary, list[CurationEdit]]:
    """(the curated summary, the summary as found, the round's edits). Summarising lemmatises every
    answer: CPU work, done in a worker thread so that the event loop is never held."""
    stored = await responses.list_for_round(round_.tenant_id, round_.id)
    edits = await curation.edits(round_.tenant_id, round_.id) if curation is not None else []

    def work() -> tuple[SurveySummary, SurveySummary]:
        found = summarise(round_, stored, now)
        return curate(found, edits, round_), found

    curated, found = await asyncio.to_thread(work)
    return curated, found, edits
