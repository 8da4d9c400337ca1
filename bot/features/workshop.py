"""The workshop in Teams: its commands and card action (`register`), and the channel activities
that carry the breakout groups' notes (`on_channel_message`, `on_message_change`, `on_reaction`).

Teams delivers every channel message of the board's team to the bot (resource-specific consent
`ChannelMessage.Read.Group`), @mentioned or not. A message in a group channel of the round's
workshop is a note (see dialogs.workshop_flow); an edit (`messageUpdate`, eventType editMessage)
replaces its text and keeps the old one; a deletion (`messageDelete`, softDeleteMessage) takes it
out of every summary, undeleteMessage brings it back; reactions (`messageReaction`) are counted,
and a HYTE team member's reaction marks a highlight. Logs carry ids and event names, never texts.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from botbuilder.schema import Activity

from bot import guards, replies
from bot.board_team import channel_data, channel_of, post_to_channel
from bot.outbound import SendFailed
from bot.router import Router
from bot.turn import Reply, Turn
from cards.catalogue import t
from cards.payloads import WorkshopStart
from cards.workshop import channel_choice_card, question_card, running_notice, started_card, stopped_notice, summary_cards
from dialogs.workshop_flow import (
    ChannelMessage, EditNote, NotANote, Refuse, Start, StoreNote, on_channel_message as decide_note, on_edit,
    on_start_command, on_start_confirmed, on_stop_command,
)
from hyte.teams import Team
from hyte.workshop import Group, WorkshopDefinition, clean_teams_html, consolidate

logger = logging.getLogger(__name__)

TEAM_GUARDS = (guards.hyte_team,)
POST_CONCURRENCY = 4
"""Channels posted to at once when the workshop starts (questions go in order within a channel)."""


def register(router: Router) -> None:
    @router.command("aloita työpaja", "työpaja aloita", english=("workshop start", "start workshop"),
                    description="command.workshop_start", guards=TEAM_GUARDS, team_only=True)
    async def start(turn: Turn) -> Reply:
        services = turn.services
        if services.workshops is None:
            return Reply(text=t("workshop.not_configured"))
        team = await services.teams.board_team(turn.identity.tenant_id)
        run = await services.workshops.get(turn.identity.tenant_id, services.round.id)
        decision = on_start_command(services.workshop_questions, team, run)
        if isinstance(decision, Refuse):
            return Reply(text=t(decision.message_key))
        return Reply(card=channel_choice_card(
            services.round.id, services.workshop_questions, decision.channels, decision.preselected, decision.running,
        ))

    @router.action(WorkshopStart, guards=TEAM_GUARDS)
    async def confirm(turn: Turn, payload: WorkshopStart) -> Reply:
        services = turn.services
        if services.workshops is None:
            return Reply(text=t("workshop.not_configured"))
        team = await services.teams.board_team(turn.identity.tenant_id)
        decision = on_start_confirmed(services.workshop_questions, team, payload.groups.split(","))
        if isinstance(decision, Refuse):
            return Reply(text=t(decision.message_key))
        return await _start(turn, decision)

    @router.command("lopeta työpaja", "työpaja lopeta", "päätä työpaja", english=("workshop stop", "stop workshop"),
                    description="command.workshop_stop", guards=TEAM_GUARDS, team_only=True)
    async def stop(turn: Turn) -> Reply:
        services = turn.services
        if services.workshops is None:
            return Reply(text=t("workshop.not_configured"))
        tenant_id, round_id = turn.identity.tenant_id, services.round.id
        refused = on_stop_command(await services.workshops.get(tenant_id, round_id))
        if refused is not None:
            return Reply(text=t(refused.message_key))
        run = await services.workshops.stop(tenant_id, round_id, turn.identity.aad_object_id, turn.now)
        if run is None:  # stopped meanwhile by someone else
            return Reply(text=t("workshop.not_running"))
        notes = sum(1 for n in await services.workshops.notes(tenant_id, round_id) if not n.deleted and not n.late)
        card = stopped_notice(run, notes)
        logger.info("workshop stopped: round=%s groups=%d", round_id, len(run.groups))
        team = await services.teams.board_team(tenant_id)
        if team is not None and channel_of(turn.context) != team.general_channel_id:
            await _post(turn, team, team.general_channel_id, card)
        return Reply(card=card)

    @router.command("työpajan yhteenveto", "yhteenveto työpaja", english=("summary workshop", "workshop summary"),
                    description="command.summary_workshop", guards=TEAM_GUARDS, team_only=True)
    async def summary(turn: Turn) -> Reply:
        services = turn.services
        if services.workshops is None or services.workshop_questions is None:
            return Reply(text=t("workshop.not_configured"))
        tenant_id, round_id = turn.identity.tenant_id, services.round.id
        run = await services.workshops.get(tenant_id, round_id)
        if run is None:
            return Reply(text=t("workshop.not_started"))

        async def send_summary() -> None:
            notes = await services.workshops.notes(tenant_id, round_id)
            # Lemmatising hundreds of notes is CPU work: off the event loop.
            result = await asyncio.to_thread(
                consolidate, services.workshop_questions, run.groups, notes, status=run.status,
                thesaurus=services.round.thesaurus,
            )
            cards = summary_cards(result)
            for card in cards:
                await replies.send(turn.context, replies.card_message(card))
            logger.info("workshop summary sent: round=%s notes=%d cards=%d", round_id, result.note_count, len(cards))

        turn.later("workshop summary", send_summary)
        return Reply(text=t("workshop.summary_preparing"))


async def _start(turn: Turn, decision: Start) -> Reply:
    services = turn.services
    definition: WorkshopDefinition = services.workshop_questions  # type: ignore[assignment]
    tenant_id, round_id = turn.identity.tenant_id, services.round.id
    run = await services.workshops.start(
        tenant_id, round_id, decision.team.team_id, decision.groups, turn.identity.aad_object_id, turn.now
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
                    message_id = await post_to_channel(
                        turn.context, decision.team.service_url, tenant_id, group.channel_id, question_card(definition, question)
                    )
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
    await _post(turn, decision.team, decision.team.general_channel_id, running_notice(run.groups))
    logger.info("workshop started: round=%s groups=%d failed=%d", round_id, len(groups), len(failed))
    return Reply(card=started_card(groups, len(definition.questions), failed))


async def _post(turn: Turn, team: Team, channel_id: str, card: dict[str, Any]) -> None:
    try:
        await post_to_channel(turn.context, team.service_url, turn.identity.tenant_id, channel_id, card)
    except SendFailed as exc:
        logger.warning("channel post failed: channel=%s error=%s", channel_id, exc.error.reason)


# Channel activities --------------------------------------------------------------------------------


def _message_id(activity: Activity) -> str | None:
    return activity.id or None


def _thread_root(activity: Activity) -> str | None:
    """The root post of the thread a channel message is in, or None for a top-level post (Teams
    gives a top-level post's own id as the conversation's ";messageid=")."""
    conversation_id = activity.conversation.id if activity.conversation else ""
    root = conversation_id.split(";messageid=", 1)[1] if ";messageid=" in conversation_id else None
    root = root or activity.reply_to_id
    return root if root and root != activity.id else None


def _html(activity: Activity) -> str:
    for attachment in activity.attachments or []:
        if getattr(attachment, "content_type", None) == "text/html" and isinstance(attachment.content, str):
            return attachment.content
    return activity.text or ""


def bot_names(activity: Activity) -> set[str]:
    """The names the bot is @mentioned by in this activity: its own, and its mentions' texts."""
    bot = activity.recipient
    names = {bot.name} if bot is not None and bot.name else set()
    for entity in activity.entities or []:
        props = getattr(entity, "additional_properties", None) or {}
        mentioned = props.get("mentioned") if isinstance(props, dict) else None
        if entity.type == "mention" and isinstance(mentioned, dict) and bot is not None and mentioned.get("id") == bot.id:
            if isinstance(mentioned.get("name"), str):
                names.add(mentioned["name"])
            if isinstance(props.get("text"), str):
                names.add(clean_teams_html(props["text"]))
    return names


