"""Year after year: last year's round answered through the bot, next year's written from it with
`python app.py round new`, the bot restarted with both; the new round starts empty and is answered,
last year's stays readable for the HYTE team (`tila 2024`, `yhteenveto kysely 2024`, `vienti 2024`,
the buttons on its cards), and its cards are refused to the survey as any other round's. A county
with no previous round has none."""

from __future__ import annotations

import asyncio
import io
import shutil
from datetime import date, datetime

import pytest
import yaml
from openpyxl import load_workbook

from app import SERVICES
from auxil.counties import CONFIG, SAARISTO_TENANT
from cards.catalogue import t
from cli import round_command
from conftest import DEMO_TENANT, MAIJA, SANNA, make_settings
from hyte.clock import HELSINKI, FixedClock
from hyte.responses import ResponseKey
from hyte.rounds import previous_results
from loopback.http import BotClient
from loopback.person import Person, inputs, texts
from loopback.server import BotServer
from loopback.survey import ANSWERS
from scenarios.test_results import UploadTarget, cards_of, file_consent_invoke
from scenarios.test_survey_lifecycle import answer_all

LAST_YEAR = {  # the demo's relative dates as they were on 1.5.2024
    "material_review": "2024-04-10T13:00", "survey_opens": "2024-04-24T08:00", "survey_closes": "2024-05-15T16:00",
    "negotiation_meeting": "2024-05-22T09:00", "summary_to_government": "2024-06-19T12:00",
    "results_into_plan": "2024-08-29T12:00",
}
CONSENT = "application/vnd.microsoft.teams.card.file.consent"


@pytest.fixture
def folder(tmp_path):
    rounds = tmp_path / "rounds"
    shutil.copytree(CONFIG / "pohjois-savo", rounds / "pohjois-savo-2024")
    path = rounds / "pohjois-savo-2024" / "round.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(id="pohjois-savo-2024", timetable=LAST_YEAR)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.copytree(CONFIG / "saaristo", rounds / "saaristo")
    return rounds


async def test_next_years_round_from_last_years(folder, sqlite_url, connector, teams, capsys):
    # 2024: Maija answers for Kuopio through the bot.
    clock = FixedClock(datetime(2024, 5, 2, 10, 0, tzinfo=HELSINKI))
    settings = make_settings(sqlite_url, folder)
    server = await BotServer(settings, clock).start()
    async with BotClient(server.url, settle=server.settle) as client:
        maija = Person(client, connector, teams, MAIJA)
        review = await answer_all(maija)
        submitted_2024 = await maija.press(review, t("action.submit"))
        assert t("survey.submitted_title") in texts(submitted_2024)
    await server.stop()

    # The operator writes next year's round.
    assert await asyncio.to_thread(round_command, settings, ["new", "--from", "pohjois-savo-2024", "--year", "2025"]) == 0
    printed = capsys.readouterr().out
    assert f"Wrote {folder / 'pohjois-savo-2025' / 'round.yaml'}" in printed
    assert "survey_closes          Wed 2024-05-15 16:00 -> Thu 2025-05-15 16:00" in printed
    written = yaml.safe_load((folder / "pohjois-savo-2025" / "round.yaml").read_text(encoding="utf-8"))
    assert (written["id"], written["year"], written["previous_round"]) == ("pohjois-savo-2025", 2025, "pohjois-savo-2024")

    # 2025: the bot restarted with both rounds in the folder.
    clock = FixedClock(datetime(2025, 5, 2, 10, 0, tzinfo=HELSINKI))
    server = BotServer(make_settings(sqlite_url, folder, HYTE_TODAY=date(2025, 5, 1)), clock)
    await server.start()
    try:
        services = server.app[SERVICES]
        assert (await services.rounds.current(DEMO_TENANT)).id == "pohjois-savo-2025"
        key_2025 = ResponseKey(DEMO_TENANT, "pohjois-savo-2025", "kuopio")
        assert await services.responses.get(key_2025) is None  # nothing copied from last year's answers
        async with BotClient(server.url, settle=server.settle) as client:
            maija = Person(client, connector, teams, MAIJA)
            sanna = Person(client, connector, teams, SANNA)
            # Last year's card is refused as any other round's.
            assert texts(await maija.press(review, t("action.submit"))) == t("survey.stale_round")
            card = await maija.open_card("kysely")
            assert "Osio 1/5" in texts(card) and inputs(card)["q.hyte_effectiveness"] in (None, "")
            card = await maija.press(card, t("action.next"), {**ANSWERS["goals_measures"],
                                                              "q.hyte_effectiveness": "Vuoden 2025 vastaus."})
            assert (await services.responses.get(key_2025)).version == 1

            # The HYTE team: this year's by default, last year's by its year.
            assert "Lähettäneet 0/25" in texts(await sanna.open_card("tila"))
            replies = await sanna.say("tila 2024")
            assert replies[0]["text"] == t("past_round.showing", year=2024)
            assert "Lähettäneet 1/25" in texts(cards_of(replies)[0])
            replies = await sanna.say("yhteenveto kysely 2024")
            assert [r.get("text") for r in replies[:2]] == [t("past_round.showing", year=2024), t("results.preparing")]
            summary = cards_of(replies)
            assert t("results.summary_counted", counted=1, total=25) in texts(summary[0])
            # A button on last year's summary card works: it is of this county's earlier round.
            before = len(connector.sent(sanna.conversation_id))
            await sanna.press(next(c for c in summary if t("results.show_answers") in str(c)), t("results.show_answers"))
            answers = cards_of(connector.sent(sanna.conversation_id)[before:])
            assert answers and "Koulut." in texts(answers[0])  # her 2024 answer (answer_all)
            # Exports of last year's round, through Teams' file consent.
            replies = await sanna.say("vienti 2024")
            consents = [a for r in replies for a in r.get("attachments") or [] if a["contentType"] == CONSENT]
            assert [c["name"] for c in consents] == ["HYTE-ennakkokysely 2024 (pohjois-savo-2024).xlsx",
                                                     "Yhteenvetoluonnos HYTE-neuvotteluista 2024.docx"]
            async with UploadTarget() as target:
                status, _ = await client.post(file_consent_invoke(
                    teams, SANNA, consents[0]["content"]["acceptContext"], "accept", target.url + "/upload/x"))
                await server.settle()
                assert status == 200
                workbook = load_workbook(io.BytesIO(target.received[0][1]))
            assert any("Kuopion kaupunki" in str(c.value) for s in workbook.worksheets for row in s.iter_rows() for c in row)
            # A year the county has no round of; a representative asking for an earlier round.
            assert (await sanna.say("yhteenveto kysely 2023"))[0]["text"] == t(
                "past_round.unknown", year=2023, years="2025, 2024")
            assert (await maija.say("tila 2024"))[0]["text"] == t("past_round.team_only")

        # For the comparison: the previous round and its submitted responses; a county with none.
        catalogue = services.rounds.catalogue
        previous = await previous_results(catalogue, services.responses, catalogue.current(DEMO_TENANT))
        assert previous.round.id == "pohjois-savo-2024" and previous.changed == {}
        assert [r.key.organisation_id for r in previous.responses] == ["kuopio"]
        assert previous.responses[0].submitted_answers["goals_progress"] == "need_more_effort"
        assert await previous_results(catalogue, services.responses, catalogue.current(SAARISTO_TENANT)) is None
    finally:
        await server.stop()

