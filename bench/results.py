"""Benchmark of the survey summary and both exports through the database, as the bot runs them.

    .venv/bin/python -m bench.results [--sizes 25,50,100,200,400] [--store-responses 10000]
                                      [--store-notes 50000] [--repeat 3] [--database-url URL]

1. Fills a real database (a temporary SQLite file; `--database-url` for PostgreSQL, whose tables
   are then created by the migrations and must be empty) to the national-scale store: 10,000
   responses and 50,000 workshop notes over many tenants and rounds. The rows go in by bulk
   inserts into the same tables the repositories use (storage.models: responses, workshops,
   workshop_groups, workshop_notes, workshop_reactions): the repositories' one-row-a-transaction
   writes would take minutes for no extra information. Every round in the store has all its
   organisations' responses submitted with every question answered, and 12 notes per
   organisation (300 at the real size of 25), a few with reactions.
2. For each measured round size N (25 = the real size: the demo round's 25 organisations; larger
   ones add generated organisations), one round of N inside that store, times the bot's path:
     read     SqlResponseRepository.list_for_round (and, apart, SqlWorkshopRepository.notes)
     summary  hyte.results.summarise
     cards    cards.results.team_status_card + summary_cards
     xlsx/docx  bot.services.exports.Exports.build, with the workshop repository and the round's workshop
              questions (read + summary + workshop consolidation + writing the file).
   And this year against last (hyte/comparison.py) for the real-size round: a previous round of the
   same county and size filled the same way, read, summarised and compared, the cards built with
   the comparison.
3. Index check: the same reads of the real-size round from a database holding only that round;
   the read from the full store must stay within 3x of it (+2 ms), and on SQLite the query plans
   of both reads are printed (a `SCAN` of a table, or a `SEARCH` on only the tenant, means an
   index is missing: the benchmark names it; it adds none, storage/ owns the migrations).

Verdicts: PASS when the real-size summary (read + summarise + cards) is under 0.5 s, and with the
comparison (both years' reads + summarise + compare + cards) too, and when
growth is near linear: for each timed step, (time at the largest N / time at 25) / (N / 25)
<= 1.5. Best of `--repeat` wall-clock runs. Exit code 1 on any FAIL.
"""


from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from cards.results import summary_cards, team_status_card
from hyte.comparison import against_previous
from hyte.results import summarise
from hyte.round import Category, Organisation, Round, load_round
from hyte.rounds import PreviousRound, RoundCatalogue, RoundFile
from hyte.survey import MethodsQuestion, MultiChoiceQuestion, ScaleQuestion, SingleChoiceQuestion, TextQuestion
from hyte.workshop import Assignment, WorkshopStatus

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2024, 5, 20, 12, 0, tzinfo=UTC)


def texts() -> list[str]:
    try:
        from bench.themes import sentences
        found = sentences()
    except Exception:  # the theme fixtures missing: plain generated sentences
        found = []
    return found or [f"Yhteistyö kuntien ja järjestöjen kanssa vahvistuu {i}." for i in range(200)]


BASE = load_round(ROOT / "config" / "pohjois-savo" / "round.yaml", today=date(2024, 5, 1))
WORKSHOP = BASE.workshop


def make_round(size: int, round_id: str | None = None, tenant_id: str | None = None) -> Round:
    """A round of `size` organisations: the demo round's 25, then generated ones."""
    organisations = list(BASE.config.organisations)
    categories = list(Category)
    for i in range(len(organisations), size):
        organisations.append(Organisation(id=f"org_{i}", name=f"Organisaatio {i}", category=categories[i % 4]))
    update: dict = {"organisations": tuple(organisations[:size])}
    if round_id:
        update["id"] = round_id
    if tenant_id:
        update["tenant_id"] = tenant_id
    return Round(config=BASE.config.model_copy(update=update), survey=BASE.survey, thesaurus=BASE.thesaurus,
                 workshop=BASE.workshop)