def _from_bot(activity: Activity) -> bool:
    sender, bot = activity.from_property, activity.recipient
    return bool(sender and bot and sender.id == bot.id) or getattr(sender, "role", None) == "bot"


def _ours(turn: Turn) -> bool:
    services = turn.services
    return (
        services.workshops is not None and services.workshop_questions is not None
        and turn.identity.tenant_id == services.round.tenant_id
        and (turn.context.activity.conversation.conversation_type or "") == "channel"
    )


async def on_channel_message(turn: Turn) -> bool:
    """A channel message: stored as a note when it is one (True), else nothing happens (False)."""
    if not _ours(turn):
        return False
    activity = turn.context.activity
    channel_id, message_id = channel_of(turn.context), _message_id(activity)
    if not channel_id or not message_id:
        return False
    services = turn.services
    root = _thread_root(activity)
    sender = activity.from_property
    message = ChannelMessage(
        channel_id=channel_id, message_id=message_id, root_id=root,
        text=clean_teams_html(_html(activity), drop_mentions=bot_names(activity)),
        author_aad=getattr(sender, "aad_object_id", None) if sender else None,
        author_name=(sender.name if sender else None) or None,
        from_bot=_from_bot(activity), at=turn.now,
    )
    context = await services.workshops.message_context(turn.identity.tenant_id, services.round.id, channel_id, root)
    decision = decide_note(services.workshop_questions, message, context)
    if isinstance(decision, NotANote):
        if decision.reason not in ("no_workshop", "not_a_group"):
            logger.info("channel message not a note: channel=%s message=%s reason=%s", channel_id, message_id, decision.reason)
        return decision.reason == "from_bot" or (decision.reason == "empty" and context.group is not None)
    assert isinstance(decision, StoreNote)
    stored = await services.workshops.add_note(turn.identity.tenant_id, services.round.id, decision.note)
    note = decision.note
    logger.info(
        "workshop note: event=%s channel=%s message=%s question=%s assignment=%s late=%s",
        "stored" if stored else "duplicate", channel_id, message_id, note.question_id, note.assignment.value, note.late,
    )
    return True


