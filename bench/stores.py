"""The benchmarks' stores: a temporary SQLite file, or a fresh PostgreSQL database made for the run
(on the server of `--postgres`, the tests' by default) and dropped afterwards unless kept; and the
end checks' queries against either (`query`, SQLite's `?` placeholders)."""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

DEFAULT_POSTGRES = os.environ.get("HYTE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def add_store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite",
                        help="our bot's store: a temporary SQLite file (default) or a fresh PostgreSQL database")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES,
                        help="with --database postgresql: the server, as an admin URL (a database is made on it)")


@dataclass
class Store:
    kind: str  # "sqlite" or "postgresql"
    url: str  # plain URL: a file path for SQLite, postgresql://… for PostgreSQL
    admin_url: str | None = None
    name: str | None = None

    @property
    def bot_url(self) -> str:
        """DATABASE_URL for the bot."""
        if self.kind == "sqlite":
            return f"sqlite+aiosqlite:///{self.url}"
        return self.url.replace("postgresql://", "postgresql+asyncpg://", 1)

    def describe(self) -> str:
        return "a temporary SQLite file" if self.kind == "sqlite" else f"PostgreSQL database {self.name} (fresh)"

    async def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Rows of `sql` (written with `?` placeholders); JSON columns as they come (text or parsed)."""
        if self.kind == "sqlite":
            with sqlite3.connect(self.url) as db:
                return db.execute(sql, params).fetchall()
        counter = iter(range(1, 1000))
        connection = await asyncpg.connect(self.url)
        try:
            rows = await connection.fetch(re.sub(r"\?", lambda _m: f"${next(counter)}", sql), *params)
        finally:
            await connection.close()
        return [tuple(row) for row in rows]

    async def drop(self, keep: bool) -> None:
        if self.kind != "postgresql" or keep:
            return
        admin = await asyncpg.connect(self.admin_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            await admin.close()


async def make_store(args: argparse.Namespace, workdir: Path, prefix: str = "hyte_bench") -> Store:
    if args.database == "sqlite":
        return Store("sqlite", str(workdir / "hyte.db"))
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(args.postgres)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return Store("postgresql", f"{args.postgres.rsplit('/', 1)[0]}/{name}", args.postgres, name)


def as_json(value: Any) -> Any:
    import json

    return json.loads(value) if isinstance(value, str) else value
