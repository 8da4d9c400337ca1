"""Issue 6: bad inputs and forged requests against the running app, with authentication really on.

The app runs with an app id and the local token service (as in test_authentication.py), over a
database with real content: Maija's (Kuopio) saved draft, Liisa's (Iisalmi) submitted response, the
HYTE team's workshop running in three group channels with a note. Each case sends one bad request
and checks the answer (401/403/400/415/413, or 200/201 with a Finnish refusal) and that every
table is unchanged afterwards. `processed_activities` (ids of served messages) must be unchanged
for requests refused at the HTTP layer; for a message that was served with a refusal text, only
that message's own id may be added.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

import pytest
from sqlalchemy import select

from app import SERVICES
from loopback.channel import Board, board_spec, channel_message, reaction
from loopback.connector import ConnectorStandIn
from loopback.http import AuthClient, bearer
from loopback.person import CARD, Person, texts
from loopback.server import BotServer
from loopback.teams import TeamsEnv, TeamsUser, card_action, conversation_id_for, member, personal_message
from loopback.tokens import APP_ID, LocalCredentialsFactory, SigningKey, TokenService
from cards.catalogue import t
from hyte.responses import ResponseKey
from conftest import ANNA, DEMO_TENANT, LIISA, MAIJA, OLLI, SANNA, make_settings
from scenarios.test_survey_lifecycle import AFTER_CLOSING, ANSWERS, answer_all
from storage.db import create_engine
from storage.models import Base

ROUND = "pohjois-savo-demo"
OTHER_TENANT = "99999999-0000-0000-0000-000000000000"
PROCESSED = "processed_activities"
GROUPS = ("Ryhmä 1", "Ryhmä 2", "Group 3")


@dataclass
class World:
    server: BotServer
    client: AuthClient
    tokens: TokenService
    connector: ConnectorStandIn
    teams: TeamsEnv
    board: Board
    maija: Person
    liisa: Person
    sanna: Person
    olli: Person
    draft_version: int
    note_id: str

    def token(self, **claims: Any) -> dict[str, str]:
        return bearer(self.tokens.token(self.teams.service_url, **claims))

    def webchat_token(self) -> dict[str, str]:
        """A valid channel token signed with the key that endorses only Web Chat."""
        return bearer(self.tokens.token(self.teams.service_url, key=self.tokens.keys[1]))

    def unendorsed_token(self) -> dict[str, str]:
        return bearer(self.tokens.token(self.teams.service_url, key=self.tokens.keys[2]))


async def snapshot(server: BotServer) -> dict[str, list[tuple]]:
    """Every table's rows, as sorted tuples."""
    engine = create_engine(server.settings.database_url)
    try:
        async with engine.connect() as connection:
            tables = {}
            for table in Base.metadata.sorted_tables:
                rows = (await connection.execute(select(table))).all()
                tables[table.name] = sorted((tuple(r) for r in rows), key=repr)
            return tables
    finally:
        await engine.dispose()


@pytest.fixture
async def tokens():
    service = TokenService()
    # Besides Teams' key, the metadata publishes a key that endorses only Web Chat (every Azure Bot
    # resource has Web Chat on) and one that endorses nothing.
    service.keys += [SigningKey(endorsements=("webchat",)), SigningKey(endorsements=())]
    await service.start()
    yield service
    await service.close()