def answers_for(round_: Round, rng: random.Random, pool: list[str]) -> dict:
    out: dict = {}
    for question in round_.survey.questions:
        match question:
            case SingleChoiceQuestion():
                out[question.id] = rng.choice(question.options).id
            case ScaleQuestion():
                out[question.id] = rng.randint(question.min, question.max)
            case MultiChoiceQuestion():
                goals = [o.id for o in question.options if not o.exclusive and not o.needs_text]
                out[question.id] = {"selected": rng.sample(goals, 3) + ["other"], "other": rng.choice(pool)[:200]}
            case MethodsQuestion():
                out[question.id] = {"none": False, "areas": {
                    area.id: {"name": rng.choice(pool)[:60], "description": rng.choice(pool), "level": "good_practice"}
                    for area in rng.sample(list(question.areas), 2)
                }}
            case TextQuestion():
                out[question.id] = " ".join(rng.sample(pool, 2))[: question.max_length]
    return out


# The store --------------------------------------------------------------------------------------------

TENANTS = 22
"""Filler rounds are spread over this many tenants (about one per wellbeing services county)."""
GROUPS = 5
NOTES_PER_ORGANISATION = 12


def tenant(i: int) -> str:
    return f"00000000-0000-0000-0000-{i:013d}"


MEASURED_TENANT = tenant(0)


def response_rows(round_: Round, rng: random.Random, pool: list[str], cache: list[dict]) -> list[dict]:
    rows = []
    for organisation in round_.config.organisations:
        if len(cache) < 200:
            cache.append(answers_for(round_, rng, pool))
        answers = rng.choice(cache)
        rows.append({
            "tenant_id": round_.tenant_id, "round_id": round_.id, "organisation_id": organisation.id,
            "answers": answers, "submitted_answers": answers, "version": 2, "created_at": NOW, "updated_at": NOW,
            "updated_by_aad": None, "updated_by_name": "X", "submitted_at": NOW, "submitted_by_aad": None,
            "submitted_by_name": "Edustaja",
        })
    return rows


def workshop_rows(workshop_id: int, tenant_id: str, round_id: str, notes: int, rng: random.Random, pool: list[str]):
    workshop = {"id": workshop_id, "tenant_id": tenant_id, "round_id": round_id, "team_id": f"19:team-{tenant_id}",
                "status": WorkshopStatus.STOPPED.value, "started_at": NOW - timedelta(hours=3), "started_by_aad": None,
                "stopped_at": NOW, "stopped_by_aad": None}
    channels = [f"19:{round_id}-g{k}@thread.tacv2" for k in range(GROUPS)]
    groups = [{"workshop_id": workshop_id, "channel_id": c, "tenant_id": tenant_id, "name": f"Ryhmä {k + 1}",
               "position": k + 1, "added_at": NOW} for k, c in enumerate(channels)]
    questions = [q.id for q in WORKSHOP.questions] if WORKSHOP else ["q"]
    note_rows, reactions = [], []
    for i in range(notes):
        channel, at = channels[i % GROUPS], NOW - timedelta(minutes=notes - i)
        note_rows.append({
            "tenant_id": tenant_id, "round_id": round_id, "workshop_id": workshop_id, "channel_id": channel,
            "message_id": str(1_700_000_000_000 + i), "thread_root_id": None, "question_id": questions[i % len(questions)],
            "assignment": Assignment.THREAD.value, "author_aad": f"aad-{i % 40}", "author_name": f"Osallistuja {i % 40}",
            "text": rng.choice(pool), "late": False, "version": 1, "created_at": at, "updated_at": at, "deleted_at": None,
        })
        for r in range(i % 4):
            reactions.append({"tenant_id": tenant_id, "channel_id": channel, "message_id": str(1_700_000_000_000 + i),
                              "reactor_id": f"29:r{r}", "reaction": "like", "reactor_aad": f"aad-{r}",
                              "is_hyte": r == 2, "at": at})
    return workshop, groups, note_rows, reactions


