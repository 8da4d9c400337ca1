"""Repositories: async, over one session factory, returning domain objects (never rows)."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, and_, bindparam, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from hyte.responses import Actor, Change, ChangeAction, Response, ResponseKey, VersionConflict
from storage.db import Database, StoredRead, upsert
from hyte.teams import Channel, Team
from storage.survey_step import STEP
from storage.models import (
    ChannelRow, ConversationRow, PersonRow, ResponseChangeRow, ResponseRow, SurveyPositionRow, TeamRow,
)


class _Stale(Exception):
    """The stored version is not the expected one (raised inside the transaction to roll it back)."""


_RESPONSES = ResponseRow.__table__
_CHANGES = ResponseChangeRow.__table__
_POSITIONS = SurveyPositionRow.__table__


def _round_responses(connection: Any, tenant_id: str, round_id: str) -> list[Response]:
    statement = (select(_RESPONSES)
                 .where(_RESPONSES.c.tenant_id == tenant_id, _RESPONSES.c.round_id == round_id)
                 .order_by(_RESPONSES.c.organisation_id))
    return [_response(row) for row in connection.execute(statement)]


def _response(row: Any) -> Response:
    return Response(
        key=ResponseKey(row.tenant_id, row.round_id, row.organisation_id),
        answers=dict(row.answers),
        submitted_answers=dict(row.submitted_answers) if row.submitted_answers is not None else None,
        version=row.version,
        updated_at=row.updated_at,
        updated_by=row.updated_by_name,
        submitted_at=row.submitted_at,
        submitted_by=row.submitted_by_name,
    )


# The statements of every survey step, built once: building a statement and its cache key took
# more time than SQLite takes to run it. Parameters named w_… are the WHERE clause's; the others
# are the columns an INSERT or UPDATE sets.
_BY_KEY = (
    _RESPONSES.c.tenant_id == bindparam("w_tenant"),
    _RESPONSES.c.round_id == bindparam("w_round"),
    _RESPONSES.c.organisation_id == bindparam("w_organisation"),
)
_GET_RESPONSE = select(_RESPONSES).where(*_BY_KEY)
_SAME_ROW = or_(
    bindparam("w_id", type_=Integer).is_(None),
    and_(_RESPONSES.c.id == bindparam("w_id", type_=Integer), _RESPONSES.c.created_at == bindparam("w_created")),
)
"""The row written must be the one the change was made from, when that is known (`_Recent`): the
same id and the same creation time (SQLite may give a row made anew the id of a deleted one)."""
_ANY_ROW = {"w_id": None, "w_created": None}
"""`_SAME_ROW`'s parameters when the row is not known: the version alone guards the write."""
_UPDATE_RESPONSE = update(_RESPONSES).where(
    *_BY_KEY, _RESPONSES.c.version == bindparam("w_version"), _SAME_ROW
).returning(*_RESPONSES.c)
_INSERT_RESPONSE = insert(_RESPONSES).returning(*_RESPONSES.c)
_INSERT_CHANGE = insert(_CHANGES)
_BY_PERSON = (
    _POSITIONS.c.tenant_id == bindparam("w_tenant"),
    _POSITIONS.c.round_id == bindparam("w_round"),
    _POSITIONS.c.aad_object_id == bindparam("w_aad"),
)
_GET_POSITION = select(_POSITIONS.c.section_id).where(*_BY_PERSON)
_GET_WITH_POSITION = select(_RESPONSES, _GET_POSITION.scalar_subquery().label("position")).select_from(
    select(literal(1).label("one")).subquery().outerjoin(_RESPONSES, and_(*_BY_KEY))
)
"""The response (columns all NULL when there is none) and the person's position: one round trip
where a survey's opening took two."""
_UPDATE_POSITION = update(_POSITIONS).where(*_BY_PERSON)
_INSERT_POSITION = insert(_POSITIONS)


def _key_params(key: ResponseKey) -> dict[str, str]:
    return {"w_tenant": key.tenant_id, "w_round": key.round_id, "w_organisation": key.organisation_id}


class _Recent:
    """The responses this process last read or wrote, with their rows' ids (at most `size`, the
    least recently used dropped first): a survey step whose card carries the version kept here is
    decided from it without reading the response again (`SqlResponseRepository.recent`).

    Never trusted blindly: the change made from it is written only if the stored row is still that
    row (its id) at that version, the guard every step has; and a version is written once, by one
    change, so the same row at the same version holds the same answers. Another instance's or
    process's write moves the version on, and the step is then refused as stale and read anew."""

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._entries: OrderedDict[ResponseKey, tuple[Response, dict[str, Any]]] = OrderedDict()

    def get(self, key: ResponseKey, version: int) -> tuple[Response, dict[str, Any]] | None:
        """The response kept at `version` and `_SAME_ROW`'s parameters for its row."""
        entry = self._entries.get(key)
        if entry is None or entry[0].version != version:
            return None
        self._entries.move_to_end(key)
        return entry

    def keep(self, row: Any, response: Response) -> Response:
        self._entries[response.key] = (response, {"w_id": row.id, "w_created": row.created_at})
        self._entries.move_to_end(response.key)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return response

    def forget(self, key: ResponseKey) -> None:
        self._entries.pop(key, None)


