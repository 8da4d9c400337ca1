"""Turn the date-moving flow's form into its card (the timetable card itself is the feature's:
it shows stored reminders too)."""

from __future__ import annotations

from typing import Any

from cards.catalogue import format_datetime, t
from cards.text import User, phrase
from cards.timeline import dates_card
from dialogs.timeline_flow import DatesForm
from hyte.round import Round


def render(form: DatesForm, round_: Round) -> dict[str, Any]:
    errors = {phase: phrase(key, **params) for phase, (key, params) in form.errors.items()}
    notice = None
    if form.stale_at is not None:
        by = User(form.stale_by) if form.stale_by else t("timeline.someone")
        notice = (phrase("dates.stale", by=by, at=format_datetime(form.stale_at)), "warning")
    return dates_card(round_, form.revision, values=form.typed, errors=errors, notice=notice)
