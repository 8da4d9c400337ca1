"""Server processes of the benchmark, one per invocation, each on 127.0.0.1:

    python -m bench.servers hyte --db URL --round FILE [--today 2024-05-01] [--profile FILE]
    python -m bench.servers echo
    python -m bench.servers connector

Each binds a free port and prints ``READY <port>`` on stdout; SIGTERM or SIGINT stops it cleanly.

The bots (`hyte`: our `app.create_app`; `echo`: the botbuilder echo bot) get a timing middleware
that records `time.perf_counter()` around every request handler, grouped by the client's
``X-Bench-Tag`` header. ``GET /_bench/samples`` answers the samples recorded since the previous
call (and forgets them) with the process CPU time (all threads: aiosqlite works in threads).

Every server (all three kinds) also runs an event-loop lag monitor in its own loop: a task that
repeatedly sleeps 5 ms and records how late each wake-up was (actual - expected; idle, mostly
under 1 ms, as epoll waits in whole milliseconds). ``GET /_bench/lag`` answers the number of
wake-ups, the max and the 99th percentile (of the wake-ups, in seconds) since the previous call,
and forgets them. The middleware, the monitor and the /_bench routes exist only here, never in the app.

`connector` is a minimal Bot Connector stand-in: it answers the bots' outgoing replies
(POST /v3/conversations/{id}/activities[/{id}]) with 201 {"id": ...} and counts them
(``GET /_bench/count``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import itertools
import math
import os
import signal
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import AsyncIterator

from aiohttp import web

REPO = Path(__file__).resolve().parent.parent
TAG_HEADER = "X-Bench-Tag"
BENCH_PREFIX = "/_bench/"
LAG_INTERVAL = 0.005


def add_instrumentation(app: web.Application, phases: bool = False) -> None:
    """Timing middleware and the samples endpoint, added to an app before it is started. With
    `phases`, bench/phases.py's timers too, added up per tag (``GET /_bench/phases``)."""
    samples: dict[str, list[float]] = {}
    by_tag: dict[str, dict] = {}
    if phases:
        from bench import phases as timers

        timers.install()

    @web.middleware
    async def timing(request: web.Request, handler):
        if request.path.startswith(BENCH_PREFIX):
            return await handler(request)
        tag = request.headers.get(TAG_HEADER, "untagged")
        if phases:
            mine: dict[str, list[float]] = {}
            timers.CURRENT.set(mine)
        started = time.perf_counter()
        try:
            return await handler(request)
        finally:
            samples.setdefault(tag, []).append(time.perf_counter() - started)
            if phases:
                totals = by_tag.setdefault(tag, {"requests": 0, "phases": {}})
                totals["requests"] += 1
                for phase, (seconds, count) in mine.items():
                    entry = totals["phases"].setdefault(phase, [0.0, 0])
                    entry[0] += seconds
                    entry[1] += count

    async def take_phases(_request: web.Request) -> web.Response:
        taken = dict(by_tag)
        by_tag.clear()
        return web.json_response(taken)

    async def take_samples(_request: web.Request) -> web.Response:
        taken = dict(samples)
        samples.clear()
        return web.json_response({"samples": taken, "cpu": time.process_time(), "pid": os.getpid()})

    app.middlewares.append(timing)
    app.router.add_get(BENCH_PREFIX + "samples", take_samples)
    app.router.add_get(BENCH_PREFIX + "phases", take_phases)


