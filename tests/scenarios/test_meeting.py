"""The negotiation meeting played over HTTP: notes in the groups' channels, points raised with a
heart, the joint-discussion card in General updated in place, two HYTE members writing conclusions
at once, evidence linked, version 1 finished and the board told, an edit to version 2; the Word
summary read back and its references checked against the stored answers and notes; the plan
entries; a representative who sees the conclusions but cannot change them."""

from __future__ import annotations

import asyncio
import io
from urllib.parse import urlsplit

import aiohttp
import pytest
import yaml

from app import SERVICES
from cards.catalogue import t
from conftest import DEMO_ROUND, DEMO_TENANT, LIISA, MAIJA, NOW, SANNA, make_settings
from hyte.responses import Actor, Change, ChangeAction, ResponseKey
from loopback.channel import Board, _base, board_spec, cards_of
from loopback.person import Person, actions, inputs, texts
from loopback.server import BotServer
from loopback.teams import TeamsUser

ROUND = "pohjois-savo-demo"
HEIKKI = TeamsUser("00000000-0000-0000-0000-0000000000b2", "Heikki Koskinen", upn="heikki.koskinen@example.fi")
GROUPS = ("Ryhmä 1", "Ryhmä 2")
ANSWERS = {
    "kuopio": {"roles_clear": "no", "goals_progress": "need_more_effort",
               "hyte_effectiveness": "Yhteiset järjestöfoorumit ja selkeä työnjako"},
    "iisalmi": {"roles_clear": "no", "goals_progress": "very_well",
                "hyte_effectiveness": "Järjestöfoorumit säännöllisesti"},
    "savonia": {"roles_clear": "yes", "goals_progress": "need_more_effort"},
}


@pytest.fixture
def round_file(tmp_path):
    """The demo round with a second HYTE member known by Entra id."""
    data = yaml.safe_load(DEMO_ROUND.read_text(encoding="utf-8"))
    for name in ("survey_file",):
        data[name] = str(DEMO_ROUND.parent / data[name])
    data["workshop_file"] = str(DEMO_ROUND.parent / "workshop.yaml")
    data["thesaurus_file"] = str(DEMO_ROUND.parent / "thesaurus.yaml")
    for member in data["hyte_team"]:
        if member["name"] == "Heikki Koskinen":
            member["aad_object_id"] = HEIKKI.aad_object_id
    path = tmp_path / "round.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
async def server(sqlite_url, clock, round_file):
    bot = BotServer(make_settings(sqlite_url, round_file=round_file), clock)
    await bot.start()
    yield bot
    await bot.stop()


@pytest.fixture
def heikki(client, connector, teams) -> Person:
    return Person(client, connector, teams, HEIKKI)


@pytest.fixture
async def board(client, connector, teams, sanna: Person, server) -> Board:
    """The board's team, the workshop running in two groups, three organisations' answers submitted."""
    board = Board(client, connector, teams, board_spec())
    await board.install(SANNA)
    card = await sanna.open_card("työpaja aloita")
    await sanna.press(card, "Aloita työpaja", {"ws.groups": ",".join(board.channel(g) for g in GROUPS)})
    responses = server.app[SERVICES].responses
    actor = Actor("00000000-0000-0000-0000-0000000000ff", "Testaaja")
    for organisation, answers in ANSWERS.items():
        key = ResponseKey(DEMO_TENANT, ROUND, organisation)
        await responses.apply(key, Change(answers, 0, ChangeAction.SAVE, tuple(answers)), actor, NOW)
        await responses.apply(key, Change(answers, 1, ChangeAction.SUBMIT, ()), actor, NOW)
    return board


def q(board: Board, group: str, number: int) -> str:
    return board.question_posts(board.channel(group))[number]


def updates_of(connector, board: Board, message_id: str) -> list[dict]:
    return cards_of(connector.updates(f"{board.general};messageid={message_id}"))


def general_posts(board: Board) -> list[dict]:
    return board.posts(board.general)