class SqlResponseRepository:
    """Responses and their audit trail. The survey's steps use Core statements (no ORM objects):
    they run on every card action."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._sessions = database.sessions
        self._recent = _Recent()

    async def get(self, key: ResponseKey) -> Response | None:
        async with self._db.read() as connection:
            row = (await connection.execute(_GET_RESPONSE, _key_params(key))).one_or_none()
        return self._kept(key, row)

    async def get_with_position(self, key: ResponseKey, aad_object_id: str) -> tuple[Response | None, str | None]:
        async with self._db.read() as connection:
            row = (await connection.execute(_GET_WITH_POSITION, {**_key_params(key), "w_aad": aad_object_id})).one()
        return self._kept(key, row if row.id is not None else None), row.position

    def recent(self, key: ResponseKey, version: int) -> Response | None:
        """The response as this process last read or wrote it, if that was at `version`; else None
        (then `get`). A change made from it is written only if the stored row is still that one."""
        entry = self._recent.get(key, version)
        return entry[0] if entry else None

    def _kept(self, key: ResponseKey, row: Any) -> Response | None:
        if row is None:
            self._recent.forget(key)
            return None
        return self._recent.keep(row, _response(row))

    async def list_for_round(self, tenant_id: str, round_id: str) -> list[Response]:
        """Every response of the round (a large read: `Database.bulk`, off the loop on SQLite)."""
        return await self.stored_for_round(tenant_id, round_id).load()

    def stored_for_round(self, tenant_id: str, round_id: str) -> StoredRead[list[Response]]:
        """`list_for_round` as a read to be done where the responses are used (the CPU pool's
        worker: `Database.stored`)."""
        return self._db.stored(_round_responses, tenant_id, round_id)

    async def apply(
        self, key: ResponseKey, change: Change | None, actor: Actor, at: datetime, *, position: str | None = None
    ) -> Response | None:
        """Write the change (if any) and the actor's position (if given) in one transaction.

        The change is written only if the stored version is `change.expected_version`; otherwise
        VersionConflict carries what is stored now, and nothing is written."""
        known = self._recent.get(key, change.expected_version) if change is not None else None
        same_row = known[1] if known else _ANY_ROW
        if change is not None and self._db.postgresql:
            return await self._step(key, change, actor, at, position, same_row)
        row = None
        try:
            async with self._db.transaction() as connection:
                row = await self._write(connection, key, change, actor, at, same_row) if change is not None else None
                if position is not None:
                    await _set_position(connection, key.tenant_id, key.round_id, actor.aad_object_id, position, at)
        except _Stale:
            raise VersionConflict(await self.get(key) or Response.empty(key)) from None
        return self._recent.keep(row, _response(row)) if row is not None else None

    async def _step(
        self, key: ResponseKey, change: Change, actor: Actor, at: datetime, position: str | None,
        same_row: dict[str, Any],
    ) -> Response:
        """PostgreSQL: the change, its audit row and the position in one statement (storage/survey_step.py), one
        round trip in autocommit; nothing written unless the stored version is the expected one (of
        the row `same_row`, its id and creation time, when known)."""
        async with self._db.statement() as connection:
            row = (await connection.execute(STEP, {
                **_key_params(key), **same_row, "expected": change.expected_version,
                "version": change.expected_version + 1,
                "answers": change.answers, "at": at, "aad": actor.aad_object_id, "name": actor.name,
                "submit": change.action is ChangeAction.SUBMIT, "action": change.action.value,
                "questions": {"changed": list(change.changed_questions)}, "position": position,
            })).one_or_none()
        if row is None:
            raise VersionConflict(await self.get(key) or Response.empty(key))
        return self._recent.keep(row, _response(row))

    async def _write(
        self, connection: AsyncConnection, key: ResponseKey, change: Change, actor: Actor, at: datetime,
        same_row: dict[str, Any],
    ) -> Any:
        values: dict[str, Any] = {
            "answers": change.answers,
            "version": change.expected_version + 1,
            "updated_at": at,
            "updated_by_aad": actor.aad_object_id,
            "updated_by_name": actor.name,
        }
        if change.action is ChangeAction.SUBMIT:
            values |= {
                "submitted_answers": change.answers,
                "submitted_at": at,
                "submitted_by_aad": actor.aad_object_id,
                "submitted_by_name": actor.name,
            }
        if change.expected_version == 0:
            row = await self._insert(connection, key, values, at)
        else:
            row = (await connection.execute(
                _UPDATE_RESPONSE, {**_key_params(key), "w_version": change.expected_version, **same_row, **values}
            )).one_or_none()
        if row is None:
            raise _Stale
        await connection.execute(_INSERT_CHANGE, {
            "tenant_id": key.tenant_id,
            "response_id": row.id,
            "version": values["version"],
            "action": change.action.value,
            "questions": {"changed": list(change.changed_questions)},
            "actor_aad": actor.aad_object_id,
            "actor_name": actor.name,
            "at": at,
        })
        return row

    async def _insert(self, connection: AsyncConnection, key: ResponseKey, values: dict, at: datetime) -> Any:
        try:
            async with connection.begin_nested():
                return (await connection.execute(_INSERT_RESPONSE, {
                    "tenant_id": key.tenant_id,
                    "round_id": key.round_id,
                    "organisation_id": key.organisation_id,
                    "submitted_answers": None,
                    "submitted_at": None,
                    "submitted_by_aad": None,
                    "submitted_by_name": None,
                    "created_at": at,
                    **values,
                })).one()
        except IntegrityError:
            return None

    async def changes(self, key: ResponseKey) -> list[dict[str, Any]]:
        """The audit trail of a response, oldest first: who changed which questions and when."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ResponseChangeRow)
                .join(ResponseRow, ResponseRow.id == ResponseChangeRow.response_id)
                .where(*_BY_KEY)
                .order_by(ResponseChangeRow.id),
                _key_params(key),
            )
            return [
                {
                    "version": r.version,
                    "action": r.action,
                    "questions": list(r.questions.get("changed", [])),
                    "by": r.actor_aad,
                    "by_name": r.actor_name,
                    "at": r.at,
                }
                for r in rows
            ]


