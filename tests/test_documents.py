"""Both exports of a realistic round (tests/auxil/realistic_round.py: 16 organisations submitted,
3 drafts, 6 not started, three chose "VII"), opened with the libraries that read them."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from openpyxl import load_workbook

from auxil import realistic_round
from cards.catalogue import t
from conftest import DEMO_ROUND, TODAY
from documents.charts import chart_figure
from documents.office import write_docx, write_xlsx
from hyte.results import summarise
from hyte.round import load_round

ROUND = load_round(DEMO_ROUND, today=TODAY)


@pytest.fixture(scope="module")
def summary():
    return summarise(ROUND, realistic_round.responses(ROUND), realistic_round.NOW)


@pytest.fixture(scope="module")
def docx(summary):
    data = write_docx(summary, ROUND.survey, ROUND.config.county, realistic_round.workshop_points(), t,
                      date=realistic_round.NOW)
    return Document(io.BytesIO(data))


def _paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def _after(document, heading: str) -> list[str]:
    """The paragraphs after the Heading 1 `heading` (not its table of contents entry)."""
    paragraphs = document.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.style.name == "Heading 1" and p.text == heading)
    end = next((i for i in range(start + 1, len(paragraphs)) if paragraphs[i].style.name == "Heading 1"), len(paragraphs))
    return [p.text for p in paragraphs[start + 1:end]]


def test_title_page_date_legal_basis_draft_status_contents_and_page_numbers(docx):
    first = _paragraphs(docx)[:8]
    assert first[0] == "Yhteenvetoluonnos HYTE-neuvotteluista 2024"
    assert "LUONNOS" in first and "Päivätty 20.5.2024" in first
    assert any("(612/2021) 7 §" in p for p in first)
    body = docx.element.body.xml
    assert re.search(r"<w:instrText[^>]*> TOC \\o \"1-2\"", body)
    footer = docx.sections[0].footer._element.xml
    assert "PAGE" in footer and "Yhteenvetoluonnos HYTE-neuvotteluista 2024 – sivu" in footer
    assert docx.settings.element.xml.count("updateFields") == 1


def test_every_free_text_answer_with_its_organisation_in_the_appendix_and_under_its_theme(docx, summary):
    appendix = _after(docx, "Liite: avointen kysymysten vastaukset")
    body = "\n".join(_paragraphs(docx))
    assert sum(len(r.answers) for r in summary.texts) > 70
    for result in summary.texts:
        assert len(result.answers) >= 4
        for answer in result.answers:
            assert f"{answer.organisation.name}: {answer.text}" in appendix
        for theme in result.themes:  # in the body, where a theme carries it
            for answer in theme.answers:
                assert f"\u201d{answer.text}\u201d ({answer.organisation.name})" in body


def test_each_question_under_its_own_topic(docx):
    measures = _after(docx, "Toimenpiteet")
    goals = _after(docx, "Tavoitteet")
    own = ROUND.survey.question("organisation_actions")
    assert f"4. {own.text}" in measures and f"4. {own.text}" not in goals
    assert "3. " + ROUND.survey.question("goals_to_strengthen").text in goals
    appendix = _after(docx, "Liite: avointen kysymysten vastaukset")
    topics = [p for p in appendix if p.startswith("Aihe: ")]
    assert topics == ["Aihe: Tavoitteet", "Aihe: Toimenpiteet", "Aihe: Seuranta"] + ["Aihe: Yhteistyö"] * 5


def test_who_answered_and_who_did_not_with_the_vii_choosers(docx):
    respondents = _after(docx, "Vastaajat")
    submitted, drafting, not_started = realistic_round.organisations(ROUND)
    names = {o.id: o.name for o in ROUND.config.organisations}
    text = "\n".join(respondents)
    for org in drafting:
        assert f"{names[org]}: luonnos kesken, ei lähetetty" in respondents
    for org in not_started:
        assert f"{names[org]}: ei aloitettu" in respondents
    for org in submitted:
        assert sum(names[org] in line for line in respondents if line.startswith(("Kunnat", "Hyvinvointialue (",
                                                                                 "Oppilaitokset", "Muut"))) == 1
    assert "Kunnat (8/10): Kuopion kaupunki, Iisalmen kaupunki, Varkauden kaupunki" in text
    vii = next(line for line in respondents if line.startswith("Vaihtoehdon VII"))
    assert all(names[org] in vii for org in realistic_round.VII) and "3 organisaatiota" in vii


def test_topic_openings_are_written_from_the_data(docx, summary):
    goals = _after(docx, "Tavoitteet")
    assert "11/16 organisaatiota vastasi kysymykseen" in "\n".join(goals)
    assert "”vaativat vielä paljon tehostamista”" in "\n".join(goals)
    measures = "\n".join(_after(docx, "Toimenpiteet"))
    assert "13 organisaatiota ehdotti yhteensä 13 menetelmää" in measures and "3 organisaatiota valitsi vaihtoehdon VII" in measures


def test_workshop_cross_group_themes_and_thesaurus_labels(docx):
    cooperation = _after(docx, "Yhteistyö")
    assert "seudulliset järjestöfoorumit: 2 ryhmää" in cooperation
    assert any("Työpajassa useampi ryhmä nosti esiin" in p and "seudulliset järjestöfoorumit (2)" in p for p in cooperation)
    # The county's thesaurus names the events theme (config/pohjois-savo/thesaurus.yaml).
    assert any(p.startswith("yhteiset tapahtumat ja tilaisuudet: ") for p in cooperation)


def test_distributions_once_as_tables(docx):
    rows = [[c.text for c in row.cells] for table in docx.tables for row in table.rows]
    assert ["vaativat vielä paljon tehostamista", "11", "69"] in rows
    assert not any(p.startswith("vaativat vielä paljon tehostamista:") for p in _paragraphs(docx))


def test_chart_title_wrapped_inside_the_image():
    title = "Miten mielestänne Pohjois-Savon painopistealueet ja hyvinvointitavoitteet toimenpiteineen etenevät? " * 2
    figure = chart_figure(title, [("etenevät erittäin hyvin", 3), ("vaativat vielä paljon tehostamista", 11)])
    figure.canvas.draw()
    box = figure._suptitle.get_window_extent()
    assert box.x0 >= 0 and box.x1 <= figure.bbox.x1 and box.y1 <= figure.bbox.y1
    assert figure._suptitle.get_text().count("\n") >= 2 and figure._suptitle.get_text().replace("\n", " ") == title.strip()


def test_xlsx_every_free_text_answer_in_its_organisations_row(summary):
    book = load_workbook(io.BytesIO(write_xlsx(summary, ROUND.survey, [], t)))
    for result in summary.texts:
        sheet = book[{"goals_measures": "Tavoitteet ja toimenpiteet", "monitoring": "Seuranta",
                      "ngo_cooperation": "Järjestöyhteistyö", "interfaces": "Yhdyspinnat"}[result.section_id]]
        rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
        for answer in result.answers:
            assert answer.text in rows[answer.organisation.name]


def test_xlsx_themes_sheet_with_the_thesaurus_labels_and_curation(summary):
    from hyte.curation import curate

    curated = curate(summary, realistic_round.curation(), ROUND)
    book = load_workbook(io.BytesIO(write_xlsx(curated, ROUND.survey, [], t)))
    rows = [row for row in book["Avointen vastausten teemat"].iter_rows(min_row=2, values_only=True)
            if row[0].startswith("Järjestöyhteistyö, kysymys 1")]
    assert [(row[1], row[2]) for row in rows] == [("Foorumit ja yhteyshenkilöt", 7),
                                                  ("yhteiset tapahtumat ja tilaisuudet", 3),  # the thesaurus's label
                                                  ("järjestö- ja toiminta-avustukset", 2)]
    assert rows[1][4].endswith("(Kuopion kaupunki)")  # the quote the HYTE team chose
    document = Document(io.BytesIO(write_docx(curated, ROUND.survey, ROUND.config.county, [], t)))
    cooperation = _after(document, "Yhteistyö")
    assert any(p.startswith("Foorumit ja yhteyshenkilöt: 7 organisaatiota") for p in cooperation)
    assert not any(p.startswith("koulut ja oppilaitokset:") for p in cooperation)


def test_a_chosen_quote_shows_under_the_theme_it_represents(summary):
    from hyte.curation import curate

    curated = curate(summary, realistic_round.curation(), ROUND)
    document = Document(io.BytesIO(write_docx(curated, ROUND.survey, ROUND.config.county, [], t)))
    cooperation = _after(document, "Yhteistyö")
    events = cooperation.index(next(p for p in cooperation if p.startswith("yhteiset tapahtumat ja tilaisuudet: 3")))
    kuopio = next(a for r in curated.texts if r.question_id == "ngo_good_practices" for a in r.answers
                  if a.organisation.id == "kuopio")
    assert cooperation[events + 1] == f"\u201d{kuopio.text}\u201d (Kuopion kaupunki)"
    assert sum(p == cooperation[events + 1] for p in cooperation) == 1


def test_xlsx_names_every_questions_topic(summary):
    book = load_workbook(io.BytesIO(write_xlsx(summary, ROUND.survey, [], t)))
    rows = list(book["Kysymykset ja aiheet"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(ROUND.survey.questions) == 14
    topics = {(section, number): topic for section, number, _text, topic in rows}
    assert topics[("Tavoitteet ja toimenpiteet", "1")] == "Tavoitteet, Toimenpiteet"
    assert topics[("Tavoitteet ja toimenpiteet", "4")] == "Toimenpiteet"  # its own topic
    assert topics[("Seuranta", "2")] == "Seuranta" and topics[("Yhdyspinnat", "4")] == "Yhteistyö"
    status = {row[0]: row[2] for row in book["Vastaustilanne"].iter_rows(min_row=2, values_only=True)}
    _submitted, drafting, not_started = realistic_round.organisations(ROUND)
    names = {o.id: o.name for o in ROUND.config.organisations}
    assert {names[o] for o in drafting} == {name for name, state in status.items() if state == "Luonnos"}
    assert {names[o] for o in not_started} == {name for name, state in status.items() if state == "Ei aloitettu"}


def test_the_meeting_summary_of_a_version_finished_by_a_person_erased_since():
    """`person erase` blanks `finished_by`; the summary names them as erased (it raised NameError)."""
    from datetime import UTC, datetime

    from documents.meeting_summary import SummaryInput, write_summary_docx
    from hyte.meeting import SummaryVersion
    from hyte.meeting_evidence import EvidenceIndex

    version = SummaryVersion(1, "", datetime(2024, 5, 22, 9, 0, tzinfo=UTC))
    data = write_summary_docx(SummaryInput(
        county="Pohjois-Savo", year=2024, version=version, conclusions=[], index=EvidenceIndex(), survey=None,
        raised=[], workshop_themes=[], decision_title="Päätösehdotus", decision=[], finished_at_text="22.5.2024",
    ), t)
    intro = t("docx.meeting.intro", county="Pohjois-Savo", number=1, at="22.5.2024", by=t("person.erased"))
    assert intro in _paragraphs(Document(io.BytesIO(data)))