@pytest.fixture
async def world(sqlite_url, clock, tokens, connector, teams) -> World:
    settings = make_settings(
        sqlite_url, MicrosoftAppId=APP_ID, MicrosoftAppPassword="not-used",
        ToBotFromChannelOpenIdMetadataUrl=tokens.metadata_url,
    )
    server = BotServer(settings, clock, credentials_factory=LocalCredentialsFactory(tokens))
    await server.start()
    client = AuthClient(server.url, tokens, teams.service_url)
    maija, liisa, sanna, olli = (Person(client, connector, teams, u) for u in (MAIJA, LIISA, SANNA, OLLI))
    # Maija (Kuopio): a saved draft of section 1.
    card = await maija.open_card("kysely")
    await maija.press(card, "Tallenna luonnos", ANSWERS["goals_measures"])
    # Liisa (Iisalmi): a submitted response.
    await liisa.press(await answer_all(liisa), "Lähetä vastaukset")
    # Sanna (HYTE team): the workshop running in three group channels, with one note.
    board = Board(client, connector, teams, board_spec())
    await board.install(SANNA)
    card = await sanna.open_card("työpaja aloita")
    await sanna.press(card, "Aloita työpaja", {"ws.groups": ",".join(board.channel(g) for g in GROUPS)})
    note_id = await board.post(MAIJA, board.channel("Ryhmä 1"), "Roolit ja vastuut selviksi")
    tables = await snapshot(server)
    assert tables["responses"] and tables["workshops"] and tables["workshop_notes"], tables
    draft = await server.app[SERVICES].responses.get(ResponseKey(DEMO_TENANT, ROUND, "kuopio"))
    assert draft is not None and draft.submitted_at is None and draft.version >= 1
    submitted = await server.app[SERVICES].responses.get(ResponseKey(DEMO_TENANT, ROUND, "iisalmi"))
    assert submitted is not None and submitted.submitted_at is not None
    version = draft.version
    connector.clear()
    yield World(server, client, tokens, connector, teams, board, maija, liisa, sanna, olli, version, note_id)
    await client.close()
    await server.stop()


# Expected outcomes -------------------------------------------------------------------------------


@dataclass
class Refused:
    status: int


@dataclass
class CardText:
    """HTTP 200 and an invoke response whose card says exactly `text`."""
    text: str


@dataclass
class ChatText:
    """HTTP 201/200 and the bot's one reply in the 1:1 chat says exactly `text`."""
    text: str
    conversation: str | None = None


@dataclass
class Silent:
    """HTTP `status` and nothing sent anywhere."""
    status: int = 201


Outcome = Refused | CardText | ChatText | Silent
Case = Callable[[World], Awaitable[tuple[int, Any, str | None]]]
"""Sends the bad request; answers (status, body, the activity id that may be recorded as served)."""

STEP = {"verb": "survey.step", "r": ROUND, "section": "goals_measures", "move": "save"}
NOT_UNDERSTOOD = t("card_not_understood")
TEAM_ONLY = t("team_only")


def _raw(body: bytes, content_type: str | None = "application/json") -> Case:
    async def send(w: World):
        if content_type is None:
            client = w.client._client()
            headers = w.token()
            async with client.post(w.client.url, data=body, headers=headers, skip_auto_headers=["Content-Type"]) as r:
                return r.status, await r.text(), None
        status, answer = await w.client.post_raw(body, content_type)
        return status, answer, None
    return send


def _message(build: Callable[[World], dict], headers: Callable[[World], dict] | None = None) -> Case:
    async def send(w: World):
        activity = build(w)
        status, body = await w.client.post(activity, headers(w) if headers else None)
        return status, body, activity.get("id")
    return send


def _say(user_attr: str, text: str) -> Case:
    return _message(lambda w: personal_message(w.teams, getattr(w, user_attr).user, text))


def _invoke(user_attr: str, verb: str, data: Callable[[World], dict] | dict) -> Case:
    def build(w: World) -> dict:
        return card_action(w.teams, getattr(w, user_attr).user, verb, data(w) if callable(data) else data)
    return _message(build)


def _with(activity: Callable[[World], dict], **changes: Any) -> Callable[[World], dict]:
    def build(w: World) -> dict:
        a = activity(w)
        for key, value in changes.items():
            if value is _DROP:
                a.pop(key, None)
            else:
                a[key] = value
        return a
    return build


_DROP = object()


