"""Cards of the timetable and the reminders: the timetable per role, the date-moving card, the
`muistuta` confirmation, and the reminder messages themselves (board channel and 1:1).

The county's, organisations' and people's names are configuration text; the names of people who
moved dates are Teams display names, user text (cards/text.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Mapping, Sequence

from cards import elements as ui
from cards.catalogue import format_datetime, t
from cards.inputs import DATE_PREFIX
from cards.payloads import (
    MeetingShow, ReminderSurvey, RemindCancel, RemindPreview, RemindSend, SurveyOpen, TimelineEdit, TimelineSave,
    TimelineShow,
)
from cards.text import Config, Phrase, User, phrase
from hyte.clock import HELSINKI, local_days_between
from hyte.jobs import FailureReason
from hyte.reminders import ReminderId
from hyte.responses import Response, ResponseState
from hyte.round import Organisation, Phase, Round, Timetable
from hyte.timetable import PhaseState, Stage, TimetableChange, phase_rows, stage

Notice = tuple[Phrase, ui.Color]


class Role(StrEnum):
    REPRESENTATIVE = "representative"
    HYTE_TEAM = "hyte_team"


def date_input_id(phase: Phase) -> str:
    return f"{DATE_PREFIX}{phase.value}.date"


def time_input_id(phase: Phase) -> str:
    return f"{DATE_PREFIX}{phase.value}.time"


def date_inputs(values: Mapping[str, Any]) -> dict[Phase, tuple[str | None, str | None]]:
    """The date-moving card's inputs per phase: (date "YYYY-MM-DD", time "HH:MM"), as typed."""
    def text(key: str) -> str | None:
        value = values.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else None

    return {phase: (text(date_input_id(phase)), text(time_input_id(phase))) for phase in Phase}


def phase_label(phase: Phase) -> str:
    return t(f"timeline.phase.{phase.value}")


def reminder_label(reminder: str) -> str:
    try:
        return t(f"reminder.{ReminderId(reminder).value}")
    except ValueError:
        return t("reminder.manual")


def when(now: datetime, at: datetime) -> str:
    """"tänään", "huomenna", "3 päivän kuluttua" (calendar days in Helsinki)."""
    days = local_days_between(now, at)
    if days == 0:
        return t("when.today")
    if days == 1:
        return t("when.tomorrow")
    if days == -1:
        return t("when.yesterday")
    if days < 0:
        return t("when.past", days=-days)
    return t("when.days", days=days)


def _dates(timetable: Timetable) -> dict[str, str]:
    return {phase.value: format_datetime(timetable.at(phase)) for phase in Phase}


# The timetable ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamPanel:
    """What the HYTE team sees below the timetable."""

    upcoming: Sequence[tuple[datetime, str, int]] = ()
    """(due, reminder id, number of targets), due from now on"""
    overdue: Sequence[tuple[datetime, str, int]] = ()
    """(due, reminder id, number of targets), due earlier but not sent yet"""
    sending: Sequence[tuple[str, Config | str, datetime]] = ()
    """(reminder id, target's name, lease end): jobs claimed by a sender that has not finished (it
    may have stopped: the job is checked, and sent again if need be, when the lease runs out)"""
    unreachable: Sequence[tuple[Config | str, FailureReason | None, datetime]] = ()
    """(person's name, why, when); a name is configuration text, or a catalogue text"""
    failed: Sequence[tuple[str, Config | str, FailureReason | None, datetime]] = ()
    """(reminder id, target's name, why, when)"""
    changes: Sequence[TimetableChange] = field(default_factory=tuple)
    revision: int = 0


def reason_text(reason: FailureReason | None) -> str:
    return t(f"reach.{(reason or FailureReason.ERROR).value}")


def todo_text(
    round_: Round, role: Role, now: datetime, *, organisation: Organisation | None = None,
    response_state: ResponseState | None = None, submitted: int = 0, total: int = 0,
) -> Phrase:
    timetable = round_.timetable
    current = stage(timetable, now)
    key = f"timeline.todo.{role.value}.{current.value}"
    if (role is Role.REPRESENTATIVE and current is Stage.SURVEY_OPEN
            and response_state in (ResponseState.SUBMITTED, ResponseState.SUBMITTED_WITH_CHANGES)):
        key += ".submitted"
    return phrase(key, organisation=Config(organisation.name) if organisation else "", submitted=submitted,
                  total=total, **_dates(timetable))