async def channel_press(board: Board, user: TeamsUser, post_id: str, card: dict, title: str,
                        fill: dict | None = None, thread: str | None = None) -> dict:
    """Press a button of a card the bot posted in General (an invoke from the channel; `thread`: the
    post the card is a reply under)."""
    action = actions(card)[title]
    data = dict(action["data"])
    if action.get("associatedInputs") != "none":
        data |= {k: v for k, v in inputs(card).items() if v is not None} | (fill or {})
    activity = _base(board.env, user, board.team, board.general, "invoke",
                     f"{board.general};messageid={thread or post_id}")
    activity |= {"name": "adaptiveCard/action", "replyToId": post_id,
                 "value": {"action": {"type": "Action.Execute", "verb": action["verb"], "data": data},
                           "trigger": "manual"}}
    status, body = await board.client.post(activity)
    assert status == 200 and body["statusCode"] == 200, body
    return body["value"]


async def press_for(person: Person, card: dict, conclusion: str, title: str) -> dict:
    """Press a conclusion's own button (edit, up, down, delete): the one in the row under its text."""
    last = ""
    for element in card["body"]:
        if element.get("type") == "RichTextBlock":
            last += "".join(i.get("text", "") for i in element["inlines"]) + "\n"
        if element.get("type") == "ActionSet":
            if conclusion in last:
                action = next(a for a in element["actions"] if a["title"] == title)
                return await person.invoke(action["verb"], action["data"])
            last = ""
    raise AssertionError(f"no {title!r} under {conclusion!r}")


def choice_values(card: dict, input_id: str) -> dict[str, str]:
    element = next(e for e in card["body"] if e.get("id") == input_id)
    return {c["value"]: c["title"] for c in element["choices"]}


async def download(server, url: str) -> bytes:
    async with aiohttp.ClientSession() as session:
        async with session.get(server.url.rstrip("/") + urlsplit(url).path) as response:
            assert response.status == 200, response.status
            return await response.read()


def link(card: dict, title_start: str) -> str:
    return next(a["url"] for a in card["actions"] if a["title"].startswith(title_start))


def paragraphs(data: bytes) -> list[str]:
    from docx import Document

    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


