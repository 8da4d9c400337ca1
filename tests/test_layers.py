"""The dependency direction of STYLE.md holds, and the rooms keep to themselves.

Reads every module's imports (without importing it; imports inside functions count too) and fails on:
- an import against the direction: app -> bot -> dialogs -> cards -> hyte, storage -> hyte;
- botbuilder, botframework or msrest imported outside bot/transport/ (the Bot Framework boundary):
  not in app.py, cli.py, settings.py or the rest of bot/; in bench/ only by the bare echo bot the
  benchmarks compare with (bench/echo_bot.py); the tests and their stand-ins (loopback/) may;
- the rest of bot/ importing the transport, or storage (features get the repositories as the
  Protocols of hyte/, the composition root hands them over);
- a feature (bot/features/) importing another feature;
- an import cycle between modules (a script's `if __name__ == "__main__":` block is not part of
  what its module needs).
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
    "documents": {"documents", "hyte"},
    "storage": {"storage", "hyte"},
    "bot": {"bot", "dialogs", "cards", "documents", "hyte", "storage"},
}
OURS = set(ALLOWED) | {"app", "cli", "settings", "bench", "loopback", "manifest"}
BOT_FRAMEWORK = {"botbuilder", "botframework", "msrest"}
SDK = BOT_FRAMEWORK | {"aiohttp", "sqlalchemy", "alembic", "asyncpg", "aiosqlite"}
TRANSPORT = "bot.transport"
ECHO_BOT = "bench.echo_bot"
"""The bare botbuilder echo bot the benchmarks measure the bot against: botbuilder on purpose."""
STAND_INS = "loopback"
"""The tests' and benchmarks' stand-ins for Teams and Entra ID (moved out of tests/): they make the
credentials botbuilder signs with (loopback/tokens.py)."""
SOURCES = ("hyte", "cards", "dialogs", "documents", "storage", "bot", "bench", "loopback", "manifest")
TOP_LEVEL = ("app.py", "cli.py", "settings.py")


def _module(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _files() -> dict[str, Path]:
    files = {_module(p): p for folder in SOURCES for p in (REPO / folder).rglob("*.py")}
    files |= {_module(REPO / name): REPO / name for name in TOP_LEVEL}
    return {m: p for m, p in files.items() if "migrations" not in m}


FILES = _files()


def _imports(path: Path) -> set[str]:
    """Every module a file imports, fully named (`from bot.features import survey` names bot.features.survey)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    tree.body = [node for node in tree.body if not _main_block(node)]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names if f"{node.module}.{alias.name}" in FILES)
    return names


def _main_block(node: ast.stmt) -> bool:
    return (isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and isinstance(node.test.left, ast.Name)
            and node.test.left.id == "__name__")


IMPORTS = {module: _imports(path) for module, path in FILES.items()}


def _top(name: str) -> str:
    return name.split(".")[0]


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_packages_import_only_downwards(package: str):
    offenders = {}
    for module, imported in IMPORTS.items():
        if _top(module) != package:
            continue
        tops = {_top(name) for name in imported}
        wrong = (tops & OURS) - ALLOWED[package]
        if package in {"hyte", "dialogs", "cards", "documents"}:
            wrong |= tops & SDK
        if wrong:
            offenders[module] = sorted(wrong)
    assert offenders == {}


def test_only_the_transport_speaks_bot_framework():
    offenders = {
        module: sorted({_top(name) for name in imported} & BOT_FRAMEWORK)
        for module, imported in IMPORTS.items()
        if not _within(module, TRANSPORT) and module != ECHO_BOT and _top(module) != STAND_INS
        and {_top(name) for name in imported} & BOT_FRAMEWORK
    }
    assert offenders == {}


def test_the_rest_of_bot_needs_neither_the_transport_nor_storage():
    offenders = {
        module: sorted(n for n in imported if _within(n, TRANSPORT) or _top(n) == "storage")
        for module, imported in IMPORTS.items()
        if _top(module) == "bot" and not _within(module, TRANSPORT)
        and any(_within(n, TRANSPORT) or _top(n) == "storage" for n in imported)
    }
    assert offenders == {}


def test_features_do_not_import_each_other():
    offenders = {}
    for module, imported in IMPORTS.items():
        if not _within(module, "bot.features") or module == "bot.features":
            continue
        others = sorted(n for n in imported if _within(n, "bot.features") and n != "bot.features" and n != module)
        if others:
            offenders[module] = others
    assert offenders == {}


def test_no_import_cycles():
    graph = {m: {n for n in imported if n in FILES and n != m} for m, imported in IMPORTS.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for following in sorted(graph[module]):
            if state.get(following) == 1:
                cycles.append(path[path.index(following):] + [following])
            elif following not in state:
                visit(following)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert cycles == []


def test_the_checks_see_every_room():
    """The checks above read what they claim to: every package's modules, imports inside functions too."""
    assert {"bot.transport.http", "bot.features.survey", "bot.dispatch", "app", "cli", ECHO_BOT} <= set(FILES)
    assert "botbuilder.integration.aiohttp" in IMPORTS[ECHO_BOT]
    assert "bot.features.survey" in IMPORTS["bot.routes"]  # `from bot.features import survey`
