"""The bundled demo round as the tests and benchmarks use it: its file, tenant, day, people, and
the bot's settings over a given database."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from hyte.clock import HELSINKI
from loopback.teams import TeamsUser
from settings import Settings

REPO = Path(__file__).resolve().parent.parent
DEMO_ROUND = REPO / "config" / "pohjois-savo" / "round.yaml"
DEMO_TENANT = "00000000-0000-0000-0000-0000000000001"
TODAY = date(2024, 5, 1)
"""The demo round's relative dates count from here: the survey is open 24.4.–15.5.2024 16.00."""
NOW = datetime(2024, 5, 2, 10, 0, tzinfo=HELSINKI)

# The demo round's people (config/pohjois-savo/round.yaml).
MAIJA = TeamsUser("00000000-0000-0000-0000-0000000000a1", "Maija Meikäläinen", upn="maija.meikalainen@example.fi")
MATTI = TeamsUser("00000000-0000-0000-0000-0000000000a2", "Matti Virtanen", upn="matti.virtanen@example.fi")
LIISA = TeamsUser("00000000-0000-0000-0000-0000000000a3", "Liisa Korhonen", upn="liisa.korhonen@example.fi")
SANNA = TeamsUser("00000000-0000-0000-0000-0000000000b1", "Sanna Laine", upn="sanna.laine@example.fi")
ANNA = TeamsUser("00000000-0000-0000-0000-0000000000d1", "Anna Mäkinen", upn="anna.makinen@example.fi")
"""Configured by UPN only: recognised through the connector's member look-up."""
OLLI = TeamsUser("00000000-0000-0000-0000-0000000000c1", "Olli Ulkopuolinen", upn="olli@example.org")
"""Not in the round."""


def make_settings(database_url: str, round_file: Path = DEMO_ROUND, **overrides) -> Settings:
    """The bot's settings over `database_url`: the demo round, or another round file, or a rounds
    folder (`round_file` a directory: HYTE_ROUNDS_DIR). The CPU work runs in worker threads
    (HYTE_CPU_WORKERS 0: starting a process pool per test costs more than it saves) unless an
    override asks for the pool (tests/scenarios/test_loop_not_held.py does)."""
    rounds = {"HYTE_ROUNDS_DIR" if round_file.is_dir() else "HYTE_ROUND_FILE": round_file}
    values = {"DATABASE_URL": database_url, **rounds, "HYTE_TODAY": TODAY,
              "MicrosoftAppId": "", "MicrosoftAppPassword": "",
              "HYTE_CPU_WORKERS": 0, **overrides}
    return Settings(_env_file=None, **values)