class SqlPositionRepository:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._sessions = database.sessions

    async def get(self, tenant_id: str, round_id: str, aad_object_id: str) -> str | None:
        async with self._db.read() as connection:
            return await connection.scalar(
                _GET_POSITION, {"w_tenant": tenant_id, "w_round": round_id, "w_aad": aad_object_id}
            )

    async def set(self, tenant_id: str, round_id: str, aad_object_id: str, section_id: str, at: datetime) -> None:
        async with self._db.transaction() as connection:
            await _set_position(connection, tenant_id, round_id, aad_object_id, section_id, at)


async def _set_position(
    connection: AsyncConnection, tenant_id: str, round_id: str, aad_object_id: str, section_id: str, at: datetime,
) -> None:
    """Update the person's position, or insert it the first time. Not an upsert statement:
    SQLAlchemy compiles the dialects' INSERT … ON CONFLICT anew every time (it is not cacheable),
    and this runs on every survey step."""
    move = {"w_tenant": tenant_id, "w_round": round_id, "w_aad": aad_object_id, "section_id": section_id,
            "updated_at": at}
    if (await connection.execute(_UPDATE_POSITION, move)).rowcount:
        return
    try:
        async with connection.begin_nested():
            await connection.execute(_INSERT_POSITION, {"tenant_id": tenant_id, "round_id": round_id,
                                                     "aad_object_id": aad_object_id, "section_id": section_id,
                                                     "updated_at": at})
    except IntegrityError:  # inserted meanwhile by a concurrent step of the same person
        await connection.execute(_UPDATE_POSITION, move)


