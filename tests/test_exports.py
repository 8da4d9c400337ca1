"""The exports opened with the libraries that read them; link signing; the operator's command."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from bot.services.exports import ExpiredLink, InvalidLink, LinkClaims, LinkSigner
from cards.catalogue import t
from conftest import DEMO_ROUND, NOW, TODAY
from documents.office import ExportNote, WorkshopPoints, neutralise, write_docx, write_xlsx
from documents.workbook import sheet_name
from hyte.results import summarise
from hyte.round import load_round

sys.path.insert(0, str(Path(__file__).parent / "hyte"))
from test_results import answers, draft, submitted  # noqa: E402

ROUND = load_round(DEMO_ROUND, today=TODAY)
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def summary():
    responses = [
        submitted("kuopio", answers(other="=HYPERLINK(\"http://x\")", effectiveness="+SUM(A1)",
                                    methods={"none": False, "areas": {"area_1": {"name": "@Osallisuus", "description": None, "level": "pilot"}}})),
        submitted("iisalmi", answers(progress="very_well", goals=("g14",)), working=answers(progress="cannot_say")),
        draft("savonia", answers()),
    ]
    return summarise(ROUND, responses, NOW)


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("Hyvä", "Hyvä"), (3, 3), ("a=b", "a=b"),
])
def test_formula_like_text_is_neutralised(value, expected):
    assert neutralise(value) == expected


def test_xlsx_has_a_sheet_per_section_notes_and_status(summary):
    notes = [ExportNote("Ryhmä 1", "1. Roolit", "Sanna Laine", NOW, "=cmd|' /C calc'!A0", 3)]
    book = load_workbook(io.BytesIO(write_xlsx(summary, ROUND.survey, notes, t)))
    assert book.sheetnames == ["Tavoitteet ja toimenpiteet", "Seuranta", "HYTE-toimenpiteet menetelmät",
                               "Järjestöyhteistyö", "Yhdyspinnat", "Kysymykset ja aiheet", "Avointen vastausten teemat",
                               "Työpajan muistiinpanot",
                               "Vastaustilanne"]
    goals = book["Tavoitteet ja toimenpiteet"]
    rows = list(goals.iter_rows(values_only=True))
    assert rows[0][:5] == ("Organisaatio", "Ryhmä", "Lähettäjä", "Lähetetty", "1. " + ROUND.survey.sections[0].questions[0].text)
    assert [r[0] for r in rows[1:]] == ["Kuopion kaupunki", "Iisalmen kaupunki"]  # no draft
    assert rows[2][4] == "etenevät erittäin hyvin"  # the submitted version, not the edit
    assert rows[1][5] == "'+SUM(A1)"
    # One formatter of answers for cards and exports (hyte.answers.answer_lines): labels, one per line.
    assert rows[1][6].split("\n")[-1] == 'Jokin muu, mikä: =HYPERLINK("http://x")'
    assert rows[1][3] == datetime(2024, 5, 2, 9, 0)
    assert all(cell.data_type != "f" for row in goals.iter_rows() for cell in row)
    methods = list(book["HYTE-toimenpiteet menetelmät"].iter_rows(values_only=True))
    assert methods[1][4] == "I. Osallisuuden vahvistuminen ja yksinäisyyden vähentäminen: @Osallisuus (Pilotointi)"
    note = list(book["Työpajan muistiinpanot"].iter_rows(values_only=True))[1]
    assert note == ("Ryhmä 1", "1. Roolit", "Sanna Laine", datetime(2024, 5, 2, 10, 0), "'=cmd|' /C calc'!A0", 3)
    status = {r[0]: r[2] for r in book["Vastaustilanne"].iter_rows(min_row=2, values_only=True)}
    assert len(status) == 25
    assert status["Savonia-ammattikorkeakoulu"] == "Luonnos"
    assert status["Iisalmen kaupunki"] == "Lähetetty; myöhempiä muutoksia ei lähetetty"


def test_xlsx_is_ready_to_read_filter_and_print(summary):
    book = load_workbook(io.BytesIO(write_xlsx(summary, ROUND.survey, [], t)))
    for ws in book.worksheets:
        header = [c.value for c in ws[1]]
        assert ws.freeze_panes in ("A2", "B2")
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(header)).column_letter}{ws.max_row}"
        assert ws.print_title_rows == "$1:$1"
        assert ws.page_setup.orientation == "landscape"
        assert all(ws[1][i].font.bold and ws[1][i].alignment.wrap_text for i in range(len(header)))
        for column in range(1, len(header) + 1):  # every column sized to its content, never the default
            assert 8 <= ws.column_dimensions[ws.cell(1, column).column_letter].width <= 60
    goals = book["Tavoitteet ja toimenpiteet"]
    assert goals.column_dimensions["A"].width >= len("Iisalmen kaupunki")
    submitted_at = goals["D2"]
    assert submitted_at.is_date and submitted_at.number_format == "d.m.yyyy h:mm"
    assert submitted_at.value == datetime(2024, 5, 2, 9, 0)  # 06:00 UTC as Helsinki wall-clock time
    assert all(cell.alignment.wrap_text for row in goals.iter_rows(min_row=2) for cell in row)
    monitoring = book["Seuranta"]
    assert [r[4] for r in monitoring.iter_rows(min_row=2, values_only=True)] == [4, 4]  # numbers, not text
    assert monitoring["E2"].data_type == "n"


def test_sheet_names_are_clean_short_and_unique():
    used: set[str] = set()
    assert sheet_name("HYTE-toimenpiteet/ menetelmät", used) == "HYTE-toimenpiteet menetelmät"
    long = "Hyvinvoinnin ja terveyden edistämisen rakenteet: kunnat"
    first = sheet_name(long, used)
    assert first == "Hyvinvoinnin ja terveyden edist" and len(first) <= 31
    second = sheet_name(long, used)
    assert second == "Hyvinvoinnin ja terveyden e (2)" and len(second) == 31
    assert sheet_name("a [b] * c?", used) == "a b c"
    assert sheet_name("///", used) == "Taulukko"


def test_docx_is_organised_by_the_four_legal_topics_with_charts(summary):
    points = [WorkshopPoints("1. Miten HYTE-roolit selkeytetään?", ("Yhteinen vuosikello", "Nimetyt yhdyshenkilöt"))]
    document = Document(io.BytesIO(write_docx(summary, ROUND.survey, "Pohjois-Savon hyvinvointialue", points, t)))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "Yhteenvetoluonnos HYTE-neuvotteluista 2024"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Sisällys", "Vastaajat", "Tavoitteet", "Toimenpiteet", "Yhteistyö", "Seuranta",
                        "Liite: avointen kysymysten vastaukset"]
    text = "\n".join(paragraphs)
    start = next(i for i, p in enumerate(document.paragraphs) if p.style.name == "Heading 1" and p.text == "Vastaajat")
    body = "\n".join(paragraphs[start:])  # after the table of contents
    assert body.index("Tavoitteet") < body.index("Ennakkokysely: Tavoitteet ja toimenpiteet") < body.index("Toimenpiteet")
    assert body.index("Yhteistyö") < body.index("Työpaja") < body.index("Yhteinen vuosikello") < body.index("Seuranta")
    assert "Mielenterveys vahvistuu (erit. lapset ja nuoret): 2/2 (Kuopion kaupunki, Iisalmen kaupunki)" in text
    assert "@Osallisuus (Pilotointi), Kuopion kaupunki" in text
    images = [r for r in document.part.rels.values() if "image" in r.reltype]
    assert len(images) >= 5  # four distributions and the goals
    assert all(r.target_part.blob[:8] == b"\x89PNG\r\n\x1a\n" for r in images)
    # A distribution's numbers once, as a table (not again as a list).
    rows = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert ["etenevät erittäin hyvin", "1", "50"] in rows
    assert "etenevät erittäin hyvin: 1" not in text


NOW_UTC = datetime(2024, 5, 2, 7, 0, tzinfo=UTC)


def test_signed_link_valid_altered_expired():
    signer = LinkSigner(b"k" * 32, "https://hyte.example.fi/", timedelta(minutes=60))
    url, expires = signer.url("tenant", "round-1", "xlsx", NOW_UTC)
    assert url.startswith("https://hyte.example.fi/api/exports/") and expires == NOW_UTC + timedelta(minutes=60)
    token = url.rsplit("/", 1)[1]
    assert signer.verify(token, NOW_UTC) == LinkClaims("tenant", "round-1", "xlsx", int(expires.timestamp()))
    other = signer.token(LinkClaims("tenant", "round-1", "docx", int(expires.timestamp())))
    with pytest.raises(InvalidLink):
        signer.verify(other.split(".")[0] + "." + token.split(".")[1], NOW_UTC)
    with pytest.raises(InvalidLink):
        LinkSigner(b"z" * 32, "https://x", timedelta(minutes=1)).verify(token, NOW_UTC)
    with pytest.raises(InvalidLink):
        signer.verify("garbage", NOW_UTC)
    with pytest.raises(ExpiredLink):
        signer.verify(token, expires)


def test_operator_export_command_writes_both_files(tmp_path: Path):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'hyte.db'}", "HYTE_TODAY": str(TODAY), "PATH": "/usr/bin:/bin"}
    migrate = subprocess.run([sys.executable, "app.py", "migrate"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert migrate.returncode == 0, migrate.stderr
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "app.py", "export", "--round", "pohjois-savo-demo", "--out", str(out)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["HYTE-ennakkokysely 2024 (pohjois-savo-demo).xlsx",
                                                     "Yhteenvetoluonnos HYTE-neuvotteluista 2024.docx"]
    load_workbook(out / "HYTE-ennakkokysely 2024 (pohjois-savo-demo).xlsx")
    wrong = subprocess.run([sys.executable, "app.py", "export", "--round", "muu", "--out", str(out)],
                           cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert wrong.returncode == 2 and "Unknown round 'muu'" in wrong.stderr

    # The bilingual county's files in Swedish; a language its round does not offer is refused.
    swedish = tmp_path / "sv"
    done = subprocess.run([sys.executable, "app.py", "export", "--round", "saaristo-demo", "--out", str(swedish),
                           "--language", "sv"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in swedish.iterdir()) == [
        "HYTE-förhandsenkät 2024 (saaristo-demo).xlsx", "Utkast till sammandrag av HYTE-förhandlingarna 2024.docx"]
    refused = subprocess.run([sys.executable, "app.py", "export", "--round", "pohjois-savo-demo", "--out", str(out),
                              "--language", "sv"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "not 'sv'" in refused.stderr
