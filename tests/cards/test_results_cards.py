"""The HYTE team's results cards (cards/results.py), every kind, for a realistic round: the status
card with progress bars, the summary cards with Teams' charts, the all-answers cards, the download
card; checked by Microsoft's parser (Teams' progress bar and chart elements through their
fallbacks), user text neutralised, configuration text as typed, every message under 80 KB, and
snapshots."""

from __future__ import annotations

import json

import orjson
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from auxil.cards import (
    TEAMS_EXTENSION_ELEMENTS, assert_parsed_cleanly, assert_snapshot, block_text, markdown_texts, shown_texts, walk,
    with_teams_fallbacks,
)
from cards.curation import curation_card
from cards.payloads import ExportConsent, parse_payload
from cards.text import phrase
from hyte.curation import CurationAction, CurationEdit, curate_result
from cards.text import neutralise
from cards.results import (
    answers_cards, download_card, file_consent_attachment, file_info_attachment, summary_cards, team_status_card,
)
from conftest import DEMO_ROUND, DEMO_TENANT, NOW, TODAY
from hyte.responses import Response, ResponseKey
from hyte.results import summarise
from hyte.round import load_round

HERE = Path(__file__).resolve().parent
ROUND = load_round(DEMO_ROUND, today=TODAY)
AT = NOW - timedelta(hours=1)
INJECTED = "Kuopio **Boss** <at>Kaikki</at> [x](http://evil.example) www.evil.example"
"""Answers, "other" goals and method names are user text: Markdown, mentions and links must show as text."""
COUNTY = "Pohjois-Savon *hyvinvointi*alue [HVA] (2024)"
"""Configuration text that looks like Markdown: shown exactly as typed."""
MAX_MESSAGE_BYTES = 80_000
SENTENCES = [
    "Yhteistyö järjestöjen kanssa vahvistuu kunnissa.",
    "Hyvinvointialueen ja kuntien yhteiset tavoitteet selkeytyvät.",
    "Nuorten osallisuutta lisätään kouluissa ja harrastuksissa.",
    "Ikäihmisten digituki tarvitsee pysyvän rahoituksen.",
    "Tilat järjestöjen käyttöön maksutta.",
    "Kuntakohtaiset tiedot hyvinvointikertomukseen.",
]


def _answers(i: int, text: str) -> dict[str, Any]:
    goals = ["g03", "g14", "g05", "g27", "g01"]
    return {
        "goals_progress": ["very_well", "need_more_effort", "cannot_say"][i % 3],
        "hyte_effectiveness": text,
        "goals_to_strengthen": {"selected": [goals[i % 5], goals[(i + 2) % 5], "other"], "other": INJECTED},
        "organisation_actions": text,
        "annual_report_scale": i % 5 + 1,
        "annual_report_development": text,
        "methods": {"none": False, "areas": {
            "area_1": {"name": INJECTED, "description": text, "level": "pilot"},
            "area_4": {"name": f"Menetelmä {i}", "description": None, "level": "research_based"},
        }} if i % 4 else {"none": True, "areas": {}},
        "ngo_good_practices": text,
        "ngo_at_its_best": text,
        "ngo_discussion_needs": text,
        "interfaces_strategy_goal": text,
        "partners_found": ["yes", "no", "cannot_say"][i % 3],
        "roles_clear": ["yes", "no", "cannot_say"][(i + 1) % 3],
        "more_cooperation": text,
    }


def _responses(long: bool) -> list[Response]:
    """Every organisation but the last two submitted, one drafting; `long`: 2,000-character answers."""
    out = []
    organisations = [o.id for o in ROUND.config.organisations]
    for i, org in enumerate(organisations[:-2]):
        text = " ".join([SENTENCES[i % 6], SENTENCES[(i + 1) % 6], INJECTED])
        if long:
            text = (text + " " + "Äöäöä yöpöytää äöäöä. [a](b) *_ " * 100)[:2000]  # the worst case: ä ö ˍ take 2 bytes, ∗ 3
        a = _answers(i, text)
        out.append(Response(ResponseKey(DEMO_TENANT, ROUND.id, org), a, a, 2, AT, "X", AT, "Edustaja"))
    out.append(Response(ResponseKey(DEMO_TENANT, ROUND.id, organisations[-2]), _answers(0, INJECTED), None, 1, AT, "Y"))
    return out