def _maija_says(text: str = "kysely") -> Callable[[World], dict]:
    return lambda w: personal_message(w.teams, MAIJA, text)


def _other_tenant_message(w: World) -> dict:
    return personal_message(TeamsEnv(w.teams.service_url, OTHER_TENANT), MAIJA, "kysely")


def _other_tenant_reaction(w: World) -> dict:
    env = TeamsEnv(w.teams.service_url, OTHER_TENANT)
    channel = w.board.channel("Ryhmä 1")
    return reaction(env, SANNA, w.board.team, channel, w.note_id)


def _invoke_value(value: Any) -> Callable[[World], dict]:
    def build(w: World) -> dict:
        a = card_action(w.teams, MAIJA, "survey.open", {"r": ROUND})
        a["value"] = value
        return a
    return build


def _stale_step(w: World) -> dict:
    assert w.draft_version >= 1
    return {**STEP, "v": w.draft_version - 1, "q.goals_progress": "very_well", "q.hyte_effectiveness": "Vanha kortti."}


async def _closed_step(w: World):
    w.server.clock.set(AFTER_CLOSING)
    return await _invoke("maija", "survey.step", lambda w: {**STEP, "v": w.draft_version, "q.goals_progress": "very_well"})(w)


def _file_consent(w: World) -> dict:
    a = card_action(w.teams, MAIJA, "export.consent", {})
    a["name"] = "fileConsent/invoke"
    a["value"] = {
        "type": "fileUpload", "action": "accept",
        "context": {"verb": "export.consent", "r": ROUND, "kind": "xlsx"},
        "uploadInfo": {"name": "vastaukset.xlsx", "uploadUrl": f"{w.teams.service_url}upload/evil",
                       "contentUrl": "https://example.org/x", "uniqueId": "x", "fileType": "xlsx"},
    }
    return a


def _script_note(w: World) -> dict:
    return channel_message(w.teams, MAIJA, w.board.team, w.board.channel("Muut asiat"),
                           "<script>alert(1)</script><img src=x onerror=alert(2)>")


def _not_msteams(w: World) -> dict:
    a = personal_message(w.teams, MAIJA, "kysely")
    a["channelId"] = "webchat"
    return a


def _webchat(build: Callable[[World], dict]) -> Callable[[World], dict]:
    """`build`'s activity as Web Chat would deliver it: its client says who it is."""
    def webchat(w: World) -> dict:
        a = build(w)
        a["channelId"] = "webchat"
        return a
    return webchat


def _sanna_asks_status(w: World) -> dict:
    return personal_message(w.teams, SANNA, "tila")


def _representative_saves(w: World) -> dict:
    return card_action(w.teams, MAIJA, "survey.step",
                       {**STEP, "v": w.draft_version, "q.goals_progress": "very_well", "q.hyte_effectiveness": "Web Chat"})


FORGED_ANNA = TeamsUser(OLLI.aad_object_id, ANNA.name, user_id=ANNA.id)
"""Anna (configured by UPN only) by her Teams id, with someone else's Entra object id."""


def _as_forged_anna(build: Callable[[World], dict]) -> Case:
    async def send(w: World):
        w.connector.add_member(member(w.teams, ANNA))  # Teams knows Anna: her id, her object id, her UPN
        activity = build(w)
        status, body = await w.client.post(activity)
        return status, body, activity.get("id")
    return send


ECHO_INJECTION = "<at>Everyone</at> **[klikkaa](https://evil.example/x)** @kaikki"

