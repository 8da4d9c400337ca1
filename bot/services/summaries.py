"""The survey summary as the HYTE team reads it everywhere (cards, both exports): the submitted
responses summarised, with the team's theme curation applied (hyte/curation.py)."""

from __future__ import annotations

from datetime import datetime

from bot.services import cpu
from hyte.curation import CurationEdit, CurationRepository, curate
from hyte.responses import ResponseRepository
from hyte.results import SurveySummary, summarise
from hyte.round import Round


async def curated_summary(
    round_: Round, responses: ResponseRepository, curation: CurationRepository, now: datetime,
) -> tuple[SurveySummary, SurveySummary, list[CurationEdit]]:
    """(the curated summary, the summary as found, the round's edits). Summarising lemmatises every
    answer: CPU work, done in the process pool (bot/services/cpu.py) so that the event loop is never held."""
    stored = responses.stored_for_round(round_.tenant_id, round_.id)  # read by the pool's worker
    edits = await curation.edits(round_.tenant_id, round_.id)
    curated, found = await cpu.run(summarise_and_curate, round_, stored, edits, now)
    return curated, found, edits


def summarise_and_curate(round_: Round, stored, edits: list[CurationEdit], now: datetime,
                         ) -> tuple[SurveySummary, SurveySummary]:
    """(the curated summary, the summary as found): in the process pool."""
    found = summarise(round_, stored, now)
    return curate(found, edits, round_), found
