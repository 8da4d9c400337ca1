"""`python app.py person export|erase`: everything stored about one person, and erasing it while
the organisation's answers and the groups' notes stay."""

from __future__ import annotations

import asyncio
import json

import pytest
import yaml

from app import SERVICES
from cli import person_command, round_command
from loopback.channel import Board, board_spec
from loopback.http import BotClient
from loopback.person import Person
from auxil.reminders import write_round
from loopback.server import BotServer
from loopback.teams import member
from conftest import ANNA, DEMO_TENANT, MAIJA, NOW, SANNA, make_settings
from hyte.clock import SystemClock
from hyte.curation import CurationAction, CurationEdit
from hyte.responses import ResponseKey
from loopback.survey import ANSWERS
from storage.curation import SqlCurationRepository
from storage.db import Database
from scenarios.test_security import snapshot
from scenarios.test_survey_lifecycle import answer_all
from scenarios.test_workshop_notes import board, notes, q  # noqa: F401 (the `board` fixture)

ROUND = "pohjois-savo-demo"
KEY = ResponseKey(DEMO_TENANT, ROUND, "kuopio")
NOTE = "Yhteinen kalenteri kunnille"


async def run(server, capsys, *args: str) -> dict:
    assert await asyncio.to_thread(person_command, server.settings, list(args)) == 0
    return json.loads(capsys.readouterr().out)


async def test_export_then_erase_one_person(client, connector, teams, board, server, capsys):
    maija = Person(client, connector, teams, MAIJA)
    card = await maija.open_card("kysely")
    await maija.press(card, "Seuraava", ANSWERS["goals_measures"])
    channel = board.channel("Ryhmä 1")
    message = await board.post(MAIJA, channel, NOTE, reply_to=q(board, "Ryhmä 1", 1))
    await board.react(MAIJA, channel, message)

    exported = await run(server, capsys, "export", "--aad", MAIJA.aad_object_id)
    assert exported["aad_object_id"] == MAIJA.aad_object_id
    assert [c["conversation_type"] for c in exported["conversations"]] == ["personal"]
    assert [p["section_id"] for p in exported["survey_positions"]] == ["monitoring"]
    assert [(c["organisation_id"], c["actor_name"]) for c in exported["response_changes"]] == [("kuopio", MAIJA.name)]
    assert [r["organisation_id"] for r in exported["responses_last_updated"]] == ["kuopio"]
    assert [n["text"] for n in exported["workshop_notes"]] == [NOTE]
    assert [r["message_id"] for r in exported["workshop_reactions"]] == [message]
    assert "Yhteiset tavoitteet" not in json.dumps(exported, ensure_ascii=False)  # the organisation's answers are not hers

    erased = await run(server, capsys, "erase", "--aad", MAIJA.aad_object_id)
    assert erased["rows"]["conversations"] == 1 and erased["rows"]["workshop_notes"] == 1

    after = await run(server, capsys, "export", "--aad", MAIJA.aad_object_id)
    assert all(after[k] == [] for k in after if k not in {"tenant_id", "aad_object_id", "reminders"}), after
    assert after["reminders"] == exported["reminders"] != []  # kept: no reminder is sent twice
    services = server.app[SERVICES]
    response = await services.responses.get(KEY)
    assert response.answers  # the organisation's answers stay
    assert response.updated_by is None
    assert all(c["by"] is None and c["by_name"] is None for c in await services.responses.changes(KEY))
    note = (await notes(server))[message]
    assert note.text == NOTE and note.author_aad is None and note.author_name is None
    # Someone else is untouched.
    assert (await run(server, capsys, "export", "--aad", SANNA.aad_object_id))["conversations"]


# Every kind of row a person can have, on both databases ------------------------------------------