def add_lag_monitor(app: web.Application) -> None:
    """The event-loop lag monitor (started with the app, in its loop) and its endpoint."""
    lags: list[float] = []

    ticked = [time.perf_counter()]

    async def monitor() -> None:
        while True:
            expected = time.perf_counter() + LAG_INTERVAL
            await asyncio.sleep(LAG_INTERVAL)
            ticked[0] = time.perf_counter()
            lags.append(ticked[0] - expected)

    async def run_monitor(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(monitor())
        if os.environ.get(WATCHDOG_ENV):
            _start_watchdog(ticked, Path(os.environ[WATCHDOG_ENV]))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def take_lag(_request: web.Request) -> web.Response:
        taken = sorted(lags)
        lags.clear()
        p99 = taken[max(0, math.ceil(0.99 * len(taken)) - 1)] if taken else 0.0
        return web.json_response({"n": len(taken), "max": taken[-1] if taken else 0.0, "p99": p99})

    app.cleanup_ctx.append(run_monitor)
    app.router.add_get(BENCH_PREFIX + "lag", take_lag)


WATCHDOG_ENV = "BENCH_LAG_WATCHDOG"
"""A file: where a watchdog thread writes the stacks of every thread each time the loop's monitor
has not ticked for 15 ms (what held the loop; a diagnostic, not for the figures)."""


def _start_watchdog(ticked: list[float], path: Path) -> None:
    import threading
    import traceback

    loop_thread = threading.get_ident()

    def watch() -> None:
        reported = 0.0
        with path.open("a") as out:
            while True:
                time.sleep(0.002)
                now = time.perf_counter()
                last = ticked[0]
                if now - last > 0.015 + LAG_INTERVAL and last != reported:
                    reported = last
                    frames = sys._current_frames()
                    out.write(f"=== stalled {1000 * (now - last):.1f} ms\n")
                    for ident, frame in frames.items():
                        if ident == threading.get_ident():
                            continue
                        name = "LOOP" if ident == loop_thread else next(
                            (t.name for t in threading.enumerate() if t.ident == ident), str(ident))
                        out.write(f"--- {name}\n" + "".join(traceback.format_stack(frame)[-12:]))
                    out.flush()

    threading.Thread(target=watch, name="lag-watchdog", daemon=True).start()
    import gc

    started: list[float] = [0.0]

    def collections(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
            return
        took = time.perf_counter() - started[0]
        if took > 0.003:
            with path.open("a") as out:
                out.write(f"=== gc generation {info['generation']} {1000 * took:.1f} ms collected {info['collected']}\n")

    gc.callbacks.append(collections)


def build_hyte(args: argparse.Namespace) -> web.Application:
    from app import create_app
    from hyte.clock import HELSINKI, FixedClock
    from settings import Settings

    limits = {"HYTE_SEND_TENANT_PER_SECOND": args.send_tenant_per_second} if args.send_tenant_per_second else {}
    rounds = {"HYTE_ROUNDS_DIR" if Path(args.round).is_dir() else "HYTE_ROUND_FILE": Path(args.round)}
    settings = Settings(
        DATABASE_URL=args.db, **rounds, HYTE_TODAY=date.fromisoformat(args.today),
        MicrosoftAppId="", _env_file=None, **limits,
    )
    clock = FixedClock(datetime.fromisoformat(args.now).replace(tzinfo=HELSINKI))
    app = create_app(settings, clock=clock)
    add_instrumentation(app, phases=args.phases)
    return app


def build_echo(_args: argparse.Namespace) -> web.Application:
    from bench.echo_bot import create_echo_app

    app = create_echo_app()
    add_instrumentation(app)
    return app


def build_connector(_args: argparse.Namespace) -> web.Application:
    counter = itertools.count(1)
    received = {"activities": 0}

    async def activity(request: web.Request) -> web.Response:
        await request.read()
        received["activities"] += 1
        return web.json_response({"id": f"1:bench{next(counter)}"}, status=201)

    async def anything(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"error": {"code": "NotFound", "message": "not in the bench stand-in"}}, status=404)

    async def count(_request: web.Request) -> web.Response:
        return web.json_response(received)

    app = web.Application()
    app.router.add_post("/v3/conversations/{conversation}/activities", activity)
    app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", activity)
    app.router.add_get(BENCH_PREFIX + "count", count)
    app.router.add_route("*", "/{tail:.*}", anything)
    return app


BUILDERS = {"hyte": build_hyte, "echo": build_echo, "connector": build_connector}


async def serve(args: argparse.Namespace, profiler: cProfile.Profile | None = None) -> None:
    app = BUILDERS[args.kind](args)
    add_lag_monitor(app)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()  # runs the app's startup (hyte: schema migration)
    site = web.TCPSite(runner, "127.0.0.1", args.port, backlog=1024)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if profiler is not None:
        profiler.enable()  # requests only, not imports and start-up
    print(f"READY {port}", flush=True)
    try:
        await stop.wait()
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.servers")
    parser.add_argument("kind", choices=sorted(BUILDERS))
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--db", help="hyte: DATABASE_URL")
    parser.add_argument("--round", help="hyte: a round file, or a rounds folder")
    parser.add_argument("--today", default="2024-05-01", help="hyte: HYTE_TODAY")
    parser.add_argument("--now", default="2024-05-02T10:00", help="hyte: the fixed clock (Helsinki time)")
    parser.add_argument("--send-tenant-per-second", type=float,
                        help="hyte: HYTE_SEND_TENANT_PER_SECOND (Teams' per-tenant limit; default the app's 50)")
    parser.add_argument("--profile", help="write cProfile stats of the requests served to this file at exit")
    parser.add_argument("--fast-msrest", action="store_true", help="see fast_msrest()")
    parser.add_argument("--phases", action="store_true", help="hyte: per-phase timers (bench/phases.py)")
    args = parser.parse_args(argv)
    if args.fast_msrest:
        from bench.echo_bot import fast_msrest

        fast_msrest()
    asyncio.run(serve(args, cProfile.Profile() if args.profile else None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
