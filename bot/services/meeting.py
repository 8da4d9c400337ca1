"""The negotiation meeting's desk: what the joint discussion and the conclusions are read from, the
cards kept up to date in place in General, and the summary's files.

- `material`: the survey's summary, the workshop's (with its themes) and the raised points, and the
  evidence the conclusion card offers (hyte/meeting_evidence.py); lemmatising is CPU work, so it
  runs in a worker thread.
- `refresh`: re-renders the joint-discussion card and the conclusions card where they were posted
  (their message ids are stored) and PUTs them through the turn's connector.
- `build`: the summary for the regional government (documents/meeting_summary.py) and the plan
  entries (documents/plan_entries.py), of the latest finished version (a draft of the current
  conclusions when none is finished).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from bot.connector import Connector, SendFailed
from bot.services import cpu
from cards.catalogue import format_datetime, t
from cards.language import in_languages
from cards.meeting import conclusions_card, joint_card
from documents.common import DOCX_TYPE, XLSX_TYPE
from documents.meeting_summary import SummaryInput, write_summary_docx
from documents.plan_entries import plan_entries, write_plan_docx, write_plan_xlsx
from hyte.curation import CurationEdit, CurationRepository, curate
from hyte.meeting import Conclusion, MeetingPost, MeetingRepository, MeetingState
from hyte.meeting_evidence import EvidenceIndex, build_index, raised_by_group
from hyte.responses import ResponseRepository
from hyte.results import SurveySummary, summarise
from hyte.round import Round
from hyte.teams import Team, TeamRepository
from hyte.workshop import Note, WorkshopRepository
from hyte.workshop_summary import WorkshopSummary, consolidate

logger = logging.getLogger(__name__)

JOINT, CONCLUSIONS = "joint", "conclusions"
MeetingKind = Literal["summary", "plan_docx", "plan_xlsx"]
MEETING_KINDS: tuple[MeetingKind, ...] = ("summary", "plan_docx", "plan_xlsx")


@dataclass(frozen=True)
class Material:
    survey: SurveySummary | None
    workshop: WorkshopSummary | None
    notes: list[Note]
    raised: set[str]
    index: EvidenceIndex

    def raised_by_group(self):
        if self.workshop is None:
            return []
        return raised_by_group(self.workshop, self.notes, self.raised)

    def workshop_themes(self) -> list[tuple[str, list[tuple[str, str]]]]:
        if self.workshop is None:
            return []
        return [(f"{q.question.number}. {q.question.text}",
                 [(theme.label, ", ".join(g.name for g in theme.groups)) for theme in q.themes])
                for q in self.workshop.questions]


@dataclass(frozen=True)
class MeetingFile:
    filename: str
    content_type: str
    data: bytes


class MeetingDesk:
    def __init__(self, meetings: MeetingRepository, workshops: WorkshopRepository, responses: ResponseRepository,
                 teams: TeamRepository, curation: CurationRepository | None = None) -> None:
        self.meetings = meetings
        self.workshops = workshops
        self.responses = responses
        self.teams = teams
        self.curation = curation
        """The HYTE team's theme curation: the evidence offered and cited is the survey as curated."""

    async def material(self, round_: Round, now: datetime, *, survey: bool = True) -> Material:
        tenant_id, round_id = round_.tenant_id, round_.id
        stored = self.responses.stored_for_round(tenant_id, round_id) if survey else []  # read by the pool's worker
        run = await self.workshops.get(tenant_id, round_id) if round_.workshop is not None else None
        notes = self.workshops.stored_notes(tenant_id, round_id) if run is not None else []
        raised = await self.meetings.raised(tenant_id, round_id) if run is not None else set()
        edits = await self.curation.edits(tenant_id, round_id) if survey and self.curation is not None else []
        return await cpu.run(_material, round_, stored, run, notes, raised, survey, now, edits)

    # Cards ----------------------------------------------------------------------------------------------

    async def joint(self, round_: Round, now: datetime) -> dict[str, Any] | None:
        """The joint-discussion card for General, in every language the round offers; None when the
        round has no workshop run."""
        if round_.workshop is None or await self.workshops.get(round_.tenant_id, round_.id) is None:
            return None
        material = await self.material(round_, now, survey=False)

        def build(code: str) -> dict[str, Any]:
            workshop = round_.in_language(code).workshop
            title = workshop.title if workshop is not None else ""
            return joint_card(title, material.raised_by_group(), material.workshop_themes(), now)

        return in_languages(round_.languages, build)

    async def state(self, round_: Round) -> MeetingState:
        return MeetingState(await self.meetings.conclusions(round_.tenant_id, round_.id),
                            await self.meetings.versions(round_.tenant_id, round_.id))

    async def conclusions(self, round_: Round, now: datetime, *, team: bool, notice: str | None = None,
                          general: bool = False, **params: object) -> dict[str, Any]:
        """The conclusions card in the language being spoken; `general`: for General, in every
        language the round offers. `notice`: a catalogue key shown first, with its `params`."""
        state = await self.state(round_)

        def build(_code: str) -> dict[str, Any]:
            return conclusions_card(round_.id, round_.year, state.conclusions, state.versions,
                                    state.changed_since_latest(), team=team, at=now,
                                    notice=t(notice, **params) if notice else None)

        return in_languages(round_.languages, build) if general else build("")

    async def board(self, round_: Round) -> Team | None:
        return await self.teams.board_team(round_.tenant_id)

    async def publish(self, round_: Round, connector: Connector, kind: str, card: dict[str, Any]) -> bool:
        """Post the card in General as the one kept up to date (a new post each time it is asked for)."""
        team = await self.board(round_)
        if team is None:
            return False
        message_id = await connector.post(team.service_url, round_.tenant_id, team.general_channel_id, card)
        await self.meetings.keep_post(round_.tenant_id, round_.id,
                                      MeetingPost(kind, team.service_url, team.general_channel_id, message_id))
        return True

    async def refresh(self, round_: Round, connector: Connector, now: datetime, *kinds: str) -> None:
        """Update the kept cards of `kinds` in place (those never posted are left alone)."""
        for kind in kinds:
            post = await self.meetings.post(round_.tenant_id, round_.id, kind)
            if post is None:
                continue
            card = (await self.joint(round_, now) if kind == JOINT
                    else await self.conclusions(round_, now, team=True, general=True))
            if card is None:
                continue
            try:
                await connector.update_post(post.service_url, round_.tenant_id, post.channel_id, post.message_id, card)
            except SendFailed as exc:
                logger.warning("meeting card update failed: round=%s kind=%s error=%s", round_.id, kind,
                               exc.error.reason)
            else:
                logger.info("meeting card updated: round=%s kind=%s", round_.id, kind)

    async def raised_changed(self, round_: Round, connector: Connector, now: datetime, note_key: str | None = None) -> None:
        """A group raised a point or took it back, or (`note_key`) a note was edited or deleted
        (bot/features/workshop.py): the joint card follows, if the note is a raised one."""
        if note_key is not None and note_key not in await self.meetings.raised(round_.tenant_id, round_.id):
            return
        await self.refresh(round_, connector, now, JOINT)

    # Files ------------------------------------------------------------------------------------------------

    async def build(self, round_: Round, kind: MeetingKind, now: datetime, language: str | None = None) -> MeetingFile:
        """The file in `language` (one the round offers, else its first)."""
        language = language if language in round_.languages else round_.languages[0]
        round_ = round_.in_language(language)
        versions = await self.meetings.versions(round_.tenant_id, round_.id)
        latest = versions[-1] if versions else None
        conclusions: list[Conclusion] = (latest.conclusions_as_objects() if latest is not None
                                         else await self.meetings.conclusions(round_.tenant_id, round_.id))
        material = await self.material(round_, now)
        year = round_.year

        def tr(key: str, **params: object) -> str:
            return t(key, language, **params)

        data = await cpu.run(_write, round_, kind, latest, conclusions, material, language)
        logger.info("meeting file built: round=%s kind=%s bytes=%d", round_.id, kind, len(data))
        if kind == "summary":
            return MeetingFile(f"{tr('docx.meeting.title', year=year)}.docx", DOCX_TYPE, data)
        suffix = "xlsx" if kind == "plan_xlsx" else "docx"
        return MeetingFile(f"{tr('docx.plan.title', year=year)}.{suffix}", XLSX_TYPE if suffix == "xlsx" else DOCX_TYPE, data)


