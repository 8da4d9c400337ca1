"""Bidirectional overrides and zero-width characters in what people type are shown neutralised
(cards, chat, exports) and stored as typed."""

from __future__ import annotations

import io
import json

import docx
import openpyxl

from app import SERVICES
from loopback.person import Person, texts
from loopback.survey import ANSWERS
from conftest import DEMO_TENANT, MAIJA
from hyte.responses import ResponseKey
from scenarios.test_survey_lifecycle import NEXT
from scenarios.test_workshop_notes import board, notes, q, summary  # noqa: F401 (the `board` fixture)

KEY = ResponseKey(DEMO_TENANT, "pohjois-savo-demo", "kuopio")
CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u200b\u200c\u200d\ufeff"
ANSWER = "Tavoite: \u202etsul\u202c hyväksyntä\u200b ja \u2066arvio\u2069"
"""Typed as it is; without the controls it reads "Tavoite: tsul hyväksyntä ja arvio"."""
NOTE = "Roolit \u2066selviksi\u2069 \u202ehcet\u202c"
"""(Zero-width characters are taken out of a note when it is stored, with Teams' HTML: hyte/workshop.py.)"""


def shows_no_controls(value: object) -> bool:
    dumped = json.dumps(value, ensure_ascii=False)
    return not any(c in dumped for c in CONTROLS)


async def test_an_answer_with_reordering_controls_is_shown_neutralised_and_stored_as_typed(
    client, connector, teams, server
):
    maija = Person(client, connector, teams, MAIJA)
    card = await maija.open_card("kysely")
    answers = {**ANSWERS["goals_measures"], "q.hyte_effectiveness": ANSWER}
    await maija.press(card, NEXT, answers)
    card = await maija.open_card("kysely")  # resumes at section 2; back to the review via section 1's card
    for section, values in list(ANSWERS.items())[1:]:
        card = await maija.press(card, "Tarkista vastaukset" if section == "interfaces" else NEXT, values)
    assert "Tavoite: tsul hyväksyntä ja arvio" in texts(card)  # the review card
    assert shows_no_controls(card)
    stored = await server.app[SERVICES].responses.get(KEY)
    assert stored.answers["hyte_effectiveness"] == ANSWER

    (echo,) = await maija.say("\u202eylesyk")  # not a command: echoed in a card
    assert shows_no_controls(echo) and "ylesyk" in texts(echo["attachments"][0]["content"])


async def test_a_note_with_reordering_controls_is_neutralised_in_the_summary_and_the_exports(board, server):
    message = await board.post(MAIJA, board.channel("Ryhmä 1"), NOTE, reply_to=q(board, "Ryhmä 1", 1))
    assert (await notes(server))[message].text == NOTE  # stored as typed

    shown = await summary(board)
    assert "Roolit selviksi hcet" in shown and not any(c in shown for c in CONTROLS)

    services = server.app[SERVICES]
    xlsx = await services.exports.build(services.round, "xlsx", services.clock.now())
    cells = [str(c.value) for s in openpyxl.load_workbook(io.BytesIO(xlsx.data)).worksheets
             for row in s.iter_rows() for c in row if c.value]
    assert "Roolit selviksi hcet" in cells and shows_no_controls(cells)
    word = await services.exports.build(services.round, "docx", services.clock.now())
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.data)).paragraphs)
    assert "Roolit selviksi hcet" in text and shows_no_controls(text)