async def test_the_meeting_day_from_raised_points_to_version_two(
    board: Board, sanna: Person, heikki: Person, maija: Person, connector, server,
):
    # The groups write notes; Ryhmä 1 raises one with a heart, a HYTE member's heart is a highlight.
    roles = await board.post(MAIJA, board.channel("Ryhmä 1"), "Roolit kirjataan yhdyspintasopimukseen",
                             reply_to=q(board, "Ryhmä 1", 1))
    await board.post(MAIJA, board.channel("Ryhmä 1"), "Kahvitauko ensin", reply_to=q(board, "Ryhmä 1", 1))
    meetings = await board.post(LIISA, board.channel("Ryhmä 2"), "Yhteiset palaverit kunnan kanssa",
                                reply_to=q(board, "Ryhmä 2", 1))

    # A HYTE member posts the joint-discussion card in General.
    (answer,) = await board.command(SANNA, "yhteinen keskustelu")
    assert "Julkaisin yhteisen keskustelun kortin" in answer["text"]
    joint_post = general_posts(board)[-1]
    joint = cards_of([joint_post])[0]
    assert "Yhteinen keskustelu: ryhmien nostot" in texts(joint) and "Ei vielä nostoja" in texts(joint)

    await board.react(MAIJA, board.channel("Ryhmä 1"), roles, added=["heart"])
    updated = updates_of(connector, board, joint_post["id"])
    assert updated and "Roolit kirjataan yhdyspintasopimukseen" in texts(updated[-1])
    assert "Ryhmä 1" in texts(updated[-1]) and "Kahvitauko" not in texts(updated[-1])
    await board.react(LIISA, board.channel("Ryhmä 2"), meetings, added=["heart"])
    latest = texts(updates_of(connector, board, joint_post["id"])[-1])
    assert "Yhteiset palaverit kunnan kanssa" in latest and "Ryhmä 2" in latest

    # The conclusions card in General, kept up to date in place.
    (answer,) = await board.command(SANNA, "kirjaukset")
    assert "Julkaisin kirjausten kortin" in answer["text"]
    conclusions_post = general_posts(board)[-1]

    # Sanna writes a conclusion in 1:1, linking a raised point and a survey distribution.
    card = await sanna.open_card("uusi kirjaus")
    offered = choice_values(card, "m.evidence")
    note_ref = f"wn:{board.channel('Ryhmä 1')}|{roles}"
    assert note_ref in offered and "sq:roles_clear" in offered and "sq:goals_progress" in offered
    assert f"wn:{board.channel('Ryhmä 2')}|{meetings}" in offered
    assert "Kahvitauko" not in " ".join(offered.values())  # neither raised nor highlighted
    first_text = "HYTE-roolit ja vastuut kirjataan yhdyspintasopimukseen."
    card = await sanna.press(card, "Tallenna kirjaus", {
        "m.topic": "cooperation", "m.text": first_text, "m.evidence": f"{note_ref},sq:roles_clear",
    })
    assert first_text in texts(card) and "Yhteistyö" in texts(card)
    in_general = updates_of(connector, board, conclusions_post["id"])
    assert in_general and first_text in texts(in_general[-1])
    await sanna.press(await sanna.open_card("uusi kirjaus"), "Tallenna kirjaus", {
        "m.topic": "goals", "m.text": "Tavoitteiden etenemistä tehostetaan.", "m.evidence": "sq:goals_progress",
    })

    # Two HYTE members edit the same conclusion at once: nobody's words are lost.
    sanna_card = await sanna.open_card("kirjaukset")
    heikki_card = await heikki.open_card("kirjaukset")
    sanna_edit = await press_for(sanna, sanna_card, first_text, "Muokkaa")
    heikki_edit = await press_for(heikki, heikki_card, first_text, "Muokkaa")
    assert inputs(sanna_edit)["m.text"] == first_text and inputs(sanna_edit)["m.topic"] == "cooperation"
    assert set(inputs(sanna_edit)["m.evidence"].split(",")) == {note_ref, "sq:roles_clear"}
    heikki_text = inputs(heikki_edit)["m.text"] + " Heikin lisäys."
    sanna_text = inputs(sanna_edit)["m.text"] + " Sannan lisäys."
    await heikki.press(heikki_edit, "Tallenna kirjaus", {"m.text": heikki_text})
    conflict = await sanna.press(sanna_edit, "Tallenna kirjaus", {"m.text": sanna_text})
    assert "Heikki Koskinen muutti tätä kirjausta sillä välin" in texts(conflict)
    assert heikki_text in texts(conflict) and inputs(conflict)["m.text"] == sanna_text
    merged = sanna_text + " Heikin lisäys."
    saved = await sanna.press(conflict, "Tallenna kirjaus", {"m.text": merged})
    assert merged in texts(saved)
    meeting = server.app[SERVICES].exports._meeting.meetings
    history = await meeting.history(DEMO_TENANT, ROUND)
    assert [h.by for h in history if h.kind.value == "edited"] == ["Heikki Koskinen", "Sanna Laine"]

    # Reorder: the topics keep their own order; deletion keeps the history.
    extra = await sanna.press(await sanna.open_card("uusi kirjaus"), "Tallenna kirjaus",
                              {"m.topic": "cooperation", "m.text": "Poistettava kirjaus.", "m.evidence": ""})
    card = await press_for(sanna, extra, "Poistettava kirjaus.", "Ylös")
    stored = [c for c in await meeting.conclusions(DEMO_TENANT, ROUND) if c.topic.value == "cooperation"]
    assert [c.text for c in sorted(stored, key=lambda c: c.position)][0] == "Poistettava kirjaus."
    assert texts(card).index("Poistettava kirjaus.") < texts(card).index("HYTE-roolit ja vastuut")
    deleted = await press_for(sanna, card, "Poistettava kirjaus.", "Poista")
    assert "Kirjaus poistettu" in texts(deleted) and "Poistettava kirjaus." not in texts(deleted)

    # A representative sees the conclusions but cannot change them.
    seen = await maija.open_card("kirjaukset")
    assert first_text.split(".")[0] in texts(seen) and actions(seen) == {}
    conclusion = (await meeting.conclusions(DEMO_TENANT, ROUND))[0]
    for verb, data in (
        ("meeting.save", {"id": conclusion.id, "v": conclusion.version, "m.text": "Maijan muutos", "m.topic": "goals"}),
        ("meeting.delete", {"id": conclusion.id, "v": conclusion.version}),
        ("meeting.finish", {}),
    ):
        refused = await maija.invoke(verb, {"verb": verb, "r": ROUND, **data})
        assert "vain HYTE-tiimin" in texts(refused)
    general_card = cards_of([conclusions_post])[0]
    refused = await channel_press(board, MAIJA, conclusions_post["id"], general_card, "Uusi kirjaus")
    assert "vain HYTE-tiimin" in texts(refused)
    assert (await meeting.conclusions(DEMO_TENANT, ROUND))[0] == conclusion
    assert await meeting.versions(DEMO_TENANT, ROUND) == []

    # "Viimeistele yhteenveto" freezes version 1; the board is told in General.
    before = len(general_posts(board))
    finished = await sanna.press(await sanna.open_card("kirjaukset"), "Viimeistele yhteenveto")
    assert "Viimeistelty versio 1: Sanna Laine" in texts(finished)
    notice = cards_of(general_posts(board)[before:])
    assert any("Neuvottelujen yhteenveto on valmis" in texts(c) and "versio 1" in texts(c) for c in notice)
    links_card = cards_of(sanna.connector.sent(sanna.conversation_id))[-1]
    summary = await download(server, link(links_card, "Yhteenveto aluehallitukselle"))
    text = paragraphs(summary)
    assert "Yhteenveto HYTE-neuvotteluista 2024" in text and "Yhteenveto lyhyesti" in text
    assert any("versio 1" in p and "Sanna Laine" in p for p in text)

    # Editing again and finishing makes version 2; unchanged, nothing more is made.
    conclusion = next(c for c in await meeting.conclusions(DEMO_TENANT, ROUND) if c.topic.value == "goals")
    edit = await sanna.invoke("meeting.write", {"verb": "meeting.write", "r": ROUND, "id": conclusion.id,
                                                "v": conclusion.version})
    await sanna.press(edit, "Tallenna kirjaus", {"m.text": "Tavoitteiden etenemistä tehostetaan kunnissa."})
    (reply,) = cards_of(await sanna.say("viimeistele yhteenveto"))
    assert "versio 2" in texts(reply)
    (again,) = await sanna.say("viimeistele yhteenveto")
    assert "samat kuin versiossa 2" in again["text"]
    versions = await meeting.versions(DEMO_TENANT, ROUND)
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].conclusions != versions[1].conclusions


