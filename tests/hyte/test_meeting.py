"""The meeting's domain: evidence references, drafts, conclusions by topic, what changed since a version."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hyte.meeting import (
    Conclusion, Draft, DraftProblem, EvidenceKind, EvidenceRef, MeetingState, SummaryVersion, by_topic, check_draft,
    parse_refs,
)
from hyte.survey import LegalTopic

T0 = datetime(2024, 5, 22, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("text, ref", [
    ("sq:progress", EvidenceRef(EvidenceKind.SURVEY_QUESTION, "progress")),
    ("st:effective:järjestö foorumi", EvidenceRef(EvidenceKind.SURVEY_THEME, "effective", "järjestö foorumi")),
    ("wn:19:g1@thread.tacv2|1700000000001", EvidenceRef(EvidenceKind.WORKSHOP_NOTE, "", "19:g1@thread.tacv2|1700000000001")),
    ("wt:interface_work:sopimus", EvidenceRef(EvidenceKind.WORKSHOP_THEME, "interface_work", "sopimus")),
])
def test_references_read_and_write_the_same(text, ref):
    assert EvidenceRef.parse(text) == ref and str(ref) == text


@pytest.mark.parametrize("bad", ["", "x:y", "sq:", "wn:no-bar", "st:only", "wt::k", "sq:a,b"])
def test_anything_else_is_not_a_reference(bad):
    with pytest.raises(ValueError):
        EvidenceRef.parse(bad)


def test_a_multiselect_value_gives_each_reference_once_in_order():
    assert [str(r) for r in parse_refs("sq:b,sq:a,sq:b,")] == ["sq:b", "sq:a"]


def test_a_draft_is_checked_against_what_the_card_offered():
    ref = EvidenceRef(EvidenceKind.SURVEY_QUESTION, "progress")
    assert check_draft(Draft(LegalTopic.GOALS, "  ")) is DraftProblem.EMPTY
    assert check_draft(Draft(LegalTopic.GOALS, "x" * 2001)) is DraftProblem.TOO_LONG
    assert check_draft(Draft(LegalTopic.GOALS, "Hyvä", (ref,)), {"sq:other"}) is DraftProblem.UNKNOWN_EVIDENCE
    assert check_draft(Draft(LegalTopic.GOALS, "Hyvä", (ref,)), {"sq:progress"}) is None


def conclusion(id_: int, topic: LegalTopic, position: int, text: str = "x") -> Conclusion:
    return Conclusion(id_, topic, position, text, (), 1, "Sanna", T0, "Sanna", T0)


def test_conclusions_by_topic_in_the_laws_order_and_the_teams_order():
    grouped = by_topic([conclusion(1, LegalTopic.MONITORING, 1), conclusion(2, LegalTopic.GOALS, 2),
                        conclusion(3, LegalTopic.GOALS, 1)])
    assert [(topic, [c.id for c in items]) for topic, items in grouped] == [
        (LegalTopic.GOALS, [3, 2]), (LegalTopic.MEASURES, []), (LegalTopic.COOPERATION, []),
        (LegalTopic.MONITORING, [1]),
    ]


def test_changed_since_the_latest_version():
    one = conclusion(1, LegalTopic.GOALS, 1, "Yksi")
    assert not MeetingState().changed_since_latest()
    assert MeetingState([one]).changed_since_latest()
    version = SummaryVersion(1, "Sanna", T0, (one.frozen(),))
    assert not MeetingState([one], [version]).changed_since_latest()
    assert MeetingState([conclusion(1, LegalTopic.GOALS, 1, "Muutettu")], [version]).changed_since_latest()
    assert version.conclusions_as_objects()[0].text == "Yksi"
