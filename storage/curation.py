"""The HYTE team's theme curation (hyte/curation.py): an append-only log per round."""

from __future__ import annotations

from sqlalchemy import select

from hyte.curation import CurationAction, CurationEdit
from storage.db import Database
from storage.models import ThemeCurationRow

_ACTIONS = frozenset(a.value for a in CurationAction)


class SqlCurationRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def edits(self, tenant_id: str, round_id: str) -> list[CurationEdit]:
        async with self._db.sessions() as session:
            rows = await session.scalars(
                select(ThemeCurationRow)
                .where(ThemeCurationRow.tenant_id == tenant_id, ThemeCurationRow.round_id == round_id)
                .order_by(ThemeCurationRow.id)
            )
            return [
                CurationEdit(
                    question_id=row.question_id, action=CurationAction(row.action), theme_key=row.theme_key,
                    target_key=row.target_key, label=row.label, organisation_id=row.organisation_id,
                    by_name=row.by_name, by_aad=row.by_aad, at=row.at,
                )
                for row in rows if row.action in _ACTIONS
            ]

    async def add(self, tenant_id: str, round_id: str, edit: CurationEdit) -> None:
        async with self._db.write() as session:
            session.add(ThemeCurationRow(
                tenant_id=tenant_id, round_id=round_id, question_id=edit.question_id, action=edit.action.value,
                theme_key=edit.theme_key, target_key=edit.target_key, label=edit.label,
                organisation_id=edit.organisation_id, by_aad=edit.by_aad, by_name=edit.by_name, at=edit.at,
            ))