class Filler:
    """Bulk inserts into the repositories' tables, keeping count of what the store holds."""

    def __init__(self, database, pool: list[str]) -> None:
        self.database, self.pool = database, pool
        self.rng = random.Random(1)
        self.cache: list[dict] = []
        self.responses = self.notes = 0
        self._workshop_id = 0

    async def add_round(self, round_: Round, notes: int) -> None:
        from sqlalchemy import insert

        from storage.models import ResponseRow, WorkshopGroupRow, WorkshopNoteRow, WorkshopReactionRow, WorkshopRow
        self._workshop_id += 1
        responses = response_rows(round_, self.rng, self.pool, self.cache)
        workshop, groups, note_rows, reactions = workshop_rows(
            self._workshop_id, round_.tenant_id, round_.id, notes, self.rng, self.pool)
        async with self.database.engine.begin() as connection:
            await connection.execute(insert(ResponseRow), responses)
            await connection.execute(insert(WorkshopRow), [workshop])
            await connection.execute(insert(WorkshopGroupRow), groups)
            if note_rows:
                await connection.execute(insert(WorkshopNoteRow), note_rows)
            if reactions:
                await connection.execute(insert(WorkshopReactionRow), reactions)
        self.responses += len(responses)
        self.notes += len(note_rows)


# Measuring -------------------------------------------------------------------------------------------


async def best(repeat: int, fn) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        if asyncio.iscoroutine(result):
            result = await result
        times.append(time.perf_counter() - started)
    return min(times), result


READS = {
    "responses": "SELECT * FROM responses WHERE tenant_id = :t AND round_id = :r ORDER BY organisation_id",
    "workshop_notes": "SELECT * FROM workshop_notes WHERE tenant_id = :t AND round_id = :r ORDER BY created_at, id",
}
"""The WHERE clauses of SqlResponseRepository.list_for_round and SqlWorkshopRepository.notes."""


async def query_plans(database, round_: Round) -> dict[str, str]:
    from sqlalchemy import text
    dialect = database.engine.dialect.name
    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
    plans = {}
    async with database.engine.connect() as connection:
        if dialect == "postgresql":
            await connection.execute(text("ANALYZE responses"))
            await connection.execute(text("ANALYZE workshop_notes"))
        for table, sql in READS.items():
            rows = (await connection.execute(text(prefix + sql), {"t": round_.tenant_id, "r": round_.id})).all()
            plans[table] = " | ".join(str(row[-1]) for row in rows)
    return plans


def plan_verdict(dialect: str, table: str, plan: str) -> str:
    """'indexed', or which index is missing. An index used on tenant_id alone (a unique key that
    begins with tenant_id) still reads every row of the tenant: a scan of the tenant."""
    lowered = plan.lower()
    if f"scan {table}" in lowered or "seq scan" in lowered:
        return f"FULL SCAN: missing index on {table} (tenant_id, round_id)"
    if dialect == "sqlite":
        by_round = "round_id=?" in lowered
    else:  # PostgreSQL: round_id must be in an index condition, not only a filter
        by_round = any("round_id" in part for part in lowered.split("|") if "index cond" in part)
    if not by_round:
        return f"TENANT SCAN (index on tenant_id only): missing index on {table} (tenant_id, round_id)"
    return "indexed"


async def time_reads(responses, workshops, round_: Round, repeat: int) -> tuple[float, float]:
    repeat = max(5, repeat)  # cheap, and a single cold read is noise
    read, stored = await best(repeat, lambda: responses.list_for_round(round_.tenant_id, round_.id))
    notes, _ = await best(repeat, lambda: workshops.notes(round_.tenant_id, round_.id))
    assert len(stored) == len(round_.config.organisations)
    return read, notes