def timeline_card(
    round_: Round, now: datetime, role: Role, todo: Phrase, *, panel: TeamPanel | None = None,
    notice: Notice | None = None, survey_action: str | None = None,
) -> dict[str, Any]:
    """Every phase with its date and state, what the person is expected to do now, and for the
    HYTE team the coming reminders, people not reached, failures and recorded changes."""
    timetable = round_.timetable
    body: list[ui.Element] = [
        ui.heading(t("timeline.title", year=round_.year)),
        ui.sentence("timeline.subtitle", county=Config(round_.config.county), subtle=True, spacing="None"),
        ui.notice_box(notice),
    ]
    for row in phase_rows(timetable, now):
        body.append(_phase_row(row.phase, row.at, row.state))
    body.append(ui.subheading(t("timeline.todo_title")))
    body.append(ui.sentence(todo.key, **todo.params))
    actions: list[ui.Element] = []
    if survey_action:
        actions.append(ui.execute(t(survey_action), SurveyOpen(r=round_.id), style="positive"))
    if panel is not None:
        body.extend(_team_panel(round_, now, panel))
        actions.append(ui.execute(t("action.move_dates"), TimelineEdit(r=round_.id), inputs=False))
        actions.append(ui.execute(t("action.remind_preview"), RemindPreview(r=round_.id), inputs=False))
    return ui.card(body, actions)


def _phase_row(phase: Phase, at: datetime, state: PhaseState) -> ui.Element:
    current = state is PhaseState.CURRENT
    color = {"done": "good", "current": "accent"}.get(state.value)
    return {
        "type": "ColumnSet",
        "spacing": "Small",
        "columns": [
            {"type": "Column", "width": "stretch",
             "items": [ui.text(phase_label(phase), weight="Bolder" if current else None,
                               subtle=state is PhaseState.DONE)]},
            {"type": "Column", "width": "auto", "items": [ui.text(format_datetime(at), subtle=state is PhaseState.DONE)]},
            {"type": "Column", "width": "auto",
             "items": [ui.text(t(f"timeline.state.{state.value}"), color=color, weight="Bolder" if current else None)]},
        ],
    }


def _team_panel(round_: Round, now: datetime, panel: TeamPanel) -> list[ui.Element]:
    elements: list[ui.Element] = [ui.subheading(t("timeline.reminders_title"))]
    for due, reminder, count in panel.upcoming:
        recipients = t("timeline.recipients_one") if count == 1 else t("timeline.recipients", count=count)
        elements.append(ui.sentence("timeline.reminder_line", at=format_datetime(due), label=reminder_label(reminder),
                                    count=recipients, bullet=True, spacing="None"))
    if not panel.upcoming:
        elements.append(ui.text(t("timeline.no_reminders"), subtle=True))
    if panel.overdue:
        elements.append(ui.subheading(t("timeline.overdue_title")))
        for due, reminder, count in panel.overdue:
            recipients = t("timeline.recipients_one") if count == 1 else t("timeline.recipients", count=count)
            elements.append(ui.sentence("timeline.overdue_line", at=format_datetime(due), label=reminder_label(reminder),
                                        count=recipients, color="warning", bullet=True, spacing="None"))
    if panel.sending:
        elements.append(ui.subheading(t("timeline.sending_title")))
        elements += [
            ui.sentence("timeline.sending_line", label=reminder_label(reminder), target=target,
                        time=f"{lease.astimezone(HELSINKI):%H.%M}", bullet=True, spacing="None")
            for reminder, target, lease in panel.sending
        ]
    if panel.unreachable:
        elements.append(ui.subheading(t("timeline.unreachable_title")))
        elements += [
            ui.sentence("timeline.unreachable_line", name=name, reason=reason_text(reason), at=format_datetime(at),
                        color="attention", bullet=True, spacing="None")
            for name, reason, at in panel.unreachable
        ]
    if panel.failed:
        elements.append(ui.subheading(t("timeline.failed_title")))
        elements += [
            ui.sentence("timeline.failed_line", label=reminder_label(reminder), target=target,
                        reason=reason_text(reason), at=format_datetime(at), color="attention", bullet=True,
                        spacing="None")
            for reminder, target, reason, at in panel.failed
        ]
    if panel.changes:
        elements.append(ui.subheading(t("timeline.changes_title")))
        for change in panel.changes:
            by = User(change.by_name) if change.by_name else t("timeline.someone")
            elements += [
                ui.sentence("timeline.change_line", at=format_datetime(change.at), by=by, phase=phase_label(phase),
                            old=format_datetime(old), new=format_datetime(new), subtle=True, bullet=True,
                            spacing="None")
                for phase, (old, new) in change.moves.items()
            ]
    return elements


