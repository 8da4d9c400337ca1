"""På svenska (issue 19), over HTTP: the bilingual Saaristo – Skärgården round beside the Finnish-only
Pohjois-Savo one. A representative whose Teams client is Swedish (`sv-FI`) walks the whole survey
in Swedish and submits; their Finnish-speaking deputy reads the same response in Finnish; `språk`
and `kieli` switch, remembered; a Swedish reader finds no Finnish catalogue text in any card."""

from __future__ import annotations

import pytest

from app import SERVICES
from auxil.counties import SAARISTO, SAARISTO_TENANT, rounds_folder
from auxil.languages import finnish_left
from cards.catalogue import t
from cards.elements import walk
from conftest import MAIJA, make_settings
from hyte.responses import ResponseKey
from loopback.demo import DEMO_TENANT as MAIJA_TENANT
from loopback.http import BotClient
from loopback.person import Person, texts
from loopback.server import BotServer
from loopback.survey import ANSWERS
from loopback.teams import TeamsEnv, TeamsUser, card_action

EEVA_SV = TeamsUser("5aa70000-0000-4000-8000-0000000005a1", "Eeva Saarinen", upn="eeva.saarinen@saaristo.example",
                    locale="sv-FI")
"""Saariston kaupunki's member, whose Teams client is in Swedish."""
JOHAN_FI = TeamsUser("5aa70000-0000-4000-8000-0000000005a2", "Johan Holmberg", upn="johan.holmberg@saaristo.example",
                     locale="fi-FI")
"""Her deputy, whose Teams client is in Finnish."""
KARIN_EN = TeamsUser("5aa70000-0000-4000-8000-0000000005a3", "Karin Nyström", upn="karin.nystrom@saaristo.example",
                     locale="en-US")
"""Another organisation's member, on an English client (as Agents Playground sends)."""
KEY = ResponseKey(SAARISTO_TENANT, SAARISTO.round_id, "saariston_kaupunki")


@pytest.fixture
async def bilingual(tmp_path, sqlite_url, clock, connector):
    server = BotServer(make_settings(sqlite_url, rounds_folder(tmp_path, third=False)), clock)
    await server.start()
    try:
        async with BotClient(server.url, settle=server.settle) as client:
            env = TeamsEnv(service_url=connector.service_url, tenant_id=SAARISTO_TENANT)
            demo = TeamsEnv(service_url=connector.service_url, tenant_id=MAIJA_TENANT)
            yield server, {
                "eeva": Person(client, connector, env, EEVA_SV), "johan": Person(client, connector, env, JOHAN_FI),
                "karin": Person(client, connector, env, KARIN_EN),
                "maija_sv": Person(client, connector, demo, TeamsUser(MAIJA.aad_object_id, MAIJA.name, locale="sv-FI")),
            }
    finally:
        await server.stop()



def sv(key: str, **params: object) -> str:
    return t(key, "sv", **params)


def everything(card: dict) -> str:
    """Every text a card shows: its blocks, inputs' labels and placeholders, choices, buttons."""
    extra = [str(e[k]) for e in walk(card) for k in ("label", "placeholder", "title", "errorMessage")
             if isinstance(e.get(k), str)]
    return "\n".join([texts(card), *extra])


def assert_swedish(card: dict) -> str:
    shown = everything(card)
    assert finnish_left(shown) == [], shown
    return shown


