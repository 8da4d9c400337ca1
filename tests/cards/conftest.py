"""Every card kind of the demo round, built once, for the card tests.

`CASES` maps a readable name ("section.methods.filled", "welcome.draft", ...) to a `CardCase`:
the card's JSON (a plain dict, as the bot sends it) and what it was built from. The `case`
fixture runs a test once per card; `cases` gives them all (the Microsoft parser checks them in one
Node run).

The answers are realistic, and their free texts (and the Teams display names) carry Markdown,
mention and link injection attempts, so that every card also shows whether user text is neutralised.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from cards.survey import review_card, section_card, status_card, welcome_card
from dialogs.survey_flow import (
    Notice,
    NoticeKind,
    ReviewView,
    SectionView,
    SubmittedView,
    WindowView,
)
from dialogs.survey_render import render
from hyte.answers import validate_all, validate_section
from hyte.responses import Response, ResponseKey, ResponseState
from hyte.round import HELSINKI, SeatRole, SurveyWindow, load_round

REPO = Path(__file__).resolve().parents[2]
ROUND = load_round(REPO / "config" / "pohjois-savo" / "round.yaml", today=date(2024, 5, 1))
SURVEY = ROUND.survey
NOW = datetime(2024, 5, 2, 10, 0, tzinfo=HELSINKI)
"""The demo survey is open 24.4.–15.5.2024 16.00."""
BEFORE_OPENING = datetime(2024, 4, 20, 9, 0, tzinfo=HELSINKI)
AFTER_CLOSING = datetime(2024, 5, 20, 9, 0, tzinfo=HELSINKI)
KUOPIO = ROUND.organisation("kuopio")
KEY = ResponseKey(ROUND.tenant_id, ROUND.id, KUOPIO.id)

# User text that tries to format, mention or link. Each appears in an answer or a Teams name below.
INJECT_MARKDOWN = "**Tärkeää:** _kaikki_ kunnat mukaan\n- ensin `koulut`\n1. sitten [ohje](http://evil.example)"
INJECT_MENTION = "Kysykää <at>Sanna Laine</at> tai &lt;at&gt;Heikki&lt;/at&gt; <b>heti</b>"
INJECT_HEADING = "# Otsikko\n![kuva](http://x.example/p.png) ja https://evil.example/login"
INJECT_OTHER = "Ikäihmisten *digituki* & <i>yksinäisyys</i>"
INJECT_METHOD = "[Harrastamisen Suomen malli](javascript:alert(1))"
INJECT_NAME = "Maija **Boss** <at>Kaikki</at>"
"""A Teams display name is user-controlled too."""
INJECTIONS = (INJECT_MARKDOWN, INJECT_MENTION, INJECT_HEADING, INJECT_OTHER, INJECT_METHOD, INJECT_NAME)

ANSWERS: dict[str, Any] = {
    # goals_measures
    "goals_progress": "need_more_effort",
    "hyte_effectiveness": (
        "HYTE-työtä tehostaisi yhteinen vuosikello kuntien ja hyvinvointialueen kesken. "
        "Hyvinvointikertomusten tavoitteet pitäisi sitoa talousarvioon, ja ennakkoarviointi "
        "päätöksenteossa tulisi ottaa käyttöön kaikissa 19 kunnassa.\n\n" + INJECT_MARKDOWN
    ),
    "goals_to_strengthen": {"selected": ["g03", "g14", "g24", "other"], "other": INJECT_OTHER},
    "organisation_actions": (
        "Kuopion kaupunki voisi avata liikuntapaikkojaan maksutta ikäihmisille arkipäivisin klo 9–12 "
        "ja lisätä nuorisotyön jalkautumista kouluihin. " + INJECT_MENTION
    ),
    # monitoring
    "annual_report_scale": 4,
    "annual_report_development": (
        "Vuosiraporttiin tarvitaan kuntakohtaiset vertailut ja trendit viideltä vuodelta. " + INJECT_HEADING
    ),
    # methods
    "methods": {
        "none": False,
        "areas": {
            "area_1": {
                "name": INJECT_METHOD,
                "description": "Lapsille ja nuorille maksuton harrastus koulupäivän yhteydessä; kattaa 80 % alakouluista.",
                "level": "good_practice",
            },
            "area_4": {"name": "Pakka-toimintamalli", "description": None, "level": "research_based"},
            "area_6": {
                "name": "Hyvinvointikertomuksen vuosikello",
                "description": "Pilotissa 3 kuntaa; vaikuttavuutta seurataan kyselyllä.",
                "level": "pilot",
            },
        },
    },
    # ngo_cooperation
    "ngo_good_practices": "Järjestöjen yhteinen toimintatori ja avustusten yhteishaku. Järjestöillä on edustus HYTE-ryhmässä.",
    "ngo_at_its_best": "Kumppanuus, jossa järjestöt ovat mukana jo suunnittelussa, ei vain toteutuksessa.",
    "ngo_discussion_needs": "Tilojen maksuttomuus, avustusten pitkäjänteisyys (3–5 v.) ja tiedonkulku: kuka vastaa?",
    # interfaces
    "interfaces_strategy_goal": "Yhteiset mittarit ja säännölliset yhdyspintafoorumit kunnittain.",
    "partners_found": "yes",
    "roles_clear": "no",
    "more_cooperation": "Ikäihmisten kaatumisten ehkäisyssä pelastuslaitoksen ja kotihoidon kanssa.",
}
"""Complete, strictly valid answers in their clean (stored) shape."""

ANSWERS_EXCLUSIVE: dict[str, Any] = {
    **ANSWERS,
    "goals_to_strengthen": {"selected": ["all_equal"], "other": None},
    "methods": {"none": True, "areas": {}},
    "annual_report_scale": 1,
    "partners_found": "cannot_say",
}
"""The other branches: an exclusive option alone, "no method to name" and the scale's ends."""