CASES: list[tuple[str, Case, Outcome]] = [
    # The body ---------------------------------------------------------------------------------
    ("malformed-json", _raw(b'{"type": "message", '), Refused(400)),
    ("json-array", _raw(b'[{"type": "message"}]'), Refused(400)),
    ("json-string", _raw(b'"message"'), Refused(400)),
    ("deeply-nested-json-100000", _raw(b"[" * 100_000), Refused(400)),
    ("invalid-utf8", _raw(b'{"type": "message", "text": "\xff\xfe"}'), Refused(400)),
    ("no-content-type", _raw(json.dumps({"type": "message"}).encode(), None), Refused(415)),
    ("text-plain", _raw(json.dumps({"type": "message"}).encode(), "text/plain"), Refused(415)),
    ("body-over-256kb", _raw(json.dumps({"type": "message", "text": "x" * 300_000}).encode()), Refused(413)),
    ("activity-without-type", _message(_with(_maija_says(), type=_DROP)), Refused(400)),
    ("type-not-a-string", _message(_with(_maija_says(), type=["message"])), Refused(400)),
    ("activity-id-over-256-characters", _message(_with(_maija_says(), id="1:" + "7" * 300)), Refused(400)),
    ("unknown-activity-type", _message(_with(_maija_says(), type="evilType")), Silent(201)),
    # The token and the tenant -----------------------------------------------------------------
    ("token-for-another-app-id", _message(_maija_says(), lambda w: w.token(aud="22222222-0000-4000-8000-000000000000")),
     Refused(401)),
    ("token-expired", _message(_maija_says(), lambda w: w.token(exp=int(time.time()) - 600, nbf=int(time.time()) - 7200)),
     Refused(401)),
    ("token-missing-serviceurl", _message(_maija_says(), lambda w: w.token(drop=("serviceurl",))), Refused(401)),
    ("token-serviceurl-differs-from-activity",
     _message(_with(_maija_says(), serviceUrl="https://evil.example/"), None), Refused(401)),
    ("no-authorization-header", _message(_maija_says(), lambda w: {}), Refused(401)),
    ("valid-token-other-tenant", _message(_other_tenant_message), Refused(403)),
    ("valid-token-channel-not-msteams", _message(_not_msteams), Refused(401)),
    ("reaction-from-other-tenant", _message(_other_tenant_reaction), Refused(403)),
    # Teams and nothing else: Web Chat's clients choose their own ids and channelData ---------------
    ("webchat-activity-signed-by-webchat-key", _message(_not_msteams, lambda w: w.webchat_token()), Refused(401)),
    ("webchat-claims-hyte-member-status", _message(_webchat(_sanna_asks_status), lambda w: w.webchat_token()),
     Refused(401)),
    ("webchat-claims-representative-saves-answers",
     _message(_webchat(_representative_saves), lambda w: w.webchat_token()), Refused(401)),
    ("no-channel-id", _message(_with(_maija_says(), channelId=_DROP)), Refused(401)),
    ("no-channel-id-webchat-key", _message(_with(_maija_says(), channelId=_DROP), lambda w: w.webchat_token()),
     Refused(401)),
    ("msteams-activity-signed-by-webchat-key", _message(_maija_says(), lambda w: w.webchat_token()), Refused(401)),
    ("key-without-endorsements", _message(_maija_says(), lambda w: w.unendorsed_token()), Refused(401)),
    ("token-exp-numeric-string", _message(_maija_says(), lambda w: w.token(exp=str(int(time.time()) + 3600))),
     Refused(401)),
    ("token-nbf-numeric-string", _message(_maija_says(), lambda w: w.token(nbf=str(int(time.time()) - 60))),
     Refused(401)),
    ("upn-only-member-id-with-a-foreign-object-id-asks-the-survey",
     _as_forged_anna(lambda w: personal_message(w.teams, FORGED_ANNA, "kysely")), None),
    ("upn-only-member-id-with-a-foreign-object-id-saves-answers",
     _as_forged_anna(lambda w: card_action(w.teams, FORGED_ANNA, "survey.step",
                                           {**STEP, "v": 0, "q.goals_progress": "very_well"})),
     CardText(t("not_for_you"))),
    # Card payloads ----------------------------------------------------------------------------
    ("card-unknown-verb", _invoke("maija", "survey.delete", {"verb": "survey.delete", "r": ROUND}), CardText(NOT_UNDERSTOOD)),
    ("card-missing-v", _invoke("maija", "survey.step", {**STEP, "q.goals_progress": "very_well"}), CardText(NOT_UNDERSTOOD)),
    ("card-v-as-string", _invoke("maija", "survey.step", lambda w: {**STEP, "v": str(w.draft_version)}), CardText(NOT_UNDERSTOOD)),
    ("card-extra-field", _invoke("maija", "survey.step", lambda w: {**STEP, "v": w.draft_version, "admin": True}),
     CardText(NOT_UNDERSTOOD)),
    ("card-liisa-targets-kuopio-organisation",
     _invoke("liisa", "survey.step", lambda w: {**STEP, "v": 0, "organisation": "kuopio", "q.goals_progress": "very_well"}),
     CardText(NOT_UNDERSTOOD)),
    ("card-from-spoofed-in-data",
     _invoke("olli", "survey.step", lambda w: {**STEP, "v": w.draft_version, "q.goals_progress": "very_well",
                                                "from": {"aadObjectId": MAIJA.aad_object_id, "name": MAIJA.name}}),
     CardText(NOT_UNDERSTOOD)),
    ("card-round-other", _invoke("maija", "survey.step",
                                 lambda w: {**STEP, "r": "toinen-kierros", "v": w.draft_version, "q.goals_progress": "very_well"}),
     CardText(t("survey.stale_round"))),
    ("card-stale-version-changes-answers", _invoke("maija", "survey.step", _stale_step), None),
    ("card-survey-closed", _closed_step, None),
    ("card-stranger-survey-step", _invoke("olli", "survey.step", lambda w: {**STEP, "v": 0, "q.goals_progress": "very_well"}),
     CardText(t("not_for_you"))),
    ("card-stranger-survey-submit", _invoke("olli", "survey.submit", {"verb": "survey.submit", "r": ROUND, "v": 0}),
     CardText(t("not_for_you"))),
    ("invoke-value-string", _message(_invoke_value("survey.open")), CardText(NOT_UNDERSTOOD)),
    ("invoke-value-list", _message(_invoke_value([{"action": {"verb": "survey.open"}}])), CardText(NOT_UNDERSTOOD)),
    ("invoke-unknown-name", _message(_with(_invoke_value({}), name="composeExtension/fetchTask")), Refused(501)),
    # HYTE-only commands and card actions from a representative --------------------------------
    ("rep-command-tyopaja-aloita", _say("maija", "työpaja aloita"), ChatText(TEAM_ONLY)),
    ("rep-command-yhteenveto-kysely", _say("maija", "yhteenveto kysely"), ChatText(TEAM_ONLY)),
    ("rep-command-vienti", _say("maija", "vienti"), ChatText(TEAM_ONLY)),
    ("rep-command-muistuta", _say("maija", "muistuta"), ChatText(TEAM_ONLY)),
    ("rep-action-workshop-start",
     _invoke("maija", "workshop.start", lambda w: {"verb": "workshop.start", "r": ROUND, "ws.groups": w.board.channel("Muut asiat")}),
     CardText(TEAM_ONLY)),
    ("rep-action-remind-send", _invoke("maija", "remind.send", {"verb": "remind.send", "r": ROUND, "batch": uuid.uuid4().hex}),
     CardText(TEAM_ONLY)),
    ("rep-action-timeline-save",
     _invoke("maija", "timeline.save", {"verb": "timeline.save", "r": ROUND, "v": 0, "t.survey_closes.date": "2030-01-01"}),
     CardText(TEAM_ONLY)),
    ("rep-action-results-answers",
     _invoke("maija", "results.answers", {"verb": "results.answers", "r": ROUND, "question": "hyte_effectiveness"}),
     CardText(TEAM_ONLY)),
    ("rep-file-consent-export", _message(_file_consent), None),
    # Text that tries to inject --------------------------------------------------------------------
    ("markdown-mention-injection-in-echo", _say("maija", ECHO_INJECTION), None),
    ("script-note-in-non-group-channel", _message(_script_note), Silent(201)),
]

