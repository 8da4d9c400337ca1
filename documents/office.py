"""The exports for the HYTE team and the regional government: what the Excel and Word writers
share, and both writers under one name.

- `write_xlsx` (documents/workbook.py): the raw data, one sheet per survey section, the workshop
  notes, the response status.
- `write_docx` (documents/summary_docx.py): "Yhteenvetoluonnos HYTE-neuvotteluista <year>", a draft for
  the regional government organised by the four legal topics, with its charts (documents/charts.py).

Texts come through `t` (the message catalogue's function, injected by the caller). CPU-bound:
callers in the bot run them in a worker thread.
"""

from __future__ import annotations

from documents.common import (  # noqa: F401  (the names callers import from here)
    DOCX_TYPE, XLSX_TYPE, ExportNote, Translate, WorkshopPoints, local_time, neutralise,
)
from documents.summary_docx import write_docx  # noqa: F401
from documents.workbook import write_xlsx  # noqa: F401
