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
from hyte.comparison import Comparison, against_previous
from hyte.responses import ResponseKey, ResponseRepository
from hyte.results import SurveySummary, response_status, summarise
from hyte.rounds import RoundCatalogue, previous_results

logger = logging.getLogger(__name__)

HYTE_TEAM_RESULTS = (Access(Audience.HYTE_TEAM, Where.PERSONAL_OR_BOARD_TEAM),)


@dataclass(frozen=True)
class ResultsServices:
    responses: ResponseRepository
    catalogue: RoundCatalogue | None = None
    """The rounds, for this year against last (`_comparison`); without it the summary has no comparison."""


routes = Routes("results", ResultsServices)


@routes.command("tila", "vastaustilanne", "näytä tila", swedish=("status", "svarsläge"), english=("status",),
                description="command.status",
                access=(Access(Audience.REPRESENTATIVES, Where.PERSONAL), *HYTE_TEAM_RESULTS), past_rounds=True)
async def status(turn: Turn[ResultsServices]) -> Reply:
    round_, person = turn.round, turn.person
    if person.team_member is not None:
        responses = await turn.services.responses.list_for_round(round_.tenant_id, round_.id)
        return Reply(card=team_status_card(response_status(round_, responses, turn.now), round_.config.county))
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
        summary = await _summary(turn)
        cards = summary_cards(summary, turn.round.config.county, await _comparison(turn, summary))
        for card in cards:
            await turn.say(Reply(card=card))
        logger.info("summary sent: round=%s cards=%d", turn.round.id, len(cards))

    turn.later("survey summary", send_summary)
    return Reply(text=t("results.preparing"))


@routes.action(ResultsAnswers, access=HYTE_TEAM_RESULTS, past_rounds=True)
async def show_answers(turn: Turn[ResultsServices], payload: ResultsAnswers) -> Reply:
    summary = await _summary(turn)
    result = next((r for r in summary.texts if r.question_id == payload.question), None)
    if result is None:
        return Reply(text=t("results.unknown_question"))
    for card in answers_cards(summary, result):
        await turn.say(Reply(card=card))
    # The pressed card stays as it was (rebuilt from current data).
    for card in summary_cards(summary, turn.round.config.county, await _comparison(turn, summary)):
        if _has_button(card, payload):
            return Reply(card=card)
    return Reply(text=t("results.unknown_question"))


async def _summary(turn: Turn[ResultsServices]) -> SurveySummary:
    responses = await turn.services.responses.list_for_round(turn.round.tenant_id, turn.round.id)
    return summarise(turn.round, responses, turn.now)


async def _comparison(turn: Turn[ResultsServices], summary: SurveySummary) -> Comparison | None:
    """This year against last: the previous round's summary read against this one's, in a worker
    thread (its themes are CPU work)."""
    catalogue = turn.services.catalogue
    if catalogue is None:
        return None
    previous = await previous_results(catalogue, turn.services.responses, turn.round)
    return await asyncio.to_thread(against_previous, turn.round, summary, previous, turn.now)


def _has_button(card: dict, payload: ResultsAnswers) -> bool:
    data = payload.data()
    return any(n.get("type") == "Action.Execute" and n.get("data") == data for n in ui.walk(card))
