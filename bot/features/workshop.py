"""The workshop in Teams: its commands and card action, and the channel activities that carry the
breakout groups' notes.

Teams delivers every channel message of the board's team to the bot (resource-specific consent
`ChannelMessage.Read.Group`), @mentioned or not. A message in a group channel of the round's
workshop is a note (dialogs/workshop_flow.py); an edit (`messageUpdate`, eventType editMessage)
replaces its text and keeps the old one; a deletion (`messageDelete`, softDeleteMessage) takes it
out of every summary, undeleteMessage brings it back; reactions (`messageReaction`) are counted,
and a HYTE team member's reaction marks a highlight. What is cheap is decided first: a message
from the bot, outside a channel or from another tenant costs no database read. Logs carry ids and
event names, never texts.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Awaitable, Callable

from bot.connector import Connector, SendFailed
from bot.services import cpu
from bot.inbound import Event, Inbound
from bot.router import HYTE_TEAM, Routes
from bot.turn import Reply, Turn
from cards.catalogue import t
from cards.payloads import WorkshopStart
from cards.language import in_languages
from cards.workshop import channel_choice_card, question_card, running_notice, started_card, stopped_notice, summary_cards
from dialogs.flow import carry_out
from dialogs.workshop_flow import (
    ChannelMessage, Choose, Edit, EditNote, NoteSkip, NotANote, Refuse, Start, StartCommand, StartConfirmed, Stop,
    StopCommand, StoreNote, WorkshopState, decide,
)
from hyte.meeting import RAISE_REACTION
from hyte.round import Round
from hyte.teams import Team, TeamRepository
from hyte.workshop import Group, WorkshopRepository
from hyte.workshop_summary import consolidate

logger = logging.getLogger(__name__)

POST_CONCURRENCY = 4
"""Channels posted to at once when the workshop starts (questions go in order within a channel)."""


@dataclass(frozen=True)
class WorkshopServices:
    """The workshop's storage; its questions are the turn's round's (`Round.workshop`; None: the
    round has no workshop, and the commands say so)."""

    workshops: WorkshopRepository
    teams: TeamRepository
    on_raise: Callable[..., Awaitable[None]] | None = None
    """`on_raise(round, connector, now, note_key=None)`: after a group raised a note (RAISE_REACTION)
    or took it back, or a raised note was edited or deleted: the meeting's joint card follows
    (bot/services/meeting.py)."""


routes = Routes("workshop", WorkshopServices)


async def _state(turn: Turn[WorkshopServices]) -> WorkshopState:
    services = turn.services
    team = await services.teams.board_team(turn.round.tenant_id)
    run = await services.workshops.get(turn.round.tenant_id, turn.round.id)
    return WorkshopState(turn.round.workshop, team, run)


@routes.command("aloita työpaja", "työpaja aloita", english=("workshop start", "start workshop"),
                swedish=("starta workshop", "workshop starta"),
                description="command.workshop_start", access=HYTE_TEAM)
async def start(turn: Turn[WorkshopServices]) -> Reply:
    view = decide(await _state(turn), StartCommand()).view
    if isinstance(view, Refuse):
        return Reply(text=t(view.message_key))
    assert isinstance(view, Choose) and turn.round.workshop is not None
    return Reply(card=channel_choice_card(
        turn.round.id, turn.round.workshop, view.channels, view.preselected, view.running,
    ))


@routes.action(WorkshopStart, access=HYTE_TEAM)
async def confirm(turn: Turn[WorkshopServices], payload: WorkshopStart) -> Reply:
    started: list[dict[str, Any]] = []

    async def start_in(effect: Start) -> None:
        started.append(await _start(turn, effect))

    view = await carry_out(decide(await _state(turn), StartConfirmed(payload.groups.split(","))), {Start: start_in})
    if isinstance(view, Refuse):
        return Reply(text=t(view.message_key))
    return Reply(card=started[0])


@routes.command("lopeta työpaja", "työpaja lopeta", "päätä työpaja", english=("workshop stop", "stop workshop"),
                swedish=("avsluta workshop", "workshop avsluta"),
                description="command.workshop_stop", access=HYTE_TEAM)
async def stop(turn: Turn[WorkshopServices]) -> Reply:
    services, round_ = turn.services, turn.round
    stopped: list[Any] = []

    async def stop_now(_effect: Stop) -> None:
        stopped.append(await services.workshops.stop(round_.tenant_id, round_.id, turn.person.aad_object_id, turn.now))

    view = await carry_out(decide(await _state(turn), StopCommand()), {Stop: stop_now})
    if isinstance(view, Refuse):
        return Reply(text=t(view.message_key))
    run = stopped[0]
    if run is None:  # stopped meanwhile by someone else
        return Reply(text=t("workshop.not_running"))
    notes = sum(1 for n in await services.workshops.notes(round_.tenant_id, round_.id) if not n.deleted and not n.late)
    card = stopped_notice(run, notes)
    logger.info("workshop stopped: round=%s groups=%d", round_.id, len(run.groups))
    team = await services.teams.board_team(round_.tenant_id)
    if team is not None and turn.inbound.conversation.channel_id != team.general_channel_id:
        await _post(turn, team, team.general_channel_id, in_languages(round_.languages, lambda _code: stopped_notice(run, notes)))
    return Reply(card=card)


@routes.command("työpajan yhteenveto", "yhteenveto työpaja", english=("summary workshop", "workshop summary"),
                swedish=("workshopsammanfattning", "sammanfattning workshop"),
                description="command.summary_workshop", access=HYTE_TEAM, past_rounds=True)
async def summary(turn: Turn[WorkshopServices]) -> Reply:
    services, round_ = turn.services, turn.round
    definition = round_.workshop
    if definition is None:
        return Reply(text=t("workshop.not_configured"))
    run = await services.workshops.get(round_.tenant_id, round_.id)
    if run is None:
        return Reply(text=t("workshop.not_started"))

    async def send_summary() -> None:
        stored_notes = getattr(services.workshops, "stored_notes", None)  # read by the pool's worker
        notes = (stored_notes(round_.tenant_id, round_.id) if stored_notes is not None
                 else await services.workshops.notes(round_.tenant_id, round_.id))
        # Lemmatising hundreds of notes and building the cards is CPU work: in the process pool.
        result, cards = await cpu.run(_consolidated_cards, definition, run.groups, notes, run.status, round_.thesaurus)
        for card in cards:
            await turn.say(Reply(card=card))
        logger.info("workshop summary sent: round=%s notes=%d cards=%d", round_.id, result.note_count, len(cards))

    turn.later("workshop summary", send_summary)
    return Reply(text=t("workshop.summary_preparing"))


async def _start(turn: Turn[WorkshopServices], decision: Start) -> dict[str, Any]:
    """Start the workshop in the chosen channels, post each question there once, announce it in
    General; the card that says how it went."""
    services, round_ = turn.services, turn.round
    definition = round_.workshop
    assert definition is not None
    tenant_id, round_id = round_.tenant_id, round_.id
    run = await services.workshops.start(
        tenant_id, round_id, decision.team.team_id, decision.groups, turn.person.aad_object_id, turn.now
    )
    chosen = {channel_id for channel_id, _ in decision.groups}
    groups = [g for g in run.groups if g.channel_id in chosen]
    limit = asyncio.Semaphore(POST_CONCURRENCY)

    async def post_questions(group: Group) -> bool:
        async with limit:
            for question in definition.questions:
                if not await services.workshops.claim_post(tenant_id, round_id, group.channel_id, question.id, turn.now):
                    continue  # posted already (or being posted by a second press)
                try:
                    card = in_languages(round_.languages, lambda code: question_card(
                        round_.in_language(code).workshop, round_.in_language(code).workshop.question(question.id)))
                    message_id = await turn.connector.post(decision.team.service_url, tenant_id, group.channel_id, card)
                except SendFailed as exc:
                    await services.workshops.release_post(tenant_id, round_id, group.channel_id, question.id)
                    logger.warning("question post failed: channel=%s question=%s error=%s",
                                   group.channel_id, question.id, type(exc).__name__)
                    return False
                await services.workshops.record_post(
                    tenant_id, round_id, group.channel_id, question.id, message_id,
                    f"{group.channel_id};messageid={message_id}",
                )
            return True

    posted = await asyncio.gather(*(post_questions(g) for g in groups))
    failed = [g.name for g, ok in zip(groups, posted) if not ok]
    await _post(turn, decision.team, decision.team.general_channel_id,
                in_languages(round_.languages, lambda _code: running_notice(run.groups)))
    logger.info("workshop started: round=%s groups=%d failed=%d", round_id, len(groups), len(failed))
    return started_card(groups, len(definition.questions), failed)


async def _post(turn: Turn[WorkshopServices], team: Team, channel_id: str, card: dict[str, Any]) -> None:
    try:
        await turn.connector.post(team.service_url, turn.round.tenant_id, channel_id, card)
    except SendFailed as exc:
        logger.warning("channel post failed: channel=%s error=%s", channel_id, exc.error.reason)


# Channel activities --------------------------------------------------------------------------------


def _in_reach(inbound: Inbound, round_: Round) -> bool:
    """Could this be one of the round's workshop notes at all (nothing read from the database yet)."""
    return (
        round_.workshop is not None and inbound.tenant_id == round_.tenant_id
        and inbound.conversation.channel and inbound.conversation.channel_id is not None
    )


