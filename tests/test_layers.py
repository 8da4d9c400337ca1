"""The dependency direction of STYLE.md holds: app -> bot -> dialogs -> cards -> hyte, storage -> hyte.

Reads every module's imports (without importing it) and fails on an import against the direction.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ALLOWED = {
    "hyte": {"hyte"},
    "cards": {"cards", "hyte"},
    "dialogs": {"dialogs", "cards", "hyte"},
    "storage": {"storage", "hyte"},
    "bot": {"bot", "dialogs", "cards", "hyte", "storage"},
}
OURS = set(ALLOWED) | {"app"}
SDK = {"botbuilder", "botframework", "msrest", "aiohttp", "sqlalchemy", "alembic", "asyncpg", "aiosqlite"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_packages_import_only_downwards(package: str):
    offenders = {}
    for path in (REPO / package).rglob("*.py"):
        imported = _imports(path)
        wrong = (imported & OURS) - ALLOWED[package]
        if package != "bot":
            wrong |= imported & {"botbuilder", "botframework", "msrest"}
        if package in {"hyte", "dialogs", "cards"}:
            wrong |= imported & SDK
        if wrong:
            offenders[str(path.relative_to(REPO))] = sorted(wrong)
    assert offenders == {}
