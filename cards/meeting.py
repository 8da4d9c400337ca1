"""The negotiation meeting's cards: the joint discussion (each group's raised points and the themes
across groups, per workshop question), the conclusions under the four topics (the HYTE team's
with buttons, the board's to read), the card for writing one, and the finished summary's notices.

Notes, names, conclusions and themes are user text; workshop questions are configuration text
(cards/text.py). The joint discussion and the conclusions in General are updated in place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from cards import elements as ui
from cards.catalogue import format_datetime, t
from cards.payloads import MEETING_PREFIX, MeetingDelete, MeetingFinish, MeetingMove, MeetingSave, MeetingShow, MeetingWrite
from cards.text import User, neutralise
from hyte.meeting import TOPICS, Conclusion, SummaryVersion, by_topic
from hyte.meeting_evidence import Evidence
from hyte.text import cut

TOPIC_INPUT = MEETING_PREFIX + "topic"
TEXT_INPUT = MEETING_PREFIX + "text"
EVIDENCE_INPUT = MEETING_PREFIX + "evidence"
MAX_CHOICE_CHARS = 120
"""A choice's title is cut to this (Teams shows one line of a compact choice)."""


# The joint discussion ------------------------------------------------------------------------------


def joint_card(
    title: str, raised: Sequence[tuple[str, Sequence[tuple[str, Sequence[str]]]]],
    themes: Sequence[tuple[str, Sequence[tuple[str, str]]]], at: datetime,
) -> dict[str, Any]:
    """`raised`: per question, (group, its raised points); `themes`: per question, (label, groups)."""
    body: list[ui.Element] = [
        ui.heading(t("meeting.joint_title")),
        ui.config_text(title, subtle=True, size="Small"),
        ui.text(t("meeting.joint_body")),
    ]
    theme_map = dict(themes)
    for question, groups in raised:
        body.append(ui.config_text(question, weight="Bolder", spacing="Medium", separator=True))
        if not groups:
            body.append(ui.text(t("meeting.joint_none"), subtle=True))
        for group, points in groups:
            body.append(ui.sentence("meeting.joint_group", group=User(group)))
            body += [ui.sentence("list.item", text=User(cut(p, 600)), bullet=True, spacing="None") for p in points]
        question_themes = theme_map.get(question, ())
        if question_themes:
            body.append(ui.text(t("meeting.joint_themes"), weight="Bolder"))
            body += [ui.sentence("meeting.joint_theme", bullet=True, spacing="None", label=User(label), groups=User(groups))
                     for label, groups in question_themes]
    body.append(ui.text(t("meeting.updated", at=format_datetime(at)), subtle=True, size="Small", spacing="Medium"))
    return ui.card(body)


# The conclusions -------------------------------------------------------------------------------------


def _version_line(versions: Sequence[SummaryVersion], changed: bool) -> list[ui.Element]:
    if not versions:
        return [ui.text(t("meeting.version_none"), subtle=True)]
    latest = versions[-1]
    lines = [ui.sentence("meeting.version_line", number=latest.number, by=_who(latest.finished_by),
                         at=format_datetime(latest.finished_at))]
    if changed:
        lines.append(ui.text(t("meeting.changed_since", number=latest.number), color="warning"))
    return lines


def conclusions_card(
    round_id: str, year: int, conclusions: Sequence[Conclusion], versions: Sequence[SummaryVersion], changed: bool,
    *, team: bool, at: datetime, notice: str | None = None,
) -> dict[str, Any]:
    """The conclusions by topic (`notice`: a catalogue text, formatted, shown first). `team`: with the HYTE team's buttons (edit, move, delete, new,
    finish); else to read (a representative in 1:1 chat). In General the team's card is shown to
    the whole board: the buttons refuse anyone outside the HYTE team."""
    body: list[ui.Element] = [ui.heading(t("meeting.conclusions_title", year=year))]
    if notice:
        body.append(ui.container([ui.text(notice, weight="Bolder")], style="warning"))
    body += _version_line(versions, changed)
    if not conclusions:
        body.append(ui.text(t("meeting.conclusions_empty"), subtle=True))
    for topic, items in by_topic(conclusions):
        if not items:
            continue
        body.append(ui.subheading(t(f"meeting.topic.{topic.value}")))
        for index, conclusion in enumerate(items):
            body.append(ui.sentence("meeting.conclusion_line", number=index + 1, text=User(conclusion.text),
                                    spacing="Small"))
            body.append(ui.sentence("meeting.conclusion_meta", evidence=len(conclusion.evidence),
                                    by=_who(conclusion.updated_by), at=format_datetime(conclusion.updated_at),
                                    subtle=True, size="Small", spacing="None"))
            if team:
                buttons = [ui.execute(t("meeting.action_edit"), MeetingWrite(r=round_id, id=conclusion.id, v=conclusion.version),
                                      inputs=False)]
                if index > 0:
                    buttons.append(ui.execute(t("meeting.action_up"), MeetingMove(
                        r=round_id, id=conclusion.id, v=conclusion.version, step=-1), inputs=False))
                if index < len(items) - 1:
                    buttons.append(ui.execute(t("meeting.action_down"), MeetingMove(
                        r=round_id, id=conclusion.id, v=conclusion.version, step=1), inputs=False))
                buttons.append(ui.execute(t("meeting.action_delete"), MeetingDelete(
                    r=round_id, id=conclusion.id, v=conclusion.version), inputs=False))
                body.append({"type": "ActionSet", "actions": buttons, "spacing": "None"})
    body.append(ui.text(t("meeting.updated", at=format_datetime(at)), subtle=True, size="Small", spacing="Medium"))
    actions = []
    if team:
        body.append(ui.text(t("meeting.team_hint"), subtle=True, size="Small"))
        actions = [
            ui.execute(t("meeting.action_new"), MeetingWrite(r=round_id), style="positive", inputs=False),
            ui.execute(t("meeting.action_finish"), MeetingFinish(r=round_id), inputs=False),
            ui.execute(t("meeting.action_refresh"), MeetingShow(r=round_id), inputs=False),
        ]
    return ui.card(body, actions)


