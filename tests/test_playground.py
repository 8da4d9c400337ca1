"""The Agents Playground's mock Teams data matches the demo rounds: the default file Pohjois-Savo's
(Finnish), `.m365agentsplayground.saaristo.yml` the bilingual Saaristo – Skärgården's, where the
bot can be tried in Swedish (docs/playground.md). The playground's own schema rules, checked when
it starts, are checked here too, so that a file that would not start fails a test."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from hyte.round import load_round

REPO = Path(__file__).resolve().parents[1]
FILES = {
    ".m365agentsplayground.yml": "pohjois-savo",
    ".m365agentsplayground.saaristo.yml": "saaristo",
}
FIELDS = {"id", "name", "userPrincipleName", "aadObjectId", "givenName", "surname", "email"}


@pytest.mark.parametrize("name, county", FILES.items())
def test_the_playground_file_keeps_the_schema_rules_and_matches_its_round(name: str, county: str):
    config = yaml.safe_load((REPO / name).read_text(encoding="utf-8"))
    round_ = load_round(REPO / "config" / county / "round.yaml", date(2024, 5, 2))
    assert config["version"] == "0.1.1" and config["tenantId"] == round_.tenant_id
    people = [config["currentUser"], *config["users"]]
    assert len(config["users"]) == 5 and all(set(p) == FIELDS for p in people)
    assert len({p["id"] for p in people}) == 6 and len(config["team"]["channels"]) <= 1
    ids = [config["personalChat"]["id"], config["groupChat"]["id"], config["team"]["id"],
           *(c["id"] for c in config["team"]["channels"])]
    assert len(set(ids)) == len(ids)
    configured = {p.aad_object_id: p for p in (*round_.config.representatives, *round_.config.hyte_team)}
    me = configured[config["currentUser"]["aadObjectId"]]  # the current user is a representative
    deputies = [p for p in round_.config.representatives if p.organisation == me.organisation and p is not me]
    others = {p["aadObjectId"] for p in config["users"]}
    assert {d.aad_object_id for d in deputies} <= others  # their deputy is among the users
    assert {m.aad_object_id for m in round_.config.hyte_team} & others  # and a HYTE team member
    for person in people:
        if person["aadObjectId"] in configured:
            assert person["name"] == configured[person["aadObjectId"]].name


def test_the_saaristo_file_is_for_the_bilingual_round():
    round_ = load_round(REPO / "config" / "saaristo" / "round.yaml", date(2024, 5, 2))
    assert round_.languages == ("fi", "sv")
