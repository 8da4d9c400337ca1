"""Export and erasure run on both databases (the scenario test fills them over HTTP on SQLite)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from storage.models import ConversationRow, PersonRow, ReminderJobRow, ResponseRow, TimetableMoveRow
from storage.personal_data import (
    RoundInUse, RoundStillActive, SqlPersonalData, UnknownRound, delete_round, stored_tenants,
)

AT = datetime(2024, 5, 2, 7, 0, tzinfo=UTC)


async def test_export_and_erase(database):
    async with database.write() as session:
        session.add(PersonRow(tenant_id="t", aad_object_id="a1", upn="a@example.fi", name="A", updated_at=AT))
        session.add(ConversationRow(tenant_id="t", conversation_id="c1", conversation_type="personal", aad_object_id="a1",
                                    service_url="https://x", reference={"user": {"id": "29:1"}}, updated_at=AT))
        session.add(ResponseRow(tenant_id="t", round_id="r", organisation_id="o", answers={"q": "vastaus"},
                                submitted_answers=None, version=1, created_at=AT, updated_at=AT,
                                updated_by_aad="a1", updated_by_name="A"))
    data = SqlPersonalData(database)
    exported = await data.export("t", "a1")
    assert exported["identities"] == [{"upn": "a@example.fi", "name": "A", "updated_at": AT.isoformat()}]
    assert [r["organisation_id"] for r in exported["responses_last_updated"]] == ["o"]
    assert "vastaus" not in str(exported)
    assert (await data.export("other-tenant", "a1"))["identities"] == []

    counts = await data.erase("t", "a1")
    assert (counts["people"], counts["conversations"], counts["responses"]) == (1, 1, 1)
    after = await data.export("t", "a1")
    assert all(after[k] == [] for k in after if k not in {"tenant_id", "aad_object_id"})


async def test_delete_round_only_when_old_enough(database):
    async with database.write() as session:
        for tenant_id, round_id in (("t", "old"), ("t", "other"), ("another-county", "old")):
            session.add(ResponseRow(tenant_id=tenant_id, round_id=round_id, organisation_id="o", answers={},
                                    submitted_answers=None, version=1, created_at=AT, updated_at=AT))
    assert await stored_tenants(database, "old") == ["another-county", "t"]
    with pytest.raises(RoundStillActive):
        await delete_round(database, "t", "old", older_than=AT, now=AT)
    counts = await delete_round(database, "t", "old", older_than=AT + timedelta(days=1), now=AT)
    assert counts["responses"] == 1 and counts["workshop_reactions"] == 0
    async with database.sessions() as session:  # the other county's round of the same id is untouched
        assert sorted((await session.execute(select(ResponseRow.tenant_id, ResponseRow.round_id))).all()) == [
            ("another-county", "old"), ("t", "other")]


async def test_delete_round_refuses_an_unknown_round_and_one_in_use(database):
    old = AT - timedelta(days=400)
    async with database.write() as session:
        session.add(ReminderJobRow(tenant_id="t", round_id="r", reminder="survey_open", audience="channel",
                                   target="channel", due_at=AT + timedelta(days=3), expires_at=AT + timedelta(days=9),
                                   state="pending", created_at=old, updated_at=old))
        session.add(TimetableMoveRow(tenant_id="t", round_id="moved", phase="results_into_plan",
                                     at=AT + timedelta(days=30), revision=1, moved_at=old))
    kwargs = dict(older_than=AT, now=AT)
    current = "it is the county's current round"
    with pytest.raises(UnknownRound):
        await delete_round(database, "t", "no-such-round", **kwargs)
    with pytest.raises(UnknownRound):
        await delete_round(database, "t", "no-such-round", **kwargs, even_if_in_use=True)
    with pytest.raises(UnknownRound):  # another county's round is not this tenant's
        await delete_round(database, "another-county", "r", **kwargs, even_if_in_use=True)
    with pytest.raises(RoundInUse, match="current round"):
        await delete_round(database, "t", "new", **kwargs, in_use=current)
    with pytest.raises(RoundInUse, match="1 reminders are still to be sent"):
        await delete_round(database, "t", "r", **kwargs)
    with pytest.raises(RoundInUse, match="a phase was moved to"):
        await delete_round(database, "t", "moved", **kwargs)
    assert (await delete_round(database, "t", "r", **kwargs, even_if_in_use=True))["reminder_jobs"] == 1
    assert (await delete_round(database, "t", "moved", **kwargs, even_if_in_use=True))["timetable_moves"] == 1
    assert set((await delete_round(database, "t", "new", **kwargs, in_use=current, even_if_in_use=True)).values()) == {0}
    # once its reminders are past their point, a round is no longer in use
    async with database.write() as session:
        session.add(ReminderJobRow(tenant_id="t", round_id="past", reminder="survey_open", audience="channel",
                                   target="channel", due_at=old, expires_at=old, state="pending",
                                   created_at=old, updated_at=old))
    assert (await delete_round(database, "t", "past", **kwargs))["reminder_jobs"] == 1
