"""What the Excel and Word writers share: the export data types and cell-safe text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from hyte.clock import HELSINKI
from hyte.text import visible

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
Translate = Callable[..., str]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportNote:
    """A workshop note as the Excel sheet shows it (filled from the workshop's repository)."""

    group: str
    question: str
    author: str
    at: datetime
    text: str
    reactions: int = 0


@dataclass(frozen=True)
class WorkshopPoints:
    """One workshop question's points for the Word document, and the themes several groups raised
    (label, how many groups)."""

    question: str
    points: tuple[str, ...]
    themes: tuple[tuple[str, int], ...] = ()


def neutralise(value: Any) -> Any:
    """A value safe for a spreadsheet cell: without controls that reorder or hide text
    (hyte.text.visible), and text that would be read as a formula gets a leading '."""
    if not isinstance(value, str):
        return value
    value = visible(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def local_time(at: datetime | None) -> datetime | None:
    """A stored (aware) time as Helsinki wall-clock time without a zone, as a spreadsheet keeps it."""
    return at.astimezone(HELSINKI).replace(tzinfo=None) if at else None