async def on_message_change(turn: Turn) -> None:
    """messageUpdate (editMessage, undeleteMessage) and messageDelete (softDeleteMessage)."""
    if not _ours(turn):
        return
    activity = turn.context.activity
    channel_id, message_id = channel_of(turn.context), _message_id(activity)
    if not channel_id or not message_id:
        return
    services, tenant_id = turn.services, turn.identity.tenant_id
    event = channel_data(turn.context).get("eventType")
    if activity.type == "messageDelete" or event == "softDeleteMessage":
        changed = await services.workshops.set_deleted(tenant_id, channel_id, message_id, True, turn.now)
        logger.info("workshop note: event=deleted channel=%s message=%s known=%s", channel_id, message_id, changed)
        return
    if event == "undeleteMessage":
        changed = await services.workshops.set_deleted(tenant_id, channel_id, message_id, False, turn.now)
        logger.info("workshop note: event=undeleted channel=%s message=%s known=%s", channel_id, message_id, changed)
        return
    if event not in (None, "editMessage"):
        return
    note = await services.workshops.note(tenant_id, channel_id, message_id)
    if note is None:
        return
    text = clean_teams_html(_html(activity), drop_mentions=bot_names(activity))
    context = await services.workshops.message_context(tenant_id, services.round.id, channel_id, note.thread_root_id)
    decision = on_edit(services.workshop_questions, note, text, context)
    if isinstance(decision, EditNote):
        await services.workshops.edit_note(
            tenant_id, channel_id, message_id, decision.text, decision.question_id, decision.assignment, turn.now
        )
        logger.info("workshop note: event=edited channel=%s message=%s question=%s", channel_id, message_id,
                    decision.question_id)


async def on_reaction(turn: Turn) -> None:
    """messageReaction on a note: counted; a HYTE team member's marks a highlight."""
    if not _ours(turn):
        return
    activity = turn.context.activity
    channel_id, message_id = channel_of(turn.context), activity.reply_to_id
    sender = activity.from_property
    if not channel_id or not message_id or sender is None or not sender.id:
        return
    added = [r.type for r in activity.reactions_added or [] if r.type]
    removed = [r.type for r in activity.reactions_removed or [] if r.type]
    if not added and not removed:
        return
    known = await turn.services.workshops.react(
        turn.identity.tenant_id, channel_id, message_id, sender.id, getattr(sender, "aad_object_id", None),
        turn.identity.team_member is not None, added, removed, turn.now,
    )
    logger.info("workshop reaction: channel=%s message=%s added=%d removed=%d note=%s",
                channel_id, message_id, len(added), len(removed), known)
