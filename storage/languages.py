"""The language each person chose with `kieli` / `språk` (hyte.languages.LanguageChoices).

Read on every turn of a person of the round, so a Core statement compiled once (as the survey
position's, storage/repositories.py); written rarely, by an upsert."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select

from storage.db import Database, upsert
from storage.models import PersonLanguageRow

_TABLE = PersonLanguageRow.__table__
_CHOSEN = select(_TABLE.c.language).where(
    _TABLE.c.tenant_id == bindparam("w_tenant"), _TABLE.c.aad_object_id == bindparam("w_aad"),
)


class SqlLanguageChoices:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def chosen(self, tenant_id: str, aad_object_id: str) -> str | None:
        async with self._db.read() as connection:
            return await connection.scalar(_CHOSEN, {"w_tenant": tenant_id, "w_aad": aad_object_id})

    async def choose(self, tenant_id: str, aad_object_id: str, language: str, at: datetime) -> None:
        async with self._db.write() as session:
            await upsert(
                session, PersonLanguageRow,
                {"tenant_id": tenant_id, "aad_object_id": aad_object_id, "language": language, "updated_at": at},
                keys=("tenant_id", "aad_object_id"),
            )
