"""Turn the survey flow's views into cards."""

from __future__ import annotations

from typing import Any

from cards.catalogue import format_datetime
from cards.survey import Notice, review_card, section_card, submitted_card, window_card
from cards.text import User, phrase
from dialogs.survey_flow import Notice as FlowNotice
from dialogs.survey_flow import NoticeKind, ReviewView, SectionView, SubmittedView, View, WindowView
from hyte.round import Round


def render(view: View, round_: Round) -> dict[str, Any]:
    match view:
        case SectionView():
            return section_card(round_, view.section_id, view.values, view.version, view.errors, _notice(view.notice))
        case ReviewView():
            notice = _notice(view.notice)
            if view.problems and view.notice and view.notice.kind is NoticeKind.FIX_ERRORS:
                notice = (phrase("notice.fix_sections"), "attention")
            return review_card(round_, view.answers, view.version, view.problems, notice)
        case SubmittedView():
            return submitted_card(round_, view.response, just_now=view.just_now)
        case WindowView():
            return window_card(view.window, view.opens, view.closes)
    raise TypeError(view)


def _notice(notice: FlowNotice | None) -> Notice | None:
    if notice is None:
        return None
    at = format_datetime(notice.at) if notice.at else ""
    by = User(notice.by or "?")
    match notice.kind:
        case NoticeKind.DRAFT_SAVED:
            return phrase("notice.draft_saved", at=at), "good"
        case NoticeKind.RESUMED:
            return phrase("notice.resumed", at=at, by=by), "default"
        case NoticeKind.STARTED_BY_OTHERS:
            return phrase("notice.started_by_others", at=at, by=by), "default"
        case NoticeKind.EDITING_SUBMITTED:
            return phrase("notice.editing_submitted"), "warning"
        case NoticeKind.CONFLICT:
            return phrase("notice.conflict", at=at, by=by), "warning"
        case NoticeKind.FIX_ERRORS:
            return phrase("notice.fix_errors"), "attention"
    raise TypeError(notice)
