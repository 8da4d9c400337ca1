"""bench.load's acknowledgements and what is checked of them afterwards: every acknowledged save and
submit stored, every acknowledged note stored once with its text; and its latency table."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.checks import percentile
from bench.stores import Store, as_json
from loopback.teams import TeamsUser

KINDS = ("open", "save", "submit", "note")


@dataclass
class Rep:
    user: TeamsUser
    organisation: str
    version: int = 0
    filled: set[str] = field(default_factory=set)
    presses: int = 0
    acked_version: int = 0           # highest version acknowledged by a save or submit card
    acked_submit_version: int = 0    # the version a submit was acknowledged at (after it)
    last_answers: dict[str, Any] = field(default_factory=dict)  # answers as of the last acknowledged action
    unanswered: bool = False         # some action got no answer (timeout): its outcome is unknown


@dataclass
class Note:
    channel: str
    message_id: str
    text: str


def latency_rows(label: str, samples: dict[str, list[float]], kinds: tuple[str, ...] = KINDS) -> list[str]:
    lines = [f"latency, {label} (ms){'':8}{'n':>7}{'median':>9}{'p90':>9}{'p99':>9}{'max':>9}"]
    for kind in kinds:
        values = samples.get(kind, [])
        if values:
            lines.append(f"  {kind:28}{len(values):>7}{statistics.median(values) * 1000:9.1f}"
                         f"{percentile(values, 0.9) * 1000:9.1f}{percentile(values, 0.99) * 1000:9.1f}"
                         f"{max(values) * 1000:9.1f}")
    return lines


async def verify(store: Store, round_id: str, reps: list[Rep], notes: list[Note]) -> list[tuple[bool, str, list[str]]]:
    rows = {
        org: (version, as_json(a), as_json(s), at)
        for org, version, a, s, at in await store.query(
            "SELECT organisation_id, version, answers, submitted_answers, submitted_at FROM responses WHERE round_id = ?",
            (round_id,))
    }
    audit = dict(await store.query(
        "SELECT r.organisation_id, count(c.id) FROM responses r LEFT JOIN response_changes c ON c.response_id = r.id "
        "WHERE r.round_id = ? GROUP BY r.organisation_id", (round_id,)))
    note_rows = await store.query("SELECT channel_id, message_id, text FROM workshop_notes")
    results = []

    problems = []
    saved = [r for r in reps if r.acked_version]
    for rep in saved:
        version, answers, _, _ = rows.get(rep.organisation, (0, {}, None, None))
        if version < rep.acked_version:
            problems.append(f"{rep.organisation}: stored version {version} < acknowledged {rep.acked_version}")
        elif not rep.unanswered:
            if version != rep.acked_version:
                problems.append(f"{rep.organisation}: stored version {version}, last acknowledged {rep.acked_version}")
            wrong = {k for k, v in rep.last_answers.items() if (answers or {}).get(k) != v}
            if wrong:
                problems.append(f"{rep.organisation}: answers {sorted(wrong)} differ from the last acknowledged save")
        if audit.get(rep.organisation, 0) != version:
            problems.append(f"{rep.organisation}: {audit.get(rep.organisation, 0)} audit rows for version {version}")
    results.append((not problems, f"every acknowledged save stored: {len(saved)} organisations, "
                    f"{sum(r.acked_version for r in saved)} acknowledged versions "
                    f"(stored version >= acknowledged; text answers = last acknowledged; one audit row per version)", problems))

    problems = []
    submitted = [r for r in reps if r.acked_submit_version]
    for rep in submitted:
        version, _, submitted_answers, submitted_at = rows.get(rep.organisation, (0, {}, None, None))
        if not submitted_answers or submitted_at is None or version < rep.acked_submit_version:
            problems.append(f"{rep.organisation}: submit acknowledged at version {rep.acked_submit_version}, stored "
                            f"version {version}, submitted_at {submitted_at}, submitted answers {bool(submitted_answers)}")
    results.append((not problems, f"every acknowledged submit has submitted answers: {len(submitted)} organisations", problems))

    problems = []
    stored: Counter = Counter((c, m) for c, m, _ in note_rows)
    texts = {(c, m): t for c, m, t in note_rows}
    for note in notes:
        key = (note.channel, note.message_id)
        if stored[key] != 1:
            problems.append(f"note {key}: stored {stored[key]} times")
        elif texts[key] != note.text:
            problems.append(f"note {key}: text {texts[key]!r}, posted {note.text!r}")
    extra = sum(n for n in stored.values() if n > 1)
    results.append((not problems, f"every acknowledged note stored exactly once with its text: {len(notes)} notes, "
                    f"{len(note_rows)} rows, {extra} rows in duplicated keys", problems))
    return results
