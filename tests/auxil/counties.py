"""Several counties in one deployment, for the tests: a rounds folder with the bundled Pohjois-Savo
and Saaristo rounds and a third county made from Saaristo's in a tenant of its own, their people as
Teams users, and each county's Teams environment on the one connector stand-in."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from loopback.demo import DEMO_TENANT, MAIJA, MATTI, REPO, SANNA
from loopback.teams import TeamsEnv, TeamsUser

CONFIG = REPO / "config"
SAARISTO_TENANT = "5aa70000-0000-4000-8000-000000000002"
KOLMAS_TENANT = "3ee30000-0000-4000-8000-000000000003"

EEVA = TeamsUser("5aa70000-0000-4000-8000-0000000005a1", "Eeva Saarinen", upn="eeva.saarinen@saaristo.example")
KARIN = TeamsUser("5aa70000-0000-4000-8000-0000000005a3", "Karin Nyström", upn="karin.nystrom@saaristo.example")
SOFIA = TeamsUser("5aa70000-0000-4000-8000-0000000005b1", "Sofia Lindqvist", upn="sofia.lindqvist@saaristo.example")
"""Saaristo's: Eeva and Karin represent organisations, Sofia is the HYTE team."""
KAISA = TeamsUser("3ee30000-0000-4000-8000-0000000005a1", "Eeva Saarinen", upn="eeva.saarinen@kolmas.example")
KOLMAS_HYTE = TeamsUser("3ee30000-0000-4000-8000-0000000005b1", "Sofia Lindqvist", upn="sofia.lindqvist@kolmas.example")
"""The third county's (Saaristo's people under other ids, in another tenant)."""


@dataclass(frozen=True)
class County:
    round_id: str
    tenant_id: str
    representative: TeamsUser
    deputy: TeamsUser | None
    hyte: TeamsUser
    organisation: str
    organisations: int


POHJOIS_SAVO = County("pohjois-savo-demo", DEMO_TENANT, MAIJA, MATTI, SANNA, "kuopio", 25)
SAARISTO = County("saaristo-demo", SAARISTO_TENANT, EEVA, None, SOFIA, "saariston_kaupunki", 5)
KOLMAS = County("kolmas-demo", KOLMAS_TENANT, KAISA, None, KOLMAS_HYTE, "saariston_kaupunki", 5)
COUNTIES = (POHJOIS_SAVO, SAARISTO, KOLMAS)


def rounds_folder(directory: Path, *, third: bool = True) -> Path:
    """`directory`/rounds: the bundled two counties' folders as they are, and (`third`) a third
    county: Saaristo's files with another id, county, region, tenant and people."""
    folder = directory / "rounds"
    shutil.copytree(CONFIG / "pohjois-savo", folder / "pohjois-savo")
    shutil.copytree(CONFIG / "saaristo", folder / "saaristo")
    if third:
        shutil.copytree(CONFIG / "saaristo", folder / "kolmas")
        path = folder / "kolmas" / "round.yaml"
        text = path.read_text(encoding="utf-8")
        text = (text.replace("id: saaristo-demo", "id: kolmas-demo")
                .replace("county: Saariston hyvinvointialue – Skärgårdens välfärdsområde",
                         "county: Kolmannen hyvinvointialue")
                .replace("region: Saaristo", "region: Kolmas")
                .replace(SAARISTO_TENANT, KOLMAS_TENANT)
                .replace("5aa70000-", "3ee30000-")
                .replace("@saaristo.example", "@kolmas.example")
                .replace("Saariston ", "Kolmion ").replace("Luodon kunta – Grundö kommun", "Kolmelan kunta"))
        path.write_text(text, encoding="utf-8")
    return folder


def env_of(county: County, service_url: str) -> TeamsEnv:
    return TeamsEnv(service_url=service_url, tenant_id=county.tenant_id)
