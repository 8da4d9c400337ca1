"""The HYTE team's results over HTTP: status, the survey summary, refusals, message sizes, exports
(file consent to a loopback upload URL, signed download links in the board team's channel)."""

from __future__ import annotations

import asyncio
import io
import json
import uuid
from datetime import timedelta

import aiohttp
import pytest
from aiohttp import web
from docx import Document
from openpyxl import load_workbook

from app import SERVICES
from auxil.cards import walk
from loopback.channel import cards_of
from loopback.person import Person, texts
import bot.features.results
from loopback.http import BotClient
from loopback.teams import TeamsEnv, TeamsUser, _activity, personal_message
from cards.catalogue import t
from conftest import DEMO_TENANT, MAIJA, NOW, OLLI, SANNA
from hyte.responses import Actor, Change, ChangeAction, ResponseKey

BOARD_TEAM = "19:board-team@thread.tacv2"
OTHER_TEAM = "19:other-team@thread.tacv2"
ROUND_ID = "pohjois-savo-demo"
MAX_MESSAGE_BYTES = 80_000


def full_answers(progress="need_more_effort", goals=("g03", "g14"), other=None, scale=4, text="Yhteiset tavoitteet.",
                 partners="yes", roles="cannot_say", method=None) -> dict:
    return {
        "goals_progress": progress,
        "hyte_effectiveness": text,
        "goals_to_strengthen": {"selected": list(goals) + (["other"] if other else []), "other": other},
        "organisation_actions": text,
        "annual_report_scale": scale,
        "annual_report_development": text,
        "methods": {"none": False, "areas": {"area_1": method}} if method else {"none": True, "areas": {}},
        "ngo_good_practices": text,
        "ngo_at_its_best": text,
        "ngo_discussion_needs": text,
        "interfaces_strategy_goal": text,
        "partners_found": partners,
        "roles_clear": roles,
        "more_cooperation": text,
    }


async def put(server, org: str, answers: dict, action: ChangeAction, _version: int = 0, who: str = "Edustaja") -> None:
    """Store answers as the survey flow does: a first save, then a save or a submit."""
    responses = server.app[SERVICES].responses
    key = ResponseKey(DEMO_TENANT, ROUND_ID, org)
    actor = Actor(str(uuid.uuid4()), who)
    current = await responses.get(key)
    version = current.version if current else 0
    if version == 0:
        await responses.apply(key, Change(answers, 0, ChangeAction.SAVE, tuple(answers)), actor, NOW - timedelta(hours=2))
        version = 1
    await responses.apply(key, Change(answers, version, action, tuple(answers)), actor, NOW - timedelta(hours=1))


@pytest.fixture
async def known(server):
    """Kuopio submitted; Iisalmi submitted then edited without resubmitting; Savonia drafting;
    HVA perhe submitted, with a "Jokin muu" text and a method; the rest not started."""
    await put(server, "kuopio", full_answers(other="<at>Kaikki</at> [klikkaa](https://evil.example) **ikäihmiset**",
                                             text="Järjestöjen ja kuntien yhteinen foorumi."), ChangeAction.SUBMIT, 0, "Maija Meikäläinen")
    await put(server, "iisalmi", full_answers(progress="very_well", goals=("g14",), scale=2), ChangeAction.SUBMIT, 0)
    await put(server, "iisalmi", full_answers(progress="cannot_say", goals=("g01",), scale=5), ChangeAction.SAVE, 1)
    await put(server, "savonia", full_answers(progress="cannot_say", goals=("g27",)), ChangeAction.SAVE, 0)
    await put(server, "hva_perhe", full_answers(goals=("g14", "g05"), method={
        "name": "Perhekeskus", "description": "Matalan kynnyksen palvelu", "level": "research_based"}), ChangeAction.SUBMIT, 0)




def only_text(replies: list[dict]) -> str:
    assert len(replies) == 1 and not replies[0].get("attachments"), replies
    return replies[0]["text"]


def channel_message(env: TeamsEnv, user: TeamsUser, text: str, team_id: str = BOARD_TEAM) -> dict:
    activity = _activity(env, user, "message", None)
    thread = f"{team_id};messageid=1{uuid.uuid4().int % 10**12}"
    activity["conversation"] = {"conversationType": "channel", "isGroup": True, "tenantId": env.tenant_id, "id": thread}
    activity["channelData"] = {"tenant": {"id": env.tenant_id}, "team": {"id": team_id}, "channel": {"id": team_id}}
    activity["text"] = f"<at>{env.bot_name}</at> {text}"
    activity["entities"] = [{"type": "mention", "text": f"<at>{env.bot_name}</at>", "mentioned": {"id": env.bot_id, "name": env.bot_name}}]
    return activity


