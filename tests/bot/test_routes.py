"""The routing table: every command, card action and event, its handler, for whom and where.

Each route declares its access once; the refusals, `ohje` and the manifest derive from it. The
table (`python -m bot.routes`) is kept as a snapshot: UPDATE_SNAPSHOTS=1 rewrites
tests/bot/snapshots/routes.txt, to be reviewed before committing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from bot.identity import Identity
from bot.inbound import Event
from bot.router import ANYONE, HYTE_TEAM, REPRESENTATIVES_1_1, Access, Audience, Router, Routes, Where, refusal
from bot.routes import build_router, table
from cards.payloads import Payload
from hyte.round import Representative, TeamMember

REPO = Path(__file__).resolve().parents[2]
SNAPSHOT = Path(__file__).resolve().parent / "snapshots" / "routes.txt"
REP = Identity("t", "a1", "Maija", representative=Representative(
    name="Maija", organisation="kuopio", role="member", aad_object_id="00000000-0000-0000-0000-0000000000a1"))
TEAM = Identity("t", "b1", "Sanna", team_member=TeamMember(name="Sanna", aad_object_id="00000000-0000-0000-0000-0000000000b1"))
STRANGER = Identity("t", "c1", "Olli")
RESULTS = (Access(Audience.REPRESENTATIVES, Where.PERSONAL), Access(Audience.HYTE_TEAM, Where.PERSONAL_OR_BOARD_TEAM))


def test_the_routing_table_is_the_snapshot():
    shown = table(build_router())
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(shown, encoding="utf-8")
    assert shown == SNAPSHOT.read_text(encoding="utf-8"), "the routes changed: if intended, UPDATE_SNAPSHOTS=1"


def test_python_m_bot_routes_prints_the_table():
    printed = subprocess.run([sys.executable, "-m", "bot.routes"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == SNAPSHOT.read_text(encoding="utf-8")


def test_every_card_payload_and_every_event_has_its_route():
    router = build_router()
    payloads = set(typing.get_args(typing.get_args(Payload)[0]))
    assert set(router.actions) == payloads
    assert set(router.events) == set(Event)
    assert all(route.access for route in [*router.commands, *router.actions.values(), *router.events.values()])


@pytest.mark.parametrize("access, person, personal, in_board_team, refused", [
    (ANYONE, STRANGER, False, False, None),
    (REPRESENTATIVES_1_1, REP, True, False, None),
    (REPRESENTATIVES_1_1, REP, False, True, "personal_only"),  # the right person in the wrong place
    (REPRESENTATIVES_1_1, TEAM, True, False, "not_for_you"),
    (REPRESENTATIVES_1_1, STRANGER, False, False, "not_for_you"),  # who before where
    (HYTE_TEAM, REP, True, False, "team_only"),
    (HYTE_TEAM, TEAM, False, False, None),  # anywhere
    (RESULTS, REP, True, False, None),
    (RESULTS, REP, False, True, "personal_only"),
    (RESULTS, TEAM, False, True, None),
    (RESULTS, TEAM, False, False, "results.not_here"),
    (RESULTS, TEAM, True, False, None),
    (RESULTS, STRANGER, True, False, "not_for_you"),
    ((Access(Audience.PEOPLE, refusal="timeline.for_whom"),), STRANGER, True, False, "timeline.for_whom"),
    ((Access(Audience.PEOPLE),), TEAM, False, False, None),
])
async def test_the_refusal_follows_from_the_declared_access(access, person, personal, in_board_team, refused):
    asked = []

    async def board_team() -> bool:
        asked.append(True)
        return in_board_team

    assert await refusal(access, person, personal, board_team) == refused
    if personal or all(a.where is not Where.PERSONAL_OR_BOARD_TEAM for a in access):
        assert asked == []  # the board team is looked up only when it decides


def test_ohje_and_the_manifest_read_the_declaration():
    routes = Routes("test")

    async def handler(turn):  # pragma: no cover - never called
        return None

    routes.command("a", description="command.help", access=HYTE_TEAM)(handler)
    routes.command("b", description="command.help", access=REPRESENTATIVES_1_1)(handler)
    routes.command("c", description="command.help", access=RESULTS)(handler)
    a, b, c = routes.commands
    assert (a.team_only, a.personal_only) == (True, False)
    assert (b.team_only, b.personal_only) == (False, True)
    assert (c.team_only, c.personal_only) == (False, False)


def test_a_name_taken_twice_is_refused_when_the_routes_are_joined():
    first, second = Routes("first"), Routes("second")

    async def handler(turn):  # pragma: no cover - never called
        return None

    first.command("tila", description="command.status")(handler)
    second.command("Tila", description="command.status")(handler)
    router = Router()
    router.add(first)
    with pytest.raises(ValueError, match="registered twice"):
        router.add(second)


def test_a_year_follows_only_a_command_for_past_rounds():
    router = build_router()
    for text, name, year in (("yhteenveto kysely 2024", "kyselyn yhteenveto", 2024), ("Tila  2023", "tila", 2023),
                             ("vienti 2025", "vienti", 2025), ("summary survey 2024", "kyselyn yhteenveto", 2024),
                             ("työpajan yhteenveto 2024", "työpajan yhteenveto", 2024),
                             ("yhteenveto kysely", "kyselyn yhteenveto", None)):
        found = router.match_command(text)
        assert found is not None and (found.command.name, found.year) == (name, year), text
    for text in ("kysely 2024", "muistuta 2024", "aikataulu 2024", "yhteenveto kysely 24", "yhteenveto kysely 2024 2025",
                 "yhteenveto kysely vuosi 2024", "2024"):
        assert router.match_command(text) is None, text
    assert router.find_command("tila 2024") is router.find_command("tila")


def test_swedish_names_match_as_exactly_as_finnish_ones():
    from bot.router import words_after

    router = build_router()
    for swedish, finnish in (("enkät", "kysely"), ("Enkat", "kysely"), ("hjälp", "ohje"), ("status", "tila"),
                             ("tidtabell", "aikataulu"), ("påminn", "muistuta"), ("export", "vienti"),
                             ("starta  workshop", "aloita työpaja"), ("avsluta workshop", "lopeta työpaja"),
                             ("enkätsammanfattning", "kyselyn yhteenveto"),
                             ("workshopsammanfattning", "työpajan yhteenveto"), ("språk", "kieli")):
        assert router.find_command(swedish) is router.find_command(finnish) is not None, swedish
    assert router.find_command("enkät nu") is None  # never by prefix, but for a command that takes words
    language = router.find_command("kieli")
    assert router.find_command("språk svenska") is language and router.find_command("kieli  Suomi") is language
    assert words_after(language, "Språk  på svenska") == "på svenska" and words_after(language, "kieli") == ""
    assert router.match_command("enkätsammanfattning 2024").year == 2024  # a year after a Swedish name too
    assert router.find_command("kielioppi") is None
