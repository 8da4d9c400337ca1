"""The repositories on SQLite and on the PostgreSQL server: the same suite runs on both."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect

from hyte.responses import Actor, Change, ChangeAction, ResponseKey, ResponseState, VersionConflict
from storage.db import create_engine, migrate
from storage.models import ResponseChangeRow, ResponseRow
from storage.repositories import SqlConversationRepository, SqlPositionRepository, SqlResponseRepository

KEY = ResponseKey("tenant-1", "round-1", "kuopio")
MAIJA = Actor("aad-maija", "Maija")
MATTI = Actor("aad-matti", "Matti")
T0 = datetime(2024, 5, 2, 7, 0, tzinfo=UTC)


@pytest.fixture
def responses(database) -> SqlResponseRepository:
    return SqlResponseRepository(database)


def save(answers: dict, expected: int, changed=("q1",)) -> Change:
    return Change(answers, expected, ChangeAction.SAVE, tuple(changed))


async def test_migrate_twice_is_harmless(database_url: str):
    engine = create_engine(database_url)
    await migrate(engine)
    await migrate(engine)
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    assert {"responses", "response_changes", "survey_positions", "conversations", "people"} <= tables


async def test_first_save_creates_the_response_and_later_saves_bump_the_version(responses):
    assert await responses.get(KEY) is None
    first = await responses.apply(KEY, save({"q1": "a"}, 0), MAIJA, T0)
    assert (first.version, first.answers, first.state) == (1, {"q1": "a"}, ResponseState.DRAFT)
    assert first.updated_at == T0 and first.updated_at.tzinfo is not None
    second = await responses.apply(KEY, save({"q1": "b"}, 1), MATTI, T0 + timedelta(minutes=1))
    assert (second.version, second.answers, second.updated_by) == (2, {"q1": "b"}, "Matti")


async def test_a_stale_version_is_refused_and_changes_nothing(responses):
    await responses.apply(KEY, save({"q1": "a"}, 0), MAIJA, T0)
    await responses.apply(KEY, save({"q1": "b"}, 1), MAIJA, T0)
    with pytest.raises(VersionConflict) as refused:
        await responses.apply(KEY, save({"q1": "stale"}, 1), MATTI, T0)
    assert refused.value.current.answers == {"q1": "b"}
    stored = await responses.get(KEY)
    assert (stored.version, stored.answers) == (2, {"q1": "b"})
    assert [c["by"] for c in await responses.changes(KEY)] == ["aad-maija", "aad-maija"]


async def test_two_first_saves_at_once_create_one_response(responses):
    results = await asyncio.gather(
        responses.apply(KEY, save({"q1": "maija"}, 0), MAIJA, T0),
        responses.apply(KEY, save({"q1": "matti"}, 0), MATTI, T0),
        return_exceptions=True,
    )
    conflicts = [r for r in results if isinstance(r, VersionConflict)]
    assert len(conflicts) == 1
    stored = await responses.get(KEY)
    assert stored.version == 1 and stored.answers in ({"q1": "maija"}, {"q1": "matti"})
    assert len(await responses.changes(KEY)) == 1


async def test_submit_keeps_the_submitted_answers_apart_from_later_edits(responses):
    await responses.apply(KEY, save({"q1": "a"}, 0), MAIJA, T0)
    submitted = await responses.apply(KEY, Change({"q1": "a"}, 1, ChangeAction.SUBMIT, ("q1",)), MATTI, T0)
    assert submitted.state is ResponseState.SUBMITTED
    assert (submitted.submitted_by, submitted.submitted_at) == ("Matti", T0)
    edited = await responses.apply(KEY, save({"q1": "c"}, 2), MAIJA, T0)
    assert edited.state is ResponseState.SUBMITTED_WITH_CHANGES
    assert edited.submitted_answers == {"q1": "a"} and edited.answers == {"q1": "c"}
    trail = await responses.changes(KEY)
    assert [(c["action"], c["by_name"], c["questions"]) for c in trail] == [
        ("save", "Maija", ["q1"]), ("submit", "Matti", ["q1"]), ("save", "Maija", ["q1"]),
    ]


async def test_responses_are_kept_apart_by_tenant_and_round(responses):
    await responses.apply(KEY, save({"q1": "a"}, 0), MAIJA, T0)
    other_tenant = ResponseKey("tenant-2", KEY.round_id, KEY.organisation_id)
    await responses.apply(other_tenant, save({"q1": "x"}, 0), MAIJA, T0)
    assert [r.answers for r in await responses.list_for_round("tenant-1", "round-1")] == [{"q1": "a"}]
    assert [r.answers for r in await responses.list_for_round("tenant-2", "round-1")] == [{"q1": "x"}]
    assert await responses.list_for_round("tenant-1", "round-2") == []


async def test_unicode_and_nested_answers_round_trip(responses):
    answers = {"t": "Järjestöfoorumit – ”yhteistyö” 😊\nrivi 2", "m": {"selected": ["g01"], "other": None}}
    await responses.apply(KEY, save(answers, 0), MAIJA, T0)
    assert (await responses.get(KEY)).answers == answers


async def test_a_step_writes_the_change_and_the_position_together(responses, database):
    positions = SqlPositionRepository(database)
    await responses.apply(KEY, save({"q1": "a"}, 0), MAIJA, T0, position="monitoring")
    assert await positions.get(KEY.tenant_id, KEY.round_id, MAIJA.aad_object_id) == "monitoring"
    with pytest.raises(VersionConflict):
        await responses.apply(KEY, save({"q1": "stale"}, 0), MATTI, T0, position="methods")
    assert await positions.get(KEY.tenant_id, KEY.round_id, MATTI.aad_object_id) is None  # rolled back too
    assert await responses.apply(KEY, None, MATTI, T0, position="interfaces") is None
    assert await positions.get(KEY.tenant_id, KEY.round_id, MATTI.aad_object_id) == "interfaces"
    assert (await responses.get(KEY)).version == 1


async def test_positions_are_per_person(database):
    positions = SqlPositionRepository(database)
    assert await positions.get("tenant-1", "round-1", "aad-maija") is None
    await positions.set("tenant-1", "round-1", "aad-maija", "monitoring", T0)
    await positions.set("tenant-1", "round-1", "aad-maija", "methods", T0)
    await positions.set("tenant-1", "round-1", "aad-matti", "interfaces", T0)
    assert await positions.get("tenant-1", "round-1", "aad-maija") == "methods"
    assert await positions.get("tenant-1", "round-1", "aad-matti") == "interfaces"


async def test_conversation_references_and_people(database):
    conversations = SqlConversationRepository(database)
    reference = {"conversation": {"id": "a:1"}, "serviceUrl": "http://127.0.0.1:1/"}
    await conversations.remember("tenant-1", "a:1", "personal", "http://127.0.0.1:1/", reference, "aad-maija", T0)
    await conversations.remember("tenant-1", "a:1", "personal", "http://127.0.0.1:2/", {**reference, "serviceUrl": "http://127.0.0.1:2/"}, "aad-maija", T0)
    assert (await conversations.personal("tenant-1", "aad-maija"))["serviceUrl"] == "http://127.0.0.1:2/"
    assert await conversations.personal("tenant-2", "aad-maija") is None
    await conversations.remember_person("tenant-1", "aad-anna", "anna@example.fi", "Anna", T0)
    assert await conversations.person_upn("tenant-1", "aad-anna") == "anna@example.fi"
    assert await conversations.person_upn("tenant-2", "aad-anna") is None


async def test_teams_board_and_channels(database):
    from hyte.teams import Channel
    from storage.repositories import SqlTeamRepository

    teams = SqlTeamRepository(database)
    assert await teams.board_team("tenant-1") is None
    first = await teams.installed("tenant-1", "19:a@thread.tacv2", "Muu tiimi", None, "http://127.0.0.1:1/", "aad-x", False, T0)
    assert not first.is_board
    board = await teams.installed("tenant-1", "19:b@thread.tacv2", "HYTE", "g-1", "http://127.0.0.1:1/", "aad-sanna", True, T0)
    assert board.is_board
    later = await teams.installed("tenant-1", "19:c@thread.tacv2", "Toinen", None, "http://127.0.0.1:1/", "aad-sanna", True, T0)
    assert not later.is_board  # the first team a HYTE member installs it in stays the board's
    await teams.set_channels("tenant-1", "19:b@thread.tacv2", [Channel("19:b@thread.tacv2", None), Channel("19:r1@thread.tacv2", "Ryhmä 1")], T0)
    await teams.channel_changed("tenant-1", "19:b@thread.tacv2", Channel("19:r2@thread.tacv2", "Ryhmä 2"), False, T0)
    await teams.channel_changed("tenant-1", "19:b@thread.tacv2", Channel("19:r1@thread.tacv2", "Ryhmä 1"), True, T0)
    found = await teams.board_team("tenant-1")
    assert found.team_id == "19:b@thread.tacv2"
    assert [(c.name, c.is_general) for c in found.channels] == [(None, True), ("Ryhmä 2", False)]
    await teams.set_channels("tenant-1", "19:b@thread.tacv2", [Channel("19:b@thread.tacv2", None)], T0)
    assert [c.name for c in (await teams.board_team("tenant-1")).channels] == [None]
    await teams.removed("tenant-1", "19:b@thread.tacv2", T0)
    assert await teams.board_team("tenant-1") is None
    assert await teams.board_team("tenant-2") is None


async def test_a_first_change_that_is_a_submit_creates_a_submitted_response(responses):
    submitted = await responses.apply(KEY, Change({"q1": "a"}, 0, ChangeAction.SUBMIT, ("q1",)), MAIJA, T0)
    assert submitted.state is ResponseState.SUBMITTED and submitted.submitted_answers == {"q1": "a"}


async def test_a_stale_later_step_moves_no_position_and_audits_nothing(responses, database):
    positions = SqlPositionRepository(database)
    await responses.apply(KEY, save({"q1": "a"}, 0), MAIJA, T0, position="monitoring")
    await responses.apply(KEY, save({"q1": "b", "q2": "c"}, 1, changed=("q1", "q2")), MAIJA, T0, position="methods")
    with pytest.raises(VersionConflict) as refused:
        await responses.apply(KEY, save({"q1": "stale"}, 1), MAIJA, T0, position="interfaces")
    assert refused.value.current.version == 2
    assert await positions.get(KEY.tenant_id, KEY.round_id, MAIJA.aad_object_id) == "methods"
    assert [(c["version"], c["questions"]) for c in await responses.changes(KEY)] == [(1, ["q1"]), (2, ["q1", "q2"])]


@pytest.mark.postgres
async def test_a_pooled_connection_dropped_while_idle_is_replaced(postgres_url, monkeypatch):
    import asyncpg

    from storage import db as storage_db
    from storage.db import Database

    database = Database.connect(postgres_url)
    await migrate(database.engine)
    responses = SqlResponseRepository(database)
    await responses.apply(KEY, save({"q1": "a"}, 0), MAIJA, T0)
    admin = await asyncpg.connect(postgres_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:  # the server drops the pool's idle connections (a restart, a network blip)
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    finally:
        await admin.close()
    monkeypatch.setattr(storage_db, "IDLE_PING_SECONDS", 0.0)  # as if idle for long
    assert (await responses.get(KEY)).answers == {"q1": "a"}
    await database.dispose()


async def test_the_response_and_a_persons_position_are_read_together(responses, database):
    assert await responses.get_with_position(KEY, MAIJA.aad_object_id) == (None, None)
    await SqlPositionRepository(database).set(KEY.tenant_id, KEY.round_id, MAIJA.aad_object_id, "monitoring", T0)
    assert await responses.get_with_position(KEY, MAIJA.aad_object_id) == (None, "monitoring")
    saved = await responses.apply(KEY, save({"q1": "a"}, 0), MATTI, T0, position="methods")
    assert await responses.get_with_position(KEY, MAIJA.aad_object_id) == (saved, "monitoring")
    assert await responses.get_with_position(KEY, MATTI.aad_object_id) == (saved, "methods")
    other = ResponseKey("tenant-2", KEY.round_id, KEY.organisation_id)
    assert await responses.get_with_position(other, MATTI.aad_object_id) == (None, None)  # per tenant


async def test_recent_gives_the_response_last_read_or_written_here_only_at_that_version(responses, database):
    assert responses.recent(KEY, 1) is None
    first = await responses.apply(KEY, save({"q1": "a"}, 0), MAIJA, T0)
    assert responses.recent(KEY, 1) == first
    assert responses.recent(KEY, 2) is None
    elsewhere = SqlResponseRepository(database)  # another process over the same database
    assert elsewhere.recent(KEY, 1) is None
    await elsewhere.apply(KEY, save({"q1": "b"}, 1), MATTI, T0)
    assert responses.recent(KEY, 1) == first  # not seen here: a change made from it is refused
    with pytest.raises(VersionConflict) as refused:
        await responses.apply(KEY, save({"q1": "from the old version"}, 1), MAIJA, T0)
    assert refused.value.current.answers == {"q1": "b"}
    assert responses.recent(KEY, 1) is None and responses.recent(KEY, 2).answers == {"q1": "b"}


async def test_a_change_made_from_a_row_since_deleted_and_made_anew_is_refused(responses, database):
    """The same version of another row (the response deleted, e.g. by `round delete`, and started
    again by someone else) is not the version the change was made from."""
    await responses.apply(KEY, save({"q1": "old row"}, 0), MAIJA, T0)
    assert responses.recent(KEY, 1).answers == {"q1": "old row"}
    async with database.transaction() as connection:
        await connection.execute(ResponseChangeRow.__table__.delete())
        await connection.execute(ResponseRow.__table__.delete())
    await SqlResponseRepository(database).apply(KEY, save({"q1": "new row", "q2": "kept"}, 0), MATTI, T0 + timedelta(days=1))
    with pytest.raises(VersionConflict) as refused:
        await responses.apply(KEY, save({"q1": "edited old row"}, 1), MAIJA, T0)
    assert refused.value.current.answers == {"q1": "new row", "q2": "kept"}
    assert (await responses.get(KEY)).answers == {"q1": "new row", "q2": "kept"}


async def test_recent_keeps_a_bounded_number_of_responses(database):
    responses = SqlResponseRepository(database)
    keys = [ResponseKey("tenant-1", "round-1", f"org-{i}") for i in range(1030)]
    for key in keys:
        await responses.apply(key, save({"q1": key.organisation_id}, 0), MAIJA, T0)
    assert responses.recent(keys[0], 1) is None  # the least recently used went first
    assert responses.recent(keys[-1], 1).answers == {"q1": "org-1029"}
    assert sum(responses.recent(key, 1) is not None for key in keys) == 1024