assert len(CASES) >= 30 and len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case, outcome", [pytest.param(c, o, id=i) for i, c, o in CASES])
async def test_bad_input_is_refused_and_the_database_is_unchanged(world: World, request, case: Case, outcome: Outcome):
    before = await snapshot(world.server)

    status, body, activity_id = await case(world)

    after = await snapshot(world.server)
    case_id = request.node.callspec.id
    sent = [c for c in world.connector.calls if c.kind in ("reply", "send", "update")]
    match outcome:
        case Refused(expected):
            assert status == expected, (status, body)
            assert sent == []
        case Silent(expected):
            assert status == expected, (status, body)
            assert sent == []
        case CardText(text):
            assert status == 200, (status, body)
            assert body["statusCode"] == 200 and body["type"] == CARD, body
            assert texts(body["value"]) == text
        case ChatText(text):
            assert status in (200, 201), (status, body)
            replies = world.connector.sent(conversation_id_for(MAIJA))
            assert [r.get("text") for r in replies] == [text], replies
        case None:
            await SPECIAL[case_id](world, status, body)
    for name in before:
        if name != PROCESSED:
            assert after[name] == before[name], f"table {name} changed"
    if isinstance(outcome, Refused):
        assert after[PROCESSED] == before[PROCESSED]
    else:
        added = set(after[PROCESSED]) - set(before[PROCESSED])
        assert set(before[PROCESSED]) <= set(after[PROCESSED])
        assert all(activity_id in row for row in added), added
        assert len(added) <= 1


