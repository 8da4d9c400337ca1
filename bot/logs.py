"""Structured logs: one JSON object a line, with the activity being handled (a contextvar set per
request by bot/transport/http.py) and the round it is for (set by the dispatcher and the reminder
scheduler), so that a turn's lines, and a county's, can be found together. Ids only, never texts."""

from __future__ import annotations

import json
import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

from hyte.text import cut


@dataclass(frozen=True)
class RequestContext:
    activity_id: str | None
    tenant: str | None
    activity_type: str | None
    started: float = field(default_factory=time.perf_counter)

    def elapsed_ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 1)


MAX_LOGGED = 64
"""Characters of a request's own value (activity id, type, name, tenant) that a log line carries:
they are whatever the sender wrote, up to the body's 256 KB."""


def short(value: object) -> str | None:
    """A value from a request as logged: at most MAX_LOGGED characters, cut with "…"."""
    return None if value is None else cut(str(value), MAX_LOGGED)


current_request: ContextVar[RequestContext | None] = ContextVar("current_request", default=None)
current_round: ContextVar[str | None] = ContextVar("current_round", default=None)
"""The id of the round (so the county) the work in hand is for; None before it is known, or when no
county is in the activity's tenant."""

QUIET = {"msrest": logging.WARNING}
"""Libraries that log HTTP bodies (cards with answers in them) at DEBUG/INFO: kept at WARNING."""


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = current_request.get()
        if request is not None:
            entry |= {
                "activity_id": request.activity_id, "tenant": request.tenant,
                "activity_type": request.activity_type, "elapsed_ms": request.elapsed_ms(),
            }
        round_id = current_round.get()
        if round_id is not None:
            entry["round"] = round_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure(level: str, fmt: str = "json", stream: TextIO | None = None) -> logging.Handler:
    """Configure the root logger once: JSON lines (default) or text for humans."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name, quiet in QUIET.items():
        logging.getLogger(name).setLevel(quiet)
    return handler
