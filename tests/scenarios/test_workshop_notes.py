"""Breakout groups write notes in their channels; the bot stores, follows and consolidates them.
Over HTTP with Teams-shaped channel activities (";messageid=" conversations, replyToId, HTML with
<at> mentions, editMessage/softDeleteMessage, reactions) and the connector stand-in."""

from __future__ import annotations

import asyncio
import json
import random

import pytest

from app import SERVICES
from auxil.cards import markdown_texts
from loopback.channel import Board, board_spec, cards_of, channel_message
from loopback.person import Person, texts
from conftest import DEMO_TENANT, LIISA, MAIJA, MATTI, OLLI, SANNA

ROUND = "pohjois-savo-demo"
GROUPS = ("Ryhmä 1", "Ryhmä 2", "Group 3")


@pytest.fixture
async def board(client, connector, teams) -> Board:
    """The board's team with the workshop running in three group channels."""
    board = Board(client, connector, teams, board_spec())
    await board.install(SANNA)
    sanna = Person(client, connector, teams, SANNA)
    card = await sanna.open_card("työpaja aloita")
    await sanna.press(card, "Aloita työpaja", {"ws.groups": ",".join(board.channel(g) for g in GROUPS)})
    return board


def repo(server):
    return server.app[SERVICES].workshops


async def notes(server) -> dict[str, object]:
    return {n.message_id: n for n in await repo(server).notes(DEMO_TENANT, ROUND)}


def q(board: Board, group: str, number: int) -> str:
    return board.question_posts(board.channel(group))[number]


async def summary(board: Board, channel: str | None = None) -> str:
    replies = await board.command(SANNA, "yhteenveto työpaja", channel)
    cards = cards_of(replies)
    assert cards, replies
    return "\n".join(texts(c) for c in cards)


async def test_a_reply_under_a_question_post_is_a_note_for_that_question(board: Board, server):
    message = await board.post(MAIJA, board.channel("Ryhmä 1"), "<p>Roolit &amp; vastuut <b>yhdyspintasopimukseen</b></p>",
                               reply_to=q(board, "Ryhmä 1", 1))
    note = (await notes(server))[message]
    assert (note.question_id, note.assignment.value, note.late) == ("roles_and_responsibilities", "thread", False)
    assert note.text == "Roolit & vastuut yhdyspintasopimukseen"
    assert (note.author_aad, note.author_name) == (MAIJA.aad_object_id, MAIJA.name)
    assert note.channel_id == board.channel("Ryhmä 1")


async def test_a_top_level_note_names_its_question_or_is_unassigned(board: Board, server):
    channel = board.channel("Ryhmä 2")
    ids = {
        "prefix_dot": await board.post(LIISA, channel, "2. Yhteiset palaverit kunnan kanssa"),
        "paren": await board.post(LIISA, channel, "3) Seudullinen järjestöfoorumi"),
        "hash": await board.post(LIISA, channel, "#1 Vastuuhenkilöt nimetään"),
        "kysymys": await board.post(LIISA, channel, "Kysymys 2: Yhdyspintasopimus käytäntöön"),
        "k": await board.post(LIISA, channel, "K3 Järjestöneuvoston viestintä"),
        "none": await board.post(LIISA, channel, "Muistakaa tauko"),
        "date": await board.post(LIISA, channel, "1.5.2024 sovittiin tapaaminen"),
    }
    stored = await notes(server)
    assert {k: stored[v].question_id for k, v in ids.items()} == {
        "prefix_dot": "interface_work", "paren": "ngo_cooperation_structures", "hash": "roles_and_responsibilities",
        "kysymys": "interface_work", "k": "ngo_cooperation_structures", "none": None, "date": None,
    }


async def test_a_note_that_mentions_the_bot_is_a_note_without_the_mention_and_gets_no_answer(board: Board, server, connector):
    activity = channel_message(board.env, MATTI, board.team, board.channel("Group 3"), "1. Yhteinen <i>tavoite</i>",
                               mention_bot=True)
    conversation = activity["conversation"]["id"]
    await board.send(activity)
    note = (await notes(server))[activity["id"]]
    assert (note.text, note.question_id) == ("1. Yhteinen tavoite", "roles_and_responsibilities")
    assert connector.sent(conversation) == []


