"""Three counties in one deployment, each in its own tenant (Pohjois-Savo, Saaristo and a third made
from Saaristo's files), on SQLite and PostgreSQL: each county's people are served by their county's
round and by nothing else. Whatever a payload, a link or a command names, a HYTE team member of one
county never sees, counts, exports, reminds or links anything of another; forged card payloads,
links and export requests change nothing in the database."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import uuid
from datetime import datetime

import aiohttp
import pytest
from openpyxl import load_workbook

from app import SERVICES
from auxil.counties import COUNTIES, KOLMAS, KOLMAS_HYTE, POHJOIS_SAVO, SAARISTO, SOFIA, env_of, rounds_folder
from cards.catalogue import t
from cli import export_command, person_command, round_command
from conftest import OLLI, SANNA, make_settings
from hyte.clock import HELSINKI
from hyte.jobs import JobState
from hyte.responses import ResponseKey
from loopback.http import BotClient
from loopback.person import Person, texts
from loopback.server import BotServer
from loopback.teams import TeamsEnv, card_action, personal_message
from scenarios.test_results import UploadTarget, cards_of, file_consent_invoke, say_in_channel
from scenarios.test_security import snapshot
from loopback.survey import ANSWERS
from scenarios.test_logs import log_lines  # noqa: F401 (the fixture)
from scenarios.test_survey_lifecycle import answer_all

NO_COUNTY_TENANT = "77777777-0000-4000-8000-000000000007"
"""Let in by HYTE_ALLOWED_TENANTS, but no county is in it."""
BOARDS = {c.round_id: f"19:board-{c.round_id}@thread.tacv2" for c in COUNTIES}
REMINDER_DUE = datetime(2024, 5, 12, 9, 0, tzinfo=HELSINKI)
"""The demo rounds' "closes in three days" reminders (the survey closes 15.5.2024 16.00)."""


@pytest.fixture
async def deployment(tmp_path, database_url, clock, connector):
    server = BotServer(make_settings(database_url, rounds_folder(tmp_path), HYTE_ALLOWED_TENANTS=NO_COUNTY_TENANT,
                                     HYTE_REMINDER_POLL_SECONDS=0), clock)
    await server.start()
    try:
        async with BotClient(server.url, settle=server.settle) as client:
            services = server.app[SERVICES]
            for county in COUNTIES:  # each county's advisory board's team, with nobody in its roster
                connector.add_team(BOARDS[county.round_id], f"Neuvottelukunta {county.round_id}")
                await services.teams.installed(county.tenant_id, BOARDS[county.round_id], "Neuvottelukunta", None,
                                               connector.service_url, county.hyte.aad_object_id, True, clock.now())
            people = {c.round_id: (Person(client, connector, env_of(c, connector.service_url), c.representative),
                                   Person(client, connector, env_of(c, connector.service_url), c.hyte))
                      for c in COUNTIES}
            # Pohjois-Savo's and Saaristo's representatives submit; the third county's saves a draft.
            for county in (POHJOIS_SAVO, SAARISTO):
                review = await answer_all(people[county.round_id][0])
                await people[county.round_id][0].press(review, t("action.submit"))
            card = await people[KOLMAS.round_id][0].open_card("kysely")
            await people[KOLMAS.round_id][0].press(card, t("action.next"), ANSWERS["goals_measures"])
            yield server, client, people
    finally:
        await server.stop()


ORGANISATION_NAMES = {  # organisations yet to answer: the status card names them
    POHJOIS_SAVO.round_id: ("Iisalmen kaupunki", "Savonia-ammattikorkeakoulu"),
    SAARISTO.round_id: ("Luodon kunta – Grundö kommun", "Saariston opisto – Skärgårdens institut"),
    KOLMAS.round_id: ("Kolmelan kunta", "Kolmion opisto – Skärgårdens institut"),
}


