"""How the round is going: `tila`/`status` (a representative's own organisation; for the HYTE team
every organisation's state), and the HYTE team's survey summary with every answer to a question.

The HYTE team sees results in 1:1 chat or in the advisory board team's channels (the routes'
declared access); anyone else gets the catalogue's refusal and nothing else (not even counts). The
HYTE team reads an earlier round of the county by its year (`tila 2024`, `yhteenveto kysely 2024`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from dataclasses import dataclass

from bot.router import Access, Audience, Routes, Where
from bot.turn import Reply, Turn
from cards import elements as ui
from cards.catalogue import t
from cards.payloads import ResultsAnswers
from cards.results import answers_cards, summary_cards, team_status_card
from cards.survey import status_card
from bot.services import cpu
from bot.services.summaries import summarise_and_curate
from hyte.comparison import Comparison, against_previous
from hyte.curation import CurationEdit, CurationRepository
from hyte.responses import ResponseKey, ResponseRepository
from hyte.results import SurveySummary
from hyte.round import Round
from hyte.rounds import PreviousRound, RoundCatalogue, previous_results
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
        responses = turn.services.responses.stored_for_round(round_.tenant_id, round_.id)
        return Reply(card=await cpu.run(_team_status, round_, responses, turn.now))
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
        inputs = await _inputs(turn)
        cards = await cpu.run(_summary_cards, *inputs)  # summarised, compared and built in the process pool
        for card in cards:
            await turn.say(Reply(card=card))
        logger.info("summary sent: round=%s cards=%d", turn.round.id, len(cards))

    turn.later("survey summary", send_summary)
    return Reply(text=t("results.preparing"))


@routes.action(ResultsAnswers, access=HYTE_TEAM_RESULTS, past_rounds=True)
async def show_answers(turn: Turn[ResultsServices], payload: ResultsAnswers) -> Reply:
    answers, pressed = await cpu.run(_answers, *await _inputs(turn), payload)
    if answers is None:
        return Reply(text=t("results.unknown_question"))
    for card in answers:
        await turn.say(Reply(card=card))
    # The pressed card stays as it was (rebuilt from current data).
    return Reply(card=pressed) if pressed is not None else Reply(text=t("results.unknown_question"))


Inputs = tuple[Round, list, list[CurationEdit], PreviousRound | None, bool, datetime]


async def _inputs(turn: Turn[ResultsServices]) -> Inputs:
    """What a summary is computed from, read from the store: the round's responses, the HYTE team's
    curation and (with the catalogue) the previous round's responses, for this year against last."""
    round_, services = turn.round, turn.services
    stored = services.responses.stored_for_round(round_.tenant_id, round_.id)
    edits = await services.curation.edits(round_.tenant_id, round_.id) if services.curation is not None else []
    catalogue = services.catalogue
    previous = await previous_results(catalogue, services.responses, round_) if catalogue is not None else None
    return round_, stored, edits, previous, catalogue is not None, turn.now


# In the process pool (bot/services/cpu.py): summarising, comparing and building the cards is CPU work.


def _team_status(round_: Round, responses: list, now: datetime) -> dict:
    return team_status_card(response_status(round_, responses, now), round_.config.county)


def _summarised(round_: Round, stored: list, edits: list[CurationEdit], previous: PreviousRound | None,
                compare: bool, now: datetime) -> tuple[SurveySummary, Comparison | None]:
    summary, _found = summarise_and_curate(round_, stored, edits, now)
    return summary, against_previous(round_, summary, previous, now) if compare else None


def _summary_cards(*inputs) -> list[dict]:
    summary, comparison = _summarised(*inputs)
    return summary_cards(summary, inputs[0].config.county, comparison)


def _answers(round_: Round, stored: list, edits: list[CurationEdit], previous: PreviousRound | None, compare: bool,
             now: datetime, payload: ResultsAnswers) -> tuple[list[dict] | None, dict | None]:
    """From the summary computed once: the cards of every answer to the question, and the pressed
    summary card (None, None for a question not in the summary)."""
    summary, comparison = _summarised(round_, stored, edits, previous, compare, now)
    result = next((r for r in summary.texts if r.question_id == payload.question), None)
    if result is None:
        return None, None
    pressed = next((c for c in summary_cards(summary, round_.config.county, comparison)
                    if _has_button(c, payload)), None)
    return answers_cards(summary, result), pressed


def _has_button(card: dict, payload: ResultsAnswers) -> bool:
    data = payload.data()
    return any(n.get("type") == "Action.Execute" and n.get("data") == data for n in ui.walk(card))