async def say_in_channel(client, connector, env, user, text, team_id=BOARD_TEAM) -> list[dict]:
    activity = channel_message(env, user, text, team_id)
    before = len(connector.sent(activity["conversation"]["id"]))
    status, _ = await client.post(activity)
    assert status in (200, 201)
    return connector.sent(activity["conversation"]["id"])[before:]


@pytest.fixture
async def board(server, connector):
    await server.app[SERVICES].teams.installed(
        DEMO_TENANT, BOARD_TEAM, "HYTE-neuvottelukunta", None, connector.service_url, SANNA.aad_object_id, True, NOW)


# Refusals ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["kyselyn yhteenveto", "yhteenveto kysely", "summary survey", "vienti", "export"])
async def test_representative_and_stranger_are_refused_and_see_no_figures(known, maija, client, connector, teams, command):
    olli = Person(client, connector, teams, OLLI)
    for person in (maija, olli):
        text = only_text(await person.say(command))
        assert text == "Tämä toiminto on vain HYTE-tiimin käytössä."


async def test_stranger_asking_status_learns_nothing(known, client, connector, teams):
    text = only_text(await Person(client, connector, teams, OLLI).say("tila"))
    assert "/" not in text and "Kuopio" not in text and not any(ch.isdigit() for ch in text)


async def test_representative_keeps_her_own_status_card(known, maija):
    card = await maija.open_card("tila")
    assert texts(card).splitlines()[0] == "Organisaatiosi vastaus: Kuopion kaupunki"
    assert "Iisalmen" not in texts(card)


async def test_results_are_not_shown_in_another_teams_channel(known, board, client, connector, teams):
    replies = await say_in_channel(client, connector, teams, SANNA, "yhteenveto kysely", team_id=OTHER_TEAM)
    assert "neuvottelukunnan tiimin kanavilla" in only_text(replies)


async def test_representative_in_the_board_channel_is_refused_status(known, board, client, connector, teams):
    replies = await say_in_channel(client, connector, teams, MAIJA, "tila")
    assert only_text(replies) == t("personal_only")
    assert only_text(replies).startswith("Ennakkokyselyyn vastataan kahdenkeskisessä keskustelussa kanssani.")


# Status -----------------------------------------------------------------------------------------------


async def test_team_status_card_by_category_with_missing_names(known, sanna):
    card = await sanna.open_card("tila")
    shown = texts(card)
    assert "Vastaustilanne: Pohjois-Savon hyvinvointialue" in shown
    assert "Vaihe: ennakkokysely avoinna" in shown
    assert "Lähettäneet 3/25 (12 %) · luonnoksia 1 · aloittamatta 21" in shown
    assert "Kunnat\nLähettäneet 2/10 (20 %) · luonnoksia 0 · aloittamatta 8" in shown
    assert "Oppilaitokset\nLähettäneet 0/2 (0 %) · luonnoksia 1 · aloittamatta 1" in shown
    assert "Vastaus puuttuu (22)" in shown
    assert "• Savonia-ammattikorkeakoulu (luonnos kesken)" in shown
    assert "• Kuopion kaupunki" not in shown
    bars = [e for e in walk(card) if e.get("type") == "ProgressBar"]
    assert len(bars) == 5 and bars[0]["value"] == 12 and bars[0]["fallback"]["type"] == "TextBlock"
    assert await sanna.open_card("status") == card


async def test_team_status_in_the_board_channel(known, board, client, connector, teams):
    replies = await say_in_channel(client, connector, teams, SANNA, "tila")
    assert "Lähettäneet 3/25" in texts(cards_of(replies)[0])


# Summary ----------------------------------------------------------------------------------------------