# Moving dates -------------------------------------------------------------------------------------


def dates_card(
    round_: Round, revision: int, *, values: Mapping[Phase, tuple[str | None, str | None]] | None = None,
    errors: Mapping[Phase, Phrase] | None = None, notice: Notice | None = None,
) -> dict[str, Any]:
    """A date and a time input per phase, prefilled with the effective timetable (or what was
    typed, when it was refused), each phase's error under it."""
    timetable = round_.timetable
    errors = errors or {}
    body: list[ui.Element] = [
        ui.heading(t("dates.title")),
        ui.notice_box(notice),
        ui.text(t("dates.intro"), subtle=True),
    ]
    for phase in Phase:
        local = timetable.at(phase).astimezone(HELSINKI)
        typed_date, typed_time = (values or {}).get(phase, (None, None))
        body.append(ui.text(phase_label(phase), weight="Bolder", spacing="Medium", separator=True))
        body.append({
            "type": "ColumnSet",
            "columns": [
                {"type": "Column", "width": "stretch", "items": [{
                    "type": "Input.Date", "id": date_input_id(phase),
                    "label": t("dates.date_label", phase=phase_label(phase)),
                    "value": typed_date if values is not None else local.date().isoformat(),
                }]},
                {"type": "Column", "width": "stretch", "items": [{
                    "type": "Input.Time", "id": time_input_id(phase),
                    "label": t("dates.time_label", phase=phase_label(phase)),
                    "value": typed_time if values is not None else f"{local:%H:%M}",
                }]},
            ],
        })
        if phase in errors:
            body.append(ui.sentence(errors[phase].key, color="attention", size="Small", spacing="None",
                                    **errors[phase].params))
    for element in body:
        for column in element.get("columns", []) if isinstance(element, dict) else []:
            for item in column["items"]:
                if item.get("value") is None:
                    item.pop("value", None)
    actions = [
        ui.execute(t("action.save_dates"), TimelineSave(r=round_.id, v=revision), style="positive"),
        ui.execute(t("action.cancel"), TimelineShow(r=round_.id), inputs=False),
    ]
    return ui.card(body, actions)


# `muistuta` ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewLine:
    name: str
    organisation: str
    state: ResponseState
    unreachable: FailureReason | None = None
    """Why the person could not be reached last time, if so."""


def remind_preview_card(round_: Round, lines: Sequence[PreviewLine], batch: str) -> dict[str, Any]:
    closes = round_.timetable.survey_closes
    body: list[ui.Element] = [
        ui.heading(t("remind.title")),
        ui.text(t("remind.intro_one" if len(lines) == 1 else "remind.intro", count=len(lines),
                  closes=format_datetime(closes))),
    ]
    for line in lines:
        state = t("remind.state.draft" if line.state is ResponseState.DRAFT else "remind.state.not_started")
        params = {"name": Config(line.name), "organisation": Config(line.organisation), "state": state}
        if line.unreachable:
            body.append(ui.sentence("remind.line_unreachable", reason=reason_text(line.unreachable), bullet=True,
                                    spacing="None", **params))
        else:
            body.append(ui.sentence("remind.line", bullet=True, spacing="None", **params))
    body.append(ui.text(t("remind.confirm"), weight="Bolder", spacing="Medium"))
    actions = [
        ui.execute(t("action.remind_send"), RemindSend(r=round_.id, batch=batch), style="positive", inputs=False),
        ui.execute(t("action.cancel"), RemindCancel(r=round_.id), inputs=False),
    ]
    return ui.card(body, actions)


