"""The benchmarks' processes: the servers of bench/servers.py (our bot, the echo bot, the Bot
Connector stand-in) each in its own process on 127.0.0.1, started together and stopped; the
options they share, and the run's footer (time, load, our bot's profile)."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Coroutine

import aiohttp

REPO = Path(__file__).resolve().parent.parent
DEMO_ROUND = REPO / "config" / "pohjois-savo" / "round.yaml"
TODAY = date(2024, 5, 1)  # the demo round's survey is open 24.4.-15.5.2024 16.00
NOW = "2024-05-02T10:00"


@dataclass
class Server:
    kind: str
    process: asyncio.subprocess.Process
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def start(kind: str, args: list[str], workdir: Path, env: dict[str, str] | None = None) -> Server:
    """`python -m <args>` in its own process, logging to workdir/<kind>.log; ready when it prints
    ``READY <port>``."""
    log = workdir / f"{kind}.log"
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", *args, cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=stderr,
            env={**os.environ, **(env or {})},
        )
    try:
        line = await asyncio.wait_for(process.stdout.readline(), 60)  # type: ignore[union-attr]
    except TimeoutError:
        line = b""
    if not line.startswith(b"READY "):
        if process.returncode is None:
            process.kill()
        await process.wait()
        raise SystemExit(f"{kind} did not start:\n{log.read_text(errors='replace')[-3000:]}")
    return Server(kind, process, int(line.split()[1]), log)


async def start_server(kind: str, workdir: Path, *extra: str) -> Server:
    """One of bench/servers.py's servers."""
    return await start(kind, ["bench.servers", kind, *extra], workdir)


async def start_servers(workdir: Path, round_file: Path, database_url: str, *, profile: bool = False,
                        fast_msrest: bool = False, hyte_extra: tuple[str, ...] = ()) -> tuple[Server, Server, Server]:
    """The connector stand-in, our bot (over `database_url` and `round_file`; under cProfile with
    `profile`, written to workdir/hyte.prof; `hyte_extra`: more bench.servers options) and the echo
    bot, started together."""
    hyte_args = ["--db", database_url, "--round", str(round_file),
                 "--today", TODAY.isoformat(), "--now", NOW, *hyte_extra]
    echo_args = []
    if profile:
        hyte_args += ["--profile", str(workdir / "hyte.prof")]
    if fast_msrest:
        hyte_args.append("--fast-msrest")
        echo_args.append("--fast-msrest")
    connector, hyte, echo = await asyncio.gather(
        start_server("connector", workdir), start_server("hyte", workdir, *hyte_args),
        start_server("echo", workdir, *echo_args))
    print(f"bench: servers up (hyte pid {hyte.process.pid}, echo pid {echo.process.pid}, "
          f"connector pid {connector.process.pid}); workdir {workdir}", flush=True)
    return connector, hyte, echo


async def finish(servers: list[Server], workdir: Path, keep: bool) -> None:
    """Stop the servers; remove the workdir unless it is to be kept."""
    for server in servers:
        await server.stop()
    if keep:
        print(f"bench: kept {workdir} (database, round file, server logs)")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


def add_server_options(parser: argparse.ArgumentParser) -> None:
    """Options shared with bench.turns: how our bot runs, and what is kept."""
    parser.add_argument("--profile", action="store_true",
                        help="run our bot under cProfile and print where its time goes (slows it down)")
    parser.add_argument("--send-tenant-per-second", type=float, default=100000.0,
                        help="our bot's limit on outgoing calls per tenant (default 100000: no limit, like the "
                             "echo bot; Teams allows about 50 per second per tenant, replies included)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, logs)")


def print_footer(started: float, load_before: tuple[float, float, float], profiled: Path | None) -> None:
    """The run's time and the machine's load; with a profiled run (its workdir), the profile."""
    print(f"  total time {time.perf_counter() - started:.0f} s; load average before "
          f"{load_before[0]:.2f}, after {os.getloadavg()[0]:.2f} (other processes on the machine skew results)")
    if profiled is not None:
        print_profile(profiled / "hyte.prof")


def print_profile(path: Path, limit: int = 25) -> None:
    import io
    import pstats

    if not path.exists():
        print("bench: no profile written")
        return
    site = str(Path(aiohttp.__file__).resolve().parent.parent) + os.sep
    stdlib = str(Path(os.__file__).resolve().parent) + os.sep
    views = (("tottime", (limit,), "all functions, by own time"),
             ("cumulative", (r"/(bot|dialogs|cards|storage|hyte)/|/app\.py", limit), "our code, by cumulative time"))
    for sort, restrictions, title in views:
        out = io.StringIO()
        pstats.Stats(str(path), stream=out).sort_stats(sort).print_stats(*restrictions)
        text = out.getvalue()
        text = text[text.find("   ncalls"):].replace(site, "").replace(stdlib, "").replace(str(REPO) + os.sep, "")
        print(f"\nOur bot under cProfile (requests served, main thread only; cProfile inflates small calls), "
              f"{title}:")
        print(text.rstrip())


def in_workdir(name: str, run: Callable[[Path], Coroutine[Any, Any, int]], *, keep: bool = False,
               keep_on_failure: bool = False) -> int:
    """Run a benchmark's `run(workdir)` in a fresh temporary folder (its database, round files and
    server logs), removed afterwards unless `keep` (or, with `keep_on_failure`, the run failed)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"hyte-bench-{name}-"))
    status = 1
    try:
        status = asyncio.run(run(workdir))
        return status
    finally:
        if keep or (keep_on_failure and status != 0):
            print(f"kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

