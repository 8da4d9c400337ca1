"""A survey step on PostgreSQL as one statement (issue 15): the response's change, its audit row
and the person's position, guarded by the version, in one round trip (run in autocommit: the
statement is its own transaction). SQLite keeps its multi-statement transaction
(storage/repositories.py): in process, it has no round trips to save."""

from __future__ import annotations

from sqlalchemy import bindparam, text

from storage.models import Json, ResponseRow, UTCDateTime

_RESPONSES = ResponseRow.__table__


def _typed(sql: str, types: dict[str, str]) -> str:
    """`{name}` in `sql` as a parameter cast to its PostgreSQL type (so that every use of a
    parameter has the same type, in an INSERT's SELECT list too)."""
    return sql.format(**{name: f"CAST(:{name} AS {type_})" for name, type_ in types.items()})


STEP_TYPES = {
    "w_tenant": "VARCHAR", "w_round": "VARCHAR", "w_organisation": "VARCHAR", "w_id": "INTEGER", "w_created": "TIMESTAMPTZ",
    "expected": "INTEGER",
    "version": "INTEGER", "answers": "JSONB", "at": "TIMESTAMPTZ", "aad": "VARCHAR", "name": "VARCHAR",
    "submit": "BOOLEAN", "action": "VARCHAR", "questions": "JSONB", "position": "VARCHAR",
}
STEP = text(_typed("""
WITH updated AS (
    UPDATE responses SET answers = {answers}, version = {version}, updated_at = {at},
        updated_by_aad = {aad}, updated_by_name = {name},
        submitted_answers = CASE WHEN {submit} THEN {answers} ELSE submitted_answers END,
        submitted_at = CASE WHEN {submit} THEN {at} ELSE submitted_at END,
        submitted_by_aad = CASE WHEN {submit} THEN {aad} ELSE submitted_by_aad END,
        submitted_by_name = CASE WHEN {submit} THEN {name} ELSE submitted_by_name END
    WHERE tenant_id = {w_tenant} AND round_id = {w_round} AND organisation_id = {w_organisation}
        AND version = {expected} AND {expected} > 0 AND ({w_id} IS NULL OR (id = {w_id} AND created_at = {w_created}))
    RETURNING *
), inserted AS (
    INSERT INTO responses (tenant_id, round_id, organisation_id, answers, submitted_answers, version, created_at,
        updated_at, updated_by_aad, updated_by_name, submitted_at, submitted_by_aad, submitted_by_name)
    SELECT {w_tenant}, {w_round}, {w_organisation}, {answers}, CASE WHEN {submit} THEN {answers} END, {version},
        {at}, {at}, {aad}, {name}, CASE WHEN {submit} THEN {at} END, CASE WHEN {submit} THEN {aad} END,
        CASE WHEN {submit} THEN {name} END
    WHERE {expected} = 0
    ON CONFLICT (tenant_id, round_id, organisation_id) DO NOTHING
    RETURNING *
), saved AS (
    SELECT * FROM updated UNION ALL SELECT * FROM inserted
), audited AS (
    INSERT INTO response_changes (tenant_id, response_id, version, action, questions, actor_aad, actor_name, at)
    SELECT tenant_id, id, version, {action}, {questions}, {aad}, {name}, {at} FROM saved
), moved AS (
    INSERT INTO survey_positions (tenant_id, round_id, aad_object_id, section_id, updated_at)
    SELECT tenant_id, round_id, {aad}, {position}, {at} FROM saved WHERE {position} IS NOT NULL
    ON CONFLICT (tenant_id, round_id, aad_object_id) DO UPDATE
        SET section_id = EXCLUDED.section_id, updated_at = EXCLUDED.updated_at
)
SELECT * FROM saved
""", STEP_TYPES)).bindparams(
    bindparam("answers", type_=Json), bindparam("questions", type_=Json), bindparam("at", type_=UTCDateTime),
    bindparam("w_created", type_=UTCDateTime),
).columns(*_RESPONSES.c)
"""A survey step on PostgreSQL, one statement (autocommit: its own transaction, one round trip):
the response updated if its version is `expected` (or inserted if `expected` is 0 and no row
exists), an audit row for the new version and the actor's position (if given), all or nothing;
answers the new row, or no row when the stored version was not the expected one (or, when `w_id`
and `w_created` are given, the row is not that one: the response was deleted and made anew)."""