async def test_each_county_is_served_its_own_round_and_sees_only_its_own(deployment, connector):
    server, _client, people = deployment
    status = {}
    for county in COUNTIES:
        hyte = people[county.round_id][1]
        status[county.round_id] = texts(await hyte.open_card("tila"))
    assert "Lähettäneet 1/25" in status[POHJOIS_SAVO.round_id] and "Lähettäneet 1/5" in status[SAARISTO.round_id]
    assert "Lähettäneet 0/5 (0 %) · luonnoksia 1" in status[KOLMAS.round_id]  # a draft is not counted
    for round_id, names in ORGANISATION_NAMES.items():
        for other, shown in status.items():
            assert all((name in shown) == (other == round_id) for name in names), (round_id, other)

    for county in COUNTIES:  # the summary counts the county's own submitted answers only
        replies = await people[county.round_id][1].say("yhteenveto kysely")
        summary = texts(cards_of(replies)[0])
        counted = {POHJOIS_SAVO.round_id: (1, 25), SAARISTO.round_id: (1, 5), KOLMAS.round_id: (0, 5)}[county.round_id]
        assert t("results.summary_counted", counted=counted[0], total=counted[1]) in summary
    # A representative's card is her own county's: Saaristo's organisation, its survey's region.
    eeva = texts(await people[SAARISTO.round_id][0].open_card("tila"))
    assert "Saariston kaupunki – Skärgårdens stad" in eeva and "Kuopio" not in eeva


async def test_forged_payloads_links_and_requests_change_nothing(deployment, connector, clock):
    server, client, people = deployment
    services = server.app[SERVICES]
    sofia = people[SAARISTO.round_id][1]
    eeva = people[SAARISTO.round_id][0]
    await sofia.say("ohje")  # her own 1:1 chat is kept for reminders: before the snapshot
    before = await snapshot(server)
    stale = t("survey.stale_round")
    ps = POHJOIS_SAVO.round_id

    # Saaristo's people press cards that name Pohjois-Savo's round, each a route's payload.
    forged = {
        "results.answers": {"r": ps, "question": "hyte_effectiveness"},
        "timeline.show": {"r": ps},
        "timeline.edit": {"r": ps},
        "timeline.save": {"r": ps, "v": 0, "t.survey_closes.date": "2024-06-01", "t.survey_closes.time": "16:00"},
        "remind.preview": {"r": ps},
        "remind.send": {"r": ps, "batch": uuid.uuid4().hex},
        "workshop.start": {"r": ps, "ws.groups": "19:x@thread.tacv2"},
        "reminder.survey": {"r": ps},
    }
    for verb, data in forged.items():
        assert texts(await sofia.invoke(verb, {"verb": verb, **data})) == stale, verb
    for verb, data in {"survey.open": {"r": ps}, "survey.goto": {"r": ps, "section": "monitoring"},
                       "survey.step": {"r": ps, "move": "save", "section": "goals_measures", "v": 1,
                                       "q.hyte_effectiveness": "Toisen alueen vastaus"},
                       "survey.submit": {"r": ps, "v": 1}}.items():
        assert texts(await eeva.invoke(verb, {"verb": verb, **data})) == stale, verb
    # An export of Pohjois-Savo's round through Teams' file consent: nothing uploaded.
    async with UploadTarget() as target:
        context = {"verb": "export.consent", "r": ps, "kind": "xlsx"}
        status, _ = await client.post(file_consent_invoke(sofia.env, SOFIA, context, "accept", target.url + "/u/x"))
        assert status == 200 and target.received == []
    # Another county's people named in this county's tenant are strangers; the HYTE team of one county
    # is nobody in another's.
    savo_in_saaristo = Person(client, connector, sofia.env, SANNA)
    assert only_text(await savo_in_saaristo.say("yhteenveto kysely")) == t("team_only")
    assert only_text(await savo_in_saaristo.say("tila")) == t("not_for_you")
    saaristo_in_savo = Person(client, connector, people[ps][1].env, SOFIA)
    assert only_text(await saaristo_in_savo.say("vienti")) == t("team_only")
    third_in_saaristo = Person(client, connector, sofia.env, KOLMAS_HYTE)
    assert only_text(await third_in_saaristo.say("tila")) == t("not_for_you")
    # A year only another county has.
    assert only_text(await sofia.say("yhteenveto kysely 2023")) == t("past_round.unknown", year=2023, years="2024")
    # Download links name their county's tenant and round: another pairing is not found, an altered
    # token is refused.
    links = services.links
    async with aiohttp.ClientSession() as http:
        for tenant, round_id in ((SAARISTO.tenant_id, ps), (POHJOIS_SAVO.tenant_id, SAARISTO.round_id),
                                 (NO_COUNTY_TENANT, ps)):
            url, _ = links.url(tenant, round_id, "xlsx", clock.now())
            async with http.get(server.url + url[url.index("/api/exports/"):]) as response:
                assert response.status == 404, (tenant, round_id)
        url, _ = links.url(SAARISTO.tenant_id, SAARISTO.round_id, "xlsx", clock.now())
        payload, signature = url.rsplit("/", 1)[1].split(".")
        claims = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
        other = claims.replace(SAARISTO.tenant_id, POHJOIS_SAVO.tenant_id).replace(SAARISTO.round_id, ps)
        forged_token = base64.urlsafe_b64encode(other.encode()).decode().rstrip("=")
        async with http.get(f"{server.url}/api/exports/{forged_token}.{signature}") as response:
            assert response.status == 403  # Saaristo's signature on Pohjois-Savo's claims
    # A tenant the settings let in but no county is in: told so, nothing served.
    stranger_env = TeamsEnv(service_url=connector.service_url, tenant_id=NO_COUNTY_TENANT)
    assert only_text(await Person(client, connector, stranger_env, OLLI).say("ohje")) == t("no_county")
    status, body = await client.post(card_action(stranger_env, SANNA, "results.answers",
                                                 {"verb": "results.answers", "r": ps, "question": "hyte_effectiveness"}))
    assert status == 200 and texts(body["value"]) == t("no_county")
    # A tenant nobody let in is refused before anything runs.
    status, _ = await client.post(personal_message(TeamsEnv(connector.service_url, str(uuid.uuid4())), OLLI, "ohje"))
    assert status == 403

    after = await snapshot(server)
    changed = {table for table in before if before[table] != after[table]}
    assert changed <= {"processed_activities"}, changed
    # only the ids of the messages just sent, each in the tenant it came from
    new = set(after["processed_activities"]) - set(before["processed_activities"])
    assert {row[0] for row in new} <= {SAARISTO.tenant_id, POHJOIS_SAVO.tenant_id, NO_COUNTY_TENANT}


