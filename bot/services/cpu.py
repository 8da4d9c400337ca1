"""CPU-heavy work in a process of its own, so that it never holds the event loop (issue 15).

Summarising a round (lemmatising every answer), curating and comparing it and building its result
cards, consolidating a workshop's notes, and writing the Word and Excel files are pure-Python
work. In a worker thread they still hold the GIL, and on a two-core machine the event loop then
waited for it (bench.loop_lag: lag max 23-30 ms while a national-size summary and export were
built). `run(fn, *args)` runs `fn` in a process pool instead:

- one pool per serving process, started in the background at start-up (`forkserver`, so that no worker is forked
  from a process running threads), `HYTE_CPU_WORKERS` processes (default 1; 0: no pool, a worker
  thread as before: the tests, where starting processes costs more than it saves);
- each worker runs at a lower CPU priority and loads the Finnish and Swedish lemmatisers once,
  when it starts;
- `fn` must be a module-level function and its arguments and result must pickle (the round is a
  pydantic model, the rest dataclasses, dicts and bytes);
- a large read given as an argument (`Database.stored`: a round's every response, a workshop's
  every note) is done in the worker over its own connection, so that those rows are never decoded,
  pickled or collected in the serving process (without a pool: read here, as `Database.bulk`);
- the language being spoken (`cards.catalogue.speaking`) is carried to the worker, as a thread
  carries its copy of the context;
- `shutdown()` stops the pool (the app's cleanup).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, TypeVar

from cards.catalogue import current_language, speaking
from hyte.reads import DeferredRead

logger = logging.getLogger(__name__)
T = TypeVar("T")


WORKER_NICENESS = 10
"""The workers' lower CPU priority: on a busy host the serving processes' event loops get a core
before a summary does (bench.loop_lag)."""


def _warm() -> None:
    """In each worker as it starts: gone with the serving process, a lower priority, and the
    lemmatisers' dictionaries loaded once."""
    from hyte.lemmas import LANGUAGES, lemmatiser_available  # noqa: PLC0415 - only in the workers

    _exit_with_parent()
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    for language in LANGUAGES:
        lemmatiser_available(language)


def _exit_with_parent() -> None:
    """A pool's worker waits for its next task for ever, also when the serving process was killed
    (SIGKILL, the OOM killer) and no task can come; and while a worker lives, so does the
    forkserver it came from (the worker holds the forkserver's "alive" pipe). So each worker
    watches its parent and exits when the parent is gone: nothing of a killed bot stays behind."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _ready() -> None:
    """Nothing: a worker's first task, to have it started and warm."""


def _deferred(value: Any) -> bool:
    """A large read to be done where it is used (hyte/reads.py)."""
    return isinstance(value, DeferredRead)


def _call(language: str, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    args = tuple(a.in_worker() if _deferred(a) else a for a in args)
    with speaking(language):
        return fn(*args)


class CpuPool:
    """The process pool of one serving process (`install`); `workers` 0: worker threads."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    @property
    def processes(self) -> bool:
        return self.workers > 0

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            return self._started()

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_warm)
            logger.info("cpu pool started: workers=%d method=%s", self.workers, context.get_start_method())
        return self._pool

    def start(self) -> None:
        """Start the workers and wait until they are warm (in a thread: starting a process waits
        for the fork server, tens of milliseconds the event loop must not wait)."""
        if self.processes:
            wait([self._executor().submit(_ready) for _ in range(self.workers)])

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        language = current_language()
        if not self.processes or any(_deferred(a) and not a.shareable for a in args):
            args = tuple([await a.load() if _deferred(a) else a for a in args])
            return await asyncio.to_thread(_call, language, fn, args)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor(), _call, language, fn, args)
        except BrokenProcessPool:
            # A worker died (killed, out of memory): a new pool for the next request; this one fails.
            logger.warning("cpu pool broken: restarted on next use")
            self._pool = None
            raise

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


_current = CpuPool(0)


def install(workers: int) -> CpuPool:
    """The pool `run` uses from now on in this process (the app's start-up), its workers started
    in a thread of their own (`CpuPool.start`; a first `run` meanwhile waits for them)."""
    global _current
    _current.shutdown()
    _current = CpuPool(workers)
    if workers:
        threading.Thread(target=_current.start, name="cpu-pool-start", daemon=True).start()
    return _current


def shutdown() -> None:
    """Stop the pool; `run` uses worker threads until the next `install` (the app's cleanup)."""
    global _current
    _current.shutdown()
    _current = CpuPool(0)


async def run(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in the process pool (a worker thread without one), in the language being spoken."""
    return await _current.run(fn, *args)
