"""One pager for every answer that may need several cards (the survey summary, all answers to a
question, the workshop summary), with one size function.

Teams refuses a message over about 100 KB. The bot sends its replies and channel posts as UTF-8
JSON (orjson, bot/transport/outbound.py): a card's size is the length of its compact UTF-8 JSON ("ä" is two
bytes). Every card stays under `CARD_BUDGET`, leaving room for the activity around it, so that the
message stays under `MAX_MESSAGE_BYTES`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from cards import elements as ui

MAX_MESSAGE_BYTES = 80_000
"""Every message the bot sends stays under this (Teams' limit is about 100 KB)."""
ENVELOPE_BYTES = 4_000
"""The activity around a card: addresses, ids, the attachment's wrapper."""
CARD_BUDGET = MAX_MESSAGE_BYTES - ENVELOPE_BYTES

Element = dict[str, Any]
Block = list[Element]
"""Elements kept on one card when they fit (a question with its chart, a theme with its quotes)."""


def size(value: Any) -> int:
    """Bytes of `value` as sent: compact JSON, UTF-8, non-ASCII unescaped (as orjson writes it)."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


@dataclass(frozen=True)
class Part:
    """A run of blocks under a heading. When the part goes on in the next card, `continued` (if
    any) is shown there instead of the heading."""

    blocks: Sequence[Block]
    heading: Block = field(default_factory=list)
    continued: Block = field(default_factory=list)


def paginate(
    parts: Sequence[Part], header: Callable[[int, int], Block] = lambda index, count: [], *,
    budget: int = CARD_BUDGET,
) -> list[dict[str, Any]]:
    """Cards of the parts' blocks, greedily, each card under `budget` bytes with `header(index,
    count)` at its top. A block too big for half a card is placed element by element."""
    room = size(ui.card(header(99, 99))) + 2
    pages: list[Block] = [[]]
    used = room
    for part in parts:
        started = False
        heading, continued = _cost(part.heading), _cost(part.continued)
        for block in part.blocks:
            costs = [size(element) + 1 for element in block]
            pieces = [(block, sum(costs))] if sum(costs) <= budget // 2 else [
                ([element], cost) for element, cost in zip(block, costs)]
            for piece, cost in pieces:
                head, head_cost = (part.heading, heading) if not started else ([], 0)
                if used + head_cost + cost > budget and pages[-1]:
                    pages.append([])
                    used = room
                    head, head_cost = (part.continued, continued) if started else (part.heading, heading)
                pages[-1].extend([*head, *piece])
                used += head_cost + cost
                started = True
    pages = [page for page in pages if page] or [[]]
    return [ui.card([*header(index, len(pages)), *page]) for index, page in enumerate(pages, start=1)]


def _cost(elements: Block) -> int:
    return sum(size(element) + 1 for element in elements)
