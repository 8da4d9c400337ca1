"""Everything stored about one person (GDPR access), and erasing it (GDPR erasure).

A person is their Entra object id (`aad`, any letter case) in one tenant. What is theirs: their
Teams identity (`people`), their 1:1 conversation reference (and replies queued there for want of
a token from Entra ID, kept ten minutes at most), their place in the survey, their reactions, and
their name on what they did (response audit rows, responses' last editor and sender, workshop
notes' author, timetable changes, the team installation, workshop start and stop). The
organisation's answers and the groups' note texts are not theirs: an erasure keeps them, with the
person's name and id removed. Reminder jobs name their target as `aad:<lowercased object id>` or,
for a person configured by UPN only, `upn:<lowercased UPN>` (found through the UPN `people` maps
their object id to); an erasure keeps them (so that a reminder is not sent twice),
and `round delete` removes them with the round.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, tuple_, update

from storage.db import Database
from storage.meeting import ConclusionChangeRow, ConclusionRow, MeetingPostRow, SummaryVersionRow
from storage.models import (
    ConversationRow, PersonLanguageRow, PersonRow, QueuedReplyRow, ReminderJobRow, ResponseChangeRow, ResponseRow,
    SurveyPositionRow, TeamRow, ThemeCurationRow, TimetableChangeRow, TimetableMoveRow, WorkshopGroupRow,
    WorkshopNoteRow, WorkshopNoteVersionRow, WorkshopPostRow,
    WorkshopReactionRow, WorkshopRow,
)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _row(row: Any, columns: list[str]) -> dict[str, Any]:
    return {c: _plain(getattr(row, c)) for c in columns}


class SqlPersonalData:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def export(self, tenant_id: str, aad: str) -> dict[str, Any]:
        """Everything stored about the person, as JSON-ready data (ids and times; their own
        writings, i.e. note texts; not the organisation's answers)."""
        aad = aad.lower()
        async with self._db.sessions() as session:
            async def rows(statement, columns: list[str]) -> list[dict[str, Any]]:
                return [_row(r, columns) for r in (await session.scalars(statement)).all()]

            notes = (await session.scalars(select(WorkshopNoteRow).where(
                WorkshopNoteRow.tenant_id == tenant_id, func.lower(WorkshopNoteRow.author_aad) == aad))).all()
            note_ids = [n.id for n in notes]
            versions = (await session.scalars(select(WorkshopNoteVersionRow).where(
                WorkshopNoteVersionRow.note_id.in_(note_ids)))).all() if note_ids else []
            response_changes = (await session.execute(
                select(ResponseChangeRow, ResponseRow.round_id, ResponseRow.organisation_id)
                .join(ResponseRow, ResponseRow.id == ResponseChangeRow.response_id)
                .where(ResponseChangeRow.tenant_id == tenant_id, func.lower(ResponseChangeRow.actor_aad) == aad)
                .order_by(ResponseChangeRow.id)
            )).all()
            return {
                "tenant_id": tenant_id,
                "aad_object_id": aad,
                "identities": await rows(
                    select(PersonRow).where(PersonRow.tenant_id == tenant_id, func.lower(PersonRow.aad_object_id) == aad),
                    ["upn", "name", "updated_at"]),
                "conversations": await rows(
                    select(ConversationRow).where(ConversationRow.tenant_id == tenant_id, func.lower(ConversationRow.aad_object_id) == aad),
                    ["conversation_id", "conversation_type", "service_url", "reference", "updated_at"]),
                "language": await rows(
                    select(PersonLanguageRow).where(PersonLanguageRow.tenant_id == tenant_id,
                                                    func.lower(PersonLanguageRow.aad_object_id) == aad),
                    ["language", "updated_at"]),
                "survey_positions": await rows(
                    select(SurveyPositionRow).where(SurveyPositionRow.tenant_id == tenant_id, func.lower(SurveyPositionRow.aad_object_id) == aad),
                    ["round_id", "section_id", "updated_at"]),
                "response_changes": [
                    {"round_id": round_id, "organisation_id": organisation, **_row(change, ["version", "action", "questions", "actor_name", "at"])}
                    for change, round_id, organisation in response_changes
                ],
                "responses_last_updated": await rows(
                    select(ResponseRow).where(ResponseRow.tenant_id == tenant_id, func.lower(ResponseRow.updated_by_aad) == aad),
                    ["round_id", "organisation_id", "version", "updated_at", "updated_by_name"]),
                "responses_submitted": await rows(
                    select(ResponseRow).where(ResponseRow.tenant_id == tenant_id, func.lower(ResponseRow.submitted_by_aad) == aad),
                    ["round_id", "organisation_id", "version", "submitted_at", "submitted_by_name"]),
                "workshop_notes": [
                    _row(n, ["round_id", "channel_id", "message_id", "question_id", "author_name", "text", "late",
                             "version", "created_at", "updated_at", "deleted_at"]) for n in notes
                ],
                "workshop_note_versions": [_row(v, ["note_id", "version", "text", "replaced_at"]) for v in versions],
                "workshop_reactions": await rows(
                    select(WorkshopReactionRow).where(WorkshopReactionRow.tenant_id == tenant_id, func.lower(WorkshopReactionRow.reactor_aad) == aad),
                    ["channel_id", "message_id", "reaction", "at"]),
                "workshops_started_or_stopped": await rows(
                    select(WorkshopRow).where(WorkshopRow.tenant_id == tenant_id, or_(
                        func.lower(WorkshopRow.started_by_aad) == aad, func.lower(WorkshopRow.stopped_by_aad) == aad)),
                    ["round_id", "team_id", "started_at", "stopped_at"]),
                "teams_installed": await rows(
                    select(TeamRow).where(TeamRow.tenant_id == tenant_id, func.lower(TeamRow.installed_by_aad) == aad),
                    ["team_id", "name", "installed_at"]),
                "timetable_changes": await rows(
                    select(TimetableChangeRow).where(TimetableChangeRow.tenant_id == tenant_id, func.lower(TimetableChangeRow.by_aad) == aad),
                    ["round_id", "revision", "moves", "by_name", "at"]),
                "theme_curations": await rows(
                    select(ThemeCurationRow).where(ThemeCurationRow.tenant_id == tenant_id, func.lower(ThemeCurationRow.by_aad) == aad),
                    ["round_id", "question_id", "action", "theme_key", "target_key", "label", "by_name", "at"]),
                "timetable_moves": await rows(
                    select(TimetableMoveRow).where(TimetableMoveRow.tenant_id == tenant_id, func.lower(TimetableMoveRow.moved_by_aad) == aad),
                    ["round_id", "phase", "at", "moved_at"]),
                "queued_replies": await rows(
                    select(QueuedReplyRow).where(QueuedReplyRow.tenant_id == tenant_id,
                                                 QueuedReplyRow.conversation_id.in_(_conversations(tenant_id, aad))),
                    ["conversation_id", "method", "created_at", "expires_at"]),
                **await _meeting_export(session, tenant_id, aad),
                "reminders": await rows(
                    select(ReminderJobRow).where(
                        ReminderJobRow.tenant_id == tenant_id,
                        ReminderJobRow.target.in_(await _targets(session, tenant_id, aad)),
                    ).order_by(ReminderJobRow.due_at, ReminderJobRow.reminder),
                    ["round_id", "reminder", "target", "state", "due_at", "sent_at"]),
            }

    async def erase(self, tenant_id: str, aad: str) -> dict[str, int]:
        """Remove the person: their identity, conversation reference, survey position and reactions
        are deleted; their name and id are removed from what they did. One transaction. How many
        rows each table lost or had changed."""
        aad = aad.lower()
        counts: dict[str, int] = {}
        async with self._db.write() as session:
            async def run(name: str, statement) -> None:
                counts[name] = counts.get(name, 0) + ((await session.execute(statement)).rowcount or 0)

            await run("queued_replies", delete(QueuedReplyRow).where(
                QueuedReplyRow.tenant_id == tenant_id, QueuedReplyRow.conversation_id.in_(_conversations(tenant_id, aad))))
            await run("people", delete(PersonRow).where(PersonRow.tenant_id == tenant_id, func.lower(PersonRow.aad_object_id) == aad))
            await run("conversations", delete(ConversationRow).where(
                ConversationRow.tenant_id == tenant_id, func.lower(ConversationRow.aad_object_id) == aad))
            await run("person_languages", delete(PersonLanguageRow).where(
                PersonLanguageRow.tenant_id == tenant_id, func.lower(PersonLanguageRow.aad_object_id) == aad))
            await run("survey_positions", delete(SurveyPositionRow).where(
                SurveyPositionRow.tenant_id == tenant_id, func.lower(SurveyPositionRow.aad_object_id) == aad))
            await run("workshop_reactions", delete(WorkshopReactionRow).where(
                WorkshopReactionRow.tenant_id == tenant_id, func.lower(WorkshopReactionRow.reactor_aad) == aad))
            await run("response_changes", update(ResponseChangeRow).where(
                ResponseChangeRow.tenant_id == tenant_id, func.lower(ResponseChangeRow.actor_aad) == aad,
            ).values(actor_aad=None, actor_name=None))
            await run("responses", update(ResponseRow).where(
                ResponseRow.tenant_id == tenant_id, func.lower(ResponseRow.updated_by_aad) == aad,
            ).values(updated_by_aad=None, updated_by_name=None))
            await run("responses", update(ResponseRow).where(
                ResponseRow.tenant_id == tenant_id, func.lower(ResponseRow.submitted_by_aad) == aad,
            ).values(submitted_by_aad=None, submitted_by_name=None))
            await run("workshop_notes", update(WorkshopNoteRow).where(
                WorkshopNoteRow.tenant_id == tenant_id, func.lower(WorkshopNoteRow.author_aad) == aad,
            ).values(author_aad=None, author_name=None))
            await run("workshops", update(WorkshopRow).where(
                WorkshopRow.tenant_id == tenant_id, func.lower(WorkshopRow.started_by_aad) == aad).values(started_by_aad=None))
            await run("workshops", update(WorkshopRow).where(
                WorkshopRow.tenant_id == tenant_id, func.lower(WorkshopRow.stopped_by_aad) == aad).values(stopped_by_aad=None))
            await run("teams", update(TeamRow).where(
                TeamRow.tenant_id == tenant_id, func.lower(TeamRow.installed_by_aad) == aad).values(installed_by_aad=None))
            await run("timetable_changes", update(TimetableChangeRow).where(
                TimetableChangeRow.tenant_id == tenant_id, func.lower(TimetableChangeRow.by_aad) == aad,
            ).values(by_aad=None, by_name=None))
            await run("timetable_moves", update(TimetableMoveRow).where(
                TimetableMoveRow.tenant_id == tenant_id, func.lower(TimetableMoveRow.moved_by_aad) == aad).values(moved_by_aad=None))
            await run("theme_curations", update(ThemeCurationRow).where(
                ThemeCurationRow.tenant_id == tenant_id, func.lower(ThemeCurationRow.by_aad) == aad,
            ).values(by_aad=None, by_name=None))
            await _meeting_erase(session, run, tenant_id, aad)
        return counts


async def _meeting_export(session, tenant_id: str, aad: str) -> dict[str, Any]:
    """The meeting's conclusions the person wrote or last changed, their changes, the versions they
    finished (storage/meeting.py)."""
    def mine(column):
        return (ConclusionRow.tenant_id == tenant_id) & (func.lower(column) == aad)

    conclusions = (await session.scalars(select(ConclusionRow).where(
        or_(mine(ConclusionRow.created_by_aad), mine(ConclusionRow.updated_by_aad))))).all()
    changes = (await session.scalars(select(ConclusionChangeRow).where(
        ConclusionChangeRow.tenant_id == tenant_id, func.lower(ConclusionChangeRow.by_aad) == aad))).all()
    finished = (await session.scalars(select(SummaryVersionRow).where(
        SummaryVersionRow.tenant_id == tenant_id, func.lower(SummaryVersionRow.finished_by_aad) == aad))).all()
    return {
        "meeting_conclusions": [_row(c, ["id", "round_id", "topic", "text", "created_by", "created_at", "updated_by",
                                         "updated_at", "deleted_at"]) for c in conclusions],
        "meeting_conclusion_changes": [_row(c, ["conclusion_id", "version", "kind", "by_name", "at"]) for c in changes],
        "meeting_summaries_finished": [_row(v, ["round_id", "number", "finished_by", "finished_at"]) for v in finished],
    }


async def _meeting_erase(session, run, tenant_id: str, aad: str) -> None:
    """The person's name and id off the conclusions, their changes and the finished versions (the
    conclusions' texts are the HYTE team's, kept)."""
    await run("meeting_conclusions", update(ConclusionRow).where(
        ConclusionRow.tenant_id == tenant_id, func.lower(ConclusionRow.created_by_aad) == aad,
    ).values(created_by_aad=None, created_by=""))
    await run("meeting_conclusions", update(ConclusionRow).where(
        ConclusionRow.tenant_id == tenant_id, func.lower(ConclusionRow.updated_by_aad) == aad,
    ).values(updated_by_aad=None, updated_by=""))
    await run("meeting_conclusion_changes", update(ConclusionChangeRow).where(
        ConclusionChangeRow.tenant_id == tenant_id, func.lower(ConclusionChangeRow.by_aad) == aad,
    ).values(by_aad=None, by_name=""))
    versions = (await session.execute(select(
        SummaryVersionRow.id, SummaryVersionRow.conclusions, SummaryVersionRow.finished_by, SummaryVersionRow.finished_by_aad,
    ).where(SummaryVersionRow.tenant_id == tenant_id))).all()
    for version_id, conclusions, finished_by, finished_by_aad in versions:  # the frozen conclusions name editors too
        frozen = [dict(c) for c in conclusions or []]
        mentioned = [c for c in frozen if (c.get("updated_by_aad") or "").lower() == aad]
        for conclusion in mentioned:
            conclusion.update(updated_by="", updated_by_aad=None)
        finished_mine = (finished_by_aad or "").lower() == aad
        if mentioned or finished_mine:
            await run("meeting_summaries", update(SummaryVersionRow).where(SummaryVersionRow.id == version_id).values(
                conclusions=frozen, finished_by="" if finished_mine else finished_by,
                finished_by_aad=None if finished_mine else finished_by_aad))


def _conversations(tenant_id: str, aad: str):
    """The person's 1:1 conversations (a subquery)."""
    return select(ConversationRow.conversation_id).where(
        ConversationRow.tenant_id == tenant_id, func.lower(ConversationRow.aad_object_id) == aad)


async def _targets(session, tenant_id: str, aad: str) -> list[str]:
    """The reminder targets that are this person (hyte/reminders.py: `person_key`): by object id,
    and by UPN for a person configured by UPN only, whose object id `people` maps to it."""
    upns = (await session.scalars(select(PersonRow.upn).where(
        PersonRow.tenant_id == tenant_id, func.lower(PersonRow.aad_object_id) == aad))).all()
    return [f"aad:{aad}", *{f"upn:{upn.lower()}" for upn in upns if upn}]


class RoundStillActive(Exception):
    """The round has data newer than the retention limit: it is not deleted."""

    def __init__(self, newest: datetime) -> None:
        super().__init__(f"the round's newest data is from {newest.isoformat()}")
        self.newest = newest


class UnknownRound(Exception):
    """Nothing is stored for the round in the tenant, and the configuration does not name it."""


class RoundInUse(Exception):
    """A round the configuration still needs, or one whose timetable has not ended: not deleted
    unless asked to."""


PENDING_STATES = ("pending", "sending")


async def stored_tenants(database: Database, round_id: str) -> list[str]:
    """The tenants that hold anything of a round of this id (an operator naming a round that is no
    longer in the rounds folder: normally one)."""
    found: set[str] = set()
    async with database.sessions() as session:
        for table in (ResponseRow, SurveyPositionRow, WorkshopRow, WorkshopNoteRow, TimetableMoveRow,
                      TimetableChangeRow, ReminderJobRow, ThemeCurationRow):
            found.update((await session.scalars(
                select(table.tenant_id).where(table.round_id == round_id).distinct())).all())
    return sorted(found)


async def delete_round(
    database: Database, tenant_id: str, round_id: str, *, older_than: datetime, now: datetime,
    in_use: str | None = None, even_if_in_use: bool = False,
) -> dict[str, int]:
    """Delete everything stored for one county's round (answers and their audit rows, survey
    positions, the workshop with its notes and reactions, timetable changes, reminder jobs, the theme
    curation), in one
    transaction; nothing of another tenant, whatever its round ids.

    `in_use`: why the configuration still needs the round (a county's current round, or the round
    a current round is read against), None when it does not. Refused with UnknownRound when nothing
    is stored for it and the configuration does not name it; with RoundInUse, unless
    `even_if_in_use`, when `in_use` or its timetable has not ended (reminders still to be sent, or
    its last phase moved past `now`); with RoundStillActive when anything of it is newer than
    `older_than`."""
    newest_of = [
        select(func.max(ResponseRow.updated_at)).where(ResponseRow.tenant_id == tenant_id, ResponseRow.round_id == round_id),
        select(func.max(SurveyPositionRow.updated_at)).where(SurveyPositionRow.tenant_id == tenant_id,
                                                             SurveyPositionRow.round_id == round_id),
        select(func.max(WorkshopNoteRow.updated_at)).where(WorkshopNoteRow.tenant_id == tenant_id,
                                                           WorkshopNoteRow.round_id == round_id),
        select(func.max(ReminderJobRow.updated_at)).where(ReminderJobRow.tenant_id == tenant_id,
                                                          ReminderJobRow.round_id == round_id),
        select(func.max(TimetableChangeRow.at)).where(TimetableChangeRow.tenant_id == tenant_id,
                                                      TimetableChangeRow.round_id == round_id),
        select(func.max(WorkshopRow.started_at)).where(WorkshopRow.tenant_id == tenant_id, WorkshopRow.round_id == round_id),
        select(func.max(ThemeCurationRow.at)).where(ThemeCurationRow.tenant_id == tenant_id,
                                                    ThemeCurationRow.round_id == round_id),
    ]
    counts: dict[str, int] = {}
    async with database.write() as session:
        if in_use is None and not await _stored(session, tenant_id, round_id):
            raise UnknownRound(f"nothing is stored for round {round_id!r} in tenant {tenant_id}")
        if not even_if_in_use:
            reason = in_use or await _in_use(session, tenant_id, round_id, now)
            if reason is not None:
                raise RoundInUse(reason)
        times = [t for t in [await session.scalar(s) for s in newest_of] if t is not None]
        newest = max(times) if times else None
        if newest is not None and newest >= older_than:
            raise RoundStillActive(newest)

        async def run(name: str, statement) -> None:
            counts[name] = (await session.execute(statement)).rowcount or 0

        noted = select(WorkshopNoteRow.tenant_id, WorkshopNoteRow.channel_id, WorkshopNoteRow.message_id).where(
            WorkshopNoteRow.tenant_id == tenant_id, WorkshopNoteRow.round_id == round_id)
        await run("workshop_reactions", delete(WorkshopReactionRow).where(
            tuple_(WorkshopReactionRow.tenant_id, WorkshopReactionRow.channel_id, WorkshopReactionRow.message_id).in_(noted)))
        response_ids = select(ResponseRow.id).where(ResponseRow.tenant_id == tenant_id, ResponseRow.round_id == round_id)
        await run("response_changes", delete(ResponseChangeRow).where(ResponseChangeRow.response_id.in_(response_ids)))
        await run("responses", delete(ResponseRow).where(ResponseRow.tenant_id == tenant_id,
                                                          ResponseRow.round_id == round_id))
        await run("survey_positions", delete(SurveyPositionRow).where(SurveyPositionRow.tenant_id == tenant_id,
                                                                      SurveyPositionRow.round_id == round_id))
        workshop_ids = select(WorkshopRow.id).where(WorkshopRow.tenant_id == tenant_id, WorkshopRow.round_id == round_id)
        note_ids = select(WorkshopNoteRow.id).where(WorkshopNoteRow.tenant_id == tenant_id,
                                                    WorkshopNoteRow.round_id == round_id)
        await run("workshop_note_versions", delete(WorkshopNoteVersionRow).where(WorkshopNoteVersionRow.note_id.in_(note_ids)))
        await run("workshop_notes", delete(WorkshopNoteRow).where(WorkshopNoteRow.tenant_id == tenant_id,
                                                                  WorkshopNoteRow.round_id == round_id))
        await run("workshop_posts", delete(WorkshopPostRow).where(WorkshopPostRow.workshop_id.in_(workshop_ids)))
        await run("workshop_groups", delete(WorkshopGroupRow).where(WorkshopGroupRow.workshop_id.in_(workshop_ids)))
        await run("workshops", delete(WorkshopRow).where(WorkshopRow.tenant_id == tenant_id, WorkshopRow.round_id == round_id))
        await run("timetable_moves", delete(TimetableMoveRow).where(TimetableMoveRow.tenant_id == tenant_id,
                                                                    TimetableMoveRow.round_id == round_id))
        await run("timetable_changes", delete(TimetableChangeRow).where(TimetableChangeRow.tenant_id == tenant_id,
                                                                        TimetableChangeRow.round_id == round_id))
        await run("reminder_jobs", delete(ReminderJobRow).where(ReminderJobRow.tenant_id == tenant_id,
                                                                ReminderJobRow.round_id == round_id))
        await run("theme_curations", delete(ThemeCurationRow).where(ThemeCurationRow.tenant_id == tenant_id,
                                                                    ThemeCurationRow.round_id == round_id))
        await _delete_meeting(run, tenant_id, round_id)
    return counts


async def _delete_meeting(run, tenant_id: str, round_id: str) -> None:
    """The meeting's conclusions with their history, finished versions and kept cards (storage/meeting.py)."""
    conclusion_ids = select(ConclusionRow.id).where(ConclusionRow.tenant_id == tenant_id,
                                                    ConclusionRow.round_id == round_id)
    await run("meeting_conclusion_changes",
              delete(ConclusionChangeRow).where(ConclusionChangeRow.conclusion_id.in_(conclusion_ids)))
    for name, table in (("meeting_conclusions", ConclusionRow), ("meeting_summaries", SummaryVersionRow),
                        ("meeting_posts", MeetingPostRow)):
        await run(name, delete(table).where(table.tenant_id == tenant_id, table.round_id == round_id))


async def _stored(session, tenant_id: str, round_id: str) -> bool:
    for table in (ResponseRow, SurveyPositionRow, WorkshopRow, WorkshopNoteRow, TimetableMoveRow, TimetableChangeRow,
                  ReminderJobRow, ThemeCurationRow):
        found = await session.scalar(select(table.round_id).where(table.tenant_id == tenant_id,
                                                                  table.round_id == round_id).limit(1))
        if found is not None:
            return True
    return False


async def _in_use(session, tenant_id: str, round_id: str, now: datetime) -> str | None:
    pending = await session.scalar(select(func.count()).select_from(ReminderJobRow).where(
        ReminderJobRow.tenant_id == tenant_id, ReminderJobRow.round_id == round_id,
        ReminderJobRow.state.in_(PENDING_STATES),
        or_(ReminderJobRow.expires_at.is_(None), ReminderJobRow.expires_at > now)))
    if pending:
        return f"its timetable has not ended: {pending} reminders are still to be sent"
    last = await session.scalar(select(func.max(TimetableMoveRow.at)).where(
        TimetableMoveRow.tenant_id == tenant_id, TimetableMoveRow.round_id == round_id))
    if last is not None and last > now:
        return f"its timetable has not ended: a phase was moved to {last.isoformat()}"
    return None
