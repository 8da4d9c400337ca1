"""Commands as people type them, and channel commands that survive Teams: over HTTP, Teams-shaped.

- Natural Finnish word order ("aloita työpaja", "kyselyn yhteenveto") works beside the old order
  and the English aliases; matching stays exact (no substring).
- Teams' HTML (`<p>`, `&nbsp;`, `<at>`) is removed before a command is matched, in chat and channel.
- With resource-specific consent an @mention may reach the bot with no mention entity and the
  bot's name cut from the text, and channelData holding only the tenant
  (MicrosoftDocs/msteams-docs#14422). In the board team's channels a message whose whole text is a
  command, from a person of the round, is then a command, and in a group channel during the
  workshop it is a command, not a note. A stranger's bare command is not a command (in a group
  channel it is a note, as any stranger's message is there).
"""

from __future__ import annotations

from typing import Any

import pytest

from app import SERVICES
from loopback.channel import Board, TeamSpec, cards_of, channel_message
from loopback.person import Person, only_card, texts
from loopback.teams import member
from cards.catalogue import t
from conftest import ANNA, DEMO_TENANT, MAIJA, MATTI, OLLI, SANNA
from scenarios.test_workshop_notes import ROUND, board  # noqa: F401  (the board's team, the workshop running)


def bare(board: Board, user, channel_id: str, html: str) -> dict[str, Any]:
    """A channel message that does not @mention the bot (as Teams delivers every one with RSC)."""
    return channel_message(board.env, user, board.team, channel_id, html)


def mention_lost(board: Board, user, channel_id: str, text: str) -> dict[str, Any]:
    """An @mention of the bot as MicrosoftDocs/msteams-docs#14422 shows it arriving: no mention
    entity, the bot's name cut from the text, channelData with the tenant only."""
    activity = channel_message(board.env, user, board.team, channel_id, text, html_attachment=False)
    activity["channelData"] = {"tenant": {"id": board.env.tenant_id}}
    activity.pop("entities", None)
    return activity


async def answers(board: Board, activity: dict[str, Any]) -> list[dict[str, Any]]:
    """What the bot posted in the activity's conversation in answer."""
    conversation = activity["conversation"]["id"]
    before = len(board.connector.sent(conversation))
    await board.send(activity)
    return board.connector.sent(conversation)[before:]


async def notes(server) -> list:
    return await server.app[SERVICES].workshops.notes(DEMO_TENANT, ROUND)


# Natural Finnish --------------------------------------------------------------------------------------


@pytest.mark.parametrize("natural, other", [
    ("aloita työpaja", "työpaja aloita"),
    ("kyselyn yhteenveto", "yhteenveto kysely"),
    ("muistuta vastaamattomia", "muistuta"),
    ("näytä aikataulu", "aikataulu"),
    ("vastaustilanne", "tila"),
])
async def test_natural_finnish_commands_answer_as_the_old_word_order(sanna: Person, natural: str, other: str):
    first, second = await sanna.say(natural), await sanna.say(other)
    assert [m.get("text") for m in first] == [m.get("text") for m in second]
    shown = [texts(a["content"]) for m in first for a in m.get("attachments") or []]
    assert shown == [texts(a["content"]) for m in second for a in m.get("attachments") or []]
    assert first and t("unknown_command", text="x")[:20] not in str(first)


async def test_stopping_and_summarising_the_workshop_in_natural_finnish(board: Board, sanna: Person, server):
    summary = await board.command(SANNA, "työpajan yhteenveto")
    assert summary[0]["text"] == t("workshop.summary_preparing") and cards_of(summary)
    stopped = await sanna.open_card("lopeta työpaja")
    assert "Työpaja on päättynyt" in texts(stopped)
    assert (await server.app[SERVICES].workshops.get(DEMO_TENANT, ROUND)).status.value == "stopped"


async def test_a_command_matches_exactly_never_by_substring(maija: Person):
    for said in ("aloita kysely nyt", "kysely?", "ohjeet", "tila tila"):
        card = only_card(await maija.say(said))
        assert texts(card).startswith("En tunnistanut komentoa"), said


async def test_ohje_shows_the_natural_form_first_to_the_hyte_team(sanna: Person):
    shown = texts(await sanna.open_card("ohje"))
    assert "- **aloita työpaja** (myös **työpaja aloita**): aloittaa työpajan" in shown
    assert "- **kyselyn yhteenveto** (myös **yhteenveto kysely** tai **ennakkokyselyn yhteenveto**)" in shown
    assert "- **muistuta** (myös **muistuta vastaamattomia**)" in shown
    assert shown.index("**aloita työpaja**") < shown.index("**lopeta työpaja**") < shown.index("**työpajan yhteenveto**")


# Teams' HTML -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("html", ["<p>ohje</p>", "<div><p>&nbsp;OHJE&nbsp;</p></div>", "ohje<br>", "<p>ohje\u00a0</p>"])
async def test_html_wrapped_commands_are_commands_in_chat(maija: Person, html: str):
    card = only_card(await maija.say(html))
    assert t("help.title") in texts(card)


async def test_html_wrapped_command_with_a_mention_in_a_channel(board: Board):
    mention = f"<at>{board.env.bot_name}</at>"
    activity = channel_message(board.env, SANNA, board.team, board.general, f"<p>{mention}&nbsp;tila&nbsp;</p>")
    activity["entities"] = [{"type": "mention", "text": mention,
                             "mentioned": {"id": board.env.bot_id, "name": board.env.bot_name}}]
    (reply,) = await answers(board, activity)
    assert "Vastaustilanne: Pohjois-Savon hyvinvointialue" in texts(cards_of([reply])[0])