async def test_the_summarys_references_resolve_to_the_stored_answers_and_notes(
    board: Board, sanna: Person, connector, server,
):
    raised = await board.post(MAIJA, board.channel("Ryhmä 1"), "Vastuuhenkilöt nimetään kuntiin",
                              reply_to=q(board, "Ryhmä 1", 1))
    await board.react(MAIJA, board.channel("Ryhmä 1"), raised, added=["heart"])
    note_ref = f"wn:{board.channel('Ryhmä 1')}|{raised}"
    card = await sanna.open_card("uusi kirjaus")
    await sanna.press(card, "Tallenna kirjaus", {"m.topic": "cooperation", "m.text": "Roolit selkeytetään.",
                                                 "m.evidence": f"sq:roles_clear,{note_ref}"})
    card = await sanna.open_card("uusi kirjaus")
    await sanna.press(card, "Tallenna kirjaus", {"m.topic": "monitoring", "m.text": "Seurataan vuosittain.",
                                                 "m.evidence": "sq:roles_clear"})
    (finished,) = cards_of(await sanna.say("viimeistele yhteenveto"))
    text = paragraphs(await download(server, link(finished, "Yhteenveto aluehallitukselle")))

    first = next(p for p in text if p.startswith("Roolit selkeytetään."))
    assert first.endswith("[1][2]")
    assert next(p for p in text if p.startswith("Seurataan vuosittain.")).endswith("[1]")  # the same source, the same number
    references = {p.split("]")[0] + "]": p for p in text if p.startswith("[")}
    question = server.app[SERVICES].round.survey.question("roles_clear")
    assert question.text in references["[1]"] and "Vastanneita organisaatioita 3 (kyselyyn vastanneita 3)" in references["[1]"]
    # the stored answers: which organisations answered "Ei", which "Kyllä"
    stored = {r.key.organisation_id: r.submitted_answers for r in
              await server.app[SERVICES].responses.list_for_round(DEMO_TENANT, ROUND)}
    names = {o.id: o.name for o in server.app[SERVICES].round.config.organisations}
    no = sorted(names[o] for o, a in stored.items() if a.get("roles_clear") == "no")
    assert any(p.startswith(f"Ei: {len(no)} (") and all(n in p for n in no) for p in text)
    assert any(p.startswith("Kyllä: 1 (Savonia-ammattikorkeakoulu)") for p in text)
    note = await server.app[SERVICES].workshops.note(DEMO_TENANT, board.channel("Ryhmä 1"), raised)
    assert note.text in references["[2]"] and "Ryhmä 1" in references["[2]"] and "ryhmän nosto" in references["[2]"]
    assert "Päätösehdotus: HYTE-neuvottelujen tulokset" in text
    assert any(p.startswith("Aluehallitus merkitsee tiedoksi HYTE-neuvottelujen 2024 tulokset (yhteenveto, versio 1)")
               for p in text)
    assert any("Pohjois-Savon hyvinvointialue neuvotteli 22.5.2024" in p for p in text)

    # The plan entries: per topic the conclusion, its evidence in one line, three empty columns.
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(await download(server, link(finished, "Kirjausluonnokset suunnitelmaan (Excel)")))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Aihe", "Kirjaus", "Perustuu", "Toimenpide", "Vastuutaho", "Mittari"]
    assert rows[1][:2] == ["Yhteistyö", "Roolit selkeytetään."] and rows[1][3:] == [None, None, None]
    assert "Kysely:" in rows[1][2] and "Ryhmä 1: Vastuuhenkilöt nimetään kuntiin" in rows[1][2]
    assert rows[2][:2] == ["Seuranta", "Seurataan vuosittain."]
    from docx import Document

    table = Document(io.BytesIO(await download(server, link(finished, "Kirjausluonnokset suunnitelmaan (Word)")))).tables[0]
    assert [c.text for c in table.rows[1].cells][:2] == ["Yhteistyö", "Roolit selkeytetään."]
    assert [c.text for c in table.rows[1].cells][3:] == ["", "", ""]


