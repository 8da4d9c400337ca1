"""A survey step that writes is decided from the response as this instance last saw it, when the
pressed card was built from that version, without reading it again (one statement a save on
PostgreSQL). Two instances over one database: what one instance saw never overwrites what the
other stored meanwhile."""

from __future__ import annotations

import asyncio
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from app import SERVICES
from cards.catalogue import t
from conftest import DEMO_TENANT, MAIJA, MATTI, make_settings
from hyte.responses import ResponseKey
from loopback.http import BotClient
from loopback.person import Person, inputs, texts
from loopback.server import BotServer
from loopback.survey import ANSWERS

KEY = ResponseKey(DEMO_TENANT, "pohjois-savo-demo", "kuopio")
SAVE = "Tallenna luonnos"


@pytest.fixture
async def instances(database_url, clock):
    servers = [BotServer(make_settings(database_url), clock) for _ in range(2)]
    for server in servers:
        await server.start()
    yield servers
    for server in servers:
        await server.stop()


@contextmanager
def statements(server: BotServer):
    """The SQL statements the server's own engine runs meanwhile."""
    seen: list[str] = []
    engine = server.app[SERVICES].responses._db.engine.sync_engine

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_what_one_instance_saw_never_overwrites_what_the_other_stored(instances, connector, teams):
    first, second = instances
    responses = first.app[SERVICES].responses
    async with BotClient(first.url) as a, BotClient(second.url) as b:
        maija, matti = Person(a, connector, teams, MAIJA), Person(b, connector, teams, MATTI)
        maija_card = await maija.press(await maija.open_card("kysely"), SAVE, ANSWERS["goals_measures"])
        assert (await responses.get(KEY)).version == 1

        first.clock.advance(timedelta(minutes=5))
        matti_card = await matti.open_card("kysely")
        await matti.press(matti_card, SAVE, {"q.hyte_effectiveness": "Matin oma ehdotus."})

        # Maija's card was built from version 1, which the first instance still holds as the last it saw.
        first.clock.advance(timedelta(minutes=5))
        refused = await maija.press(maija_card, SAVE, {"q.organisation_actions": "Maijan lisäys."})
        assert t("notice.conflict", by="Matti Virtanen", at="2.5.2024 klo 10.05") in texts(refused)
        assert inputs(refused)["q.hyte_effectiveness"] == "Matin oma ehdotus."
        stored = await responses.get(KEY)
        assert stored.version == 2 and stored.answers["hyte_effectiveness"] == "Matin oma ehdotus."
        assert "Maijan lisäys." not in stored.answers.values()

        saved = await maija.press(refused, SAVE, {"q.organisation_actions": "Maijan lisäys."})
        assert t("notice.conflict", by="Matti Virtanen", at="2.5.2024 klo 10.05") not in texts(saved)
    stored = await responses.get(KEY)
    assert stored.version == 3
    assert (stored.answers["hyte_effectiveness"], stored.answers["organisation_actions"]) == (
        "Matin oma ehdotus.", "Maijan lisäys.",
    )
    assert [(c["version"], c["by_name"]) for c in await responses.changes(KEY)] == [
        (1, "Maija Meikäläinen"), (2, "Matti Virtanen"), (3, "Maija Meikäläinen"),
    ]


async def test_a_save_on_postgresql_is_one_statement_and_kysely_three(postgres_url, clock, connector, teams):
    """A save from a card this instance built: only the step itself (its change, audit row and
    position in one statement). `kysely`: the activity's claim and the response with the position
    before it answers; the turn's completion mark after."""
    server = BotServer(make_settings(postgres_url), clock)
    await server.start()
    try:
        async with BotClient(server.url) as client:
            maija = Person(client, connector, teams, MAIJA)
            card = await maija.open_card("kysely")
            with statements(server) as seen:
                card = await maija.press(card, SAVE, ANSWERS["goals_measures"])
            assert len(seen) == 2, seen  # the first save: the read, then the step
            with statements(server) as seen:
                card = await maija.press(card, SAVE, {"q.hyte_effectiveness": "Toinen versio."})
            assert len(seen) == 1, seen
            assert seen[0].lstrip().startswith("WITH updated AS")
            with statements(server) as seen:
                await maija.open_card("kysely")
                for _ in range(200):  # the turn is marked complete after its answer
                    if len(seen) > 2:
                        break
                    await asyncio.sleep(0.01)
            assert [s.split()[:3] for s in seen] == [
                ["INSERT", "INTO", "processed_activities"], ["SELECT", "responses.id,", "responses.tenant_id,"],
                ["UPDATE", "processed_activities", "AS"],
            ], seen
        stored = await server.app[SERVICES].responses.get(KEY)
        assert (stored.version, stored.answers["hyte_effectiveness"]) == (2, "Toinen versio.")
    finally:
        await server.stop()
