"""The HYTE team curates a free-text question's themes in Teams: merge two, rename one, hide one,
pick the answer that represents one (hyte/curation.py, dialogs/curation_flow.py).

**Muokkaa teemoja** on the survey summary opens the question's curation card in place of the
summary card; each edit is stored with who and when and the card is updated in place with the
curated themes; **Takaisin yhteenvetoon** puts the summary card back, curated. Only the HYTE team,
in 1:1 chat or the board team's channels (the routes' declared access): a representative's payload
is refused and nothing is stored. The summary cards and both exports read the same curation
(bot/services/summaries.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.router import Access, Audience, Routes, Where
from bot.services import cpu
from bot.services.summaries import curated_summary
from bot.turn import Reply, Turn
from cards import elements as ui
from cards.catalogue import t
from cards.curation import curation_card
from cards.inputs import CURATION_LABEL, CURATION_QUOTE, CURATION_TARGET, CURATION_THEME
from cards.payloads import CurationApply, CurationDone, CurationOpen
from cards.results import summary_cards
from cards.text import phrase
from dialogs.curation_flow import Apply, CurationState, StoreEdit, decide
from dialogs.flow import carry_out
from hyte.comparison import against_previous
from hyte.curation import CurationAction, CurationEdit, CurationRepository
from hyte.responses import ResponseRepository
from hyte.results import SurveySummary, TextResult
from hyte.round import Round
from hyte.rounds import PreviousRound, RoundCatalogue, previous_results

logger = logging.getLogger(__name__)

HYTE_TEAM = (Access(Audience.HYTE_TEAM, Where.PERSONAL_OR_BOARD_TEAM),)
_TYPED = {"theme": CURATION_THEME, "target": CURATION_TARGET, "label": CURATION_LABEL, "quote": CURATION_QUOTE}


@dataclass(frozen=True)
class CurationServices:
    responses: ResponseRepository
    curation: CurationRepository
    catalogue: RoundCatalogue
    """The rounds, for the summary card's this year against last (as `yhteenveto kysely` built it)."""


routes = Routes("curation", CurationServices)


async def _load(turn: Turn[CurationServices]):
    return await curated_summary(turn.round, turn.services.responses, turn.services.curation, turn.now)


def _question(summary: SurveySummary, question_id: str) -> TextResult | None:
    return next((r for r in summary.texts if r.question_id == question_id), None)


def _card(summary: SurveySummary, found: SurveySummary, edits: list[CurationEdit], question_id: str,
          notice=None, typed=None) -> dict:
    result = _question(summary, question_id)
    assert result is not None
    mine = [e for e in edits if e.question_id == question_id]
    hidden_keys = {e.theme_key for e in mine if e.action is CurationAction.HIDE}
    original = _question(found, question_id)
    labels = {theme.key: theme.label for theme in original.themes} if original else {}
    hidden = [labels.get(key, key) for key in sorted(hidden_keys)]
    return curation_card(summary, result, hidden, mine[-1] if mine else None, notice, typed)


@routes.action(CurationOpen, access=HYTE_TEAM)
async def open_curation(turn: Turn[CurationServices], payload: CurationOpen) -> Reply:
    summary, found, edits = await _load(turn)
    if _question(summary, payload.question) is None:
        return Reply(text=t("results.unknown_question"))
    return Reply(card=_card(summary, found, edits, payload.question))


@routes.action(CurationApply, access=HYTE_TEAM)
async def apply_curation(turn: Turn[CurationServices], payload: CurationApply) -> Reply:
    summary, found, edits = await _load(turn)
    result = _question(summary, payload.question)
    if result is None:
        return Reply(text=t("results.unknown_question"))
    inputs = payload.inputs
    member = turn.person.team_member
    event = Apply(
        CurationAction(payload.action), inputs.get(CURATION_THEME) or None, inputs.get(CURATION_TARGET) or None,
        inputs.get(CURATION_LABEL) or None, inputs.get(CURATION_QUOTE) or None,
        by_name=member.name if member else turn.person.name, by_aad=turn.person.aad_object_id, at=turn.now,
    )
    outcome = decide(CurationState(result), event)

    async def store(effect: StoreEdit) -> None:
        await turn.services.curation.add(turn.round.tenant_id, turn.round.id, effect.edit)
        logger.info("themes curated: round=%s question=%s action=%s", turn.round.id, payload.question, payload.action)

    view = await carry_out(outcome, {StoreEdit: store})
    if outcome.effects:
        summary, found, edits = await _load(turn)
    typed = {_TYPED[k]: v for k, v in view.typed.items()}
    notice = (phrase(view.notice, **view.params), "good" if view.ok else "attention")
    return Reply(card=_card(summary, found, edits, payload.question, notice, typed))


@routes.action(CurationDone, access=HYTE_TEAM)
async def done(turn: Turn[CurationServices], payload: CurationDone) -> Reply:
    summary, _found, _edits = await _load(turn)
    previous = await previous_results(turn.services.catalogue, turn.services.responses, turn.round)
    cards = await cpu.run(_summary_cards, turn.round, summary, previous, turn.now)
    wanted = CurationOpen(r=summary.round_id, question=payload.question).data()
    for card in cards:
        if any(n.get("type") == "Action.Execute" and n.get("data") == wanted for n in ui.walk(card)):
            return Reply(card=card)
    return Reply(text=t("results.unknown_question"))


def _summary_cards(round_: Round, summary: SurveySummary, previous: PreviousRound | None, now: datetime) -> list[dict]:
    """In the process pool: the summary's cards with this year against last, as the summary sent them."""
    return summary_cards(summary, round_.config.county, against_previous(round_, summary, previous, now))