async def test_a_reply_under_a_note_takes_the_notes_question(board: Board, server):
    channel = board.channel("Ryhmä 1")
    root = await board.post(MAIJA, channel, "3. Järjestöfoorumi kuntiin")
    reply = await board.post(MATTI, channel, "Ja yhteiset tapahtumat", reply_to=root)
    assert (await notes(server))[reply].question_id == "ngo_cooperation_structures"


async def test_the_same_message_delivered_twice_is_stored_once_even_at_the_same_moment(board: Board, server):
    activity = channel_message(board.env, MAIJA, board.team, board.channel("Ryhmä 1"), "Kaksi kertaa tullut",
                               reply_to=q(board, "Ryhmä 1", 2))
    await board.send(activity)
    await board.send(activity)
    burst = channel_message(board.env, LIISA, board.team, board.channel("Ryhmä 2"), "Samaan aikaan",
                            reply_to=q(board, "Ryhmä 2", 2))
    await asyncio.gather(*(board.send(burst) for _ in range(8)))
    all_notes = await repo(server).notes(DEMO_TENANT, ROUND)
    assert [n.message_id for n in all_notes].count(activity["id"]) == 1
    assert [n.message_id for n in all_notes].count(burst["id"]) == 1


async def test_an_edit_replaces_the_text_and_keeps_its_history(board: Board, server):
    channel = board.channel("Ryhmä 1")
    message = await board.post(MAIJA, channel, "Alkuperäinen ajatus")
    assert (await notes(server))[message].question_id is None
    await board.edit(MAIJA, channel, message, "<p>2. Korjattu ajatus</p>")
    note = (await notes(server))[message]
    assert (note.text, note.question_id, note.version) == ("2. Korjattu ajatus", "interface_work", 2)
    assert await repo(server).history(DEMO_TENANT, channel, message) == ["Alkuperäinen ajatus"]

    reply = await board.post(MAIJA, channel, "Vastaus kysymykseen", reply_to=q(board, "Ryhmä 1", 3))
    await board.edit(MAIJA, channel, reply, "3. ei vaihda kysymystä ketjussa", reply_to=q(board, "Ryhmä 1", 3))
    assert (await notes(server))[reply].question_id == "ngo_cooperation_structures"
    assert "Korjattu ajatus" in await summary(board) and "Alkuperäinen" not in await summary(board)


async def test_a_deleted_note_leaves_every_summary(board: Board, server):
    channel = board.channel("Ryhmä 2")
    kept = await board.post(LIISA, channel, "Tämä jää", reply_to=q(board, "Ryhmä 2", 1))
    gone = await board.post(LIISA, channel, "Tämä poistetaan", reply_to=q(board, "Ryhmä 2", 1))
    await board.delete(LIISA, channel, gone, reply_to=q(board, "Ryhmä 2", 1))
    stored = await notes(server)
    assert stored[gone].deleted and not stored[kept].deleted
    shown = await summary(board)
    assert "Tämä jää" in shown and "Tämä poistetaan" not in shown


async def test_reactions_are_counted_and_the_hyte_teams_mark_highlights_first(board: Board, server):
    channel = board.channel("Ryhmä 1")
    plain_note = await board.post(MAIJA, channel, "Tavallinen kohta", reply_to=q(board, "Ryhmä 1", 1))
    liked = await board.post(MAIJA, channel, "Toinen kohta", reply_to=q(board, "Ryhmä 1", 1))
    starred = await board.post(MAIJA, channel, "Nostettava kohta", reply_to=q(board, "Ryhmä 1", 1))
    await board.react(MATTI, channel, liked, added=("like", "heart"))
    await board.react(LIISA, channel, liked, added=("like",))
    await board.react(LIISA, channel, liked, added=(), removed=("like",))
    await board.react(SANNA, channel, starred, added=("like",))
    await board.react(SANNA, channel, starred, added=("like",))  # delivered twice
    stored = await notes(server)
    assert (stored[liked].reactions, stored[liked].highlight) == (2, False)
    assert (stored[starred].reactions, stored[starred].highlight) == (1, True)
    assert (stored[plain_note].reactions, stored[plain_note].highlight) == (0, False)

    shown = await summary(board)
    assert shown.index("Nostot yhteiseen keskusteluun") < shown.index("Ryhmä 1: Nostettava kohta")
    points = shown[shown.index("Ryhmien kohdat"):]
    assert points.index("Nostettava kohta") < points.index("Toinen kohta") < points.index("Tavallinen kohta")
    assert "reaktioita 2" in shown