async def test_a_swedish_client_walks_the_survey_in_swedish_and_the_finnish_deputy_reads_it_in_finnish(bilingual):
    server, people = bilingual
    eeva, johan = people["eeva"], people["johan"]

    greeting = (await eeva.install())[0]["attachments"][0]["content"]
    shown = assert_swedish(greeting)
    assert "Hej Eeva Saarinen!" in shown and "- **enkät** (även **förhandsenkät**" in shown
    # The bilingual round's other language: how to switch to it, in it.
    assert t("greeting.in_other_language", "fi") in shown and sv("greeting.in_other_language") not in shown

    card = await eeva.open_card("enkät")
    seen = [assert_swedish(card)]
    assert "Del 1/5: Mål och åtgärder" in seen[0]
    assert "Hur framskrider Skärgårdens fokusområden och välfärdsmål med tillhörande åtgärder enligt er?" in seen[0]
    for section_id, values in ANSWERS.items():
        title = sv("action.review") if section_id == "interfaces" else sv("action.next")
        card = await eeva.press(card, title, values)
        seen.append(assert_swedish(card))
    assert sv("survey.review_title") in seen[-1]
    assert "kräver fortfarande mycket effektivisering" in seen[-1]  # the option by its id, in Swedish
    assert ANSWERS["goals_measures"]["q.hyte_effectiveness"] in seen[-1]  # free text as written
    submitted = await eeva.press(card, sv("action.submit"))
    assert sv("survey.submitted_title") in assert_swedish(submitted)

    response = await server.app[SERVICES].responses.get(KEY)
    assert response.submitted_at is not None and response.answers["goals_progress"] == "need_more_effort"

    # The deputy's client is Finnish: the same response, in Finnish.
    card = await johan.open_card("kysely")
    shown = texts(card)
    assert t("survey.submitted_by", "fi", by="Eeva Saarinen", at="2.5.2024 klo 10.00") in shown
    assert t("action.edit", "fi") in everything(card)
    assert "vaativat vielä paljon tehostamista" in shown and "kräver fortfarande" not in shown
    assert ANSWERS["goals_measures"]["q.hyte_effectiveness"] in shown
    assert "Eeva Saarinen" in texts(await johan.open_card("tila"))


async def test_sprak_switches_and_is_remembered_kieli_switches_back(bilingual):
    _server, people = bilingual
    johan, karin = people["johan"], people["karin"]

    assert "Osio 1/5" in texts(await johan.open_card("kysely"))
    chosen = await johan.open_card("språk svenska")
    assert sv("language.chosen", name=sv("language.in_sv")) in texts(chosen)
    card = await johan.open_card("kysely")  # a Finnish command name works whatever one reads
    assert "Del 1/5: Mål och åtgärder" in assert_swedish(card)
    assert "Del 1/5" in texts(await johan.press(card, sv("action.save"), ANSWERS["goals_measures"]))

    back = await johan.open_card("kieli")  # the card, with a button per language
    assert sv("language.current", name=sv("language.in_sv")) in texts(back)
    finnish = await johan.press(back, "Suomi")
    assert t("language.chosen", "fi", name=t("language.in_fi", "fi")) in texts(finnish)
    assert "Osio 1/5: Tavoitteet ja toimenpiteet" in texts(await johan.open_card("enkät"))

    # An English client gets the round's first language, told in Swedish how to switch; "sprak"
    # without the ring works too.
    greeting = texts((await karin.install())[0]["attachments"][0]["content"])
    assert sv("greeting.in_other_language").replace("**", "") in greeting.replace("**", "")
    assert "Osio 1/5" in texts(await karin.open_card("kysely"))
    await karin.open_card("sprak svenska")
    assert "Del 1/5" in texts(await karin.open_card("enkat"))
    unknown = await karin.open_card("språk klingonska")
    assert sv("language.unknown", words="klingonska").replace("”", "") in texts(unknown).replace("”", "")


async def test_a_round_in_finnish_only_answers_in_finnish_whatever_the_client(bilingual):
    _server, people = bilingual
    maija = people["maija_sv"]
    assert "Osio 1/5" in texts(await maija.open_card("enkät"))
    replies = await maija.say("språk svenska")
    assert replies[0]["text"] == t("language.only_one", "fi", name=t("language.in_fi", "fi"))


async def test_help_lists_the_swedish_command_names_to_a_swedish_reader(bilingual):
    _server, people = bilingual
    shown = assert_swedish(await people["eeva"].open_card("hjälp"))
    for name in ("enkät", "status", "tidtabell", "språk"):
        assert f"- **{name}**" in shown, name
    assert "kysely" not in shown and "aikataulu" not in shown and "**enkat**" not in shown


# The Word summary and the Excel in Swedish ----------------------------------------------------------

SOFIA_SV = TeamsUser("5aa70000-0000-4000-8000-0000000005b1", "Sofia Lindqvist", upn="sofia.lindqvist@saaristo.example",
                     locale="sv-FI")
