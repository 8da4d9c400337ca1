"""How the round is going: `tila`/`status` (a representative's own organisation; for the HYTE team
every organisation's state), and the HYTE team's survey summary with every answer to a question.

The HYTE team sees results in 1:1 chat or in the advisory board team's channels (the routes'
declared access); anyone else gets the catalogue's refusal and nothing else (not even counts). The
HYTE team reads an earlier round of the county by its year (`tila 2024`, `yhteenveto kysely 2024`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.router import Access, Audience, Routes, Where
from bot.turn import Reply, Turn
from cards import elements as ui
from cards.catalogue import t
from cards.payloads import ResultsAnswers
from cards.results import answers_cards, summary_cards, team_status_card
from cards.survey import status_card
from bot.services.summaries import curated_summary
from hyte.comparison import Comparison, against_previous
from hyte.curation import CurationRepository
from hyte.responses import ResponseKey, ResponseRepository
from hyte.results import SurveySummary
from hyte.rounds import RoundCatalogue, previous_results
from hyte.status import response_status

logger = logging.getLogger(__name__)

HYTE_TEAM_RESULTS = (Access(Audience.HYTE_TEAM, Where.PERSONAL_OR_BOARD_TEAM),)


@dataclass(frozen=True)
class ResultsServices:
    responses: ResponseRepository
    catalogue: RoundCatalogue | None = None
    """The rounds, for this year against last (`_comparison`); without it the summary has no comparison."""
    curation: CurationRepository | None = None
    """The HYTE team's theme curation, applied to the summary (bot/features/curation.py)."""


routes = Routes("results", ResultsServices)


@routes.command("tila", "vastaustilanne", "näytä tila", swedish=("status", "svarsläge"), english=("status",),
                description="command.status",
                access=(Access(Audience.REPRESENTATIVES, Where.PERSONAL), *HYTE_TEAM_RESULTS), past_rounds=True)
async def status(turn: Turn[ResultsServices]) -> Reply:
    round_, person = turn.round, turn.person
    if person.team_member is not None:
        responses = await turn.services.responses.list_for_round(round_.tenant_id, round_.id)
        return Reply(card=await asyncio.to_thread(
            lambda: team_status_card(response_status(round_, responses, turn.now), round_.config.county)))
    assert person.representative is not None
    organisation = person.representative.organisation
    response = await turn.services.responses.get(ResponseKey(round_.tenant_id, round_.id, organisation))
    return Reply(card=status_card(round_, round_.organisation(organisation), response, turn.now))


@routes.command("kyselyn yhteenveto", "yhteenveto kysely", "ennakkokyselyn yhteenveto",
                swedish=("enkätsammanfattning", "sammanfattning enkät", "sammanfattning av enkäten"),
                english=("summary survey", "survey summary"), description="command.summary_survey",
                access=HYTE_TEAM_RESULTS, past_rounds=True)
async def summary_survey(turn: Turn[ResultsServices]) -> Reply:
    async def send_summary() -> None:
        summary = await _summary(turn)  # summarised in a worker thread, and so is all that follows
        comparison = await _comparison(turn, summary)
        cards = await asyncio.to_thread(summary_cards, summary, turn.round.config.county, comparison)
        for card in cards:
            await turn.say(Reply(card=card))
        logger.info("summary sent: round=%s cards=%d", turn.round.id, len(cards))

    turn.later("survey summary", send_summary)
    return Reply(text=t("results.preparing"))


@routes.action(ResultsAnswers, access=HYTE_TEAM_RESULTS, past_rounds=True)
async def show_answers(turn: Turn[ResultsServices], payload: ResultsAnswers) -> Reply:
    summary = await _summary(turn)
    comparison = await _comparison(turn, summary)
    answers, pressed = await asyncio.to_thread(_answers, turn, summary, comparison, payload)
    if answers is None:
        return Reply(text=t("results.unknown_question"))
    for card in answers:
        await turn.say(Reply(card=card))
    # The pressed card stays as it was (rebuilt from current data).
    return Reply(card=pressed) if pressed is not None else Reply(text=t("results.unknown_question"))


async def _summary(turn: Turn[ResultsServices]) -> SurveySummary:
    summary, _found, _edits = await curated_summary(turn.round, turn.services.responses, turn.services.curation, turn.now)
    return summary


async def _comparison(turn: Turn[ResultsServices], summary: SurveySummary) -> Comparison | None:
    """This year against last: the previous round's summary read against this one's, in a worker
    thread (its themes are CPU work)."""
    catalogue = turn.services.catalogue
    if catalogue is None:
        return None
    previous = await previous_results(catalogue, turn.services.responses, turn.round)
    return await asyncio.to_thread(against_previous, turn.round, summary, previous, turn.now)


def _answers(turn: Turn[ResultsServices], summary: SurveySummary, comparison: Comparison | None,
             payload: ResultsAnswers) -> tuple[list[dict] | None, dict | None]:
    """In a worker thread (building cards is CPU work, off the event loop), from the summary computed
    once: the cards of every answer to the question, and the pressed summary card (None, None for a
    question not in the summary)."""
    result = next((r for r in summary.texts if r.question_id == payload.question), None)
    if result is None:
        return None, None
    pressed = next((c for c in summary_cards(summary, turn.round.config.county, comparison)
                    if _has_button(c, payload)), None)
    return answers_cards(summary, result), pressed


def _has_button(card: dict, payload: ResultsAnswers) -> bool:
    data = payload.data()
    return any(n.get("type") == "Action.Execute" and n.get("data") == data for n in ui.walk(card))