async def test_survey_summary_content(known, sanna):
    replies = await sanna.say("kyselyn yhteenveto")
    cards = cards_of(replies)
    shown = "\n".join(texts(c) for c in cards)
    assert "Yhteenvedossa ovat mukana lähetetyt vastaukset: 3/25 organisaatiota." in shown
    assert "Luonnos kesken (1): Savonia-ammattikorkeakoulu" in shown
    charts = {c["title"]: {d["x"]: d["y"] for d in c["data"]} for card in cards for c in walk(card)
              if str(c.get("type", "")).startswith("Chart.") and c.get("title")}
    progress = charts["Tavoitteet ja toimenpiteet, kysymys 1: Miten mielestänne Pohjois-Savon painopistealueet ja "
                      "hyvinvointitavoitteet toimenpiteineen etenevät?"]
    # Iisalmi counts with its submitted "very_well", not its unsent edit; Savonia's draft not at all.
    assert progress == {"etenevät erittäin hyvin": 1, "vaativat vielä paljon tehostamista": 2, "emme osaa sanoa": 0}
    scale = next(v for k, v in charts.items() if k.startswith("Seuranta, kysymys 1: Miten toivoisitte"))
    assert list(scale.values()) == [0, 1, 0, 2, 0]
    assert charts["Vastausaste organisaatioryhmittäin (%)"] == {"Kunnat": 20, "Hyvinvointialue": 17, "Oppilaitokset": 0, "Muut toimijat": 0}
    for chart in (c for card in cards for c in walk(card) if str(c.get("type", "")).startswith("Chart.")):
        assert chart["fallback"]["type"] == "Container" and texts(chart["fallback"])
    assert "1. Mielenterveys vahvistuu (erit. lapset ja nuoret): 3/3" in shown
    assert "Ennakkoarviointi päätöksenteossa" not in shown  # only in a draft
    assert "• Perhekeskus (Tutkittu, näyttöön perustuva), Hyvinvointialue: perhe- ja sosiaalipalvelut" in shown
    # The "Jokin muu" text is neutralised: no mention, no link, no bold; named by category only.
    assert "Vastaukset kohtaan ”Jokin muu, mikä”:" in shown
    assert ("• ‹at›Kaikki‹/at› [klikkaa]\u2060(https\u2060://evil.example) \u2217\u2217ikäihmiset\u2217\u2217 (Kunnat)"
            in shown)
    assert "<at>" not in json.dumps(cards, ensure_ascii=False) and "\\" not in shown


async def test_summary_themes_name_categories_and_offer_all_answers(known, sanna):
    cards = cards_of(await sanna.say("kyselyn yhteenveto"))
    shown = "\n".join(texts(c) for c in cards)
    assert "Avointen vastausten toistuvat teemat" in shown
    assert "Kuopion kaupunki" not in shown.split("Avointen vastausten toistuvat teemat")[1]
    buttons = [e for c in cards for e in walk(c) if e.get("type") == "Action.Execute"]
    assert {b["data"]["question"] for b in buttons} >= {"hyte_effectiveness", "more_cooperation"}
    holder = next(c for c in cards if any(e.get("type") == "Action.Execute" and e["data"]["question"] == "ngo_at_its_best" for e in walk(c)))
    before = len(sanna.connector.sent(sanna.conversation_id))
    card = await sanna.invoke("results.answers", {"verb": "results.answers", "r": ROUND_ID, "question": "ngo_at_its_best"})
    assert card == holder
    answers = cards_of(sanna.connector.sent(sanna.conversation_id)[before:])
    listed = "\n".join(texts(c) for c in answers)
    assert "Kaikki vastaukset: Järjestöyhteistyö, kysymys 2" in listed
    assert listed.count("– kunta") == 2 and listed.count("– hyvinvointialue") == 1
    assert "Järjestöjen ja kuntien yhteinen foorumi." in listed


async def test_show_all_answers_is_refused_to_a_representative(known, maija):
    card = await maija.invoke("results.answers", {"verb": "results.answers", "r": ROUND_ID, "question": "ngo_at_its_best"})
    assert texts(card) == "Tämä toiminto on vain HYTE-tiimin käytössä."