@pytest.fixture
async def everything(database_url, clock, connector, teams):
    """Over HTTP: the board team installed by Sanna, the workshop started and stopped by her, a date
    moved by her; Maija's submitted response, her survey position, her language, a note she edited and a reaction;
    Anna (configured by UPN only) recognised through the member look-up."""
    server = await BotServer(make_settings(database_url, HYTE_REMINDER_POLL_SECONDS=0), clock).start()
    client = BotClient(server.url, settle=server.settle)
    board = Board(client, connector, teams, board_spec())
    await board.install(SANNA)
    sanna, maija = Person(client, connector, teams, SANNA), Person(client, connector, teams, MAIJA)
    card = await sanna.open_card("työpaja aloita")
    await sanna.press(card, "Aloita työpaja", {"ws.groups": board.channel("Ryhmä 1")})
    await maija.press(await answer_all(maija), "Lähetä vastaukset")
    card = await maija.open_card("kysely")  # after submitting, her place is the review
    await maija.press(card, "Muokkaa vastauksia")
    await maija.say("kieli suomi")  # her language, remembered
    note = await board.post(MAIJA, board.channel("Ryhmä 1"), "Ensimmäinen versio", reply_to=q(board, "Ryhmä 1", 1))
    await board.edit(MAIJA, board.channel("Ryhmä 1"), note, NOTE)
    await board.react(MAIJA, board.channel("Ryhmä 1"), note)
    await board.command(SANNA, "työpaja lopeta")
    await sanna.press(await sanna.open_card("uusi kirjaus"), "Tallenna kirjaus",  # a conclusion, finished
                      {"m.topic": "goals", "m.text": "Kirjaus", "m.evidence": ""})
    await sanna.say("viimeistele yhteenveto")
    form = await sanna.press(await sanna.open_card("aikataulu"), "Muuta päivämääriä")
    await sanna.press(form, "Tallenna aikataulu", {"t.survey_closes.date": "2024-05-20"})
    connector.add_member(member(teams, ANNA))
    await Person(client, connector, teams, ANNA).say("ohje")
    # A theme curation by Sanna, stored as the curation route stores it (its flow needs a round with
    # themes: tests/scenarios/test_curation.py drives it over HTTP).
    database = Database.connect(database_url)
    await SqlCurationRepository(database).add(DEMO_TENANT, ROUND, CurationEdit(
        "ngo_good_practices", CurationAction.HIDE, "tila", by_name="Sanna Laine", by_aad=SANNA.aad_object_id, at=NOW))
    await database.dispose()
    yield server
    await client.close()
    await server.stop()


MAIJA_HAS = {"identities": False, "conversations": True, "language": True, "survey_positions": True, "response_changes": True,
             "responses_last_updated": True, "responses_submitted": True, "workshop_notes": True,
             "workshop_note_versions": True, "workshop_reactions": True, "workshops_started_or_stopped": False,
             "teams_installed": False, "timetable_changes": False, "timetable_moves": False, "queued_replies": False,
             "reminders": True, "theme_curations": False, "meeting_conclusions": False,
             "meeting_conclusion_changes": False, "meeting_summaries_finished": False}
SANNA_HAS = {**{k: False for k in MAIJA_HAS}, "conversations": True, "workshops_started_or_stopped": True,
             "teams_installed": True, "timetable_changes": True, "timetable_moves": True, "reminders": True,
             "theme_curations": True, "meeting_conclusions": True, "meeting_conclusion_changes": True,
             "meeting_summaries_finished": True}
ANNA_HAS = {**{k: False for k in MAIJA_HAS}, "identities": True, "conversations": True, "reminders": True}


@pytest.mark.parametrize("person, has", [(MAIJA, MAIJA_HAS), (SANNA, SANNA_HAS), (ANNA, ANNA_HAS)],
                         ids=["representative", "hyte-team", "upn-only"])
async def test_export_lists_every_kind_of_row_and_erase_leaves_only_the_reminders(everything, capsys, person, has):
    server = everything
    aad = person.aad_object_id.upper()  # the operator may paste the id in any case
    exported = await run(server, capsys, "export", "--aad", aad)
    assert set(exported) == {"tenant_id", "aad_object_id", *MAIJA_HAS}
    assert {k: bool(exported[k]) for k in MAIJA_HAS} == has
    reminders = {r["reminder"] for r in exported["reminders"]}
    if person is SANNA:
        assert reminders == {"team_finish_summary", "team_summary_due", "team_results_due"}
    else:
        assert reminders == {"nonrespondents_early", "nonrespondents_last_day"}
    if person is ANNA:
        assert {r["target"] for r in exported["reminders"]} == {f"upn:{ANNA.upn}"}
    if person is MAIJA:
        assert [n["text"] for n in exported["workshop_notes"]] == [NOTE]
        assert [v["text"] for v in exported["workshop_note_versions"]] == ["Ensimmäinen versio"]

    erased = await run(server, capsys, "erase", "--aad", aad)
    assert erased["rows"]["conversations"] == 1
    after = await run(server, capsys, "export", "--aad", person.aad_object_id)
    left = {k for k in MAIJA_HAS if after[k]}
    # Reminder jobs keep their target so that none is sent twice; a UPN-only person's are found
    # through `people`, which the erasure emptied (the round file still names her: remove her there).
    assert left == (set() if person is ANNA else {"reminders"}), after
    if person is MAIJA:
        services = server.app[SERVICES]
        assert (await services.responses.get(KEY)).answers  # the organisation's answers stay
        assert [n.text for n in (await services.workshops.notes(DEMO_TENANT, ROUND))] == [NOTE]  # the group's note stays
    others = [p for p in (MAIJA, SANNA) if p is not person]
    for other in others:  # nobody else lost anything
        assert (await run(server, capsys, "export", "--aad", other.aad_object_id))["conversations"]


