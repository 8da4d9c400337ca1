"""The bot's commands and card actions, registered on one router."""

from __future__ import annotations

from bot import guards, reminders, results, workshop
from bot.router import Router
from bot.turn import Reply, Turn
from cards import elements as ui
from cards.catalogue import t
from cards.text import Config, User
from cards.payloads import SurveyGoTo, SurveyOpen, SurveyStep, SurveySubmit
from cards.inputs import raw_answers
from cards.survey import status_card, welcome_card
from dialogs.survey_flow import Event, FlowContext, GoTo, Move, Open, Step, Submit, decide, on_conflict
from dialogs.survey_render import render
from hyte.responses import Actor, Response, ResponseKey, VersionConflict

SURVEY_GUARDS = (guards.personal_only, guards.representative)


def build_router() -> Router:
    router = Router()

    @router.command("ohje", "komennot", english=("help",), description="command.help")
    async def help_(turn: Turn) -> Reply:
        return await greeting(turn, router)

    @router.command("kysely", "avaa kysely", "aloita kysely", "jatka kyselyä", english=("survey",),
                    description="command.survey", guards=SURVEY_GUARDS)
    async def survey(turn: Turn) -> Reply:
        return await run_survey(turn, Open())

    @router.command("tila", "vastaustilanne", "näytä tila", english=("status",), description="command.status",
                    guards=(guards.representative_personal_or_hyte_team,))
    async def status(turn: Turn) -> Reply:
        if turn.identity.team_member is not None:
            return await results.team_status(turn)
        services, rep = turn.services, turn.identity.representative
        response = await services.responses.get(_key(turn))
        organisation = services.round.organisation(rep.organisation)
        return Reply(card=status_card(services.round, organisation, response, turn.now))

    @router.action(SurveyOpen, guards=SURVEY_GUARDS)
    async def survey_open(turn: Turn, payload: SurveyOpen) -> Reply:
        return await run_survey(turn, Open())

    @router.action(SurveyStep, guards=SURVEY_GUARDS)
    async def survey_step(turn: Turn, payload: SurveyStep) -> Reply:
        survey = turn.services.round.survey
        if payload.section not in {s.id for s in survey.sections}:
            return await run_survey(turn, Open())
        raw = raw_answers(survey.section(payload.section), payload.inputs)
        return await run_survey(turn, Step(Move(payload.move), payload.section, raw, payload.version))

    @router.action(SurveyGoTo, guards=SURVEY_GUARDS)
    async def survey_goto(turn: Turn, payload: SurveyGoTo) -> Reply:
        return await run_survey(turn, GoTo(payload.section))

    @router.action(SurveySubmit, guards=SURVEY_GUARDS)
    async def survey_submit(turn: Turn, payload: SurveySubmit) -> Reply:
        return await run_survey(turn, Submit(payload.version))

    results.register(router)
    reminders.register(router)
    workshop.register(router)
    return router


def _key(turn: Turn) -> ResponseKey:
    return ResponseKey(turn.identity.tenant_id, turn.services.round.id, turn.identity.representative.organisation)


async def run_survey(turn: Turn, event: Event) -> Reply:
    services, identity = turn.services, turn.identity
    round_ = services.round
    key = _key(turn)
    actor = Actor(identity.aad_object_id, identity.name)
    response = await services.responses.get(key) or Response.empty(key)
    position = None
    if isinstance(event, Open):
        position = await services.positions.get(key.tenant_id, round_.id, actor.aad_object_id)
    ctx = FlowContext(round_, turn.now, actor, position)
    outcome = decide(event, response, ctx)
    moved = outcome.position is not None and outcome.position != position
    if outcome.change is not None or moved:
        try:
            await services.responses.apply(
                key, outcome.change, actor, turn.now, position=outcome.position if moved else None
            )
        except VersionConflict as conflict:
            outcome = on_conflict(event, conflict.current, ctx)
            if outcome.position is not None:
                await services.positions.set(key.tenant_id, round_.id, actor.aad_object_id, outcome.position, turn.now)
    return Reply(card=render(outcome.view, round_))


def help_lines(router: Router, team_member: bool) -> list[str]:
    """`ohje`: every command this person can use, its natural Finnish name first, then its other
    Finnish names (the English aliases work, but are not shown: everything a user reads is Finnish)."""
    lines = []
    for command in router.commands:
        if command.team_only and not team_member:
            continue
        description = t(command.description_key) + (t("help.team_only") if command.team_only else "")
        others = _listed([t("help.name", name=name) for name in command.finnish[1:]])
        if others:
            lines.append(t("help.command_also", name=command.name, others=others, description=description))
        else:
            lines.append(t("help.command", name=command.name, description=description))
    return lines


def _listed(items: list[str]) -> str:
    """"a", "a tai b", "a, b tai c"."""
    return t("help.or").join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


async def greeting(turn: Turn, router: Router) -> Reply:
    """The greeting by role, with the commands this person can use."""
    services, identity = turn.services, turn.identity
    round_ = services.round
    commands = help_lines(router, identity.team_member is not None)
    help_block = [ui.text(t("help.title"), weight="Bolder", spacing="Large"), ui.text("\n".join(f"- {c}" for c in commands))]
    if identity.representative is not None:
        rep = identity.representative
        response = await services.responses.get(_key(turn))
        card = welcome_card(round_, identity.name, round_.organisation(rep.organisation), rep.role, response, turn.now)
        card["body"].extend(help_block)
        return Reply(card=card)
    if identity.team_member is not None:
        body = [ui.sentence("greeting.team", name=User(identity.name), year=round_.year,
                            county=Config(round_.config.county)), *help_block]
        return Reply(card=ui.card(body))
    return Reply(card=ui.card([ui.sentence("greeting.stranger", county=Config(round_.config.county))]))