MIKAEL_FI = TeamsUser("5aa70000-0000-4000-8000-0000000005a4", "Mikael Lindroos", upn="mikael.lindroos@saaristo.example")
GOOD_PRACTICES = {  # two organisations in Swedish, one in Finnish: one theme of the thesaurus
    "eeva": "Gemensamma evenemang med föreningarna varje höst.",
    "karin": "Vi ordnar gemensamma evenemang och temadagar tillsammans med organisationerna.",
    "mikael": "Yhteiset tapahtumat ja teemapäivät järjestöjen kanssa.",
}


async def _submit(person: Person, language: str, good_practices: str) -> None:
    card = await person.open_card("kysely")
    for section_id, values in ANSWERS.items():
        if section_id == "ngo_cooperation":
            values = {**values, "q.ngo_good_practices": good_practices}
        title = t("action.review" if section_id == "interfaces" else "action.next", language)
        card = await person.press(card, title, values)
    await person.press(card, t("action.submit", language))


async def test_the_word_summary_in_swedish_reads_right_and_themes_both_languages_as_one(bilingual, connector):
    import io

    from docx import Document
    from openpyxl import load_workbook

    from scenarios.test_results import UploadTarget, file_consent_invoke

    server, people = bilingual
    env = people["eeva"].env
    client = people["eeva"].client
    mikael = Person(client, connector, env, MIKAEL_FI)
    for name, person, language in (("eeva", people["eeva"], "sv"), ("karin", people["karin"], "fi"),
                                   ("mikael", mikael, "fi")):
        await _submit(person, language, GOOD_PRACTICES[name])

    sofia = Person(client, connector, env, SOFIA_SV)
    summary_cards = [a["content"] for r in await sofia.say("enkätsammanfattning") for a in r.get("attachments") or []]
    summary = "\n".join(texts(card) for card in summary_cards)
    assert sv("results.summary_title", county="Saariston hyvinvointialue – Skärgårdens välfärdsområde") in summary
    assert "gemensamma evenemang och tillställningar" in summary, summary
    round_texts = server.app[SERVICES].rounds.catalogue.current(SAARISTO_TENANT)
    stripped = summary
    for county_text in (round_texts.config.county, *(o.name for o in round_texts.config.organisations)):
        stripped = stripped.replace(county_text, "")
    assert finnish_left(stripped) == []
    choose = await sofia.open_card("export")
    assert [a["title"] for a in choose["actions"]] == [sv("action.export_in_sv"), sv("action.export_in_fi")]
    assert_swedish(choose)
    before = len(connector.sent(sofia.conversation_id))
    await sofia.press(choose, sv("action.export_in_sv"))
    await server.settle()
    sent = connector.sent(sofia.conversation_id)[before:]
    consents = [a for r in sent for a in r.get("attachments") or []
                if a["contentType"] == "application/vnd.microsoft.teams.card.file.consent"]
    assert [c["name"] for c in consents] == ["HYTE-förhandsenkät 2024 (saaristo-demo).xlsx",
                                             "Utkast till sammandrag av HYTE-förhandlingarna 2024.docx"] or \
        [c["name"] for c in consents][0].startswith("HYTE-förhandsenkät"), [c["name"] for c in consents]
    files = {}
    async with UploadTarget() as target:
        for consent in consents:
            context = consent["content"]["acceptContext"]
            assert context["language"] == "sv"
            status, _ = await client.post(file_consent_invoke(env, SOFIA_SV, context, "accept", target.url + "/upload/x"))
            assert status == 200
            await server.settle()
        files = {context_kind: body for context_kind, (_, body) in zip(("xlsx", "docx"), target.received)}

    document = Document(io.BytesIO(files["docx"]))
    paragraphs = [p.text for p in document.paragraphs]
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == sv("export.docx_title", year=2024)
    for topic in ("goals", "measures", "cooperation", "monitoring"):
        assert sv(f"docx.topic.{topic}") in headings, topic
    assert sv("docx.section", title="Samarbete med organisationer") in headings or any(
        h.startswith("Förhandsenkäten: ") for h in headings)
    whole = "\n".join(paragraphs)
    catalogue_part = whole
    round_ = server.app[SERVICES].rounds.catalogue.current(SAARISTO_TENANT)
    for county_text in (round_.config.county, *(o.name for o in round_.config.organisations)):
        catalogue_part = catalogue_part.replace(county_text, "")  # the county's own, bilingual names
    assert finnish_left(catalogue_part) == []
    theme = [p for p in paragraphs if p.startswith("gemensamma evenemang och tillställningar: 3 organisationer")]
    assert theme, [p for p in paragraphs if "organisationer (" in p]
    assert GOOD_PRACTICES["mikael"] in whole or GOOD_PRACTICES["karin"] in whole  # quotes as written

    sheet = load_workbook(io.BytesIO(files["xlsx"])).worksheets[0]
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert sv("xlsx.organisation") in header and t("xlsx.organisation", "fi") not in header


