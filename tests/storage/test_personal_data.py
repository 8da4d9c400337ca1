"""Export and erasure run on both databases (the scenario test fills them over HTTP on SQLite)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from storage.models import ConversationRow, PersonRow, ResponseRow
from storage.personal_data import RoundStillActive, SqlPersonalData, delete_round

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
        for round_id in ("old", "other"):
            session.add(ResponseRow(tenant_id="t", round_id=round_id, organisation_id="o", answers={}, submitted_answers=None,
                                    version=1, created_at=AT, updated_at=AT))
    with pytest.raises(RoundStillActive):
        await delete_round(database, "old", older_than=AT)
    counts = await delete_round(database, "old", older_than=AT + timedelta(days=1))
    assert counts["responses"] == 1 and counts["workshop_reactions"] == 0
    async with database.sessions() as session:
        assert (await session.scalars(select(ResponseRow.round_id))).all() == ["other"]