@routes.on(Event.CHANNEL_MESSAGE, identify=False)
async def on_channel_message(turn: Turn[WorkshopServices]) -> Reply | None:
    """A channel message that is not a command: stored as a note when it is one (an empty reply: the
    message was the workshop's), else None (not the bot's concern)."""
    inbound, round_, services = turn.inbound, turn.round, turn.services
    channel_id, message_id = inbound.conversation.channel_id, inbound.id
    if not _in_reach(inbound, round_) or not channel_id or not message_id:
        return None
    if inbound.from_bot:  # the bot's own post, come back: not a note, and nothing to say
        logger.info("channel message not a note: channel=%s message=%s reason=%s", channel_id, message_id,
                    NoteSkip.FROM_BOT.value)
        return Reply()
    root = inbound.conversation.thread_root
    message = ChannelMessage(
        channel_id=channel_id, message_id=message_id, root_id=root, text=inbound.text,
        author_aad=inbound.sender.aad_object_id, author_name=inbound.sender.name or None, from_bot=False, at=turn.now,
    )
    context = await services.workshops.message_context(round_.tenant_id, round_.id, channel_id, root)
    stored: list[bool] = []

    async def store(effect: StoreNote) -> None:
        stored.append(await services.workshops.add_note(round_.tenant_id, round_.id, effect.note))
        note = effect.note
        logger.info(
            "workshop note: event=%s channel=%s message=%s question=%s assignment=%s late=%s",
            "stored" if stored[0] else "duplicate", channel_id, message_id, note.question_id, note.assignment.value,
            note.late,
        )

    view = await carry_out(decide(WorkshopState(round_.workshop, context=context), message), {StoreNote: store})
    if isinstance(view, NotANote):
        if view.reason not in (NoteSkip.NO_WORKSHOP, NoteSkip.NOT_A_GROUP):
            logger.info("channel message not a note: channel=%s message=%s reason=%s", channel_id, message_id,
                        view.reason.value)
        return Reply() if view.reason is NoteSkip.EMPTY and context.group is not None else None
    return Reply()