BAD_RAW: dict[str, dict[str, Any]] = {
    "goals_measures": {
        "goals_progress": None,
        "hyte_effectiveness": None,
        "goals_to_strengthen": {"selected": ["all_equal", "g01"], "other": INJECT_OTHER},
        "organisation_actions": INJECT_MARKDOWN,
    },
    "monitoring": {"annual_report_scale": None, "annual_report_development": INJECT_HEADING},
    "methods": {
        "methods": {
            "none": True,
            "areas": {
                "area_2": {"name": None, "description": INJECT_MENTION, "level": None},
                "area_5": {"name": "Liikenneturvallisuuskasvatus", "description": None, "level": None},
            },
        }
    },
    "ngo_cooperation": {"ngo_good_practices": "Toimintatori.", "ngo_at_its_best": None, "ngo_discussion_needs": None},
    "interfaces": {
        "interfaces_strategy_goal": None,
        "partners_found": None,
        "roles_clear": "no",
        "more_cooperation": INJECT_OTHER,
    },
}
"""Raw values per section, as a Teams client could send them, that strict validation refuses:
missing answers, an exclusive option combined, a text without "Jokin muu", incomplete methods."""

FORGED_RAW: dict[str, dict[str, Any]] = {
    "goals_measures": {
        "goals_progress": "very_well",
        "hyte_effectiveness": "x" * 2001,
        "goals_to_strengthen": {"selected": ["g99"], "other": None},
        "organisation_actions": None,
    },
    "monitoring": {"annual_report_scale": "9", "annual_report_development": None},
    "interfaces": {"partners_found": "maybe", "roles_clear": "yes", "more_cooperation": "z" * 2001},
}
"""What no client sends (a value that is not a choice, a text over the input's maxLength): refused
as not an option, out of range or too long, and shown as sent."""


def section_answers(section_id: str, answers: dict[str, Any]) -> dict[str, Any]:
    return {q.id: answers[q.id] for q in SURVEY.section(section_id).questions if q.id in answers}


@dataclass(frozen=True)
class CardCase:
    name: str
    card: dict[str, Any]
    kind: str
    section_id: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    """Clean answers the card shows (a section's prefilled inputs, or the review/submitted lines)."""
    user_texts: tuple[str, ...] = ()
    """User-written strings that this card must show, neutralised, in a RichTextBlock (never a TextBlock)."""
    representable: bool = True
    """Whether every value the card shows could have come from a Teams client (not a forged one)."""


