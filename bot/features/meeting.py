"""The negotiation meeting in Teams: the joint discussion's card, the conclusions ("kirjaukset")
the HYTE team writes under the four legal topics, the finished summary and its files.

- `yhteinen keskustelu`: the joint-discussion card in General (each group's raised points and the
  themes across groups, per workshop question), updated in place as groups raise more (a group's
  ❤️ on a note: bot/features/workshop.py `on_reaction` asks the desk to refresh it).
- `kirjaukset`: in a board channel the conclusions card is posted in General and kept up to date in
  place; in 1:1 chat the HYTE team gets it with its buttons, a representative to read.
- The card's buttons (new, edit, up, down, delete, finish) are the HYTE team's: the route refuses
  anyone else, a forged payload too. An edit names the version it was made on (dialogs/meeting_flow.py).
- `viimeistele yhteenveto` (or the card's button) freezes a numbered version; the board is told in
  General. `neuvottelujen yhteenveto` gives the Word summary and the plan entries as download links.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.connector import SendFailed
from bot.router import Access, Audience, Routes, Where
from bot.services.exports import LinkSigner
from bot.services.meeting import CONCLUSIONS, JOINT, MEETING_KINDS, MeetingDesk
from bot.turn import Reply, Turn
from cards.catalogue import t
from cards.language import in_languages
from cards.results import download_card
from cards.meeting import EVIDENCE_INPUT, TEXT_INPUT, TOPIC_INPUT, board_notice, finished_card, saved_card
from cards.payloads import MeetingDelete, MeetingFinish, MeetingMove, MeetingSave, MeetingShow, MeetingWrite
from dialogs.flow import carry_out
from dialogs.meeting_flow import (
    AddConclusion, Conflict, EditConclusion, MeetingState, Save, Saved, WriteView, decide, render,
)
from hyte.meeting import Author, ConclusionConflict, SummaryVersion

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MeetingServices:
    desk: MeetingDesk
    links: LinkSigner


routes = Routes("meeting", MeetingServices)

TEAM_HERE = (Access(Audience.HYTE_TEAM, Where.PERSONAL_OR_BOARD_TEAM),)
TEAM_OR_REPRESENTATIVE = (Access(Audience.HYTE_TEAM, Where.PERSONAL_OR_BOARD_TEAM),
                          Access(Audience.REPRESENTATIVES, Where.PERSONAL))


def _by(turn: Turn) -> Author:
    name = turn.person.name or (turn.person.team_member.name if turn.person.team_member else "")
    return Author(name, turn.person.aad_object_id)


def _refresh_later(turn: Turn[MeetingServices], *kinds: str) -> None:
    async def refresh() -> None:
        await turn.services.desk.refresh(turn.round, turn.connector, turn.now, *kinds)

    turn.later("meeting cards", refresh)


async def _on_kept_card(turn: Turn[MeetingServices]) -> bool:
    """Whether a card action came from the conclusions card kept in General."""
    if turn.personal:
        return False
    post = await turn.services.desk.meetings.post(turn.round.tenant_id, turn.round.id, CONCLUSIONS)
    return post is not None and turn.inbound.reply_to_id == post.message_id


# The joint discussion --------------------------------------------------------------------------------


@routes.command("yhteinen keskustelu", "keskustelu yhteinen", english=("joint discussion",),
                swedish=("gemensam diskussion",),
                description="command.meeting_joint", access=TEAM_HERE, in_manifest=False)
async def joint(turn: Turn[MeetingServices]) -> Reply:
    desk, round_ = turn.services.desk, turn.round
    card = await desk.joint(round_, turn.now)
    if card is None:
        return Reply(text=t("meeting.no_workshop"))
    return await _publish(turn, JOINT, card, "meeting.joint_posted")


async def _publish(turn: Turn[MeetingServices], kind: str, card: dict, posted: str) -> Reply:
    """Post the card in General as the one kept up to date; the answer says how it went."""
    try:
        if not await turn.services.desk.publish(turn.round, turn.connector, kind, card):
            return Reply(text=t("meeting.no_team"))
    except SendFailed:
        return Reply(text=t("meeting.post_failed"))
    logger.info("meeting card posted: round=%s kind=%s", turn.round.id, kind)
    return Reply(text=t(posted))


# The conclusions ---------------------------------------------------------------------------------------


@routes.command("kirjaukset", "näytä kirjaukset", english=("conclusions",),
                swedish=("anteckningar", "visa anteckningarna"),
                description="command.meeting_conclusions", access=TEAM_OR_REPRESENTATIVE, in_manifest=False)
async def conclusions(turn: Turn[MeetingServices]) -> Reply:
    desk, round_ = turn.services.desk, turn.round
    team = turn.person.team_member is not None
    if not team or turn.personal:
        return Reply(card=await desk.conclusions(round_, turn.now, team=team))
    card = await desk.conclusions(round_, turn.now, team=True, general=True)
    return await _publish(turn, CONCLUSIONS, card, "meeting.conclusions_posted")


async def _conclusions(turn: Turn[MeetingServices], notice: str | None = None, **params: object) -> Reply:
    """The conclusions card as the answer to a card action: on the card kept in General, that card
    in every language the round offers (it is the board's); elsewhere in the presser's language."""
    general = await _on_kept_card(turn)
    return Reply(card=await turn.services.desk.conclusions(turn.round, turn.now, team=True, notice=notice,
                                                           general=general, **params))


@routes.action(MeetingShow, access=TEAM_HERE)
async def show(turn: Turn[MeetingServices], payload: MeetingShow) -> Reply:
    return await _conclusions(turn)


async def _write(turn: Turn[MeetingServices], view: WriteView) -> dict:
    material = await turn.services.desk.material(turn.round, turn.now)
    return render(turn.round.id, view, material.index.options())


@routes.command("uusi kirjaus", "kirjaus uusi", english=("new conclusion",), swedish=("ny anteckning",),
                description="command.meeting_new", access=TEAM_HERE, in_manifest=False)
async def new(turn: Turn[MeetingServices]) -> Reply:
    return Reply(card=await _write(turn, WriteView(None, None, "", "", ())))


@routes.action(MeetingWrite, access=TEAM_HERE)
async def write(turn: Turn[MeetingServices], payload: MeetingWrite) -> Reply:
    desk, round_ = turn.services.desk, turn.round
    view = WriteView(None, None, "", "", ())
    if payload.conclusion is not None:
        stored = {c.id: c for c in await desk.meetings.conclusions(round_.tenant_id, round_.id)}
        conclusion = stored.get(payload.conclusion)
        if conclusion is None or conclusion.version != payload.version:
            return await _conclusions(turn, "meeting.stale")
        view = WriteView(conclusion.id, conclusion.version, conclusion.topic.value, conclusion.text,
                         tuple(str(r) for r in conclusion.evidence))
    card = await _write(turn, view)
    if await _on_kept_card(turn):  # the board's card stays; the writing card is a reply under it
        await turn.say(Reply(card=card))
        return await _conclusions(turn)
    return Reply(card=card)


@routes.action(MeetingSave, access=TEAM_HERE)
async def save(turn: Turn[MeetingServices], payload: MeetingSave) -> Reply:
    desk, round_, by = turn.services.desk, turn.round, _by(turn)
    tenant_id = round_.tenant_id
    material = await desk.material(round_, turn.now)
    offered = material.index.offered()
    if payload.conclusion is not None:  # what an edited conclusion already rests on stays offered
        for c in await desk.meetings.conclusions(tenant_id, round_.id):
            if c.id == payload.conclusion:
                offered |= {str(r) for r in c.evidence}
    state = MeetingState(frozenset(offered))
    inputs = payload.inputs
    event = Save(payload.conclusion, payload.version, inputs.get(TOPIC_INPUT, ""), inputs.get(TEXT_INPUT, ""),
                 inputs.get(EVIDENCE_INPUT, ""))

    async def add(effect: AddConclusion) -> None:
        made = await desk.meetings.add(tenant_id, round_.id, effect.draft, by, turn.now)
        logger.info("conclusion added: round=%s id=%s evidence=%d", round_.id, made.id, len(made.evidence))

    async def edit(effect: EditConclusion) -> None:
        await desk.meetings.edit(tenant_id, round_.id, effect.conclusion_id, effect.version, effect.draft, by, turn.now)
        logger.info("conclusion edited: round=%s id=%s", round_.id, effect.conclusion_id)

    try:
        view = await carry_out(decide(state, event), {AddConclusion: add, EditConclusion: edit})
    except ConclusionConflict as conflict:
        logger.info("conclusion edit refused as stale: round=%s id=%s", round_.id, payload.conclusion)
        view = decide(state, Conflict(event, conflict.current)).view
    if isinstance(view, WriteView):
        return Reply(card=render(round_.id, view, material.index.options()))
    assert isinstance(view, Saved)
    _refresh_later(turn, CONCLUSIONS)
    if turn.personal:
        return Reply(card=await desk.conclusions(round_, turn.now, team=True))
    return Reply(card=saved_card(f"meeting.topic.{view.draft.topic.value}", view.draft.text))


@routes.action(MeetingMove, access=TEAM_HERE)
async def move(turn: Turn[MeetingServices], payload: MeetingMove) -> Reply:
    desk, round_ = turn.services.desk, turn.round
    try:
        await desk.meetings.move(round_.tenant_id, round_.id, payload.conclusion, payload.version, payload.step,
                                 _by(turn), turn.now)
    except ConclusionConflict:
        return await _conclusions(turn, "meeting.stale")
    _refresh_later(turn, CONCLUSIONS)
    return await _conclusions(turn)


@routes.action(MeetingDelete, access=TEAM_HERE)
async def delete(turn: Turn[MeetingServices], payload: MeetingDelete) -> Reply:
    desk, round_ = turn.services.desk, turn.round
    try:
        await desk.meetings.delete(round_.tenant_id, round_.id, payload.conclusion, payload.version, _by(turn), turn.now)
    except ConclusionConflict:
        return await _conclusions(turn, "meeting.stale")
    logger.info("conclusion deleted: round=%s id=%s", round_.id, payload.conclusion)
    _refresh_later(turn, CONCLUSIONS)
    return await _conclusions(turn, "meeting.deleted")


# Finishing and the files ------------------------------------------------------------------------------------


def _links(turn: Turn[MeetingServices]):
    """The files' download links, in the language the HYTE member reads (a bilingual round's)."""
    links, expires = [], turn.now
    language = turn.language if len(turn.round.languages) > 1 else None
    for kind in MEETING_KINDS:
        url, expires = turn.services.links.url(turn.round.tenant_id, turn.round.id, kind, turn.now, language)
        links.append((t(f"meeting.download_{kind}"), url))
    return links, expires


async def _finish(turn: Turn[MeetingServices]) -> SummaryVersion | None:
    """The new version (the board told in General), or None when nothing is to be finished."""
    desk, round_ = turn.services.desk, turn.round
    version = await desk.meetings.finish(round_.tenant_id, round_.id, _by(turn), turn.now)
    if version is None:
        return None
    logger.info("summary finished: round=%s version=%d conclusions=%d", round_.id, version.number,
                len(version.conclusions))
    team = await desk.board(round_)
    if team is not None:
        try:
            await turn.connector.post(team.service_url, round_.tenant_id, team.general_channel_id,
                                      in_languages(round_.languages, lambda _code: board_notice(
                                          round_.year, version, len(version.conclusions))))
        except SendFailed as exc:
            logger.warning("summary notice not posted: round=%s error=%s", round_.id, exc.error.reason)
    _refresh_later(turn, CONCLUSIONS)
    return version


async def _why_not(turn: Turn[MeetingServices]) -> tuple[str, int]:
    """Why finishing made no version: the catalogue key, and the latest version's number."""
    versions = await turn.services.desk.meetings.versions(turn.round.tenant_id, turn.round.id)
    return ("meeting.nothing_to_finish", versions[-1].number) if versions else ("meeting.no_conclusions", 0)


