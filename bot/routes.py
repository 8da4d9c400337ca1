"""Every route of the bot, from every feature, on one router; and the routing table.

    python -m bot.routes      print the table: command, card action (verb) or event → module:function, who, where

The table is kept true by a snapshot test (tests/bot/test_routes.py), so that any behaviour is
found in one hop from what a person types, presses or does.
"""

from __future__ import annotations

import sys

from bot.features import (
    board_team, curation, exports, guide, language, meeting, reminders, results, survey, timeline, workshop,
)
from bot.router import Route, Router, Routes

FEATURES: tuple[Routes, ...] = (
    guide.routes, survey.routes, results.routes, curation.routes, exports.routes, timeline.routes, reminders.routes,
    workshop.routes, meeting.routes, board_team.routes, language.routes,
)
"""In the order `ohje` and the manifest list the commands."""


def build_router() -> Router:
    return Router.of(FEATURES)


def _rows(kind: str, name: str, route: Route) -> list[tuple[str, ...]]:
    """The route's line, and one more for each further access it declares."""
    first, *more = route.access
    rows = [(kind, name, route.target, str(first.audience), str(first.where))]
    rows += [("", "", "", str(a.audience), str(a.where)) for a in more]
    return rows


def table(router: Router) -> str:
    """One line per route: what starts it, the function that handles it, for whom, where."""
    rows = [("kind", "command / verb / event", "handler", "who", "where")]
    for command in router.commands:
        rows += _rows("command", " | ".join(command.names) + (" [+ year: an earlier round]" if command.past_rounds else "")
                      + (" [+ words: its argument]" if command.takes_words else ""), command)
    for action in router.actions.values():
        rows += _rows("action", action.verb + (" [from an earlier round too]" if action.past_rounds else ""), action)
    for event in router.events.values():
        rows += _rows("event", event.event.value, event)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "".join(
        ("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1]).rstrip() + "\n"
        for row in rows
    )


def main() -> int:
    sys.stdout.write(table(build_router()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