def _response(state: ResponseState) -> Response | None:
    empty = Response.empty(KEY)
    edited = {**ANSWERS, "roles_clear": "cannot_say"}
    submitted_at = datetime(2024, 5, 2, 9, 15, tzinfo=HELSINKI)
    match state:
        case ResponseState.NOT_STARTED:
            return empty
        case ResponseState.DRAFT:
            return replace(empty, answers=dict(ANSWERS), version=3, updated_at=NOW, updated_by=INJECT_NAME)
        case ResponseState.SUBMITTED:
            return replace(empty, answers=dict(ANSWERS), submitted_answers=dict(ANSWERS), version=5, updated_at=submitted_at,
                           updated_by=INJECT_NAME, submitted_at=submitted_at, submitted_by=INJECT_NAME)
        case ResponseState.SUBMITTED_WITH_CHANGES:
            return replace(empty, answers=edited, submitted_answers=dict(ANSWERS), version=6, updated_at=NOW,
                           updated_by="Matti Virtanen", submitted_at=submitted_at, submitted_by=INJECT_NAME)
    raise AssertionError(state)


def _user_texts(answers: dict[str, Any]) -> tuple[str, ...]:
    """The injection strings among these answers' free texts."""
    texts = []
    for value in answers.values():
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            texts.append(value.get("other") or "")
            for entry in (value.get("areas") or {}).values():
                texts.extend([entry.get("name") or "", entry.get("description") or ""])
    return tuple(i for i in INJECTIONS if any(i in text for text in texts))