def _material(round_: Round, stored, run, notes: list[Note], raised: set[str], survey: bool,
              now: datetime, edits: list[CurationEdit]) -> Material:
    """Summarising (with the HYTE team's curation) and consolidating (lemmatising): in the process pool."""
    summary = curate(summarise(round_, stored, now), edits, round_) if survey else None
    workshop = (consolidate(round_.workshop, run.groups, notes, status=run.status, thesaurus=round_.thesaurus)
                if run is not None and round_.workshop is not None else None)
    return Material(summary, workshop, notes, raised, build_index(summary, workshop, notes, raised))


def _write(round_: Round, kind: MeetingKind, latest, conclusions: list[Conclusion], material: Material,
           language: str) -> bytes:
    """The file's bytes, in the process pool."""
    year = round_.year

    def tr(key: str, **params: object) -> str:
        return t(key, language, **params)

    if kind == "summary":
        number = str(latest.number) if latest is not None else "–"
        meeting_date = format_datetime(round_.timetable.negotiation_meeting, language).split(" ")[0]
        title, paragraphs = round_.config.decision_proposal.filled(
            language, county=round_.config.county, year=year, meeting_date=meeting_date,
            summary_version=number,
        )
        return write_summary_docx(SummaryInput(
            county=round_.config.county, year=year, version=latest, conclusions=conclusions,
            index=material.index, survey=material.survey, raised=material.raised_by_group(),
            workshop_themes=material.workshop_themes(), decision_title=title, decision=paragraphs,
            finished_at_text=format_datetime(latest.finished_at, language) if latest else "",
        ), tr)
    entries = plan_entries(conclusions, material.index, tr)
    if kind == "plan_xlsx":
        return write_plan_xlsx(entries, tr)
    number = str(latest.number) if latest is not None else "–"
    return write_plan_docx(entries, tr("docx.plan.title", year=year),
                           tr("docx.plan.intro", year=year, number=number), tr)
