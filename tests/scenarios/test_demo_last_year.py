"""The demo's last year: `python app.py demo-data` writes generated answers into the bundled
county's previous round (config/pohjois-savo-edellinen/) once, and the demo's survey summary then
shows this year against last, with the two questions that changed between the years listed as not
compared."""

from __future__ import annotations

import asyncio

from app import SERVICES
from auxil.counties import CONFIG
from cards.catalogue import t
from cli import DEMO_PREVIOUS_ROUND, demo_data_command
from conftest import DEMO_TENANT, SANNA, make_settings
from loopback.http import BotClient
from loopback.person import Person, texts
from loopback.server import BotServer
from scenarios.test_results import cards_of


async def test_the_demo_shows_this_year_against_last(sqlite_url, clock, connector, teams, capsys):
    settings = make_settings(sqlite_url, CONFIG)
    assert await asyncio.to_thread(demo_data_command, settings, []) == 0
    assert f"into round {DEMO_PREVIOUS_ROUND} (2023)" in capsys.readouterr().out
    assert await asyncio.to_thread(demo_data_command, settings, []) == 0  # once only
    assert "nothing written" in capsys.readouterr().out

    server = await BotServer(settings, clock).start()
    try:
        stored = await server.app[SERVICES].responses.list_for_round(DEMO_TENANT, DEMO_PREVIOUS_ROUND)
        assert 12 <= len(stored) < 25 and all(r.submitted_answers for r in stored)
        async with BotClient(server.url, settle=server.settle) as client:
            sanna = Person(client, connector, teams, SANNA)
            shown = "\n".join(texts(card) for card in cards_of(await sanna.say("yhteenveto kysely")))
        assert t("comparison.title", previous=2023, year=2024) in shown
        comparison = shown[shown.index(t("comparison.title", previous=2023, year=2024)):]
        assert t("comparison.rates_title") in comparison and t("comparison.goals_title") in comparison
        assert t("comparison.theme.dropped", count=0, previous=2).split("(")[0] in comparison  # nobody answered yet
        changed = comparison[comparison.index(t("comparison.changed_title")):]
        assert f"Missä asioissa tulee tehdä enemmän yhteistyötä ja kenen kanssa? – {t('comparison.reason.new')}" in changed
        assert t("comparison.reason.options") in changed
    finally:
        await server.stop()