@routes.on(Event.MESSAGE_CHANGE, identify=False)
async def on_message_change(turn: Turn[WorkshopServices]) -> Reply | None:
    """messageUpdate (editMessage, undeleteMessage) and messageDelete (softDeleteMessage)."""
    inbound, round_, services = turn.inbound, turn.round, turn.services
    if not _in_reach(inbound, round_):
        return None
    tenant_id, channel_id, message_id = round_.tenant_id, inbound.conversation.channel_id, inbound.id
    if not channel_id or not message_id:
        return None
    event = inbound.event_type
    if inbound.deleted or event == "softDeleteMessage":
        changed = await services.workshops.set_deleted(tenant_id, channel_id, message_id, True, turn.now)
        logger.info("workshop note: event=deleted channel=%s message=%s known=%s", channel_id, message_id, changed)
        _raised_note_changed(turn, changed, f"{channel_id}|{message_id}")
        return None
    if event == "undeleteMessage":
        changed = await services.workshops.set_deleted(tenant_id, channel_id, message_id, False, turn.now)
        logger.info("workshop note: event=undeleted channel=%s message=%s known=%s", channel_id, message_id, changed)
        _raised_note_changed(turn, changed, f"{channel_id}|{message_id}")
        return None
    if event not in (None, "editMessage"):
        return None
    note = await services.workshops.note(tenant_id, channel_id, message_id)
    if note is None:
        return None
    context = await services.workshops.message_context(tenant_id, round_.id, channel_id, note.thread_root_id)

    async def edit(effect: EditNote) -> None:
        await services.workshops.edit_note(
            tenant_id, channel_id, message_id, effect.text, effect.question_id, effect.assignment, turn.now
        )
        logger.info("workshop note: event=edited channel=%s message=%s question=%s", channel_id, message_id,
                    effect.question_id)

    state = WorkshopState(round_.workshop, context=context, note=note)
    await carry_out(decide(state, Edit(inbound.text)), {EditNote: edit})
    _raised_note_changed(turn, True, note.key)
    return None


def _raised_note_changed(turn: Turn[WorkshopServices], known: bool, note_key: str) -> None:
    """A note changed: if a group had raised it, the joint-discussion card follows."""
    on_raise = turn.services.on_raise
    if known and on_raise is not None:
        turn.later("joint discussion", lambda: on_raise(turn.round, turn.connector, turn.now, note_key))


@routes.on(Event.REACTION)
async def on_reaction(turn: Turn[WorkshopServices]) -> Reply | None:
    """messageReaction on a note: counted; a HYTE team member's marks a highlight."""
    inbound, round_, services = turn.inbound, turn.round, turn.services
    if not _in_reach(inbound, round_):
        return None
    channel_id, message_id, sender = inbound.conversation.channel_id, inbound.reply_to_id, inbound.sender
    if not channel_id or not message_id or not sender.id:
        return None
    added, removed = list(inbound.reactions_added), list(inbound.reactions_removed)
    if not added and not removed:
        return None
    known = await services.workshops.react(
        round_.tenant_id, channel_id, message_id, sender.id, sender.aad_object_id,
        turn.person.team_member is not None, added, removed, turn.now,
    )
    logger.info("workshop reaction: channel=%s message=%s added=%d removed=%d note=%s",
                channel_id, message_id, len(added), len(removed), known)
    on_raise = services.on_raise
    if known and on_raise is not None and RAISE_REACTION in (*added, *removed):
        turn.later("joint discussion", lambda: on_raise(round_, turn.connector, turn.now))
    return None


def _consolidated_cards(definition, groups, notes, status, thesaurus):  # in the process pool (bot/services/cpu.py)
    result = consolidate(definition, groups, notes, status=status, thesaurus=thesaurus)
    return result, summary_cards(result)
