"""A loopback stand-in for the Bot Connector service (the bot's outgoing REST calls).

The server runs on its own thread and event loop. That is deliberate: botbuilder's
``TeamsConnectorClient`` (used by ``TeamsInfo.get_team_details``/``get_team_channels``)
is synchronous and blocks the caller's event loop while it waits for the answer, so a
server sharing that loop would deadlock.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import re
import socket
import threading
import uuid
from collections.abc import Sequence
from typing import Any, Self
from urllib.parse import unquote

from aiohttp import web

from loopback.connector_api import (  # noqa: F401  (personal_conversation_id: the tests')
    DEFAULT_ERROR_CODES, Call, Failure, JsonDict, Reply, error_body, match_route, personal_conversation_id,
)


class ConnectorStandIn:
    """Fake Bot Connector on 127.0.0.1 that records calls and answers like the real service.

    Scriptable state (mutate freely between turns):
      * ``members[conversation_id]``: TeamsChannelAccount dicts of that conversation;
      * ``directory[member_id]``: members of every conversation not listed in ``members``;
      * ``teams[team_id]``: ``{"id", "name", "aadGroupId", "channels": [{"id", "name"?}]}``.
    """

    def __init__(self) -> None:
        self.members: dict[str, list[JsonDict]] = {}
        self.directory: dict[str, JsonDict] = {}
        self.teams: dict[str, JsonDict] = {}
        self._calls: list[Call] = []
        self._failures: list[Failure] = []
        self._holds: list[tuple[str, re.Pattern[str], asyncio.Event]] = []
        self.held = 0
        """Requests held so far (see `hold`)."""
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._port: int | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- lifecycle ---------------------------------------------------------------

    async def start(self) -> None:
        """Bind a free loopback port and start serving on a background thread."""
        if self._thread is not None:
            raise RuntimeError("already started")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._thread = threading.Thread(
            target=self._serve, args=(sock, ready), name="connector-stand-in", daemon=True
        )
        self._thread.start()
        await asyncio.wrap_future(ready)

    async def close(self) -> None:
        """Stop the server and join its thread."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        self.release()
        loop.call_soon_threadsafe(loop.stop)
        await asyncio.to_thread(thread.join, 10)
        self._thread = self._loop = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def service_url(self) -> str:
        """The serviceUrl to put in activities, with Teams' trailing slash."""
        if self._port is None:
            raise RuntimeError("not started")
        return f"http://127.0.0.1:{self._port}/"

    def _serve(self, sock: socket.socket, ready: concurrent.futures.Future[None]) -> None:
        loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None)
        try:
            loop.run_until_complete(runner.setup())
            loop.run_until_complete(web.SockSite(runner, sock).start())
        except BaseException as exc:  # pragma: no cover - surfaced through start()
            sock.close()
            loop.close()
            ready.set_exception(exc)
            return
        self._loop = loop
        ready.set_result(None)
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(runner.cleanup())
            loop.close()

    # -- scripting ---------------------------------------------------------------

    def add_member(self, member: JsonDict, conversation_id: str | None = None) -> None:
        """Add a TeamsChannelAccount dict to one conversation, or to the global directory."""
        if conversation_id is None:
            self.directory[member["id"]] = member
        else:
            self.members.setdefault(conversation_id, []).append(member)

    def add_team(
        self,
        team_id: str,
        name: str,
        channels: Sequence[tuple[str, str]] = (),
        *,
        aad_group_id: str | None = None,
    ) -> JsonDict:
        """Add a team; like Teams, its General channel has the team's id and no name."""
        team = {
            "id": team_id,
            "name": name,
            "aadGroupId": aad_group_id or str(uuid.uuid5(uuid.NAMESPACE_URL, team_id)),
            "channels": [{"id": team_id}] + [{"id": cid, "name": cname} for cid, cname in channels],
        }
        self.teams[team_id] = team
        return team

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` requests matching method and (decoded) path with an error.

        ``body`` defaults to a Bot Framework ErrorResponse; a dict is sent as JSON, a str as text.
        """
        if body is None:
            code = DEFAULT_ERROR_CODES.get(status, "ServiceError")
            body = error_body(code, f"scripted failure {status}")
        with self._lock:
            self._failures.append(
                Failure(method.upper(), re.compile(path_regex), status, body, dict(headers or {}), times)
            )

    def hold(self, method: str, path_regex: str) -> None:
        """Hold every request matching method and (decoded) path without answering (a Teams call
        that hangs) until `release`; `held` counts them."""
        with self._lock:
            self._holds.append((method.upper(), re.compile(path_regex), asyncio.Event()))

    def release(self) -> None:
        """Answer the held requests (as usual) and hold no more."""
        with self._lock:
            holds, self._holds = self._holds, []
        if self._loop is not None:
            for _method, _pattern, event in holds:
                self._loop.call_soon_threadsafe(event.set)

    # -- recordings --------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every request received so far, in order."""
        with self._lock:
            return list(self._calls)

    def clear(self) -> None:
        """Forget recorded calls and pending scripted failures (not members/teams)."""
        with self._lock:
            self._calls.clear()
            self._failures.clear()

    def sent(
        self, conversation_id: str | None = None, *, activity_type: str | None = None
    ) -> list[JsonDict]:
        """Activities successfully posted (send, reply, create-with-activity), in order.

        Each is a copy of the posted body with ``id`` set to the id the service assigned.
        """
        out: list[JsonDict] = []
        for call in self.calls:
            if call.status >= 300 or not isinstance(call.body, dict):
                continue
            if call.kind in ("send", "reply"):
                activity = call.body
            elif call.kind == "create_conversation" and isinstance(call.body.get("activity"), dict):
                activity = call.body["activity"]
            else:
                continue
            if conversation_id is not None and call.conversation_id != conversation_id:
                continue
            if activity_type is not None and activity.get("type") != activity_type:
                continue
            out.append({**activity, "id": call.result_id})
        return out

    def updates(self, conversation_id: str | None = None) -> list[JsonDict]:
        """Bodies of successful PUT (update activity) calls, in order."""
        return [
            c.body for c in self.calls
            if c.kind == "update" and c.status < 300
            and (conversation_id is None or c.conversation_id == conversation_id)
        ]

    def deleted(self, conversation_id: str | None = None) -> list[str]:
        """Ids of successfully deleted activities, in order."""
        return [
            c.activity_id or "" for c in self.calls
            if c.kind == "delete" and c.status < 300
            and (conversation_id is None or c.conversation_id == conversation_id)
        ]

    async def wait_for_sent(
        self, count: int, timeout: float = 5.0, *, conversation_id: str | None = None
    ) -> list[JsonDict]:
        """Wait until at least ``count`` activities were sent; return all sent so far."""
        event = asyncio.Event()
        waiter = (asyncio.get_running_loop(), event)
        with self._lock:
            self._waiters.add(waiter)
        try:
            async with asyncio.timeout(timeout):
                while len(sent := self.sent(conversation_id)) < count:
                    await event.wait()
                    event.clear()
                return sent
        except TimeoutError:
            got = self.sent(conversation_id)
            raise AssertionError(
                f"expected {count} sent activities within {timeout}s, got {len(got)}: "
                + json.dumps([a.get("text") or a.get("type") for a in got], ensure_ascii=False)
            ) from None
        finally:
            with self._lock:
                self._waiters.discard(waiter)

    # -- serving -----------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.raw_path.split("?", 1)[0]
        segments = [unquote(s) for s in raw_path.strip("/").split("/")]
        kind, params = match_route(request.method, segments)
        body: Any = None
        text = await request.text()
        if text:
            try:
                body = json.loads(text)
            except ValueError:
                body = text
        path = "/" + "/".join(segments)
        with self._lock:
            hold = next((e for m, p, e in self._holds if m == request.method and p.search(path)), None)
            if hold is not None:
                self.held += 1
        if hold is not None:
            await hold.wait()

        reply = self._scripted_failure(request.method, path)
        if reply is None:
            reply = self._answer(kind, params, body, dict(request.query))

        call = Call(
            method=request.method,
            path=path,
            raw_path=raw_path,
            kind=kind,
            conversation_id=reply.conversation_id or params.get("c"),
            activity_id=params.get("a"),
            body=body,
            headers=dict(request.headers),
            query=dict(request.query),
            status=reply.status,
            result_id=reply.result_id,
        )
        with self._lock:
            self._calls.append(call)
            waiters = list(self._waiters)
        for loop, event in waiters:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # waiter's loop already closed
                pass

        if reply.body is None:
            return web.Response(status=reply.status, headers=reply.headers)
        if isinstance(reply.body, str):
            return web.Response(status=reply.status, text=reply.body, headers=reply.headers)
        return web.json_response(reply.body, status=reply.status, headers=reply.headers)

    def _scripted_failure(self, method: str, path: str) -> Reply | None:
        with self._lock:
            for failure in self._failures:
                if failure.method == method and failure.pattern.search(path):
                    failure.remaining -= 1
                    if failure.remaining <= 0:
                        self._failures.remove(failure)
                    return Reply(failure.status, failure.body, failure.headers)
        return None

    def _conversation_members(self, conversation_id: str) -> list[JsonDict]:
        if conversation_id in self.members:
            return list(self.members[conversation_id])
        return list(self.directory.values())

    def _answer(self, kind: str, p: dict[str, str], body: Any, query: dict[str, str]) -> Reply:
        match kind:
            case "send" | "reply":
                new_id = "1:" + uuid.uuid4().hex
                return Reply(201, {"id": new_id}, result_id=new_id)
            case "update":
                return Reply(200, {"id": p["a"]})
            case "delete":
                return Reply(200)
            case "create_conversation":
                return self._create_conversation(body if isinstance(body, dict) else {})
            case "members":
                return Reply(200, self._conversation_members(p["c"]))
            case "member":
                for m in self._conversation_members(p["c"]):
                    if p["m"] in (m.get("id"), m.get("aadObjectId")):
                        return Reply(200, m)
                return Reply(404, error_body(
                    "MemberNotFoundInConversation", f"Member {p['m']} not found in conversation"))
            case "paged_members":
                members = self._conversation_members(p["c"])
                start = int(query.get("continuationToken") or 0)
                size = int(query.get("pageSize") or 200)
                page: JsonDict = {"members": members[start:start + size]}
                if start + size < len(members):
                    page["continuationToken"] = str(start + size)
                return Reply(200, page)
            case "team_details" | "team_channels":
                team = self.teams.get(p["t"])
                if team is None:
                    return Reply(404, error_body("NotFound", f"Team {p['t']} not found"))
                if kind == "team_channels":
                    return Reply(200, {"conversations": team["channels"]})
                details = {k: v for k, v in team.items() if k != "channels"}
                details |= {"type": "standard", "channelCount": len(team["channels"]),
                            "memberCount": len(self._conversation_members(p["t"]))}
                return Reply(200, details)
            case _:
                return Reply(404, error_body("NotFound", "route not implemented by the stand-in"))

    def _create_conversation(self, params: JsonDict) -> Reply:
        members = params.get("members") or []
        if not params.get("isGroup") and len(members) == 1 and members[0].get("id"):
            conversation_id = personal_conversation_id(members[0]["id"])
        else:
            conversation_id = f"19:{uuid.uuid4().hex}@thread.v2"
        answer: JsonDict = {"id": conversation_id}
        activity_id = None
        if isinstance(params.get("activity"), dict):
            activity_id = answer["activityId"] = "1:" + uuid.uuid4().hex
        return Reply(201, answer, result_id=activity_id, conversation_id=conversation_id)
