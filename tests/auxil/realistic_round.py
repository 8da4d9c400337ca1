"""A realistic round for the exports' tests and the look at converted pages: 16 organisations
submitted, 3 keep drafts, 6 did not start; three of those that submitted chose the methods
question's "cannot name one now" (VII). The free-text answers are the labelled theme fixtures'
(tests/hyte/fixtures/), each given to an organisation of its own in turn.

    .venv/bin/python tests/auxil/realistic_round.py OUT_DIR   # writes both files there
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "hyte" / "fixtures"
FIXTURE_QUESTIONS = {
    "hyte_effectiveness": "hyte_effectiveness", "own_contribution": "organisation_actions",
    "monitoring_text": "annual_report_development", "ngo_good_practices": "ngo_good_practices",
    "ngo_at_best": "ngo_at_its_best", "ngo_to_discuss": "ngo_discussion_needs", "interfaces_text": "more_cooperation",
}
NOW = datetime(2024, 5, 20, 9, 0, tzinfo=UTC)
VII = ("leppavirta", "apteekit", "hva_ikaihmiset")
PROGRESS = ["need_more_effort"] * 11 + ["very_well"] * 3 + ["cannot_say"] * 2


def texts_by_question() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for row in yaml.safe_load((FIXTURES / "themes_fi.yaml").read_text(encoding="utf-8"))["answers"]:
        found.setdefault(FIXTURE_QUESTIONS[row["question"]], []).append(row["text"])
    annual = yaml.safe_load((FIXTURES / "themes_annual_report_fi.yaml").read_text(encoding="utf-8"))["answers"]
    found["annual_report_development"] = [row["text"] for row in annual]
    return found


def organisations(round_) -> tuple[list[str], list[str], list[str]]:
    """(submitted, drafting, not started) organisation ids."""
    ids = [o.id for o in round_.config.organisations]
    submitted = ids[:8] + ids[10:14] + ids[16:18] + ids[18:20]
    rest = [i for i in ids if i not in submitted]
    return submitted, rest[:3], rest[3:]


def responses(round_):
    from hyte.responses import Response, ResponseKey

    submitted, drafting, _ = organisations(round_)
    pool = texts_by_question()
    at = NOW - timedelta(days=3)
    made = []
    for index, org in enumerate(submitted):
        answers = {
            "goals_progress": PROGRESS[index],
            "goals_to_strengthen": {"selected": [["g03", "g14", "g25"], ["g14", "g18"], ["g03", "g10"]][index % 3]
                                    + (["other"] if index == 5 else []),
                                    "other": "Ikäihmisten digituki" if index == 5 else None},
            "annual_report_scale": 1 + index % 5,
            "partners_found": ["yes", "no", "cannot_say"][index % 3],
            "roles_clear": ["no", "cannot_say", "yes"][index % 3],
            "methods": {"none": True, "areas": {}} if org in VII else {"none": False, "areas": {
                f"area_{1 + index % 6}": {"name": f"Menetelmä {index + 1}", "description": "Käytössä jo kunnassa.",
                                          "level": ["research_based", "good_practice", "pilot"][index % 3]}}},
        }
        for question, texts in pool.items():
            # Each answer goes to one organisation; the larger pools give every organisation one.
            mine = texts[index::len(submitted)]
            if mine:
                answers[question] = " ".join(mine[:2])
        answers.setdefault("interfaces_strategy_goal", "Yhdyspintasopimus ja yhteiset työryhmät.")
        made.append(Response(key=ResponseKey(round_.tenant_id, round_.id, org), answers=answers,
                             submitted_answers=answers, version=2, updated_at=at, updated_by="Edustaja",
                             submitted_at=at + timedelta(minutes=index * 37), submitted_by=f"Edustaja {index + 1}"))
    for org in drafting:
        made.append(Response(key=ResponseKey(round_.tenant_id, round_.id, org), answers={"goals_progress": "cannot_say"},
                             version=1, updated_at=at, updated_by="Luonnoksen tekijä"))
    return made


def workshop_points():
    from documents.common import WorkshopPoints

    return [
        WorkshopPoints("1. Miten HYTE-roolit ja vastuut selkeytetään?",
                       ("Ryhmä 1: Seudulliset järjestöfoorumit kahdesti vuodessa",
                        "Ryhmä 2: Seudullinen järjestöfoorumi myös pienille kunnille",
                        "Ryhmä 3: Nimetyt yhdyshenkilöt jokaiseen kuntaan"),
                       (("seudulliset järjestöfoorumit", 2), ("yhdyshenkilöt", 2))),
        WorkshopPoints("2. Mitä konkreettinen yhdyspintatyö on?", ("Ryhmä 1: Yhteinen vuosikello",), ()),
    ]


def curation():
    """What the HYTE team did in Teams for the look at the pages: contact persons merged into the
    forums theme, renamed; schools hidden; Kuopio's answer represents the events."""
    from hyte.curation import CurationAction, CurationEdit

    q = "ngo_good_practices"
    return [CurationEdit(q, CurationAction.MERGE, "yhteyshenkilö", "järjestöfoorumi", label="järjestöfoorumit"),
            CurationEdit(q, CurationAction.RENAME, "järjestöfoorumi", label="Foorumit ja yhteyshenkilöt"),
            CurationEdit(q, CurationAction.HIDE, "koulu"),
            CurationEdit(q, CurationAction.QUOTE, "tapahtuma", organisation_id="kuopio")]


def main(out: Path) -> None:
    edits = curation()
    sys.path.insert(0, str(HERE.parent))
    from conftest import DEMO_ROUND, TODAY
    from cards.catalogue import t
    from documents.office import write_docx, write_xlsx
    from hyte.curation import curate
    from hyte.results import summarise
    from hyte.round import load_round

    round_ = load_round(DEMO_ROUND, today=TODAY)
    summary = curate(summarise(round_, responses(round_), NOW), edits, round_)
    out.mkdir(parents=True, exist_ok=True)
    (out / "yhteenveto.docx").write_bytes(write_docx(summary, round_.survey, round_.config.county, workshop_points(),
                                                     t, date=NOW))
    (out / "vastaukset.xlsx").write_bytes(write_xlsx(summary, round_.survey, [], t))
    print(out / "yhteenveto.docx", out / "vastaukset.xlsx")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent.parent))
    main(Path(sys.argv[1]))