def message_card(round_: Round, text: str, *, color: ui.Color | None = None, timeline_button: bool = True) -> dict[str, Any]:
    """A short answer (a catalogue text) with a way back to the timetable."""
    actions = [ui.execute(t("action.show_timeline"), TimelineShow(r=round_.id), inputs=False)] if timeline_button else []
    return ui.card([ui.text(text, color=color)], actions)


# Reminder messages --------------------------------------------------------------------------------


def announcement_card(
    round_: Round, reminder: ReminderId, now: datetime, *, submitted: int = 0, total: int = 0,
) -> dict[str, Any]:
    """A phase announcement for the board team's General channel."""
    timetable = round_.timetable
    anchor = {
        ReminderId.REVIEW_MEETING_AHEAD: timetable.material_review,
        ReminderId.SURVEY_OPEN: timetable.survey_opens,
        ReminderId.SURVEY_CLOSING: timetable.survey_closes,
        ReminderId.MEETING_TOMORROW: timetable.negotiation_meeting,
        ReminderId.SURVEY_SUMMARY_READY: timetable.survey_closes,
    }[reminder]
    text = t(
        f"announce.{reminder.value}", when=when(now, anchor), at=format_datetime(anchor),
        closes=format_datetime(timetable.survey_closes), meeting=format_datetime(timetable.negotiation_meeting),
        submitted=submitted, total=total,
    )
    body: list[ui.Element] = [ui.config_text(round_.config.county, size="Small", subtle=True), ui.text(text)]
    actions: list[ui.Element] = []
    if reminder is ReminderId.SURVEY_OPEN:
        body.append(ui.text(t("announce.survey_open_hint"), size="Small", subtle=True))
        actions.append(ui.execute(t("action.start"), ReminderSurvey(r=round_.id), style="positive", inputs=False))
    return ui.card(body, actions)


def nudge_card(round_: Round, organisation: Organisation, response: Response | None, now: datetime) -> dict[str, Any]:
    """The 1:1 reminder to a representative whose organisation has not submitted."""
    closes = round_.timetable.survey_closes
    params = {"organisation": Config(organisation.name), "when": when(now, closes), "at": format_datetime(closes)}
    if response is not None and response.state is ResponseState.DRAFT:
        text = ui.sentence("nudge.draft", saved_at=format_datetime(response.updated_at or now),
                           by=User(response.updated_by or "?"), **params)
        button = "action.resume"
    else:
        text = ui.sentence("nudge.not_started", **params)
        button = "action.start"
    body = [ui.sentence("nudge.title", survey=Config(round_.survey.title), weight="Bolder"), text]
    actions = [ui.execute(t(button), SurveyOpen(r=round_.id), style="positive", inputs=False)]
    return ui.card(body, actions)


def team_reminder_card(round_: Round, reminder: ReminderId, now: datetime) -> dict[str, Any]:
    """A 1:1 reminder to a HYTE team member."""
    timetable = round_.timetable
    anchor = {
        ReminderId.TEAM_FINISH_SUMMARY: timetable.summary_to_government,
        ReminderId.TEAM_SUMMARY_DUE: timetable.summary_to_government,
        ReminderId.TEAM_RESULTS_DUE: timetable.results_into_plan,
    }[reminder]
    text = t(f"team.{reminder.value}", when=when(now, anchor), at=format_datetime(anchor),
             summary=format_datetime(timetable.summary_to_government))
    actions = [ui.execute(t("action.show_timeline"), TimelineShow(r=round_.id), inputs=False)]
    # The meeting's summary (bot/features/meeting.py): where to finish it, and where its files are.
    summary = t("meeting.reminder_finish" if reminder is ReminderId.TEAM_FINISH_SUMMARY else "meeting.reminder_summary")
    actions.append(ui.execute(t("meeting.action_show_conclusions"), MeetingShow(r=round_.id), inputs=False))
    return ui.card([ui.config_text(round_.config.county, size="Small", subtle=True), ui.text(text), ui.text(summary)],
                   actions)
