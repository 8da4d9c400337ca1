"""This year against last over HTTP, on SQLite and PostgreSQL: a county's 2024 round answered
through the bot, its 2025 round written from it with `python app.py round new` (one question
reworded, another with an option added, the survey's version raised), answered again; the HYTE
team's summary card and Word document show both years side by side with the difference, the goals'
movement, the response rate by category, the themes marked new, recurring or dropped, and the
changed questions with why. A county with no previous round is told so."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import date, datetime

from docx import Document

from auxil.counties import SAARISTO, SOFIA, env_of
from cards.catalogue import t
from cli import round_command
from conftest import MAIJA, SANNA, make_settings
from hyte.clock import HELSINKI, FixedClock
from hyte.finnish import lemmatiser_available
from loopback.demo import LIISA
from loopback.http import BotClient
from loopback.person import Person, texts
from loopback.server import BotServer
from loopback.survey import ANSWERS
from scenarios.test_results import UploadTarget, cards_of, file_consent_invoke
from scenarios.test_year_after_year import CONSENT, folder  # noqa: F401  (the fixture: a 2024 round and Saaristo)

REWORDED = "Oletteko löytäneet HYTE-teemoihin tarvitsemanne yhteistyökumppanit?"


async def answer(person: Person, changes: dict[str, dict[str, str]]) -> None:
    """The survey answered through its cards, `changes` over the demo answers, and submitted."""
    card = await person.open_card("kysely")
    for section_id, values in ANSWERS.items():
        card = await person.press(card, t("action.review") if section_id == "interfaces" else t("action.next"),
                                  {**values, **changes.get(section_id, {})})
    submitted = await person.press(card, t("action.submit"))
    assert t("survey.submitted_title") in texts(submitted)


def reword(round_folder) -> None:
    """Next year's survey: one question reworded, one with an option more, the version raised."""
    path = round_folder / "survey.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^version: (\d+)$", lambda found: f"version: {int(found[1]) + 1}", text, count=1)
    text = text.replace("text: Oletteko löytäneet yhteistyökumppaneita HYTE-teemoihin tarpeen mukaan?",
                        f"text: {REWORDED}", 1)
    head, marker, tail = text.partition("      - id: roles_clear")
    tail = tail.replace('          - {id: "no", label: Ei}', '          - {id: "no", label: Ei}\n'
                                                               '          - {id: partly, label: Osittain}', 1)
    path.write_text(head + marker + tail, encoding="utf-8")


def lines(cards: list[dict]) -> str:
    return "\n".join(texts(card) for card in cards)