async def time_comparison(filler: Filler, responses, workshops, round_: Round, repeat: int) -> tuple[float, ...]:
    """This year against last for the real-size round (hyte/comparison.py), as the bot's summary
    does it: last year's round of the same county filled like this year's, its responses read,
    summarised and compared, and the summary's cards built with the comparison; and the Word file
    with its comparison section (Exports with the rounds). Returns (read of last year, comparison,
    cards with the comparison, cards, docx with the comparison in seconds)."""
    from bot.services.exports import Exports
    config = round_.config.model_copy(update={"id": f"{round_.id}-previous", "year": round_.year - 1})
    previous = round_.model_copy(update={"config": config})
    await filler.add_round(previous, NOTES_PER_ORGANISATION * len(config.organisations))
    read, stored = await best(max(5, repeat), lambda: responses.list_for_round(previous.tenant_id, previous.id))
    this_year = await responses.list_for_round(round_.tenant_id, round_.id)
    summary = summarise(round_, this_year, NOW)
    last = PreviousRound(previous, tuple(stored))
    compared, comparison = await best(repeat, lambda: against_previous(round_, summary, last, NOW))
    cards, built = await best(repeat, lambda: summary_cards(summary, round_.config.county, comparison))
    assert comparison.available and comparison.rates
    this = round_.model_copy(update={"config": round_.config.model_copy(update={"previous_round": previous.id})})
    catalogue = RoundCatalogue([RoundFile(ROOT / "bench" / "this-year.yaml", this),
                                RoundFile(ROOT / "bench" / "last-year.yaml", previous)])
    exports = Exports(responses, workshops, catalogue)
    docx, _ = await best(repeat, lambda: exports.build(this, "docx", NOW))
    return read, compared, cards, len(built), docx