# Cases whose answer is checked on its own --------------------------------------------------------


async def _stale(w: World, status: int, body: Any) -> None:
    assert status == 200 and body["type"] == CARD, body
    shown = texts(body["value"])
    assert "sen jälkeen, kun avasit tämän kortin" in shown, shown  # the conflict notice (notice.conflict)
    assert "Vanha kortti." not in json.dumps(body["value"], ensure_ascii=False)  # the stale answers are not kept


async def _closed(w: World, status: int, body: Any) -> None:
    assert status == 200 and body["type"] == CARD, body
    shown = texts(body["value"])
    assert t("survey.closed_title") in shown, shown


async def _file_consent_refused(w: World, status: int, body: Any) -> None:
    assert status == 200
    assert [c for c in w.connector.calls if "upload" in c.path] == []  # nothing was uploaded
    replies = w.connector.sent(conversation_id_for(MAIJA))
    assert [r.get("text") for r in replies] == [TEAM_ONLY], replies


async def _echo(w: World, status: int, body: Any) -> None:
    assert status == 201
    (reply,) = w.connector.sent(conversation_id_for(MAIJA))
    (block,) = reply["attachments"][0]["content"]["body"]
    assert block["type"] == "RichTextBlock"  # the echo is never read as Markdown
    text = texts(reply["attachments"][0]["content"])
    assert text.startswith("En tunnistanut komentoa ”")
    assert "<at>" not in text and "](https://" not in text and "**[" not in text and "\\" not in text, text
    assert not reply.get("entities") or all(e.get("type") != "mention" for e in reply["entities"]), reply


async def _forged_anna_is_a_stranger(w: World, status: int, body: Any) -> None:
    assert status == 201
    assert [r.get("text") for r in w.connector.sent(conversation_id_for(FORGED_ANNA))] == [t("not_for_you")]


SPECIAL = {
    "upn-only-member-id-with-a-foreign-object-id-asks-the-survey": _forged_anna_is_a_stranger,
    "card-stale-version-changes-answers": _stale,
    "card-survey-closed": _closed,
    "rep-file-consent-export": _file_consent_refused,
    "markdown-mention-injection-in-echo": _echo,
}
