"""Word building blocks the summary uses (python-docx): fields (page number, table of contents),
the footer, tables, and the document's readiness to update its fields when opened."""

from __future__ import annotations

from typing import Sequence

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt


def _fld_char(kind: str):
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    return element


def _instr(run, instruction: str) -> None:
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)


def add_field(paragraph, instruction: str, shown: str) -> None:
    """A field (`PAGE`, `NUMPAGES`…) in `paragraph`, showing `shown` until it is updated."""
    paragraph.add_run()._r.append(_fld_char("begin"))
    _instr(paragraph.add_run(), instruction)
    paragraph.add_run()._r.append(_fld_char("separate"))
    paragraph.add_run(shown)
    paragraph.add_run()._r.append(_fld_char("end"))


def add_contents(document, entries: Sequence[tuple[int, str]], levels: str = "1-2") -> None:
    """A table of contents field over heading levels `levels`, showing `entries` (level, heading)
    until Word updates it (page numbers then), so that it reads right in any viewer."""
    entries = list(entries) or [(1, "")]
    for index, (level, text) in enumerate(entries):
        paragraph = document.add_paragraph(style=f"TOC {min(level, 9)}" if _has_style(document, f"TOC {level}") else None)
        if level > 1:
            paragraph.paragraph_format.left_indent = Pt(14 * (level - 1))
        if index == 0:
            paragraph.add_run()._r.append(_fld_char("begin"))
            _instr(paragraph.add_run(), f'TOC \\o "{levels}" \\h \\z \\u')
            paragraph.add_run()._r.append(_fld_char("separate"))
        paragraph.add_run(text)
        if index == len(entries) - 1:
            paragraph.add_run()._r.append(_fld_char("end"))


def _has_style(document, name: str) -> bool:
    try:
        document.styles[name]
    except KeyError:
        return False
    return True


def update_fields_on_open(document) -> None:
    """Ask Word to update the fields (the table of contents' page numbers) when it opens the file."""
    settings = document.settings.element
    if settings.find(qn("w:updateFields")) is None:
        element = OxmlElement("w:updateFields")
        element.set(qn("w:val"), "true")
        settings.append(element)


def page_footer(document, label: str) -> None:
    """Every page's footer: `label` and the page number (a PAGE field)."""
    for section in document.sections:
        paragraph = section.footer.paragraphs[0] if section.footer.paragraphs else section.footer.add_paragraph()
        paragraph.text = ""
        paragraph.add_run(f"{label} ")
        add_field(paragraph, "PAGE", "1")


def table(document, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A table with a bold, repeated header row; numbers right-aligned; kept on one page if it fits."""
    grid = document.add_table(rows=1, cols=len(header))
    grid.style = "Light Grid Accent 1" if _has_table_style(document, "Light Grid Accent 1") else "Table Grid"
    for cell, text in zip(grid.rows[0].cells, header):
        cell.text = ""
        cell.paragraphs[0].add_run(str(text)).bold = True
    header_row = grid.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_row.append(repeat)
    for row in rows:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = str(value)
            if isinstance(value, (int, float)):
                cell.paragraphs[0].alignment = 2  # right
    for row in grid.rows[:-1]:  # a short table stays on one page
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True
    document.add_paragraph()


def _has_table_style(document, name: str) -> bool:
    return _has_style(document, name)
