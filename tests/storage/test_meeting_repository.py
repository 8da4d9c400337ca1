"""The meeting's repository on SQLite and PostgreSQL: conclusions with optimistic versions (a stale
edit refused with the other member's text), history, reordering, finished versions, raised points."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from hyte.meeting import ChangeKind, ConclusionConflict, Draft, EvidenceKind, EvidenceRef, MeetingPost
from hyte.survey import LegalTopic
from hyte.workshop import Assignment, Note
from storage.db import Database, migrate
from storage.meeting import SqlMeetingRepository
from storage.workshop import SqlWorkshopRepository

TENANT, ROUND = "tenant-1", "round-1"
T0 = datetime(2024, 5, 22, 9, 0, tzinfo=UTC)
NOTE = EvidenceRef(EvidenceKind.WORKSHOP_NOTE, key="19:g1@thread.tacv2|101")
QUESTION = EvidenceRef(EvidenceKind.SURVEY_QUESTION, "progress")


@pytest.fixture
async def database(database_url: str):
    database = Database.connect(database_url)
    await migrate(database.engine)
    yield database
    await database.dispose()


@pytest.fixture
def meeting(database) -> SqlMeetingRepository:
    return SqlMeetingRepository(database)


async def test_conclusions_are_added_in_order_per_topic_with_their_evidence(meeting: SqlMeetingRepository):
    first = await meeting.add(TENANT, ROUND, Draft(LegalTopic.GOALS, "Tavoitteet pysyvät", (QUESTION, NOTE)), "Sanna", T0)
    second = await meeting.add(TENANT, ROUND, Draft(LegalTopic.GOALS, "Toinen"), "Heikki", T0)
    other = await meeting.add(TENANT, ROUND, Draft(LegalTopic.MONITORING, "Seuranta"), "Sanna", T0)
    assert (first.position, second.position, other.position) == (1, 2, 1)
    stored = await meeting.conclusions(TENANT, ROUND)
    assert [c.text for c in stored if c.topic is LegalTopic.GOALS] == ["Tavoitteet pysyvät", "Toinen"]
    assert stored[0].evidence == (QUESTION, NOTE) and stored[0].version == 1
    assert await meeting.conclusions(TENANT, "another-round") == []
    assert await meeting.conclusions("another-tenant", ROUND) == []
    moved = await meeting.edit(TENANT, ROUND, other.id, 1, Draft(LegalTopic.GOALS, "Seuranta"), "Sanna", T0)
    assert moved.position == 3  # under another topic: after its last


async def test_a_stale_edit_is_refused_with_the_other_members_text(meeting: SqlMeetingRepository):
    made = await meeting.add(TENANT, ROUND, Draft(LegalTopic.MEASURES, "Alku"), "Sanna", T0)
    heikki = await meeting.edit(TENANT, ROUND, made.id, 1, Draft(LegalTopic.MEASURES, "Heikin teksti"), "Heikki",
                                T0 + timedelta(minutes=1))
    assert heikki.version == 2
    with pytest.raises(ConclusionConflict) as refused:
        await meeting.edit(TENANT, ROUND, made.id, 1, Draft(LegalTopic.MEASURES, "Sannan teksti"), "Sanna", T0)
    assert refused.value.current.text == "Heikin teksti" and refused.value.current.updated_by == "Heikki"
    assert (await meeting.conclusions(TENANT, ROUND))[0].text == "Heikin teksti"
    with pytest.raises(ConclusionConflict):
        await meeting.edit("another-tenant", ROUND, made.id, 2, Draft(LegalTopic.MEASURES, "x"), "Sanna", T0)


async def test_two_members_at_once_one_wins_the_other_is_told(meeting: SqlMeetingRepository):
    made = await meeting.add(TENANT, ROUND, Draft(LegalTopic.COOPERATION, "Alku"), "Sanna", T0)

    async def write(who: str):
        try:
            return await meeting.edit(TENANT, ROUND, made.id, 1, Draft(LegalTopic.COOPERATION, who), who, T0)
        except ConclusionConflict as conflict:
            return conflict

    results = await asyncio.gather(write("Sanna"), write("Heikki"))
    won = [r for r in results if not isinstance(r, ConclusionConflict)]
    lost = [r for r in results if isinstance(r, ConclusionConflict)]
    assert len(won) == 1 and len(lost) == 1 and lost[0].current.text == won[0].text


async def test_history_moves_and_deletions_are_kept(meeting: SqlMeetingRepository):
    a = await meeting.add(TENANT, ROUND, Draft(LegalTopic.GOALS, "A"), "Sanna", T0)
    b = await meeting.add(TENANT, ROUND, Draft(LegalTopic.GOALS, "B"), "Sanna", T0)
    moved = await meeting.move(TENANT, ROUND, b.id, 1, -1, "Heikki", T0)
    assert moved.version == 2
    assert [c.text for c in await meeting.conclusions(TENANT, ROUND)] == ["B", "A"]
    await meeting.edit(TENANT, ROUND, a.id, 1, Draft(LegalTopic.GOALS, "A2"), "Heikki", T0)
    await meeting.delete(TENANT, ROUND, a.id, 2, "Sanna", T0 + timedelta(minutes=5))
    assert [c.text for c in await meeting.conclusions(TENANT, ROUND)] == ["B"]
    history = await meeting.history(TENANT, ROUND)
    assert [(h.conclusion_id, h.kind, h.by, h.old_text) for h in history] == [
        (a.id, ChangeKind.CREATED, "Sanna", None), (b.id, ChangeKind.CREATED, "Sanna", None),
        (b.id, ChangeKind.MOVED, "Heikki", "B"), (a.id, ChangeKind.EDITED, "Heikki", "A"),
        (a.id, ChangeKind.DELETED, "Sanna", "A2"),
    ]
    with pytest.raises(ConclusionConflict) as gone:
        await meeting.edit(TENANT, ROUND, a.id, 3, Draft(LegalTopic.GOALS, "x"), "Heikki", T0)
    assert gone.value.current is None


async def test_finishing_freezes_numbered_versions_and_only_after_a_change(meeting: SqlMeetingRepository):
    assert await meeting.finish(TENANT, ROUND, "Sanna", T0) is None  # nothing to finish
    made = await meeting.add(TENANT, ROUND, Draft(LegalTopic.GOALS, "Yksi", (QUESTION,)), "Sanna", T0)
    first = await meeting.finish(TENANT, ROUND, "Sanna", T0 + timedelta(hours=1))
    assert (first.number, first.finished_by) == (1, "Sanna")
    assert await meeting.finish(TENANT, ROUND, "Heikki", T0) is None  # unchanged since version 1
    await meeting.edit(TENANT, ROUND, made.id, 1, Draft(LegalTopic.GOALS, "Yksi, tarkennettu", (QUESTION,)), "Heikki", T0)
    second = await meeting.finish(TENANT, ROUND, "Heikki", T0 + timedelta(days=1))
    assert second.number == 2
    versions = await meeting.versions(TENANT, ROUND)
    assert [v.conclusions[0]["text"] for v in versions] == ["Yksi", "Yksi, tarkennettu"]
    assert versions[0].conclusions_as_objects()[0].evidence == (QUESTION,)


async def test_a_groups_heart_raises_a_note_a_hyte_members_does_not(database, meeting: SqlMeetingRepository):
    workshops = SqlWorkshopRepository(database)
    await workshops.start(TENANT, ROUND, "19:team@thread.tacv2", [("19:g1@thread.tacv2", "Ryhmä 1")], None, T0)
    for message in ("101", "102", "103"):
        await workshops.add_note(TENANT, ROUND, Note("19:g1@thread.tacv2", message, "q1", Assignment.THREAD, None, None,
                                                     "Kohta", T0, T0))
    await workshops.react(TENANT, "19:g1@thread.tacv2", "101", "u1", "aad1", False, ["heart"], [], T0)
    await workshops.react(TENANT, "19:g1@thread.tacv2", "102", "u2", "aad2", True, ["heart"], [], T0)
    await workshops.react(TENANT, "19:g1@thread.tacv2", "103", "u1", "aad1", False, ["like"], [], T0)
    assert await meeting.raised(TENANT, ROUND) == {"19:g1@thread.tacv2|101"}
    await workshops.react(TENANT, "19:g1@thread.tacv2", "101", "u1", "aad1", False, [], ["heart"], T0)
    assert await meeting.raised(TENANT, ROUND) == set()


async def test_a_kept_post_is_replaced(meeting: SqlMeetingRepository):
    assert await meeting.post(TENANT, ROUND, "joint") is None
    await meeting.keep_post(TENANT, ROUND, MeetingPost("joint", "https://s", "19:general", "1"))
    await meeting.keep_post(TENANT, ROUND, MeetingPost("joint", "https://s", "19:general", "2"))
    assert (await meeting.post(TENANT, ROUND, "joint")).message_id == "2"


async def test_round_delete_removes_the_meeting_of_that_round_only(database, meeting: SqlMeetingRepository):
    from storage.personal_data import delete_round

    for tenant_id in (TENANT, "another-county"):
        made = await meeting.add(tenant_id, ROUND, Draft(LegalTopic.GOALS, "Kirjaus"), "Sanna", T0)
        await meeting.edit(tenant_id, ROUND, made.id, 1, Draft(LegalTopic.GOALS, "Kirjaus 2"), "Sanna", T0)
        await meeting.finish(tenant_id, ROUND, "Sanna", T0)
        await meeting.keep_post(tenant_id, ROUND, MeetingPost("conclusions", "https://s", "19:general", "1"))
    workshops = SqlWorkshopRepository(database)
    await workshops.start(TENANT, ROUND, "19:team@thread.tacv2", [], None, T0)  # something of the round's own
    counts = await delete_round(database, TENANT, ROUND, older_than=T0 + timedelta(days=1), now=T0 + timedelta(days=400))
    assert (counts["meeting_conclusions"], counts["meeting_conclusion_changes"], counts["meeting_summaries"],
            counts["meeting_posts"]) == (1, 2, 1, 1)
    assert await meeting.conclusions(TENANT, ROUND) == [] and await meeting.versions(TENANT, ROUND) == []
    assert [c.text for c in await meeting.conclusions("another-county", ROUND)] == ["Kirjaus 2"]
    assert len(await meeting.versions("another-county", ROUND)) == 1


async def test_a_persons_name_and_id_come_off_the_meeting_on_erasure_the_texts_stay(database, meeting: SqlMeetingRepository):
    from hyte.meeting import Author
    from storage.personal_data import SqlPersonalData

    sanna, heikki = Author("Sanna Laine", "AAD-SANNA"), Author("Heikki Koskinen", "aad-heikki")
    made = await meeting.add(TENANT, ROUND, Draft(LegalTopic.GOALS, "Sannan kirjaus"), sanna, T0)
    other = await meeting.add(TENANT, ROUND, Draft(LegalTopic.GOALS, "Heikin kirjaus"), heikki, T0)
    await meeting.edit(TENANT, ROUND, made.id, 1, Draft(LegalTopic.GOALS, "Sannan kirjaus, Heikki muokkasi"), heikki, T0)
    await meeting.finish(TENANT, ROUND, sanna, T0)
    personal = SqlPersonalData(database)
    mine = await personal.export(TENANT, "aad-sanna")
    assert [c["text"] for c in mine["meeting_conclusions"]] == ["Sannan kirjaus, Heikki muokkasi"]  # created by her
    assert [c["kind"] for c in mine["meeting_conclusion_changes"]] == ["created"]
    assert [v["number"] for v in mine["meeting_summaries_finished"]] == [1]

    counts = await personal.erase(TENANT, "aad-heikki")
    assert counts["meeting_conclusions"] == 3 and counts["meeting_conclusion_changes"] == 2  # created 1, last edited 2
    assert counts["meeting_summaries"] == 1
    stored = {c.id: c for c in await meeting.conclusions(TENANT, ROUND)}
    assert (stored[made.id].text, stored[made.id].updated_by, stored[made.id].created_by) == (
        "Sannan kirjaus, Heikki muokkasi", "", "Sanna Laine")
    assert stored[other.id].created_by == "" and stored[other.id].updated_by_aad is None
    history = await meeting.history(TENANT, ROUND)
    assert {h.by for h in history} == {"Sanna Laine", ""}
    (version,) = await meeting.versions(TENANT, ROUND)
    assert version.finished_by == "Sanna Laine"
    assert {c["updated_by"] for c in version.conclusions} == {""}
    assert all(c["text"] for c in version.conclusions)
    assert (await personal.export(TENANT, "aad-heikki"))["meeting_conclusions"] == []