def _cards() -> dict[str, dict[str, Any]]:
    summary = summarise(ROUND, _responses(long=False), NOW)
    big = summarise(ROUND, _responses(long=True), NOW)
    cards = {"status": team_status_card(summary.status, COUNTY)}
    cards |= {f"summary.{i}": card for i, card in enumerate(summary_cards(summary, COUNTY))}
    cards |= {f"summary.big.{i}": card for i, card in enumerate(summary_cards(big, COUNTY))}
    cards |= {f"answers.{i}": card for i, card in enumerate(answers_cards(summary, summary.texts[0]))}
    cards |= {f"answers.big.{i}": card for i, card in enumerate(answers_cards(big, big.texts[0]))}
    result = summary.texts[0]
    if result.themes:  # a label the HYTE team typed: user text
        result = curate_result(result, [CurationEdit(result.question_id, CurationAction.RENAME, result.themes[0].key,
                                                     label=INJECTED)])
    last = CurationEdit(result.question_id, CurationAction.HIDE, "x", by_name=INJECTED, at=NOW)
    cards["curation"] = curation_card(summary, result, [INJECTED], last, (phrase("curation.saved.rename"), "good"))
    cards["curation.error"] = curation_card(summary, result, [], None, (phrase("curation.error.label", max=80), "attention"),
                                            {"cur.label": INJECTED, "cur.theme": "x"})
    cards["curation.big"] = curation_card(big, big.texts[0], [], None)
    cards["download"] = download_card([("Excel", "https://bot.example/api/exports/a.b"),
                                       ("Word", "https://bot.example/api/exports/c.d")], NOW)
    return cards


CARDS = _cards()


def _message(card: dict[str, Any]) -> dict[str, Any]:
    """The Bot Framework activity that carries one card."""
    return {
        "type": "message", "serviceUrl": "https://smba.trafficmanager.net/emea/", "channelId": "msteams",
        "from": {"id": "28:" + "0" * 36, "name": "HYTE-botti"},
        "conversation": {"id": "19:" + "a" * 32 + "@thread.tacv2;messageid=1234567890123", "conversationType": "channel",
                         "tenantId": DEMO_TENANT},
        "recipient": {"id": "29:" + "b" * 80}, "replyToId": "1234567890123",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
    }


def test_every_kind_is_built_and_the_big_round_splits():
    names = set(CARDS)
    assert {"status", "summary.0", "answers.0", "download", "curation", "curation.error"} <= names
    assert len([n for n in names if n.startswith("summary.big.")]) >= 2
    assert len([n for n in names if n.startswith("answers.big.")]) >= 2


@pytest.mark.parametrize("name", sorted(CARDS))
def test_envelope_actions_and_message_size(name: str):
    card = CARDS[name]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert all(element for element in card["body"])
    size = len(orjson.dumps(_message(card)))  # as bot/transport/outbound.py sends it: UTF-8 JSON
    assert size < MAX_MESSAGE_BYTES, (name, size)
    for action in (a for e in walk(card) for a in e.get("actions", []) if isinstance(a, dict)):
        if action["type"] == "Action.Execute":
            payload = parse_payload(action["data"])
            assert payload.verb == action["verb"] and payload.round == ROUND.id
        else:
            assert action["type"] == "Action.OpenUrl" and action["url"].startswith("https://")


def test_teams_elements_have_fallbacks_that_show_the_same_figures():
    status, summary = CARDS["status"], CARDS["summary.0"]
    bars = [e for e in walk(status) if e.get("type") == "ProgressBar"]
    assert len(bars) == 5  # overall and four categories
    assert all(0 <= bar["value"] <= bar["max"] == 100 for bar in bars)
    assert all(f"{bar['value']} %" in bar["fallback"]["text"] for bar in bars)
    charts = [e for e in walk(summary) if str(e.get("type", "")).startswith("Chart.")]
    assert {c["type"] for c in charts} <= TEAMS_EXTENSION_ELEMENTS and len(charts) >= 5
    for chart in charts:
        assert chart["fallback"]["type"] == "Container"
        lines = shown_texts(chart["fallback"])
        for point in chart["data"]:
            assert any(line.endswith(f"{point['x']}: {point['y']}") or line.endswith(f"{point['x']}: {point['y']} %")
                       for line in lines), point


