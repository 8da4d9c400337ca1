"""A large read done where its rows are used: the repositories hand it out unread, and the CPU
pool's worker (bot/services/cpu.py) does it over its own connection, so the rows are never decoded,
sent between processes or collected in the serving process (storage/db.py `StoredRead`)."""

from __future__ import annotations

from typing import Protocol, TypeVar, runtime_checkable

T_co = TypeVar("T_co", covariant=True)


@runtime_checkable
class DeferredRead(Protocol[T_co]):
    @property
    def shareable(self) -> bool:
        """Whether a worker process can do the read (not an in-memory SQLite database): else `load`."""
        ...

    def in_worker(self) -> T_co:
        """The rows, read in the worker process over its own engine."""
        ...

    async def load(self) -> T_co:
        """The rows, read in the serving process (no worker: threads instead)."""
        ...