async def run(args) -> int:
    from bot.services.exports import Exports
    from storage.db import Database, migrate
    from storage.repositories import SqlResponseRepository
    from storage.workshop import SqlWorkshopRepository

    sizes = sorted({int(s) for s in args.sizes.split(",")})
    if sizes[0] != 25:
        raise SystemExit("--sizes must start at 25, the real size")
    pool = texts()
    with tempfile.TemporaryDirectory(prefix="bench-results-") as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{folder}/store.db"
        database = Database.connect(url)
        try:
            await migrate(database.engine)
            responses, workshops = SqlResponseRepository(database), SqlWorkshopRepository(database)
            exports = Exports(responses, workshops)
            filler = Filler(database, pool)
            rounds = {n: make_round(n, f"measured-{n}", MEASURED_TENANT) for n in sizes}
            real = rounds[25]
            started = time.perf_counter()
            await filler.add_round(real, NOTES_PER_ORGANISATION * 25)
            for kind in ("xlsx", "docx"):  # warm: imports, matplotlib fonts, Voikko
                await exports.build(real, kind, NOW)
            summary_cards(summarise(real, await responses.list_for_round(real.tenant_id, real.id), NOW), "x")
            print(f"warm-up (imports, matplotlib fonts, Voikko): {time.perf_counter() - started:.2f} s")
            alone = await time_reads(responses, workshops, real, args.repeat)

            started = time.perf_counter()
            for n in sizes[1:]:
                await filler.add_round(rounds[n], NOTES_PER_ORGANISATION * n)
            filler_responses = args.store_responses - filler.responses
            filler_rounds = max(0, -(-filler_responses // 25))
            notes_left = max(0, args.store_notes - filler.notes)
            for i in range(filler_rounds):
                size = min(25, filler_responses - 25 * i)
                notes = notes_left // (filler_rounds - i)
                notes_left -= notes
                await filler.add_round(make_round(size, f"round-{2020 + i // TENANTS}-{i}", tenant(i % TENANTS)), notes)
            store = f"{filler.responses}/{filler.notes}"
            print(f"store filled: {filler.responses} responses, {filler.notes} notes, {filler_rounds + len(sizes)} rounds, "
                  f"{TENANTS} tenants ({database.engine.dialect.name}) in {time.perf_counter() - started:.1f} s")

            rows = []
            header = (f"{'store resp/notes':>16} {'round':>5} {'read ms':>8} {'notes ms':>8} {'summary ms':>10} "
                      f"{'cards ms':>8} {'xlsx s':>7} {'docx s':>7}")
            print(header)
            print(f"{'25/300 (alone)':>16} {25:>5} {alone[0] * 1e3:>8.1f} {alone[1] * 1e3:>8.1f}")
            for n in sizes:
                round_ = rounds[n]
                read, notes = await time_reads(responses, workshops, round_, args.repeat)
                stored = await responses.list_for_round(round_.tenant_id, round_.id)
                s_time, summary = await best(args.repeat, lambda: summarise(round_, stored, NOW))
                c_time, _ = await best(args.repeat, lambda: [team_status_card(summary.status, round_.config.county),
                                                             *summary_cards(summary, round_.config.county)])
                export_repeat = args.repeat if n <= 100 else 1
                built = {}
                for kind in ("xlsx", "docx"):
                    built[kind], _ = await best(export_repeat, lambda: exports.build(round_, kind, NOW))
                rows.append((n, read, notes, s_time, c_time, built["xlsx"], built["docx"]))
                print(f"{store:>16} {n:>5} {read * 1e3:>8.1f} {notes * 1e3:>8.1f} {s_time * 1e3:>10.1f} "
                      f"{c_time * 1e3:>8.1f} {built['xlsx']:>7.2f} {built['docx']:>7.2f}")
            comparison = await time_comparison(filler, responses, workshops, real, args.repeat)
            print(f"this year against last (round 25, hyte.comparison): read last year {comparison[0] * 1e3:.1f} ms, "
                  f"compare {comparison[1] * 1e3:.1f} ms, cards with the comparison {comparison[2] * 1e3:.1f} ms "
                  f"({comparison[3]} cards), docx with the comparison {comparison[4]:.2f} s")
            plans = await query_plans(database, real)
            dialect = database.engine.dialect.name
        finally:
            await database.dispose()

    failed = False

    def verdict(ok: bool, text: str) -> None:
        nonlocal failed
        failed |= not ok
        print(f"{'PASS' if ok else 'FAIL'}  {text}")

    names = ("read", "notes", "summary", "cards", "xlsx", "docx")
    base = rows[0]
    print("growth against the real size (time ratio / size ratio; 1.0 = linear, <= 1.5 = near linear):")
    for n, *times in rows[1:]:
        factor = n / 25
        print(f"  round {n:>5} (x{factor:g}): " + "  ".join(
            f"{name} {(t_ / b) / factor:.2f}" for name, t_, b in zip(names, times, base[1:])))
    print("verdicts:")
    real_path = base[1] + base[3] + base[4]
    verdict(real_path < 0.5, f"real-size summary (read + summarise + cards) {real_path * 1e3:.0f} ms < 500 ms "
                             f"in a store of {store}")
    compared_path = base[1] + base[3] + comparison[0] + comparison[1] + comparison[2]
    verdict(compared_path < 0.5, f"real-size summary with this year against last (reads + summarise + compare + "
                                 f"cards) {compared_path * 1e3:.0f} ms < 500 ms")
    if len(rows) > 1:
        last = rows[-1]
        factor = last[0] / 25
        for name, t_, b in zip(names, last[1:], base[1:]):
            growth = (t_ / b) / factor
            verdict(growth <= 1.5, f"near-linear growth of {name}: {growth:.2f} from 25 to {last[0]} organisations")
    for label, (big, small) in (("responses", (base[1], alone[0])), ("notes", (base[2], alone[1]))):
        verdict(big <= 3 * small + 0.002, f"reading one round's {label} from the full store {big * 1e3:.1f} ms vs. "
                                          f"{small * 1e3:.1f} ms with that round alone")
    for table, plan in plans.items():
        found = plan_verdict(dialect, table, plan)
        verdict(found == "indexed", f"query plan of {table}: {found}\n        {plan}")
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="25,50,100,200,400", help="round sizes to time; 25 (the real size) first")
    parser.add_argument("--store-responses", type=int, default=10_000)
    parser.add_argument("--store-notes", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (postgresql+asyncpg://…); "
                                               "default a temporary SQLite file")
    args = parser.parse_args()
    raise SystemExit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