def test_microsofts_parser_finds_no_errors_with_teams_elements_as_their_fallbacks(tmp_path: Path):
    assert_parsed_cleanly({name: with_teams_fallbacks(card) for name, card in CARDS.items()}, tmp_path)


def test_user_text_shows_neutralised_and_never_as_markdown():
    for name in ("summary.0", "answers.0"):
        markdown = "\n".join(markdown_texts(CARDS[name]))
        shown = "\n".join(shown_texts(CARDS[name]))
        charts = json.dumps([e for e in walk(CARDS[name]) if str(e.get("type", "")).startswith("Chart.")],
                            ensure_ascii=False)
        assert neutralise(INJECTED) in shown, name
        assert "Kuopio" not in markdown, name
        for raw in ("<at>", "**Boss**", "http://evil", "www.evil", "\\"):
            assert raw not in shown and raw not in charts, (name, raw)


def test_configuration_text_shows_exactly_as_typed_never_as_markdown():
    for name in ("status", "summary.0"):
        assert COUNTY in shown_texts(CARDS[name])[0], name
        assert not any("*hyvinvointi*" in text for text in markdown_texts(CARDS[name])), name
    labels = [point["x"] for e in walk(CARDS["summary.0"]) if e.get("type") == "Chart.HorizontalBar" for point in e["data"]]
    assert "Mielenterveys vahvistuu (erit. lapset ja nuoret)" in labels  # no backslash before "(" or "."


def test_questions_are_named_with_their_section():
    """Question numbers restart in every section: "1" alone would be ambiguous."""
    headings = [text for text in shown_texts(CARDS["summary.0"]) if ", kysymys " in text]
    assert "Seuranta, kysymys 1: Miten toivoisitte" in "\n".join(headings)
    assert block_text(CARDS["answers.0"]["body"][0]).startswith("Kaikki vastaukset: Tavoitteet ja toimenpiteet, kysymys 2")


def test_file_consent_and_file_info_attachments():
    """Not Adaptive Cards: Teams' own file cards, checked for the fields Teams requires."""
    consent = file_consent_attachment("HYTE-ennakkokysely 2024.xlsx", 12345, ROUND.id, "xlsx")
    assert consent["contentType"] == "application/vnd.microsoft.teams.card.file.consent"
    assert consent["content"]["sizeInBytes"] == 12345
    context = consent["content"]["acceptContext"]
    assert context == consent["content"]["declineContext"] == {"verb": "export.consent", "r": ROUND.id, "kind": "xlsx"}
    assert parse_payload({**context, "action": "accept"}) == ExportConsent(r=ROUND.id, kind="xlsx", action="accept")
    assert "HYTE-ennakkokysely 2024.xlsx" in consent["content"]["description"]
    info = file_info_attachment("a.xlsx", "https://contoso.sharepoint.com/a.xlsx", "u-1", "xlsx")
    assert info["contentType"] == "application/vnd.microsoft.teams.card.file.info"
    assert info["content"] == {"uniqueId": "u-1", "fileType": "xlsx"} and info["contentUrl"].startswith("https://")


SNAPSHOTS = HERE / "snapshots_results"
SNAPSHOT_CARDS = ("status", "summary.0", "answers.0", "download", "curation")
"""After an intended change: `UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/cards/test_results_cards.py`
and review the diff of tests/cards/snapshots_results/."""


@pytest.mark.parametrize("name", SNAPSHOT_CARDS)
def test_snapshot(name: str):
    assert_snapshot(SNAPSHOTS, name, CARDS[name])


def test_no_stale_snapshots():
    assert {p.stem for p in SNAPSHOTS.glob("*.json")} <= set(SNAPSHOT_CARDS)