def build_cases() -> dict[str, CardCase]:
    cases: list[CardCase] = []
    add = cases.append
    for section in SURVEY.sections:
        sid = section.id
        filled = section_answers(sid, ANSWERS)
        add(CardCase(f"section.{sid}.empty", section_card(ROUND, sid, {}, 0), "section", sid, {}))
        add(CardCase(f"section.{sid}.filled",
                     render(SectionView(sid, filled, 3, notice=Notice(NoticeKind.DRAFT_SAVED, at=NOW)), ROUND),
                     "section", sid, filled))
        add(CardCase(f"section.{sid}.exclusive", section_card(ROUND, sid, section_answers(sid, ANSWERS_EXCLUSIVE), 4),
                     "section", sid, section_answers(sid, ANSWERS_EXCLUSIVE)))
        raw = BAD_RAW[sid]
        result = validate_section(section, raw, strict=True)
        assert result.errors, f"BAD_RAW[{sid!r}] should not validate"
        add(CardCase(f"section.{sid}.errors",
                     render(SectionView(sid, raw, 3, tuple(result.errors), Notice(NoticeKind.FIX_ERRORS)), ROUND),
                     "section", sid))
    for sid, raw in FORGED_RAW.items():
        forged = validate_section(SURVEY.section(sid), raw, strict=True)
        assert forged.errors, f"FORGED_RAW[{sid!r}] should not validate"
        add(CardCase(f"section.{sid}.forged",
                     render(SectionView(sid, raw, 3, tuple(forged.errors), Notice(NoticeKind.FIX_ERRORS)), ROUND),
                     "section", sid, representable=False))
    add(CardCase("section.goals_measures.conflict",
                 render(SectionView("goals_measures", section_answers("goals_measures", ANSWERS), 7,
                                    notice=Notice(NoticeKind.CONFLICT, by=INJECT_NAME, at=NOW)), ROUND),
                 "section", "goals_measures", section_answers("goals_measures", ANSWERS), user_texts=(INJECT_NAME,)))
    add(CardCase("section.monitoring.resumed",
                 render(SectionView("monitoring", {}, 2, notice=Notice(NoticeKind.RESUMED, by="Matti Virtanen", at=NOW)),
                        ROUND),
                 "section", "monitoring", {}))

    partial = {k: v for k, v in ANSWERS.items() if k not in {"methods", "roles_clear", "ngo_at_its_best"}}
    problems = {sid: tuple(errors) for sid, errors in validate_all(SURVEY, partial).items()}
    assert problems
    add(CardCase("review.problems", render(ReviewView(partial, 8, problems, Notice(NoticeKind.FIX_ERRORS)), ROUND),
                 "review", answers=partial, user_texts=_user_texts(partial)))
    add(CardCase("review.complete", render(ReviewView(ANSWERS, 9), ROUND), "review", answers=ANSWERS,
                 user_texts=_user_texts(ANSWERS)))
    add(CardCase("review.exclusive", review_card(ROUND, ANSWERS_EXCLUSIVE, 9), "review", answers=ANSWERS_EXCLUSIVE,
                 user_texts=_user_texts(ANSWERS_EXCLUSIVE)))
    submitted = _response(ResponseState.SUBMITTED)
    add(CardCase("submitted.just_now", render(SubmittedView(submitted, just_now=True), ROUND), "submitted",
                 answers=ANSWERS, user_texts=(*_user_texts(ANSWERS), INJECT_NAME)))
    add(CardCase("submitted.again", render(SubmittedView(submitted, just_now=False), ROUND), "submitted",
                 answers=ANSWERS, user_texts=(*_user_texts(ANSWERS), INJECT_NAME)))
    add(CardCase("window.closed", render(WindowView(SurveyWindow.CLOSED, ROUND.timetable.survey_opens,
                                                    ROUND.timetable.survey_closes), ROUND), "window"))
    add(CardCase("window.not_yet_open", render(WindowView(SurveyWindow.NOT_YET_OPEN, ROUND.timetable.survey_opens,
                                                          ROUND.timetable.survey_closes), ROUND), "window"))

    states: list[tuple[str, Response | None]] = [("none", None)]
    states += [(state.value, _response(state)) for state in ResponseState]
    for label, response in states:
        names = (INJECT_NAME,) if response is not None and response.state is not ResponseState.NOT_STARTED else ()
        add(CardCase(f"welcome.{label}", welcome_card(ROUND, INJECT_NAME, KUOPIO, SeatRole.MEMBER, response, NOW),
                     "welcome", user_texts=(INJECT_NAME,)))
        add(CardCase(f"status.{label}", status_card(ROUND, KUOPIO, response, NOW), "status", user_texts=names))
    draft = _response(ResponseState.DRAFT)
    add(CardCase("welcome.deputy.not_yet_open",
                 welcome_card(ROUND, "Matti Virtanen", KUOPIO, SeatRole.DEPUTY, None, BEFORE_OPENING), "welcome"))
    add(CardCase("welcome.closed", welcome_card(ROUND, INJECT_NAME, KUOPIO, SeatRole.MEMBER, draft, AFTER_CLOSING),
                 "welcome", user_texts=(INJECT_NAME,)))
    add(CardCase("status.closed", status_card(ROUND, KUOPIO, draft, AFTER_CLOSING), "status", user_texts=(INJECT_NAME,)))

    by_name = {case.name: case for case in cases}
    assert len(by_name) == len(cases), "card case names must be unique"
    return by_name


CASES = build_cases()
SECTION_CASES = [name for name, case in CASES.items() if case.kind == "section"]


CLIENT_SECTION_CASES = [name for name in SECTION_CASES if CASES[name].representable]
"""Section cards showing only what a Teams client can send."""
PREFILLED_SECTION_CASES = [name for name in CLIENT_SECTION_CASES if not name.endswith(".errors")]
"""Section cards prefilled from clean answers (`CardCase.answers`)."""


@pytest.fixture(params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> CardCase:
    return CASES[request.param]


@pytest.fixture(params=sorted(SECTION_CASES))
def section_case(request: pytest.FixtureRequest) -> CardCase:
    return CASES[request.param]


@pytest.fixture(params=sorted(CLIENT_SECTION_CASES))
def client_section_case(request: pytest.FixtureRequest) -> CardCase:
    return CASES[request.param]


@pytest.fixture(params=sorted(PREFILLED_SECTION_CASES))
def prefilled_section_case(request: pytest.FixtureRequest) -> CardCase:
    return CASES[request.param]


@pytest.fixture
def cases() -> dict[str, CardCase]:
    return CASES


@pytest.fixture(scope="session")
def cardset():
    """This module, for its constants (ROUND, ANSWERS, INJECTIONS, ...): test modules cannot import a
    conftest by name under --import-mode=importlib."""
    import sys

    return sys.modules[__name__]