async def test_a_forged_or_stale_evidence_choice_is_refused_and_nothing_is_stored(board: Board, sanna: Person, server):
    card = await sanna.open_card("uusi kirjaus")
    refused = await sanna.press(card, "Tallenna kirjaus", {"m.topic": "goals", "m.text": "Kirjaus",
                                                          "m.evidence": "wn:19:elsewhere@thread.tacv2|1"})
    assert "Kortin tiedot eivät vastaa" in texts(refused)
    empty = await sanna.press(card, "Tallenna kirjaus", {"m.topic": "goals", "m.text": "  "})
    assert "Kirjoita kirjauksen teksti" in texts(empty)
    forged = await sanna.invoke("meeting.save", {"verb": "meeting.save", "r": ROUND, "m.topic": "politics",
                                                 "m.text": "x"})
    assert "Kortin tiedot eivät vastaa" in texts(forged)
    broken = await sanna.invoke("meeting.move", {"verb": "meeting.move", "r": ROUND, "id": 1, "v": 1, "step": 5})
    assert "En pystynyt lukemaan kortin tietoja" in texts(broken)
    meeting = server.app[SERVICES].exports._meeting.meetings
    assert await meeting.conclusions(DEMO_TENANT, ROUND) == []
    (nothing,) = await sanna.say("viimeistele yhteenveto")
    assert nothing["text"] == t("meeting.no_conclusions") and await meeting.versions(DEMO_TENANT, ROUND) == []


