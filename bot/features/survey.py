"""The pre-survey in 1:1 chat: `kysely`/`survey` and the survey card's actions (open, next, back,
save, go to a section, submit).

Each turn loads the organisation's response (and, to open, the person's position; a step that
writes a change is decided from the response as this process last saw it, when the pressed card
was built from that version, with no read: the write is refused if it moved on), asks the flow
(dialogs/survey_flow.py) and carries out its effects: the change and the new position in one
write, which the repository refuses when the response changed meanwhile; then the flow is asked
again with what is stored now. The reply is the view as a card (it replaces the pressed card).

`Survey.open` gives the survey card to other features (the board channel's "Aloita kysely"), as a
service the composition root hands them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.identity import Identity
from bot.router import REPRESENTATIVES_1_1, Routes
from bot.turn import Reply, Turn
from cards.inputs import raw_answers
from cards.payloads import SurveyGoTo, SurveyOpen, SurveyStep, SurveySubmit
from dialogs.flow import Outcome, carry_out
from dialogs.survey_flow import (
    Conflict, Event, GoTo, KeepPosition, Move, Open, Save, Step, Submit, SurveyState, View, decide,
)
from dialogs.survey_render import render
from hyte.responses import Actor, PositionRepository, Response, ResponseKey, ResponseRepository, VersionConflict
from hyte.round import Round


@dataclass(frozen=True)
class Survey:
    """The survey's storage, and the one way to answer a person's survey event."""

    responses: ResponseRepository
    positions: PositionRepository

    async def answer(self, person: Identity, round_: Round, now: datetime, event: Event) -> dict[str, Any]:
        """The card answering `event` of a representative, after its effects are stored."""
        assert person.representative is not None and person.aad_object_id is not None
        key = ResponseKey(round_.tenant_id, round_.id, person.representative.organisation)
        actor = Actor(person.aad_object_id, person.name)
        position = None
        outcome = self._decided_from_recent(key, round_, now, actor, event)
        if outcome is None:
            if isinstance(event, Open):  # the response and where the person was, in one read
                stored, position = await self.responses.get_with_position(key, actor.aad_object_id)
            else:
                stored = await self.responses.get(key)
            outcome = decide(SurveyState(round_, now, actor, stored or Response.empty(key), position), event)

        async def save(effect: Save) -> None:
            await self.responses.apply(key, effect.change, actor, now, position=effect.position)

        async def keep_position(effect: KeepPosition) -> None:
            await self.positions.set(key.tenant_id, round_.id, actor.aad_object_id, effect.position, now)

        handlers = {Save: save, KeepPosition: keep_position}
        try:
            view = await carry_out(outcome, handlers)
        except VersionConflict as conflict:
            stale = SurveyState(round_, now, actor, conflict.current, position)
            view = await carry_out(decide(stale, Conflict(event)), handlers)
        return render(view, round_)

    def _decided_from_recent(
        self, key: ResponseKey, round_: Round, now: datetime, actor: Actor, event: Event,
    ) -> Outcome[View] | None:
        """A step or submit decided from the response as this process last saw it, when the card
        pressed was built from that version, and only when the outcome writes a change: the write
        is refused if the response moved on meanwhile (VersionConflict, below), so nothing is lost
        or shown stale. Anything else (nothing to write, another version) is decided after a read."""
        if not isinstance(event, (Step, Submit)) or not event.version:
            return None
        recent = self.responses.recent(key, event.version)
        if recent is None:
            return None
        outcome = decide(SurveyState(round_, now, actor, recent), event)
        save = outcome.effect(Save)
        return outcome if save is not None and save.change is not None else None

    async def open(self, person: Identity, round_: Round, now: datetime) -> dict[str, Any]:
        """The survey card as `kysely` opens it: where the person was, or the first section."""
        return await self.answer(person, round_, now, Open())


routes = Routes("survey", Survey)


async def _answer(turn: Turn[Survey], event: Event) -> Reply:
    return Reply(card=await turn.services.answer(turn.person, turn.round, turn.now, event))


@routes.command("kysely", "avaa kysely", "aloita kysely", "jatka kyselyä", english=("survey",),
                swedish=("enkät", "enkat", "förhandsenkät", "öppna enkät", "fortsätt enkät"),
                description="command.survey", access=REPRESENTATIVES_1_1)
async def survey(turn: Turn[Survey]) -> Reply:
    return await _answer(turn, Open())


@routes.action(SurveyOpen, access=REPRESENTATIVES_1_1)
async def survey_open(turn: Turn[Survey], payload: SurveyOpen) -> Reply:
    return await _answer(turn, Open())


@routes.action(SurveyStep, access=REPRESENTATIVES_1_1)
async def survey_step(turn: Turn[Survey], payload: SurveyStep) -> Reply:
    survey_ = turn.round.survey
    if payload.section not in {s.id for s in survey_.sections}:
        return await _answer(turn, Open())
    raw = raw_answers(survey_.section(payload.section), payload.inputs)
    return await _answer(turn, Step(Move(payload.move), payload.section, raw, payload.version))


@routes.action(SurveyGoTo, access=REPRESENTATIVES_1_1)
async def survey_goto(turn: Turn[Survey], payload: SurveyGoTo) -> Reply:
    return await _answer(turn, GoTo(payload.section))


@routes.action(SurveySubmit, access=REPRESENTATIVES_1_1)
async def survey_submit(turn: Turn[Survey], payload: SurveySubmit) -> Reply:
    return await _answer(turn, Submit(payload.version))