# The workshop in both languages -------------------------------------------------------------------


async def test_workshop_posts_are_in_both_languages_and_a_swedish_channel_note_is_themed(bilingual, connector):
    from loopback.channel import Board, board_spec, cards_of

    server, people = bilingual
    eeva = people["eeva"]
    board = Board(eeva.client, connector, eeva.env, board_spec())
    welcome = cards_of(await board.install(SOFIA_SV))
    assert welcome and t("workshop.welcome_title", "fi") in texts(welcome[0]) and sv("workshop.welcome_title") in texts(welcome[0])

    sofia = Person(eeva.client, connector, eeva.env, SOFIA_SV)
    choose = await sofia.open_card("starta workshop")
    assert_swedish(choose)
    groups = ("Ryhmä 1", "Ryhmä 2", "Group 3")
    started = await sofia.press(choose, sv("workshop.action_start"), {"ws.groups": ",".join(board.channel(g) for g in groups)})
    assert sv("workshop.started_title") in assert_swedish(started)

    post = cards_of(board.posts(board.channel("Ryhmä 1")))[0]
    shown = texts(post)  # Finnish first (the round's first language), then Swedish, in one post
    assert shown.index(t("workshop.question_heading", "fi", number="1")) < shown.index(sv("workshop.question_heading", number="1"))
    definition = server.app[SERVICES].rounds.catalogue.current(SAARISTO_TENANT).workshop
    assert definition.in_language("sv").questions[0].text in shown and definition.questions[0].text in shown
    assert len(board.posts(board.channel("Ryhmä 1"))) == len(definition.questions)  # one post per question

    third = definition.questions[2]
    await board.post(EEVA_SV, board.channel("Ryhmä 1"), f"Fråga {third.number}: Gemensamma evenemang med föreningarna varje höst")
    await board.post(KARIN_EN, board.channel("Ryhmä 2"), f"F{third.number} Fler gemensamma evenemang och temadagar")
    await board.post(JOHAN_FI, board.channel("Group 3"), f"{third.number}. Yhteiset tapahtumat järjestöjen kanssa")
    stored = {n.text: n.question_id for n in await server.app[SERVICES].workshops.notes(SAARISTO_TENANT, SAARISTO.round_id)}
    assert set(stored.values()) == {third.id}, stored

    summary = "\n".join(texts(c) for c in cards_of(await board.command(SOFIA_SV, "workshopsammanfattning")))
    assert sv("workshop.summary_title") in summary
    assert "gemensamma evenemang och tillställningar**: 3 grupper" in summary or \
        "gemensamma evenemang och tillställningar: 3 grupper" in summary, summary
    assert finnish_left(summary.replace(definition.questions[2].text, "")) == []


async def test_refusals_and_an_unknown_command_are_in_the_readers_language(bilingual):
    _server, people = bilingual
    eeva = people["eeva"]
    assert (await eeva.say("export"))[0]["text"] == sv("team_only")
    unknown = (await eeva.say("hej hej"))[0]["attachments"][0]["content"]
    assert "hej hej" in texts(unknown) and finnish_left(texts(unknown).replace("hej hej", "")) == []
    assert texts(unknown) != texts((await people["johan"].say("hej hej"))[0]["attachments"][0]["content"])
    status, body = await eeva.client.post(card_action(eeva.env, EEVA_SV, "no.such.verb", {"r": SAARISTO.round_id}))
    assert status == 200 and sv("card_not_understood") in str(body)
