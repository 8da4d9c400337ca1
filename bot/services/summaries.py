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
    round_: Round, responses: ResponseRepository, curation: CurationRepository | None, now: datetime,
) -> tuple[SurveySummary, SurveySummary, list[CurationEdit]]:
    """(the curated summary, the summary as found, the round's edits). Summarising lemmatises every
    answer: CPU work, done in the process pool (bot/services/cpu.py) so that the event loop is never held."""
    stored = await round_responses(responses, round_)
    edits = await curation.edits(round_.tenant_id, round_.id) if curation is not None else []
    curated, found = await cpu.run(summarise_and_curate, round_, stored, edits, now)
    return curated, found, edits


async def round_responses(responses: ResponseRepository, round_: Round):
    """The round's every response, to be given to `cpu.run`: as a read its worker does (a store
    that offers one: `stored_for_round`), else read here."""
    stored_for_round = getattr(responses, "stored_for_round", None)
    if stored_for_round is not None:
        return stored_for_round(round_.tenant_id, round_.id)
    return await responses.list_for_round(round_.tenant_id, round_.id)


def summarise_and_curate(round_: Round, stored, edits: list[CurationEdit], now: datetime,
                         ) -> tuple[SurveySummary, SurveySummary]:
    """(the curated summary, the summary as found): in the process pool."""
    found = summarise(round_, stored, now)
    return curate(found, edits, round_), found