async def test_big_summary_is_split_into_messages_under_80_kb(server, sanna):
    # Worst case for size: ä, ö and ˍ take two bytes, ∗ and word joiners three.
    long = ("Yöpöytää äöäöä. [a](b) -*_- " * 100)[:2000]
    for org in [o.id for o in server.app[SERVICES].round.config.organisations]:
        await put(server, org, full_answers(text=long, other=long[:500], method={"name": "M" * 200, "description": long[:1000], "level": "pilot"}),
                  ChangeAction.SUBMIT, 0)
    replies = await sanna.say("yhteenveto kysely")
    sizes = [len(json.dumps(reply, ensure_ascii=False).encode()) for reply in replies]
    print("summary message sizes", sizes)
    assert all(size < MAX_MESSAGE_BYTES for size in sizes), sizes
    shown = "\n".join(texts(c) for c in cards_of(replies))
    assert "Yhteenvedossa ovat mukana lähetetyt vastaukset: 25/25" in shown
    # All answers to one question: 25 answers of 2,000 characters do not fit one message.
    before = len(sanna.connector.sent(sanna.conversation_id))
    await sanna.invoke("results.answers", {"verb": "results.answers", "r": ROUND_ID, "question": "ngo_at_its_best"})
    answers = sanna.connector.sent(sanna.conversation_id)[before:]
    sizes = [len(json.dumps(reply, ensure_ascii=False).encode()) for reply in answers]
    print("all-answers message sizes", sizes)
    assert len(answers) >= 2 and all(size < MAX_MESSAGE_BYTES for size in sizes), sizes
    listed = "\n".join(texts(c) for c in cards_of(answers))
    assert listed.count("– kunta") == 10 and "Yhteenveto jatkuu" in listed


# Exports ----------------------------------------------------------------------------------------------


class UploadTarget:
    """A loopback stand-in for the OneDrive upload session Teams hands the bot; with `hold`, an
    upload is answered only once `release` is set."""

    def __init__(self, hold: bool = False) -> None:
        self.received: list[tuple[dict, bytes]] = []
        self.release = asyncio.Event()
        if not hold:
            self.release.set()

    async def __aenter__(self):
        app = web.Application(client_max_size=50 * 1024 * 1024)

        async def handle(request: web.Request) -> web.Response:
            self.received.append((dict(request.headers), await request.read()))
            await self.release.wait()
            return web.json_response({"id": "file-1"}, status=201)

        app.router.add_put("/upload/{name}", handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc):
        await self._runner.cleanup()


def file_consent_invoke(env: TeamsEnv, user: TeamsUser, context: dict, action: str, upload_url: str | None) -> dict:
    activity = _activity(env, user, "invoke", None)
    value = {"type": "fileUpload", "action": action, "context": context}
    if upload_url:
        value["uploadInfo"] = {"contentUrl": "https://onedrive.example/file.xlsx", "name": "HYTE.xlsx",
                               "uploadUrl": upload_url, "uniqueId": "UID-1", "fileType": "xlsx"}
    activity |= {"name": "fileConsent/invoke", "value": value}
    return activity


async def test_export_in_personal_chat_through_file_consent(known, sanna, client, connector, teams):
    replies = await sanna.say("vienti")
    consents = [a for r in replies for a in r.get("attachments") or []
                if a["contentType"] == "application/vnd.microsoft.teams.card.file.consent"]
    assert [c["name"] for c in consents] == ["HYTE-ennakkokysely 2024 (pohjois-savo-demo).xlsx",
                                             "Yhteenvetoluonnos HYTE-neuvotteluista 2024.docx"]
    assert all(c["content"]["sizeInBytes"] > 1000 for c in consents)
    xlsx_context = consents[0]["content"]["acceptContext"]
    async with UploadTarget() as target:
        status, _ = await client.post(file_consent_invoke(teams, SANNA, xlsx_context, "accept", target.url + "/upload/x"))
        assert status == 200
        headers, body = target.received[0]
    size = len(body)
    assert headers["Content-Range"] == f"bytes 0-{size - 1}/{size}"
    workbook = load_workbook(io.BytesIO(body))
    assert "Vastaustilanne" in workbook.sheetnames
    info = [a for r in connector.sent(sanna.conversation_id) for a in r.get("attachments") or []
            if a["contentType"] == "application/vnd.microsoft.teams.card.file.info"]
    assert info == [{"contentType": "application/vnd.microsoft.teams.card.file.info",
                     "contentUrl": "https://onedrive.example/file.xlsx", "name": "HYTE.xlsx",
                     "content": {"uniqueId": "UID-1", "fileType": "xlsx"}}]


