"""The Bot Connector's REST API as the loopback stand-in (loopback/connector.py) knows it: its
routes, what a recorded call looks like, scripted failures and error bodies, stable ids."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]


def stable_token(seed: str, length: int = 32) -> str:
    """A deterministic, id-looking token derived from ``seed``."""
    digest = hashlib.sha256(seed.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:length]


def personal_conversation_id(member_id: str) -> str:
    """The 1:1 conversation id Teams would give the bot's chat with ``member_id``."""
    return "a:1" + stable_token("personal:" + member_id, 40)


def error_body(code: str, message: str) -> JsonDict:
    """A Bot Framework ``ErrorResponse`` body."""
    return {"error": {"code": code, "message": message}}


DEFAULT_ERROR_CODES = {
    400: "BadArgument",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    412: "PreconditionFailed",
    413: "MessageSizeTooBig",
    429: "Throttled",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
}


@dataclass(frozen=True)
class Call:
    """One request the stand-in received, and how it answered."""

    method: str
    path: str  # percent-decoded
    raw_path: str  # as on the wire, e.g. /v3/conversations/a%3A1x%3Bmessageid%3D1/activities
    kind: str  # send, reply, update, delete, create_conversation, members, member, ...
    conversation_id: str | None  # from the path; for create_conversation, the created one
    activity_id: str | None
    body: Any
    headers: dict[str, str]
    query: dict[str, str]
    status: int
    result_id: str | None = None  # activity id the stand-in assigned (send/reply/create)


@dataclass
class Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str]
    remaining: int


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    result_id: str | None = None
    conversation_id: str | None = None


# (method, path template) -> kind; "{c}" conversation id, "{a}" activity id, "{m}" member, "{t}" team.
_ROUTES: list[tuple[str, tuple[str, ...], str]] = [
    ("POST", ("v3", "conversations"), "create_conversation"),
    ("POST", ("v3", "conversations", "{c}", "activities"), "send"),
    ("POST", ("v3", "conversations", "{c}", "activities", "{a}"), "reply"),
    ("PUT", ("v3", "conversations", "{c}", "activities", "{a}"), "update"),
    ("DELETE", ("v3", "conversations", "{c}", "activities", "{a}"), "delete"),
    ("GET", ("v3", "conversations", "{c}", "members"), "members"),
    ("GET", ("v3", "conversations", "{c}", "members", "{m}"), "member"),
    ("GET", ("v3", "conversations", "{c}", "pagedmembers"), "paged_members"),
    ("GET", ("v3", "teams", "{t}"), "team_details"),
    ("GET", ("v3", "teams", "{t}", "conversations"), "team_channels"),
]


def match_route(method: str, segments: list[str]) -> tuple[str, dict[str, str]]:
    for route_method, template, kind in _ROUTES:
        if route_method != method or len(template) != len(segments):
            continue
        params: dict[str, str] = {}
        for part, seg in zip(template, segments):
            if part.startswith("{"):
                params[part[1:-1]] = seg
            elif part != seg:
                break
        else:
            return kind, params
    return "unknown", {}