async def test_what_is_not_a_note(board: Board, server, connector, teams):
    await board.post(MAIJA, board.channel("Muut asiat"), "1. Ei ryhmän kanava")
    await board.post(MAIJA, board.general, "2. Yleinen kanava")
    own = channel_message(teams, MAIJA, board.team, board.channel("Ryhmä 1"), "Botin oma viesti")
    own["from"] = {"id": teams.bot_id, "name": teams.bot_name}
    await board.send(own)
    assert await notes(server) == {}
    assert connector.sent(board.channel("Muut asiat")) == []


async def test_after_stop_a_note_is_kept_marked_late_and_shown_apart(board: Board, server, connector):
    channel = board.channel("Group 3")
    on_time = await board.post(OLLI, channel, "Ajoissa", reply_to=q(board, "Group 3", 2))
    replies = await board.command(SANNA, "työpaja lopeta")
    assert "Työpaja on päättynyt" in texts(cards_of(replies)[0])
    late = await board.post(OLLI, channel, "Myöhässä", reply_to=q(board, "Group 3", 2))
    stored = await notes(server)
    assert not stored[on_time].late and stored[late].late
    assert (await repo(server).get(DEMO_TENANT, ROUND)).status.value == "stopped"

    shown = await summary(board)
    late_part = shown[shown.index("Myöhästyneet muistiinpanot"):]
    assert "K2: Myöhässä" in late_part and "Ajoissa" not in late_part
    assert "Ryhmiä 3, muistiinpanoja 1, myöhästyneitä 1." in shown

    (again,) = await board.command(SANNA, "työpaja lopeta")
    assert again["text"] == "Työpaja ei ole käynnissä."
    (refused,) = await board.command(MAIJA, "työpaja lopeta")
    assert refused["text"] == "Tämä toiminto on vain HYTE-tiimin käytössä."


async def test_stop_from_a_chat_is_announced_in_general(board: Board, client, connector, teams):
    sanna = Person(client, connector, teams, SANNA)
    before = len(board.posts(board.general))
    card = await sanna.open_card("työpaja lopeta")
    assert "Työpaja on päättynyt" in texts(card)
    announced = cards_of(board.posts(board.general)[before:])
    assert len(announced) == 1 and "Työpaja on päättynyt" in texts(announced[0])


async def test_the_summary_per_question_per_group_with_themes_merged_points_and_unassigned(board: Board, connector):
    r1, r2, g3 = (board.channel(g) for g in GROUPS)
    await board.post(MAIJA, r1, "Alueellinen järjestöfoorumi useamman kunnan alueelle", reply_to=q(board, "Ryhmä 1", 3))
    await board.post(MATTI, r1, "Alueellinen järjestöfoorumi useamman kunnan alueelle!", reply_to=q(board, "Ryhmä 1", 3))
    await board.post(LIISA, r2, "Seudullinen järjestöfoorumi tavoittaisi kaikki", reply_to=q(board, "Ryhmä 2", 3))
    await board.post(OLLI, g3, "3. Järjestöfoorumi pienemmille alueille")
    await board.post(OLLI, g3, "Kahvitauko klo 10")
    await board.post(MAIJA, r1, "Tiedetään kuka vastaa mistäkin", reply_to=q(board, "Ryhmä 1", 1))

    replies = await board.command(SANNA, "yhteenveto työpaja", r2)
    conversation = replies[0]["conversation"]["id"]
    assert conversation.startswith(r2)  # posted where it was asked
    shown = "\n".join(texts(c) for c in cards_of(replies))
    q1 = shown.index("Kysymys 1: Miten saadaan selkeytettyä")
    q3 = shown.index("Kysymys 3: Miten tulisi kehittää järjestöyhteistyön")
    assert q1 < shown.index("Tiedetään kuka vastaa mistäkin") < shown.index("Kysymys 2: Mitä konkreettinen yhdyspintatyö on?") < q3
    third = shown[q3:]
    assert "Toistuvat teemat" in third and "järjestöfoorumit: 3 ryhmää (Ryhmä 1, Ryhmä 2, Group 3)" in third  # the thesaurus label
    points = third[third.index("Ryhmien kohdat"):]
    assert points.count("Alueellinen järjestöfoorumi useamman kunnan alueelle") == 1
    assert "2 samankaltaista yhdistetty" in third
    assert "• Järjestöfoorumi pienemmille alueille" in third  # the prefix is not repeated
    unassigned = shown[shown.index("Muistiinpanot ilman kysymystä"):]
    assert "Group 3" in unassigned and "Kahvitauko klo 10" in unassigned