@routes.command("viimeistele yhteenveto", "yhteenveto viimeistele", english=("finish summary",),
                swedish=("färdigställ sammandraget",),
                description="command.meeting_finish", access=TEAM_HERE, in_manifest=False)
async def finish_command(turn: Turn[MeetingServices]) -> Reply:
    version = await _finish(turn)
    if version is None:
        key, number = await _why_not(turn)
        return Reply(text=t(key, number=number))
    links, expires = _links(turn)
    return Reply(card=finished_card(turn.round.year, version, links, expires))


@routes.action(MeetingFinish, access=TEAM_HERE)
async def finish(turn: Turn[MeetingServices], payload: MeetingFinish) -> Reply:
    version = await _finish(turn)
    if version is None:
        key, number = await _why_not(turn)
        return await _conclusions(turn, key, number=number)
    links, expires = _links(turn)
    await turn.say(Reply(card=finished_card(turn.round.year, version, links, expires)))
    return await _conclusions(turn)


@routes.command("neuvottelujen yhteenveto", "yhteenveto neuvottelut", english=("meeting summary", "summary meeting"),
                swedish=("förhandlingarnas sammandrag",),
                description="command.meeting_summary", access=TEAM_HERE, past_rounds=True, in_manifest=False)
async def files(turn: Turn[MeetingServices]) -> Reply:
    desk, round_ = turn.services.desk, turn.round
    versions = await desk.meetings.versions(round_.tenant_id, round_.id)
    links, expires = _links(turn)
    if not versions:
        await turn.say(Reply(text=t("meeting.not_finished")))
        return Reply(card=download_card(links, expires))
    return Reply(card=finished_card(round_.year, versions[-1], links, expires))
