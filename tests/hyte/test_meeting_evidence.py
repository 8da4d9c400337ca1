"""What a conclusion may rest on, from the survey's and the workshop's summaries: every question
and theme of the survey, the raised points and highlights (not other notes), the workshop's themes;
and what each resolves to: how many organisations and which, the group and the note."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from hyte.meeting import EvidenceKind, EvidenceRef
from hyte.meeting_evidence import build_index, raised_by_group
from hyte.responses import Response, ResponseKey
from hyte.results import summarise
from hyte.round import load_round
from hyte.workshop import Assignment, Group, Note
from hyte.workshop_summary import consolidate

ROUND = load_round(Path(__file__).resolve().parents[2] / "config" / "pohjois-savo" / "round.yaml", today=date(2024, 5, 1))
T0 = datetime(2024, 5, 22, 9, 0, tzinfo=UTC)
GROUPS = (Group("19:g1@thread.tacv2", "Ryhmä 1", 1), Group("19:g2@thread.tacv2", "Ryhmä 2", 2))


def response(organisation: str, answers: dict) -> Response:
    return Response(ResponseKey(ROUND.tenant_id, ROUND.id, organisation), answers, answers, 2, T0)


def note(group: Group, message: str, text: str, **extra) -> Note:
    return Note(group.channel_id, message, "roles_and_responsibilities", Assignment.THREAD, None, None, text, T0, T0,
                **extra)


RESPONSES = [
    response("kuopio", {"roles_clear": "no", "hyte_effectiveness": "Järjestöfoorumit ja yhteiset tapahtumat"}),
    response("iisalmi", {"roles_clear": "no", "hyte_effectiveness": "Järjestöfoorumit kuntiin"}),
    response("savonia", {"roles_clear": "yes"}),
]
NOTES = [
    note(GROUPS[0], "1", "Roolit yhdyspintasopimukseen"),
    note(GROUPS[0], "2", "Kahvitauko", highlight=False),
    note(GROUPS[1], "3", "Yhdyspintasopimus päivitetään", highlight=True),
    note(GROUPS[1], "4", "Poistettu nosto", deleted=True),
]
RAISED = {"19:g1@thread.tacv2|1", "19:g2@thread.tacv2|4"}


def index():
    survey = summarise(ROUND, RESPONSES, T0)
    workshop = consolidate(ROUND.workshop, GROUPS, NOTES, thesaurus=ROUND.thesaurus)
    return build_index(survey, workshop, NOTES, RAISED), workshop


def test_a_survey_question_resolves_to_who_answered_and_how():
    found = index()[0].resolve(EvidenceRef(EvidenceKind.SURVEY_QUESTION, "roles_clear"))
    assert "Ovatko kokemustenne mukaan HYTE-roolit ja vastuut selkeät" in found.question
    assert set(found.organisations) == {"Kuopion kaupunki", "Iisalmen kaupunki", "Savonia-ammattikorkeakoulu"}
    counts = {c.label: set(c.organisations) for c in found.counts}
    assert counts == {"Ei": {"Kuopion kaupunki", "Iisalmen kaupunki"}, "Kyllä": {"Savonia-ammattikorkeakoulu"}}


def test_only_raised_points_and_highlights_are_offered_of_the_notes():
    built, _ = index()
    notes = {str(e.ref): e for e in built.options() if e.ref.kind is EvidenceKind.WORKSHOP_NOTE}
    assert set(notes) == {"wn:19:g1@thread.tacv2|1", "wn:19:g2@thread.tacv2|3"}  # not the deleted one, nor coffee
    raised = notes["wn:19:g1@thread.tacv2|1"]
    assert (raised.groups, raised.label, raised.raised, raised.highlight) == (("Ryhmä 1",), "Roolit yhdyspintasopimukseen",
                                                                              True, False)
    assert notes["wn:19:g2@thread.tacv2|3"].highlight
    assert built.resolve(EvidenceRef.parse("wn:19:g2@thread.tacv2|4")) is None  # gone: resolves to nothing
    taken_back = built.resolve(EvidenceRef.parse("wn:19:g1@thread.tacv2|2"))  # linked once, its heart removed since
    assert taken_back is not None and taken_back.label == "Kahvitauko" and not taken_back.raised


def test_survey_themes_name_their_organisations_when_the_lemmatiser_is_there():
    from hyte.finnish import lemmatiser_available

    built, _ = index()
    themes = [e for e in built.options() if e.ref.kind is EvidenceKind.SURVEY_THEME]
    if not lemmatiser_available():
        assert themes == []
        return
    foorumi = next(e for e in themes if "foorumi" in e.label.casefold())
    assert set(foorumi.organisations) == {"Kuopion kaupunki", "Iisalmen kaupunki"}
    assert built.resolve(foorumi.ref) == foorumi


def test_the_raised_points_per_question_and_group():
    _, workshop = index()
    per_question = dict(raised_by_group(workshop, NOTES, RAISED))
    first = next(q for q in per_question if q.startswith("1."))
    assert per_question[first] == [("Ryhmä 1", ["Roolit yhdyspintasopimukseen"])]