async def test_note_text_cannot_inject_markdown_links_or_mentions_into_the_summary(board: Board):
    evil = ('<p>[Klikkaa tästä](https://evil.example/x) **tärkeää** &lt;at&gt;Kaikki&lt;/at&gt; '
            '<a href="https://evil.example">linkki</a> www.evil.example ![kuva](http://x/y.png)</p>')
    await board.post(MAIJA, board.channel("Ryhmä 1"), evil, reply_to=q(board, "Ryhmä 1", 2))
    replies = await board.command(SANNA, "yhteenveto työpaja")
    (card,) = cards_of(replies)
    assert not any("Klikkaa" in text for text in markdown_texts(card))  # a note is never read as Markdown
    (line,) = [text for text in texts(card).splitlines() if "Klikkaa" in text]
    assert "](" not in line and "\\" not in line
    assert "[Klikkaa tästä]\u2060(https\u2060:" in line
    assert "\u2217\u2217tärkeää\u2217\u2217" in line
    assert "<at>" not in line and "\u2039at\u203aKaikki" in line
    assert "https://" not in line and "www\u2060.evil" in line
    assert "linkki" in line


async def test_a_long_summary_is_split_into_messages_under_80_kb(board: Board, connector):
    rng = random.Random(7)

    def text() -> str:  # made-up words, so that no two notes are near-identical and merged
        return " ".join("".join(rng.choice("aeiouklmnprst") for _ in range(8)) for _ in range(150))

    posts = [
        board.post(MAIJA, board.channel(GROUPS[i % 3]), f"{i}: {text()}", reply_to=q(board, GROUPS[i % 3], 1 + i % 3))
        for i in range(90)
    ]
    for batch in range(0, len(posts), 15):
        await asyncio.gather(*posts[batch:batch + 15])
    replies = await board.command(SANNA, "yhteenveto työpaja")
    cards = cards_of(replies)
    assert len(cards) >= 2
    for activity in replies:
        assert len(json.dumps(activity).encode()) < 80_000
    assert texts(cards[0]).startswith(f"Työpajan yhteenveto (1/{len(cards)})")


async def test_a_summary_before_any_workshop_says_so(client, connector, teams):
    sanna = Person(client, connector, teams, SANNA)
    (reply,) = await sanna.say("yhteenveto työpaja")
    assert reply["text"] == "Työpajaa ei ole vielä aloitettu, joten yhteenvetoa ei ole."


async def test_the_exports_carry_the_workshop_notes_and_points(board: Board, server):
    import io

    import docx
    import openpyxl

    await board.post(MAIJA, board.channel("Ryhmä 1"), "Seudullinen järjestöfoorumi kahdesti vuodessa",
                     reply_to=q(board, "Ryhmä 1", 3))
    await board.post(LIISA, board.channel("Ryhmä 2"), '=HYPERLINK("http://evil.example","klikkaa")')
    await board.post(LIISA, board.channel("Ryhmä 2"), "Järjestöfoorumi myös pienille kunnille", reply_to=q(board, "Ryhmä 2", 3))
    services = server.app[SERVICES]
    now = services.clock.now()

    xlsx = await services.exports.build(services.round, "xlsx", now)
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    cells = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]
    assert "Seudullinen järjestöfoorumi kahdesti vuodessa" in cells
    assert """'=HYPERLINK("http://evil.example","klikkaa")""" in cells  # a note cannot become a formula
    assert "Ryhmä 1" in cells and MAIJA.name in cells

    word = await services.exports.build(services.round, "docx", now)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.data)).paragraphs)
    assert "Ryhmä 1: Seudullinen järjestöfoorumi kahdesti vuodessa" in text
    assert "järjestöfoorumit: 2 ryhmää" in text  # the workshop's cross-group themes (thesaurus label)
