"""The conclusion flow, pure: a draft checked against what the card offered, a new conclusion or an
edit on its version, and a stale edit coming back with both texts."""

from __future__ import annotations

from datetime import UTC, datetime

from dialogs.meeting_flow import AddConclusion, Conflict, EditConclusion, MeetingState, NoticeKind, Save, Saved, WriteView, decide
from hyte.meeting import Conclusion, DraftProblem, EvidenceRef
from hyte.survey import LegalTopic

T0 = datetime(2024, 5, 22, 9, 0, tzinfo=UTC)
STATE = MeetingState(frozenset({"sq:roles_clear", "wn:19:g1@thread.tacv2|101"}))


def test_a_new_conclusion_is_added_with_its_evidence():
    outcome = decide(STATE, Save(None, None, "cooperation", " Roolit selkeiksi. ", "sq:roles_clear,wn:19:g1@thread.tacv2|101"))
    (effect,) = outcome.effects
    assert isinstance(effect, AddConclusion) and isinstance(outcome.view, Saved)
    assert effect.draft.text == "Roolit selkeiksi." and effect.draft.topic is LegalTopic.COOPERATION
    assert [str(r) for r in effect.draft.evidence] == ["sq:roles_clear", "wn:19:g1@thread.tacv2|101"]


def test_an_edit_names_its_version():
    (effect,) = decide(STATE, Save(3, 2, "goals", "Uusi teksti", "")).effects
    assert isinstance(effect, EditConclusion) and (effect.conclusion_id, effect.version) == (3, 2)


def test_what_the_card_did_not_offer_is_refused_and_nothing_is_stored():
    for save, problem in (
        (Save(None, None, "goals", "Teksti", "sq:forged"), DraftProblem.UNKNOWN_EVIDENCE),
        (Save(None, None, "politics", "Teksti", ""), DraftProblem.UNKNOWN_EVIDENCE),
        (Save(None, None, "goals", "Teksti", "not a reference"), DraftProblem.UNKNOWN_EVIDENCE),
        (Save(None, None, "goals", "   ", "sq:roles_clear"), DraftProblem.EMPTY),
        (Save(None, None, "goals", "x" * 2001, ""), DraftProblem.TOO_LONG),
        (Save(3, None, "goals", "Teksti", ""), DraftProblem.UNKNOWN_EVIDENCE),
    ):
        outcome = decide(STATE, save)
        assert outcome.effects == () and isinstance(outcome.view, WriteView), save
        assert (outcome.view.notice, outcome.view.problem) == (NoticeKind.PROBLEM, problem), save
        assert outcome.view.text == save.text  # what was written comes back


def test_a_stale_edit_comes_back_with_the_other_text_shown_and_ones_own_kept():
    other = Conclusion(3, LegalTopic.GOALS, 1, "Heikin teksti", (EvidenceRef.parse("sq:roles_clear"),), 3, "Sanna",
                       T0, "Heikki Koskinen", T0)
    save = Save(3, 2, "goals", "Sannan teksti", "sq:roles_clear")
    outcome = decide(STATE, Conflict(save, other))
    view = outcome.view
    assert outcome.effects == () and view.notice is NoticeKind.CHANGED_MEANWHILE
    assert (view.conclusion_id, view.version, view.text, view.other) == (3, 3, "Sannan teksti", other)
    deleted = decide(STATE, Conflict(save, None)).view
    assert deleted.notice is NoticeKind.DELETED_MEANWHILE and deleted.conclusion_id is None and deleted.text == "Sannan teksti"
