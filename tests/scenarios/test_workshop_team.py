"""The bot joins the advisory board's team, follows its channels, and the HYTE team starts the
workshop: over HTTP with Teams-shaped team activities and the connector stand-in."""

from __future__ import annotations

import pytest
import yaml
from sqlalchemy import select

from app import SERVICES
from loopback.channel import Board, TeamSpec, board_spec, cards_of, team_update
from loopback.http import BotClient
from loopback.server import BotServer
from loopback.person import Person, actions, inputs, texts
from conftest import DEMO_ROUND, DEMO_TENANT, MAIJA, OLLI, SANNA, make_settings
from storage.models import ConversationRow

ROUND = "pohjois-savo-demo"


@pytest.fixture
def board(client, connector, teams) -> Board:
    return Board(client, connector, teams, board_spec())




def services(server):
    return server.app[SERVICES]


async def test_installed_by_a_hyte_member_the_team_becomes_the_boards_with_its_channels(board: Board, connector, server):
    posted = await board.install(SANNA)

    assert [c.kind for c in connector.calls if c.kind == "team_channels"] == ["team_channels"]
    team = await services(server).teams.board_team(DEMO_TENANT)
    assert team is not None and team.team_id == board.general and team.name == "HYTE-neuvottelukunta"
    assert {c.name for c in team.channels} == {None, "Ryhmä 1", "Ryhmä 2", "Group 3", "Muut asiat"}
    async with services(server).conversations._sessions() as session:
        stored = set(await session.scalars(
            select(ConversationRow.conversation_id).where(ConversationRow.conversation_type == "channel")
        ))
    assert stored == {board.general, *board.team.channels.values()}

    (welcome,) = cards_of(posted)
    assert "Hei! Olen HYTE-neuvottelujen botti." in texts(welcome)
    assert "Tämä tiimi on HYTE-neuvottelukunnan tiimi" in texts(welcome)


async def test_only_the_first_team_a_hyte_member_installs_it_in_is_the_boards(client, connector, teams, server):
    other = Board(client, connector, teams, TeamSpec("19:otherteam@thread.tacv2", "Kahvihuone", {"Yleistä": "19:x@thread.tacv2"}))
    posted = await other.install(OLLI)
    assert "Neuvottelukunnan viestit kulkevat toisessa tiimissä" in texts(cards_of(posted)[0])
    assert await services(server).teams.board_team(DEMO_TENANT) is None

    board = Board(client, connector, teams, board_spec())
    await board.install(SANNA)
    third = Board(client, connector, teams, TeamSpec("19:third@thread.tacv2", "Toinen", {}))
    await third.install(SANNA)
    assert (await services(server).teams.board_team(DEMO_TENANT)).team_id == board.general


async def test_channel_events_and_removal_are_followed(board: Board, teams, server):
    await board.install(SANNA)
    team = board.team
    await board.send(team_update(teams, SANNA, team, "channelCreated", channel={"id": "19:new@thread.tacv2", "name": "Ryhmä 4"}))
    await board.send(team_update(teams, SANNA, team, "channelRenamed", channel={"id": board.channel("Group 3"), "name": "Ryhmä 3"}))
    await board.send(team_update(teams, SANNA, team, "channelDeleted", channel={"id": board.channel("Muut asiat"), "name": "Muut asiat"}))
    stored = await services(server).teams.board_team(DEMO_TENANT)
    assert sorted(c.name for c in stored.channels if c.name) == ["Ryhmä 1", "Ryhmä 2", "Ryhmä 3", "Ryhmä 4"]

    await board.send(team_update(teams, SANNA, team, "teamMemberRemoved", members_removed=[teams.bot_id]))
    assert await services(server).teams.board_team(DEMO_TENANT) is None


async def test_a_failing_channel_lookup_still_records_the_team_with_general(board: Board, connector, server):
    connector.fail_next("GET", r"/v3/teams/.*/conversations", 403)
    await board.install(SANNA)
    team = await services(server).teams.board_team(DEMO_TENANT)
    assert [c.channel_id for c in team.channels] == [board.general]