# Writing one ------------------------------------------------------------------------------------------


def evidence_title(evidence: Evidence) -> str:
    """A choice's title in the conclusion card (user text, neutralised, cut to one line)."""
    ref = evidence.ref
    if ref.kind.value == "sq":
        title = t("meeting.evidence_question", question=evidence.question, count=len(evidence.organisations))
    elif ref.kind.value == "st":
        title = t("meeting.evidence_survey_theme", label=evidence.label, count=len(evidence.organisations))
    elif ref.kind.value == "wn":
        mark = t(f"meeting.mark_{evidence.mark}")
        title = t("meeting.evidence_note", group=", ".join(evidence.groups), text=evidence.label, mark=mark)
    else:
        title = t("meeting.evidence_workshop_theme", label=evidence.label, groups=", ".join(evidence.groups))
    return cut(neutralise(title), MAX_CHOICE_CHARS, one_line=True)


def write_card(
    round_id: str, options: Sequence[Evidence], *, conclusion_id: int | None, version: int | None, topic: str,
    text: str, evidence: Sequence[str], max_chars: int, notice: str | None = None, problem: str | None = None,
    other: Conclusion | None = None,
) -> dict[str, Any]:
    """The card for writing a conclusion. `notice`: "changed_meanwhile" (with the `other` member's
    stored conclusion), "deleted_meanwhile", or "problem" (with the draft's `problem`)."""
    body: list[ui.Element] = [
        ui.heading(t("meeting.write_title_edit" if conclusion_id else "meeting.write_title_new")),
    ]
    if notice == "changed_meanwhile" and other is not None:
        body.append(ui.container([
            ui.sentence("meeting.conflict", by=_who(other.updated_by), at=format_datetime(other.updated_at),
                        weight="Bolder"),
            ui.sentence("meeting.conflict_text", text=User(other.text), topic=t(f"meeting.topic.{other.topic.value}")),
            ui.text(t("meeting.conflict_yours")),
        ], style="warning"))
    elif notice == "deleted_meanwhile":
        body.append(ui.container([ui.text(t("meeting.conflict_deleted"), weight="Bolder")], style="warning"))
    elif notice == "problem" and problem is not None:
        body.append(ui.container([ui.text(t(f"meeting.problem.{problem}", max=max_chars),
                                          weight="Bolder")], style="attention"))
    topics = [(topic.value, t(f"meeting.topic.{topic.value}")) for topic in TOPICS]
    chosen_topic = topic if topic in {value for value, _ in topics} else TOPICS[0].value
    body.append(ui.input_choices(TOPIC_INPUT, t("meeting.topic_label"), topics, chosen_topic, expanded=False))
    text_input = ui.input_text(TEXT_INPUT, t("meeting.text_label"), text, max_length=max_chars,
                               placeholder=t("meeting.text_placeholder"))
    text_input["isRequired"] = True
    text_input["errorMessage"] = t("meeting.problem.empty")
    body.append(text_input)
    choices = [(str(e.ref), evidence_title(e)) for e in options]
    offered = {value for value, _ in choices}
    chosen = ",".join(v for v in evidence if v in offered)
    if choices:
        chooser = ui.input_choices(EVIDENCE_INPUT, t("meeting.evidence_label"), choices, chosen, multi=True,
                                   expanded=False)
        chooser["style"] = "filtered"
        body.append(chooser)
    else:
        body.append(ui.text(t("meeting.evidence_none"), subtle=True))
    payload = MeetingSave(r=round_id, id=conclusion_id, v=version)
    return ui.card(body, [
        ui.execute(t("meeting.action_save"), payload, style="positive"),
        ui.execute(t("meeting.action_cancel"), MeetingShow(r=round_id), inputs=False),
    ])


def saved_card(topic_key: str, text: str) -> dict[str, Any]:
    """What a conclusion card written in a channel becomes once saved."""
    return ui.card([
        ui.text(t("meeting.saved_title"), weight="Bolder"),
        ui.sentence("meeting.saved", topic=t(topic_key), text=User(cut(text, 600))),
    ])


# The finished summary -----------------------------------------------------------------------------------


def finished_card(year: int, version: SummaryVersion, links: Sequence[tuple[str, str]], expires: datetime) -> dict[str, Any]:
    return ui.card(
        [
            ui.heading(t("meeting.finished_title")),
            ui.sentence("meeting.finished_body", year=year, number=version.number, by=_who(version.finished_by),
                        at=format_datetime(version.finished_at)),
            ui.text(t("meeting.links_expire", at=format_datetime(expires)), subtle=True, size="Small"),
        ],
        [{"type": "Action.OpenUrl", "title": title, "url": url} for title, url in links],
    )


def board_notice(year: int, version: SummaryVersion, conclusions: int) -> dict[str, Any]:
    """Posted in General: the finished summary is ready."""
    return ui.card([
        ui.heading(t("meeting.board_title")),
        ui.sentence("meeting.board_body", year=year, number=version.number, count=conclusions,
                    by=_who(version.finished_by), at=format_datetime(version.finished_at)),
    ])


def _who(name: str | None) -> User:
    """Who wrote or finished: their name, or a word for a person erased since (`person erase`)."""
    return User(name or t("person.erased"))