async def delete(server, *args: str) -> int:
    return await asyncio.to_thread(round_command, server.settings, ["delete", *args])


async def test_round_delete_removes_a_finished_round_and_refuses_a_recent_one(client, connector, teams, board, server, capsys):
    maija = Person(client, connector, teams, MAIJA)
    card = await maija.open_card("kysely")
    await maija.press(card, "Seuraava", ANSWERS["goals_measures"])
    channel = board.channel("Ryhmä 1")
    message = await board.post(MAIJA, channel, NOTE, reply_to=q(board, "Ryhmä 1", 1))
    await board.react(SANNA, channel, message)
    services = server.app[SERVICES]
    IN_USE = "--yes-delete-a-round-in-use"  # the demo round is the configured one

    # The stored data is from 2.5.2024 (the test clock): "newer than 100 years" refuses.
    assert await delete(server, "--round", ROUND, "--older-than-days", "36500", IN_USE) == 2
    assert "not deleted" in capsys.readouterr().err
    assert await services.responses.get(KEY) is not None

    assert await delete(server, "--round", ROUND, "--older-than-days", "30", IN_USE) == 0
    deleted = json.loads(capsys.readouterr().out)["rows"]
    assert deleted["responses"] == 1 and deleted["workshop_notes"] == 1 and deleted["workshop_reactions"] == 1
    assert await services.responses.get(KEY) is None
    assert await services.responses.changes(KEY) == []
    assert await notes(server) == {}
    assert await services.positions.get(DEMO_TENANT, ROUND, MAIJA.aad_object_id) is None


async def test_round_delete_of_an_unknown_round_is_an_error_and_deletes_nothing(client, connector, teams, server, capsys):
    await Person(client, connector, teams, MAIJA).press(
        await Person(client, connector, teams, MAIJA).open_card("kysely"), "Seuraava", ANSWERS["goals_measures"])
    before = await snapshot(server)
    assert await delete(server, "--round", "no-such-round", "--older-than-days", "0") == 2
    assert "Unknown round 'no-such-round'" in capsys.readouterr().err
    assert await delete(server, "--round", "no-such-round", "--older-than-days", "0", "--yes-delete-a-round-in-use") == 2
    assert await snapshot(server) == before


async def test_round_delete_refuses_the_configured_round_unless_told_loudly(client, connector, teams, server, capsys):
    maija = Person(client, connector, teams, MAIJA)
    await maija.press(await maija.open_card("kysely"), "Seuraava", ANSWERS["goals_measures"])
    before = await snapshot(server)
    assert await delete(server, "--round", ROUND, "--older-than-days", "0") == 2
    error = capsys.readouterr().err
    assert "it is its county's current round" in error and "--yes-delete-a-round-in-use" in error
    assert await snapshot(server) == before
    assert await delete(server, "--round", ROUND, "--older-than-days", "0", "--yes-delete-a-round-in-use") == 0
    assert await server.app[SERVICES].responses.get(KEY) is None


async def test_round_delete_refuses_a_round_whose_timetable_has_not_ended(sqlite_url, clock, tmp_path, capsys):
    """A round no longer configured (the next one is), whose reminders are still to be sent: its
    dates count from the real today, and the command runs on the real clock."""
    running = BotServer(make_settings(sqlite_url, HYTE_TODAY=SystemClock().now().date(),
                                      HYTE_REMINDER_POLL_SECONDS=0), clock)
    await running.start()
    await running.stop()
    other = tmp_path / "next"
    other.mkdir()
    round_file = write_round(other)
    data = yaml.safe_load(round_file.read_text(encoding="utf-8"))
    round_file.write_text(yaml.safe_dump({**data, "id": "seuraava-kierros"}, allow_unicode=True), encoding="utf-8")
    settings = make_settings(sqlite_url, round_file)
    before = await snapshot(running)
    assert before["reminder_jobs"]
    assert await asyncio.to_thread(round_command, settings, ["delete", "--round", ROUND, "--older-than-days", "0"]) == 2
    assert "its timetable has not ended" in capsys.readouterr().err
    assert await snapshot(running) == before
    assert await asyncio.to_thread(round_command, settings, ["delete", "--round", ROUND, "--older-than-days", "0",
                                                             "--yes-delete-a-round-in-use"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"]["reminder_jobs"] == len(before["reminder_jobs"])
