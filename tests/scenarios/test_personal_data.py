"""`python app.py person export|erase`: everything stored about one person, and erasing it while
the organisation's answers and the groups' notes stay."""

from __future__ import annotations

import asyncio
import json

from app import SERVICES, person_command, round_command
from auxil.person import Person
from conftest import DEMO_TENANT, MAIJA, SANNA
from hyte.responses import ResponseKey
from auxil.survey import ANSWERS
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
    assert all(after[k] == [] for k in after if k not in {"tenant_id", "aad_object_id"}), after
    services = server.app[SERVICES]
    response = await services.responses.get(KEY)
    assert response.answers  # the organisation's answers stay
    assert response.updated_by is None
    assert all(c["by"] is None and c["by_name"] is None for c in await services.responses.changes(KEY))
    note = (await notes(server))[message]
    assert note.text == NOTE and note.author_aad is None and note.author_name is None
    # Someone else is untouched.
    assert (await run(server, capsys, "export", "--aad", SANNA.aad_object_id))["conversations"]


async def test_round_delete_removes_a_finished_round_and_refuses_a_recent_one(client, connector, teams, board, server, capsys):
    maija = Person(client, connector, teams, MAIJA)
    card = await maija.open_card("kysely")
    await maija.press(card, "Seuraava", ANSWERS["goals_measures"])
    channel = board.channel("Ryhmä 1")
    message = await board.post(MAIJA, channel, NOTE, reply_to=q(board, "Ryhmä 1", 1))
    await board.react(SANNA, channel, message)
    services = server.app[SERVICES]

    # The stored data is from 2.5.2024 (the test clock): "newer than 100 years" refuses.
    assert await asyncio.to_thread(round_command, server.settings, ["delete", "--round", ROUND, "--older-than-days", "36500"]) == 2
    assert "not deleted" in capsys.readouterr().err
    assert await services.responses.get(KEY) is not None

    assert await asyncio.to_thread(round_command, server.settings, ["delete", "--round", ROUND, "--older-than-days", "30"]) == 0
    deleted = json.loads(capsys.readouterr().out)["rows"]
    assert deleted["responses"] == 1 and deleted["workshop_notes"] == 1 and deleted["workshop_reactions"] == 1
    assert await services.responses.get(KEY) is None
    assert await services.responses.changes(KEY) == []
    assert await notes(server) == {}
    assert await services.positions.get(DEMO_TENANT, ROUND, MAIJA.aad_object_id) is None