# A mention that lost its entity ---------------------------------------------------------------------


async def test_a_mention_without_its_entity_and_name_is_a_command_in_general(board: Board, server):
    replies = await answers(board, mention_lost(board, SANNA, board.general, "yhteenveto työpaja"))
    assert replies[0]["text"] == t("workshop.summary_preparing")
    assert "Työpajan yhteenveto" in texts(cards_of(replies)[0])
    assert await notes(server) == []


async def test_a_bare_command_of_a_hyte_member_in_a_group_channel_is_a_command_not_a_note(board: Board, server):
    channel = board.channel("Ryhmä 1")
    replies = await answers(board, mention_lost(board, SANNA, channel, "<p>tila</p>"))
    assert "Vastaustilanne: Pohjois-Savon hyvinvointialue" in texts(cards_of(replies)[0])
    replies = await answers(board, bare(board, SANNA, channel, "<p>työpajan&nbsp;yhteenveto</p>"))
    assert replies[0]["text"] == t("workshop.summary_preparing")
    assert await notes(server) == []  # neither is a note


async def test_a_bare_command_of_a_representative_in_a_group_channel_gets_the_commands_answer(board: Board, server):
    (reply,) = await answers(board, bare(board, MAIJA, board.channel("Ryhmä 2"), "kysely"))
    assert reply["text"] == t("personal_only")  # answered as the command, not stored as a note
    assert await notes(server) == []


async def test_text_that_is_not_only_a_command_stays_a_note(board: Board, server):
    channel = board.channel("Ryhmä 1")
    assert await answers(board, bare(board, MAIJA, channel, "Tila ja aika yhteisille tapaamisille")) == []
    assert await answers(board, bare(board, MAIJA, channel, "<at>Matti Virtanen</at> tila")) == []
    assert [n.text for n in await notes(server)] == ["Tila ja aika yhteisille tapaamisille", "Matti Virtanen tila"]


# Strangers and other teams ---------------------------------------------------------------------------


async def test_a_strangers_bare_command_is_not_answered(board: Board, server):
    assert await answers(board, mention_lost(board, OLLI, board.general, "tila")) == []
    assert await answers(board, bare(board, OLLI, board.channel("Muut asiat"), "yhteenveto työpaja")) == []
    assert await notes(server) == []


async def test_a_strangers_bare_command_in_a_group_channel_is_a_note_as_before(board: Board, server):
    assert await answers(board, bare(board, OLLI, board.channel("Group 3"), "tila")) == []
    assert [n.text for n in await notes(server)] == ["tila"]


async def test_a_bare_command_in_another_team_is_not_a_command(client, connector, teams, board: Board):
    other = Board(client, connector, teams, TeamSpec("19:coffee@thread.tacv2", "Kahvihuone", {"Yleistä": "19:cx@thread.tacv2"}))
    await other.install(MATTI)
    for user in (SANNA, MATTI):
        assert await answers(other, bare(other, user, other.general, "tila")) == []
        assert await answers(other, mention_lost(other, user, other.channel("Yleistä"), "aikataulu")) == []


# What a channel message costs ------------------------------------------------------------------------


async def processed_ids(server) -> set[str]:
    """The activity ids recorded against repeats."""
    from sqlalchemy import select

    from storage.db import Database
    from storage.models import ProcessedActivityRow

    database = Database.connect(server.settings.database_url)
    try:
        async with database.sessions() as session:
            return set((await session.scalars(select(ProcessedActivityRow.activity_id))).all())
    finally:
        await database.dispose()


async def test_a_note_costs_no_member_look_up_and_no_record_against_repeats(board: Board, server):
    """Anna is configured by UPN only: knowing who she is takes a member look-up from the connector.
    A note needs no one's identity (its author is the activity's sender) and is stored once however
    often it comes: neither is asked for. A command is another thing: it needs both."""
    board.connector.add_member(member(board.env, ANNA))
    channel = board.channel("Ryhmä 1")
    looked_up = len([c for c in board.connector.calls if c.kind == "member"])
    note = bare(board, ANNA, channel, "Yhteinen järjestöfoorumi")
    assert await answers(board, note) == [] and await answers(board, dict(note)) == []  # delivered twice
    assert [(n.text, n.author_name) for n in await notes(server)] == [("Yhteinen järjestöfoorumi", ANNA.name)]
    assert len([c for c in board.connector.calls if c.kind == "member"]) == looked_up
    assert note["id"] not in await processed_ids(server)

    command = mention_lost(board, ANNA, board.general, "aikataulu")
    assert cards_of(await answers(board, command))  # a representative's timetable
    assert len([c for c in board.connector.calls if c.kind == "member"]) == looked_up + 1
    assert command["id"] in await processed_ids(server)


async def test_who_is_refused_before_where(board: Board):
    """A command for representatives in 1:1 chat: whoever is not a representative hears whom it is
    for, wherever they ask; a representative in a channel hears where to ask."""
    for user in (OLLI, SANNA):
        (reply,) = await board.command(user, "kysely")
        assert reply["text"] == t("not_for_you")
    (reply,) = await board.command(MAIJA, "kysely")
    assert reply["text"] == t("personal_only")