async def test_slow_work_is_acknowledged_at_once_and_finished_after_the_answer(known, sanna, server, connector, teams):
    """Summaries and exports answer at once and go on in the background (bot/services/background.py): the
    HTTP answer to Teams does not wait for them."""
    async with BotClient(server.url) as teams_client:  # does not wait for the bot's background work
        before = len(connector.sent(sanna.conversation_id))
        status, _ = await teams_client.post(personal_message(teams, SANNA, "yhteenveto kysely"))
        assert status == 201
        first = connector.sent(sanna.conversation_id)[before]
        assert first["text"] == t("results.preparing")
        await server.settle()
        later = connector.sent(sanna.conversation_id)[before + 1:]
        assert "Ennakkokyselyn yhteenveto" in texts(cards_of(later)[0])

        context = {"verb": "export.consent", "r": ROUND_ID, "kind": "xlsx"}
        async with UploadTarget(hold=True) as target:
            before = len(connector.sent(sanna.conversation_id))
            status, _ = await teams_client.post(
                file_consent_invoke(teams, SANNA, context, "accept", target.url + "/upload/x"))
            assert status == 200  # answered while the upload is still being held
            assert connector.sent(sanna.conversation_id)[before:] == []
            target.release.set()
            await server.settle()
        (uploaded,) = connector.sent(sanna.conversation_id)[before:]
        assert uploaded["text"] == "Tallensin tiedoston OneDriveesi."  # the file card beside it names the file


async def test_work_that_fails_after_the_answer_is_reported_to_the_person(known, sanna, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("the summary could not be made")

    monkeypatch.setattr(bot.features.results, "summary_cards", broken)  # a fault injected after the acknowledgement
    replies = await sanna.say("yhteenveto kysely")
    assert [r.get("text") for r in replies] == [t("results.preparing"), t("error.generic")]


async def test_declined_file_consent_uploads_nothing(known, sanna, client, teams):
    context = {"verb": "export.consent", "r": ROUND_ID, "kind": "docx"}
    before = len(sanna.connector.sent(sanna.conversation_id))
    status, _ = await client.post(file_consent_invoke(teams, SANNA, context, "decline", None))
    assert status == 200
    assert sanna.connector.sent(sanna.conversation_id)[before:][0]["text"] == "Selvä, en tallentanut tiedostoa."


async def test_file_consent_from_a_representative_is_refused(known, client, connector, teams):
    context = {"verb": "export.consent", "r": ROUND_ID, "kind": "xlsx"}
    async with UploadTarget() as target:
        status, _ = await client.post(file_consent_invoke(teams, MAIJA, context, "accept", target.url + "/upload/x"))
        assert status == 200 and target.received == []


async def _links(client, connector, teams) -> list[str]:
    replies = await say_in_channel(client, connector, teams, SANNA, "vienti")
    card = cards_of(replies)[0]
    assert "Tiedostot ovat valmiina" in texts(card)
    return [a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl"]


def _local(server, url: str) -> str:
    return server.url + url[url.index("/api/exports/"):]


async def test_signed_download_link_in_the_board_channel(known, board, server, client, connector, teams, clock):
    xlsx_url, docx_url = await _links(client, connector, teams)
    async with aiohttp.ClientSession() as http:
        async with http.get(_local(server, xlsx_url)) as response:
            assert response.status == 200
            assert "attachment" in response.headers["Content-Disposition"]
            workbook = load_workbook(io.BytesIO(await response.read()))
        assert "Tavoitteet ja toimenpiteet" in workbook.sheetnames
        async with http.get(_local(server, docx_url)) as response:
            assert response.status == 200
            document = Document(io.BytesIO(await response.read()))
        assert document.paragraphs[0].text == "Yhteenvetoluonnos HYTE-neuvotteluista 2024"

        token = xlsx_url.rsplit("/", 1)[1]
        payload, signature = token.split(".")
        other_kind = docx_url.rsplit("/", 1)[1].split(".")[0]
        for forged in (f"{other_kind}.{signature}", f"{payload}.{signature[:-2]}AA", payload, "x.y"):
            async with http.get(server.url + "/api/exports/" + forged) as response:
                assert response.status == 403, forged

        clock.advance(timedelta(minutes=61))
        async with http.get(_local(server, xlsx_url)) as response:
            assert response.status == 410


async def test_export_links_are_not_given_outside_the_board_team(known, board, client, connector, teams):
    replies = await say_in_channel(client, connector, teams, SANNA, "vienti", team_id=OTHER_TEAM)
    assert "/api/exports/" not in json.dumps(replies)