async def test_each_county_exports_and_links_its_own(deployment, connector):
    server, client, people = deployment
    sofia = people[SAARISTO.round_id][1]
    replies = await say_in_channel(client, connector, sofia.env, SOFIA, "vienti", team_id=BOARDS[SAARISTO.round_id])
    card = cards_of(replies)[0]
    xlsx_url = next(a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl")
    async with aiohttp.ClientSession() as http:
        async with http.get(server.url + xlsx_url[xlsx_url.index("/api/exports/"):]) as response:
            assert response.status == 200
            workbook = load_workbook(io.BytesIO(await response.read()))
    cells = " ".join(str(c.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row if c.value)
    assert "Luodon kunta – Grundö kommun" in cells
    assert "Kuopio" not in cells and "Kolmannen" not in cells
    # Sanna's link in her board's channel is Pohjois-Savo's and reads Pohjois-Savo's only.
    replies = await say_in_channel(client, connector, people[POHJOIS_SAVO.round_id][1].env, SANNA, "vienti",
                                   team_id=BOARDS[POHJOIS_SAVO.round_id])
    url = next(a["url"] for a in cards_of(replies)[0]["actions"] if a["type"] == "Action.OpenUrl")
    async with aiohttp.ClientSession() as http:
        async with http.get(server.url + url[url.index("/api/exports/"):]) as response:
            cells = " ".join(str(c.value) for sheet in load_workbook(io.BytesIO(await response.read())).worksheets
                             for row in sheet.iter_rows() for c in row if c.value)
    assert "Kuopion kaupunki" in cells and "Luodon kunta" not in cells


async def test_reminders_go_to_each_countys_own_people_and_board(deployment, connector, clock):
    server, _client, people = deployment
    services = server.app[SERVICES]
    connector.clear()
    report = await services.scheduler.run_due(REMINDER_DUE)
    assert report.outcomes[JobState.SENT.value] >= 6  # per county: the board's reminder, the unanswered representative
    sent = [(c.conversation_id, c.body) for c in connector.calls if c.kind == "send" and c.status < 300]
    by_conversation = {conversation: body for conversation, body in sent}
    for county in COUNTIES:
        jobs = await services.jobs.list(county.tenant_id, county.round_id)
        assert jobs and {j.tenant_id for j in jobs} == {county.tenant_id}
        others = [c for c in COUNTIES if c is not county]
        targets = {j.target for j in jobs}
        for other in others:  # nobody of another county is a target of this county's round
            assert person_key_of(other.representative) not in targets and person_key_of(other.hyte) not in targets
        board = [b for conversation, b in sent if conversation == BOARDS[county.round_id]]
        assert board and all(_tenant(b) == county.tenant_id for b in board)
        county_name = services.rounds.catalogue.current(county.tenant_id).config.county
        assert all(texts(b["attachments"][0]["content"]).startswith(county_name) for b in board)
    # The third county's representative has only a draft: reminded in her own chat, of her own county.
    kaisa = people[KOLMAS.round_id][0]
    (nudge,) = [b for conversation, b in sent if conversation == kaisa.conversation_id]
    assert "Organisaatiosi (Kolmion kaupunki – Skärgårdens stad) luonnos" in texts(nudge["attachments"][0]["content"])
    # Those who submitted are not reminded.
    for county in (POHJOIS_SAVO, SAARISTO):
        assert people[county.round_id][0].conversation_id not in by_conversation
    # Running again sends nothing more.
    connector.clear()
    again = await services.scheduler.run_due(REMINDER_DUE)
    assert again.outcomes.get(JobState.SENT.value, 0) == 0 and not [c for c in connector.calls if c.kind == "send"]
    response = await services.responses.get(ResponseKey(KOLMAS.tenant_id, KOLMAS.round_id, KOLMAS.organisation))
    assert response is not None and response.submitted_answers is None


def _tenant(activity: dict) -> str:
    """The conversation's tenant as sent (botbuilder's schema writes "tenantID")."""
    conversation = activity["conversation"]
    return conversation.get("tenantId") or conversation["tenantID"]


def person_key_of(user) -> str:
    return f"aad:{user.aad_object_id.lower()}"


def only_text(replies: list[dict]) -> str:
    assert len(replies) == 1 and not replies[0].get("attachments"), replies
    return replies[0]["text"]


async def test_log_lines_name_each_turns_tenant_and_round(deployment, log_lines):
    _server, _client, people = deployment
    await people[SAARISTO.round_id][1].say("tila")
    await people[POHJOIS_SAVO.round_id][1].say("tila")
    turns = [json.loads(line) for line in log_lines()]
    turns = [e for e in turns if e["message"].startswith("turn type=message")]
    assert [(e["tenant"], e["round"]) for e in turns[-2:]] == [
        (SAARISTO.tenant_id, SAARISTO.round_id), (POHJOIS_SAVO.tenant_id, POHJOIS_SAVO.round_id)]


# The operator's commands, per county ---------------------------------------------------------------------


async def test_operator_commands_name_one_county(deployment, capsys, tmp_path):
    server, _client, _people = deployment
    settings = server.settings
    # export: any round of the folder, its county's data only; another tenant named is refused
    out = tmp_path / "exports"
    assert await asyncio.to_thread(export_command, settings, ["--round", SAARISTO.round_id, "--out", str(out),
                                                              "--kind", "xlsx"]) == 0
    (written,) = out.iterdir()
    cells = " ".join(str(c.value) for sheet in load_workbook(written).worksheets for row in sheet.iter_rows()
                     for c in row if c.value)
    assert "Luodon kunta – Grundö kommun" in cells and "Kuopion kaupunki" not in cells
    capsys.readouterr()
    assert await asyncio.to_thread(export_command, settings, ["--round", SAARISTO.round_id, "--tenant",
                                                              POHJOIS_SAVO.tenant_id, "--out", str(out)]) == 2
    assert f"Unknown round '{SAARISTO.round_id}' in tenant {POHJOIS_SAVO.tenant_id}" in capsys.readouterr().err
    # person: with several counties the tenant must be named
    assert await asyncio.to_thread(person_command, settings, ["export", "--aad", SOFIA.aad_object_id]) == 2
    assert "several counties: name one with --tenant" in capsys.readouterr().err
    assert await asyncio.to_thread(person_command, settings, ["export", "--aad", SOFIA.aad_object_id,
                                                              "--tenant", SAARISTO.tenant_id]) == 0
    assert json.loads(capsys.readouterr().out)["tenant_id"] == SAARISTO.tenant_id
    # round delete: a county's current round is in use; the tenant named must be the round's
    assert await asyncio.to_thread(round_command, settings, ["delete", "--round", SAARISTO.round_id,
                                                             "--older-than-days", "0"]) == 2
    assert "it is its county's current round" in capsys.readouterr().err
    assert await asyncio.to_thread(round_command, settings, ["delete", "--round", SAARISTO.round_id, "--tenant",
                                                             KOLMAS.tenant_id, "--older-than-days", "0"]) == 2
    assert f"is a round of tenant {SAARISTO.tenant_id}, not of {KOLMAS.tenant_id}" in capsys.readouterr().err