async def test_a_hyte_member_starts_the_workshop_in_the_chosen_group_channels(board: Board, sanna: Person, connector, server):
    await board.install(SANNA)
    card = await sanna.open_card("työpaja aloita")
    assert "Aloita työpaja" in actions(card)
    choice = next(e for e in card["body"] if e.get("type") == "Input.ChoiceSet")
    assert [c["title"] for c in choice["choices"]] == ["Group 3", "Muut asiat", "Ryhmä 1", "Ryhmä 2"]
    assert set(inputs(card)["ws.groups"].split(",")) == {board.channel("Ryhmä 1"), board.channel("Ryhmä 2"), board.channel("Group 3")}

    chosen = f"{board.channel('Ryhmä 1')},{board.channel('Ryhmä 2')}"
    result = await sanna.press(card, "Aloita työpaja", {"ws.groups": chosen})
    assert "Työpaja on aloitettu" in texts(result)
    assert "Ryhmä 1, Ryhmä 2" in texts(result)

    for name in ("Ryhmä 1", "Ryhmä 2"):
        posts = board.question_posts(board.channel(name))
        assert sorted(posts) == [1, 2, 3]
        first = cards_of([board.posts(board.channel(name))[0]])[0]
        shown = texts(first).replace("\\", "")  # question texts are escaped like any text in a card
        assert "Miten saadaan selkeytettyä HYTE-työnjakoa" in shown
        assert "Askelmerkit? Kenen kanssa? Miten? Missä? Konkreettisia askeleita?" in shown
    assert board.posts(board.channel("Group 3")) == []
    stored = await services(server).workshops.posts(DEMO_TENANT, ROUND)
    assert {(p.channel_id, p.message_id) for p in stored} == {
        (board.channel(n), mid) for n in ("Ryhmä 1", "Ryhmä 2") for mid in board.question_posts(board.channel(n)).values()
    }
    general = [texts(c) for c in cards_of(board.posts(board.general))]
    assert any("Työpaja on käynnissä" in g and "Ryhmä 1" in g and "Ryhmä 2" in g for g in general)

    # pressing again (or a second HYTE member at once) posts nothing twice
    await sanna.press(card, "Aloita työpaja", {"ws.groups": chosen})
    assert sorted(board.question_posts(board.channel("Ryhmä 1"))) == [1, 2, 3]
    assert len([a for a in board.posts(board.channel("Ryhmä 1"))]) == 3


async def test_the_workshop_is_not_for_others(board: Board, maija: Person, sanna: Person, connector, server):
    await board.install(SANNA)
    for text in ("työpaja aloita", "workshop stop", "yhteenveto työpaja"):
        (reply,) = await maija.say(text)
        assert reply["text"] == "Tämä toiminto on vain HYTE-tiimin käytössä."
    forged = await maija.invoke("workshop.start", {"verb": "workshop.start", "r": ROUND, "ws.groups": board.channel("Ryhmä 1")})
    assert "vain HYTE-tiimin" in texts(forged)
    in_channel = await board.command(MAIJA, "työpaja aloita")
    assert in_channel[0]["text"] == "Tämä toiminto on vain HYTE-tiimin käytössä."
    assert await services(server).workshops.get(DEMO_TENANT, ROUND) is None
    assert board.posts(board.channel("Ryhmä 1")) == []


async def test_start_before_the_bot_is_in_the_boards_team_says_what_to_do(sanna: Person):
    (reply,) = await sanna.say("työpaja aloita")
    assert "En ole vielä HYTE-neuvottelukunnan tiimissä" in reply["text"]


async def test_a_forged_start_with_a_channel_outside_the_team_is_refused(board: Board, sanna: Person, server):
    await board.install(SANNA)
    card = await sanna.invoke("workshop.start", {"verb": "workshop.start", "r": ROUND, "ws.groups": "19:elsewhere@thread.tacv2"})
    assert "ei ole enää neuvottelukunnan tiimissä" in texts(card)
    card = await sanna.invoke("workshop.start", {"verb": "workshop.start", "r": ROUND, "ws.groups": 5})
    assert "En pystynyt lukemaan kortin tietoja" in texts(card)
    assert await services(server).workshops.get(DEMO_TENANT, ROUND) is None


async def test_a_failed_post_is_reported_and_retried_by_starting_again(board: Board, sanna: Person, connector):
    await board.install(SANNA)
    group = board.channel("Ryhmä 2")
    connector.fail_next("POST", rf"^/v3/conversations/{group}/activities$", 403)
    card = await sanna.open_card("työpaja aloita")
    result = await sanna.press(card, "Aloita työpaja", {"ws.groups": f"{board.channel('Ryhmä 1')},{group}"})
    assert "En pystynyt kirjoittamaan näille kanaville: Ryhmä 2" in texts(result)
    assert board.question_posts(group) == {}
    card = await sanna.open_card("työpaja aloita")
    await sanna.press(card, "Aloita työpaja", {"ws.groups": group})
    assert sorted(board.question_posts(group)) == [1, 2, 3]
    assert sorted(board.question_posts(board.channel("Ryhmä 1"))) == [1, 2, 3]


async def test_a_configured_board_team_is_the_boards_whoever_installs_it(client, connector, teams, sqlite_url, clock, tmp_path):
    spec = board_spec()
    data = yaml.safe_load(DEMO_ROUND.read_text(encoding="utf-8"))
    data.update(board_team_id=spec.aad_group_id, survey_file=str(DEMO_ROUND.parent / "survey.yaml"),
                workshop_file=str(DEMO_ROUND.parent / "workshop.yaml"))
    round_file = tmp_path / "round.yaml"
    round_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    server = await BotServer(make_settings(sqlite_url, round_file=round_file), clock).start()
    try:
        async with BotClient(server.url) as own_client:
            first = Board(own_client, connector, teams, TeamSpec("19:first@thread.tacv2", "Kahvihuone", {}))
            await first.install(SANNA)  # a HYTE member's first team, but not the configured one
            assert await services(server).teams.board_team(DEMO_TENANT) is None
            board = Board(own_client, connector, teams, spec)
            await board.install(OLLI)  # the configured team, installed by anyone
            assert (await services(server).teams.board_team(DEMO_TENANT)).team_id == board.general
    finally:
        await server.stop()