async def test_the_second_round_is_read_against_the_first(folder, database_url, connector, teams):  # noqa: F811
    # 2024: Kuopio and Iisalmi answer through the bot.
    settings = make_settings(database_url, folder)
    server = await BotServer(settings, FixedClock(datetime(2024, 5, 2, 10, 0, tzinfo=HELSINKI))).start()
    async with BotClient(server.url, settle=server.settle) as client:
        await answer(Person(client, connector, teams, MAIJA), {"goals_measures": {"q.goals_to_strengthen": "g03,g14"}})
        await answer(Person(client, connector, teams, LIISA), {
            "goals_measures": {"q.goals_progress": "cannot_say", "q.goals_to_strengthen": "g03,g05"},
            "ngo_cooperation": {"q.ngo_good_practices": "Avustukset ja yhteiset tapahtumat kunnassa."}})
    await server.stop()

    # The operator writes next year's round and changes two questions in it.
    assert await asyncio.to_thread(round_command, settings, ["new", "--from", "pohjois-savo-2024", "--year", "2025"]) == 0
    reword(folder / "pohjois-savo-2025")

    # 2025: the same organisations answer otherwise; the HYTE team reads this year against last.
    clock = FixedClock(datetime(2025, 5, 2, 10, 0, tzinfo=HELSINKI))
    server = BotServer(make_settings(database_url, folder, HYTE_TODAY=date(2025, 5, 1)), clock)
    await server.start()
    try:
        async with BotClient(server.url, settle=server.settle) as client:
            await answer(Person(client, connector, teams, MAIJA), {
                "goals_measures": {"q.goals_progress": "very_well", "q.goals_to_strengthen": "g14,g05"},
                "ngo_cooperation": {"q.ngo_good_practices": "Järjestöfoorumi ja liikuntapaikat."},
                "interfaces": {"q.roles_clear": "partly"}})
            await answer(Person(client, connector, teams, LIISA), {
                "goals_measures": {"q.goals_progress": "very_well", "q.goals_to_strengthen": "g14"},
                "ngo_cooperation": {"q.ngo_good_practices": "Järjestöfoorumit ja liikuntapaikat kouluissa."}})
            sanna = Person(client, connector, teams, SANNA)

            shown = lines(cards_of(await sanna.say("yhteenveto kysely")))
            assert t("comparison.title", previous=2024, year=2025) in shown
            comparison = shown[shown.index(t("comparison.title", previous=2024, year=2025)):]
            header = "\n".join((t("comparison.option"), "2024", "2025", t("comparison.change")))
            assert header in comparison
            # goals_progress: 2024 Kuopio "need more effort", Iisalmi "cannot say"; 2025 both "very well".
            share = lambda count, percent: t("comparison.share", count=count, percent=percent)  # noqa: E731
            assert "\n".join(("etenevät erittäin hyvin", share(0, 0), share(2, 100), "+100 %-yks.")) in comparison
            assert "\n".join(("vaativat vielä paljon tehostamista", share(1, 50), share(0, 0), "-50 %-yks.")) in comparison
            assert "\n".join((t("comparison.all"), "8 %", "8 %", "0 %-yks.")) in comparison
            # The goals: 2024 g03 first (both), g14 fourth; 2025 g14 first (both), g03 chosen by nobody.
            goals = comparison[comparison.index(t("comparison.goals_title")):]
            assert "\n".join(("Mielenterveys vahvistuu (erit. lapset ja nuoret)", "4.", "1.",
                              t("comparison.move.up", places=3))) in goals
            assert "\n".join(("Kukaan ei koe itseään yksinäiseksi", "1.", "–", t("comparison.move.dropped"))) in goals
            if lemmatiser_available():
                themes = comparison[comparison.index(t("comparison.themes_title")):]
                assert t("comparison.theme.new", count=2, previous=0) in themes
                assert t("comparison.theme.dropped", count=0, previous=2) in themes
                assert t("comparison.theme.recurring", count=2, previous=2) in themes
            # The changed questions: listed with why, not compared.
            changed = comparison[comparison.index(t("comparison.changed_title")):]
            assert f"Yhdyspinnat, kysymys 2: {REWORDED} – {t('comparison.reason.text')}" in changed
            assert t("comparison.reason.options") in changed
            tables = comparison[:comparison.index(t("comparison.changed_title"))]
            assert REWORDED not in tables and "Osittain" not in tables

            # The Word document, through Teams' file consent.
            replies = await sanna.say("vienti")
            consents = [a for r in replies for a in r.get("attachments") or [] if a["contentType"] == CONSENT]
            async with UploadTarget() as target:
                status, _ = await client.post(file_consent_invoke(
                    teams, SANNA, consents[1]["content"]["acceptContext"], "accept", target.url + "/upload/x"))
                await server.settle()
                assert status == 200
                document = Document(io.BytesIO(target.received[0][1]))
            headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
            assert t("comparison.docx_title", previous=2024, year=2025) in headings
            tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
            assert [t("comparison.docx_category"), "2024", "2025", t("comparison.change")] in [tb[0] for tb in tables]
            progress = next(tb for tb in tables if ["etenevät erittäin hyvin", share(0, 0), share(2, 100), "+100 %-yks."]
                            in tb)
            assert progress[0] == [t("comparison.option"), "2024", "2025", t("comparison.change")]
            goals = next(tb for tb in tables if tb[0][0] == t("comparison.goal"))
            assert [t("comparison.move.dropped")] == [row[3] for row in goals if row[2] == "–"]
            paragraphs = "\n".join(p.text for p in document.paragraphs)
            assert t("comparison.docx_changed_title") in headings
            assert f"Yhdyspinnat, kysymys 2: {REWORDED} – {t('comparison.reason.text')}" in paragraphs
            if lemmatiser_available():
                assert t("comparison.theme.new", count=2, previous=0) in paragraphs

            # Last year's round read by its year: it has no previous round in the folder.
            shown = lines(cards_of(await sanna.say("yhteenveto kysely 2024")))
            assert t("comparison.none", year=2024) in shown and t("comparison.rates_title") not in shown

            # Another county in the same deployment, with no previous round: it is told so.
            sofia = Person(client, connector, env_of(SAARISTO, connector.service_url), SOFIA)
            shown = lines(cards_of(await sofia.say("yhteenveto kysely")))
            assert t("comparison.none", year=2025) in shown
            assert t("comparison.rates_title") not in shown
    finally:
        await server.stop()