async def test_two_saves_at_the_same_moment_keep_both_texts(board: Board, sanna: Person, heikki: Person, server):
    card = await sanna.open_card("uusi kirjaus")
    await sanna.press(card, "Tallenna kirjaus", {"m.topic": "measures", "m.text": "Alku.", "m.evidence": ""})
    sanna_edit = await sanna.press(await sanna.open_card("kirjaukset"), "Muokkaa")
    heikki_edit = await heikki.press(await heikki.open_card("kirjaukset"), "Muokkaa")
    results = await asyncio.gather(
        sanna.press(sanna_edit, "Tallenna kirjaus", {"m.text": "Sannan versio."}),
        heikki.press(heikki_edit, "Tallenna kirjaus", {"m.text": "Heikin versio."}),
    )
    conflicts = [r for r in results if "muutti tätä kirjausta sillä välin" in texts(r)]
    assert len(conflicts) == 1
    kept = inputs(conflicts[0])["m.text"]
    stored = (await server.app[SERVICES].exports._meeting.meetings.conclusions(DEMO_TENANT, ROUND))[0]
    assert {kept, stored.text} == {"Sannan versio.", "Heikin versio."}


async def test_written_from_the_board_card_in_general_the_card_stays_and_follows(board: Board, sanna: Person, connector, server):
    (answer,) = await board.command(SANNA, "kirjaukset")
    post = general_posts(board)[-1]
    general_card = cards_of([post])[0]
    thread = f"{board.general};messageid={post['id']}"
    before = len(connector.sent(thread))
    kept = await channel_press(board, SANNA, post["id"], general_card, "Uusi kirjaus")
    assert "Kirjaukset yhteenvetoon 2024" in texts(kept) and "Uusi kirjaus" in actions(kept)  # the board's card stays
    (reply,) = connector.sent(thread)[before:]
    write = cards_of([reply])[0]
    assert "m.text" in inputs(write)
    saved = await channel_press(board, SANNA, reply["id"], write, "Tallenna kirjaus",
                                {"m.topic": "measures", "m.text": "Kirjattu yhteisesti.", "m.evidence": "sq:roles_clear"},
                                thread=post["id"])
    assert "Kirjaus tallennettu" in texts(saved) and "Kirjattu yhteisesti." in texts(saved)
    assert "Kirjattu yhteisesti." in texts(updates_of(connector, board, post["id"])[-1])


async def test_a_raised_note_deleted_or_edited_in_teams_leaves_or_changes_the_joint_card(board: Board, connector):
    note = await board.post(MAIJA, board.channel("Ryhmä 1"), "Nostettava ajatus", reply_to=q(board, "Ryhmä 1", 2))
    await board.command(SANNA, "yhteinen keskustelu")
    post = general_posts(board)[-1]
    await board.react(MAIJA, board.channel("Ryhmä 1"), note, added=["heart"])
    assert "Nostettava ajatus" in texts(updates_of(connector, board, post["id"])[-1])
    await board.edit(MAIJA, board.channel("Ryhmä 1"), note, "Tarkennettu ajatus", reply_to=q(board, "Ryhmä 1", 2))
    assert "Tarkennettu ajatus" in texts(updates_of(connector, board, post["id"])[-1])
    await board.delete(MAIJA, board.channel("Ryhmä 1"), note, reply_to=q(board, "Ryhmä 1", 2))
    assert "Tarkennettu ajatus" not in texts(updates_of(connector, board, post["id"])[-1])
    await board.react(MAIJA, board.channel("Ryhmä 1"), note, removed=["heart"])
    count = len(updates_of(connector, board, post["id"]))
    other = await board.post(MAIJA, board.channel("Ryhmä 1"), "Ei nostettu", reply_to=q(board, "Ryhmä 1", 2))
    await board.edit(MAIJA, board.channel("Ryhmä 1"), other, "Ei nostettu, muokattu", reply_to=q(board, "Ryhmä 1", 2))
    assert len(updates_of(connector, board, post["id"])) == count  # a note nobody raised changes nothing there
