"""The source document the bundled survey and workshop texts are taken from, verbatim.

The repository carries its own copy (docs/seed/), so every test that proves a text verbatim runs
in any clone. The original lives outside the repository, in the project's shared folder
(`shared/seed/` beside the checkout or beside one of its parent folders); `shared_original()`
finds it where it exists, and tests/test_seed.py checks that the copy is still the original.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NAME = "000_e4ccb39e4b0ae1ff.txt"
SEED = REPO / "docs" / "seed" / NAME


def shared_original() -> Path | None:
    """The original document in a `shared/seed/` folder beside the repository or one of its parents."""
    for folder in REPO.parents:
        candidate = folder / "shared" / "seed" / NAME
        if candidate.is_file():
            return candidate
    return None


def read_seed() -> str:
    return SEED.read_text(encoding="utf-8")
