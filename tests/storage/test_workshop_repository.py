"""The workshop repository on SQLite and on the PostgreSQL server: notes stored once under
concurrent duplicate delivery, edits with history, deletions, reactions, one post per question."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from hyte.workshop import Assignment, Note, WorkshopStatus
from storage.db import Database, migrate
from storage.workshop import SqlWorkshopRepository

TENANT, ROUND, TEAM = "tenant-1", "round-1", "19:team@thread.tacv2"
G1, G2 = "19:g1@thread.tacv2", "19:g2@thread.tacv2"
T0 = datetime(2024, 5, 22, 7, 0, tzinfo=UTC)


@pytest.fixture
async def workshops(database_url: str):
    database = Database.connect(database_url)
    await migrate(database.engine)
    yield SqlWorkshopRepository(database)
    await database.dispose()


def note(message_id: str, channel: str = G1, text: str = "Kohta", **extra) -> Note:
    return Note(channel, message_id, extra.pop("question_id", "interface_work"), Assignment.THREAD, "aad-1", "Maija",
                text, T0, T0, **extra)


async def test_start_stop_and_groups_in_order(workshops: SqlWorkshopRepository):
    assert await workshops.get(TENANT, ROUND) is None
    run = await workshops.start(TENANT, ROUND, TEAM, [(G1, "Ryhmä 1"), (G2, "Ryhmä 2")], "aad-sanna", T0)
    assert run.status is WorkshopStatus.RUNNING and [g.name for g in run.groups] == ["Ryhmä 1", "Ryhmä 2"]
    again = await workshops.start(TENANT, ROUND, TEAM, [(G2, "Ryhmä 2"), ("19:g3@thread.tacv2", "Ryhmä 3")], None, T0)
    assert [(g.name, g.position) for g in again.groups] == [("Ryhmä 1", 1), ("Ryhmä 2", 2), ("Ryhmä 3", 3)]
    stopped = await workshops.stop(TENANT, ROUND, "aad-sanna", T0 + timedelta(hours=1))
    assert stopped.status is WorkshopStatus.STOPPED and stopped.stopped_at == T0 + timedelta(hours=1)
    assert await workshops.stop(TENANT, ROUND, "aad-sanna", T0) is None
    await workshops.rename_group(TENANT, G1, "Ryhmä Yksi")
    assert (await workshops.get(TENANT, ROUND)).groups[0].name == "Ryhmä Yksi"


async def test_a_question_is_posted_once_in_a_channel(workshops: SqlWorkshopRepository):
    await workshops.start(TENANT, ROUND, TEAM, [(G1, "Ryhmä 1")], None, T0)
    claims = await asyncio.gather(*(workshops.claim_post(TENANT, ROUND, G1, "interface_work", T0) for _ in range(6)))
    assert claims.count(True) == 1
    await workshops.record_post(TENANT, ROUND, G1, "interface_work", "1700", f"{G1};messageid=1700")
    assert await workshops.claim_post(TENANT, ROUND, G1, "interface_work", T0) is False
    assert await workshops.claim_post(TENANT, ROUND, G1, "roles_and_responsibilities", T0) is True
    await workshops.release_post(TENANT, ROUND, G1, "roles_and_responsibilities")
    assert [(p.question_id, p.message_id) for p in await workshops.posts(TENANT, ROUND)] == [("interface_work", "1700")]
    context = await workshops.message_context(TENANT, ROUND, G1, "1700")
    assert (context.group.name, context.post_question_id) == ("Ryhmä 1", "interface_work")
    assert (await workshops.message_context(TENANT, ROUND, G2, "1700")).group is None


async def test_concurrent_duplicate_deliveries_store_one_note(workshops: SqlWorkshopRepository):
    await workshops.start(TENANT, ROUND, TEAM, [(G1, "Ryhmä 1"), (G2, "Ryhmä 2")], None, T0)
    results = await asyncio.gather(*(workshops.add_note(TENANT, ROUND, note("m1")) for _ in range(10)))
    assert results.count(True) == 1
    assert await workshops.add_note(TENANT, ROUND, note("m1", G2)) is True  # Teams ids are per channel
    assert sorted((n.channel_id, n.message_id) for n in await workshops.notes(TENANT, ROUND)) == [(G1, "m1"), (G2, "m1")]


async def test_edit_keeps_history_delete_and_undelete(workshops: SqlWorkshopRepository):
    await workshops.start(TENANT, ROUND, TEAM, [(G1, "Ryhmä 1")], None, T0)
    await workshops.add_note(TENANT, ROUND, note("m1", text="Eka"))
    assert await workshops.edit_note(TENANT, G1, "m1", "Toka", None, Assignment.NONE, T0 + timedelta(minutes=1))
    assert await workshops.edit_note(TENANT, G1, "m1", "Kolmas", "interface_work", Assignment.PREFIX, T0 + timedelta(minutes=2))
    assert not await workshops.edit_note(TENANT, G1, "missing", "x", None, Assignment.NONE, T0)
    stored = await workshops.note(TENANT, G1, "m1")
    assert (stored.text, stored.version, stored.assignment) == ("Kolmas", 3, Assignment.PREFIX)
    assert await workshops.history(TENANT, G1, "m1") == ["Eka", "Toka"]
    assert await workshops.set_deleted(TENANT, G1, "m1", True, T0)
    assert (await workshops.note(TENANT, G1, "m1")).deleted
    assert await workshops.set_deleted(TENANT, G1, "m1", False, T0)
    assert not (await workshops.note(TENANT, G1, "m1")).deleted


async def test_reactions_count_per_person_and_kind_and_hyte_marks_highlight(workshops: SqlWorkshopRepository):
    await workshops.start(TENANT, ROUND, TEAM, [(G1, "Ryhmä 1")], None, T0)
    await workshops.add_note(TENANT, ROUND, note("m1"))
    await workshops.add_note(TENANT, ROUND, note("m2"))
    assert await workshops.react(TENANT, G1, "m1", "29:a", "aad-a", False, ["like", "heart"], [], T0)
    assert await workshops.react(TENANT, G1, "m1", "29:a", "aad-a", False, ["like"], [], T0)
    assert await workshops.react(TENANT, G1, "m1", "29:b", "aad-b", False, ["like"], [], T0)
    assert await workshops.react(TENANT, G1, "m1", "29:b", "aad-b", False, [], ["like"], T0)
    assert await workshops.react(TENANT, G1, "m2", "29:s", "aad-s", True, ["like"], [], T0)
    assert not await workshops.react(TENANT, G1, "not-a-note", "29:s", "aad-s", True, ["like"], [], T0)
    stored = {n.message_id: n for n in await workshops.notes(TENANT, ROUND)}
    assert (stored["m1"].reactions, stored["m1"].highlight) == (2, False)
    assert (stored["m2"].reactions, stored["m2"].highlight) == (1, True)
