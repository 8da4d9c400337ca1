"""The meeting's conclusions are the county's own: a HYTE member of another county's tenant sees
none of them, and a payload naming another county's round (or its conclusion ids) changes nothing."""

from __future__ import annotations

from app import SERVICES
from auxil.counties import POHJOIS_SAVO, SAARISTO
from cards.catalogue import t
from loopback.channel import cards_of
from loopback.person import texts
from scenarios.test_meeting import download, link, paragraphs
from scenarios.test_counties import deployment  # noqa: F401 (the fixture: three counties in one deployment)


async def test_another_countys_hyte_member_neither_sees_nor_changes_the_conclusions(deployment):  # noqa: F811
    server, _client, people = deployment
    sanna, sofia = people[POHJOIS_SAVO.round_id][1], people[SAARISTO.round_id][1]
    card = await sanna.open_card("uusi kirjaus")
    await sanna.press(card, "Tallenna kirjaus", {"m.topic": "goals", "m.text": "Pohjois-Savon kirjaus.",
                                                 "m.evidence": "sq:goals_progress"})
    meetings = server.app[SERVICES].exports._meeting.meetings
    (ours,) = await meetings.conclusions(POHJOIS_SAVO.tenant_id, POHJOIS_SAVO.round_id)

    theirs = await sofia.open_card("kirjaukset")
    assert "Pohjois-Savon kirjaus" not in texts(theirs)
    for verb, data in (
        ("meeting.save", {"id": ours.id, "v": ours.version, "m.text": "Saariston muutos", "m.topic": "goals"}),
        ("meeting.delete", {"id": ours.id, "v": ours.version}),
        ("meeting.move", {"id": ours.id, "v": ours.version, "step": 1}),
        ("meeting.write", {"id": ours.id, "v": ours.version}),
        ("meeting.finish", {}),
    ):
        for round_id in (POHJOIS_SAVO.round_id, SAARISTO.round_id):  # a forged round, or its own with our ids
            answer = await sofia.invoke(verb, {"verb": verb, "r": round_id, **data})
            assert "Pohjois-Savon kirjaus" not in texts(answer)
    assert await meetings.conclusions(POHJOIS_SAVO.tenant_id, POHJOIS_SAVO.round_id) == [ours]
    assert await meetings.versions(POHJOIS_SAVO.tenant_id, POHJOIS_SAVO.round_id) == []
    assert await meetings.conclusions(SAARISTO.tenant_id, SAARISTO.round_id) == []
    assert await meetings.versions(SAARISTO.tenant_id, SAARISTO.round_id) == []
    history = await meetings.history(POHJOIS_SAVO.tenant_id, POHJOIS_SAVO.round_id)
    assert [h.kind.value for h in history] == ["created"]


async def test_a_swedish_reader_of_the_bilingual_county_writes_conclusions_in_swedish(deployment):  # noqa: F811
    server, _client, people = deployment
    sofia = people[SAARISTO.round_id][1]
    await sofia.say("språk svenska")
    card = await sofia.open_card("ny anteckning")
    assert "Ny anteckning" in texts(card) and "Spara anteckningen" in str(card)
    saved = await sofia.press(card, "Spara anteckningen", {"m.topic": "cooperation", "m.text": "Samarbetet stärks.",
                                                           "m.evidence": ""})
    assert "Anteckningar till sammandraget" in texts(saved) and "Samarbete" in texts(saved)
    meetings = server.app[SERVICES].exports._meeting.meetings
    assert [c.text for c in await meetings.conclusions(SAARISTO.tenant_id, SAARISTO.round_id)] == ["Samarbetet stärks."]

    # Finished in Swedish: the summary's download link gives the Word file in Swedish.
    (finished,) = cards_of(await sofia.say("färdigställ sammandraget"))
    document = paragraphs(await download(server, link(finished, t("meeting.download_summary", "sv"))))
    assert document[0].startswith(t("docx.meeting.title", "sv", year=""))  # "Sammandrag av HYTE-förhandlingarna"
    assert "Samarbetet stärks." in "\n".join(document)