class SqlConversationRepository:
    """Conversation references (for proactive messages) and the identities of configured people."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._sessions = database.sessions

    async def remember(
        self, tenant_id: str, conversation_id: str, conversation_type: str, service_url: str,
        reference: dict[str, Any], aad_object_id: str | None, at: datetime,
    ) -> None:
        async with self._db.write() as session:
            await upsert(
                session, ConversationRow,
                {"tenant_id": tenant_id, "conversation_id": conversation_id, "conversation_type": conversation_type,
                 "service_url": service_url, "reference": reference, "aad_object_id": aad_object_id, "updated_at": at},
                keys=("tenant_id", "conversation_id"),
            )

    async def personal(self, tenant_id: str, aad_object_id: str) -> dict[str, Any] | None:
        async with self._sessions() as session:
            row = await session.scalar(
                select(ConversationRow).where(
                    ConversationRow.tenant_id == tenant_id,
                    ConversationRow.aad_object_id == aad_object_id,
                    ConversationRow.conversation_type == "personal",
                )
            )
            return dict(row.reference) if row else None

    async def person_upn(self, tenant_id: str, aad_object_id: str) -> str | None:
        async with self._sessions() as session:
            row = await session.get(PersonRow, (tenant_id, aad_object_id))
            return row.upn if row else None

    async def remember_person(self, tenant_id: str, aad_object_id: str, upn: str | None, name: str | None, at: datetime) -> None:
        async with self._db.write() as session:
            await upsert(
                session, PersonRow,
                {"tenant_id": tenant_id, "aad_object_id": aad_object_id, "upn": upn, "name": name, "updated_at": at},
                keys=("tenant_id", "aad_object_id"),
            )


class SqlTeamRepository:
    """Installed teams and their channels; at most one team per tenant is the board's team."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._sessions = database.sessions

    async def installed(
        self, tenant_id: str, team_id: str, name: str | None, aad_group_id: str | None, service_url: str,
        installed_by_aad: str | None, make_board: bool, at: datetime, *, configured_board: bool = False,
    ) -> Team:
        """Record an installation. The team becomes the board's team if `make_board` and the tenant
        has no board team yet (the first team a HYTE team member installs the bot in), or at once
        if it is the team the configuration names (`configured_board`)."""
        async with self._db.write() as session:
            if configured_board:
                await session.execute(
                    update(TeamRow)
                    .where(TeamRow.tenant_id == tenant_id, TeamRow.team_id != team_id)
                    .values(is_board=False)
                )
            has_board = await session.scalar(
                select(TeamRow.team_id).where(
                    TeamRow.tenant_id == tenant_id, TeamRow.is_board.is_(True), TeamRow.removed_at.is_(None)
                )
            )
            row = await session.get(TeamRow, (tenant_id, team_id))
            board = configured_board or (row is not None and row.is_board) or (make_board and has_board is None)
            if row is None:
                row = TeamRow(tenant_id=tenant_id, team_id=team_id, installed_at=at)
                session.add(row)
            row.name = name or row.name
            row.aad_group_id = aad_group_id or row.aad_group_id
            row.service_url = service_url
            row.is_board = board
            row.installed_by_aad = installed_by_aad or row.installed_by_aad
            row.removed_at = None
        return await self.get(tenant_id, team_id)  # type: ignore[return-value]

    async def removed(self, tenant_id: str, team_id: str, at: datetime) -> None:
        async with self._db.write() as session:
            await session.execute(
                update(TeamRow)
                .where(TeamRow.tenant_id == tenant_id, TeamRow.team_id == team_id)
                .values(removed_at=at, is_board=False)
            )

    async def set_channels(self, tenant_id: str, team_id: str, channels: list[Channel], at: datetime) -> None:
        """Replace the team's channel list with what the connector reported."""
        async with self._db.write() as session:
            seen = set()
            for channel in channels:
                seen.add(channel.channel_id)
                await upsert(
                    session, ChannelRow,
                    {"tenant_id": tenant_id, "channel_id": channel.channel_id, "team_id": team_id,
                     "name": channel.name, "deleted_at": None, "updated_at": at},
                    keys=("tenant_id", "channel_id"),
                )
            await session.execute(
                update(ChannelRow)
                .where(ChannelRow.tenant_id == tenant_id, ChannelRow.team_id == team_id,
                       ChannelRow.channel_id.not_in(seen), ChannelRow.deleted_at.is_(None))
                .values(deleted_at=at, updated_at=at)
            )

    async def channel_changed(self, tenant_id: str, team_id: str, channel: Channel, deleted: bool, at: datetime) -> None:
        async with self._db.write() as session:
            await upsert(
                session, ChannelRow,
                {"tenant_id": tenant_id, "channel_id": channel.channel_id, "team_id": team_id, "name": channel.name,
                 "deleted_at": at if deleted else None, "updated_at": at},
                keys=("tenant_id", "channel_id"),
            )

    async def get(self, tenant_id: str, team_id: str) -> Team | None:
        async with self._sessions() as session:
            row = await session.get(TeamRow, (tenant_id, team_id))
            if row is None or row.removed_at is not None:
                return None
            channels = await session.scalars(
                select(ChannelRow)
                .where(ChannelRow.tenant_id == tenant_id, ChannelRow.team_id == team_id, ChannelRow.deleted_at.is_(None))
                .order_by(ChannelRow.name.is_not(None), ChannelRow.name)
            )
            return Team(
                tenant_id=row.tenant_id, team_id=row.team_id, name=row.name, service_url=row.service_url,
                is_board=row.is_board, channels=tuple(Channel(c.channel_id, c.name) for c in channels),
            )

    async def board_team(self, tenant_id: str) -> Team | None:
        async with self._sessions() as session:
            team_id = await session.scalar(
                select(TeamRow.team_id).where(
                    TeamRow.tenant_id == tenant_id, TeamRow.is_board.is_(True), TeamRow.removed_at.is_(None)
                )
            )
        return await self.get(tenant_id, team_id) if team_id else None
