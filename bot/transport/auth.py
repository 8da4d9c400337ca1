"""Validation of the Bot Framework channel token on every request, before any handler runs.

botbuilder 4.17's own validation answers many bad tokens with HTTP 500, accepts a token without
`exp`, never checks the tenant, fetches signing keys with a blocking `requests.get` without a
timeout, and stays blind to a rotated key until its 24-hour refresh. This validator replaces it
for incoming requests; botbuilder still builds the outgoing connector clients from the claims.

Teams and nothing else: an activity whose `channelId` is not `msteams` is refused before its token
is looked at, and a token is accepted only if it is an RS256 JWT signed by a key from the channel's
OpenID metadata that endorses `msteams`, with `iss` the channel's issuer, `aud` the bot's app id,
`exp` an integer and not past, `nbf` and `iat` (if present) integers and `nbf` not in the future, and
a `serviceurl` claim equal to the activity's serviceUrl. Emulator and skill tokens are not channel
tokens and are refused. (Web Chat and Direct Line are enabled on every Azure Bot resource, and their
clients choose their own user ids: what such an activity says about its sender and tenant is not
Teams' word.)

Signing keys are never fetched while a request with a known key waits: stale keys are refreshed in
the background and used meanwhile; only a request whose key id is unknown waits for the (rate-limited)
forced refresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt
from jwt import PyJWK

logger = logging.getLogger(__name__)

CHANNEL_OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
CHANNEL_TOKEN_ISSUER = "https://api.botframework.com"
CLOCK_TOLERANCE_SECONDS = 5 * 60
KEYS_MAX_AGE_SECONDS = 24 * 3600
UNKNOWN_KID_REFRESH_SECONDS = 5 * 60
"""An unknown key id triggers a refresh at most this often, so a rotated key is picked up quickly
while a flood of forged key ids cannot make us hammer the metadata endpoint."""
FETCH_TIMEOUT_SECONDS = 10
TEAMS_CHANNEL = "msteams"
NUMERIC_DATES = ("exp", "nbf", "iat")


class AuthenticationError(Exception):
    """The request is not from the channel: answered 401, and never reaches a handler."""


@dataclass(frozen=True)
class _SigningKey:
    key: Any
    endorsements: frozenset[str]


class ChannelKeys:
    """The channel's signing keys, fetched asynchronously (with a timeout) and cached."""

    def __init__(self, metadata_url: str, session_factory=aiohttp.ClientSession) -> None:
        self._metadata_url = metadata_url
        self._session_factory = session_factory
        self._keys: dict[str, _SigningKey] = {}
        self._fetched_at = float("-inf")
        self._last_forced = float("-inf")  # monotonic time starts near 0 on a freshly booted machine
        self._lock = asyncio.Lock()
        self._background: asyncio.Task | None = None

    async def get(self, kid: str) -> _SigningKey:
        if not self._keys:
            await self._refresh(force=False)
        elif time.monotonic() - self._fetched_at > KEYS_MAX_AGE_SECONDS:
            self._refresh_in_background()
        key = self._keys.get(kid)
        if key is None and time.monotonic() - self._last_forced > UNKNOWN_KID_REFRESH_SECONDS:
            await self._refresh(force=True)
            key = self._keys.get(kid)
        if key is None:
            raise AuthenticationError("unknown signing key")
        return key

    def _refresh_in_background(self) -> None:
        """Stale keys: fetch new ones without making this request wait (the old ones serve meanwhile)."""
        if self._background is None or self._background.done():
            self._background = asyncio.create_task(self._refresh(force=False))

    async def close(self) -> None:
        if self._background is not None and not self._background.done():
            self._background.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._background

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            now = time.monotonic()
            if force:
                if now - self._last_forced <= UNKNOWN_KID_REFRESH_SECONDS:
                    return  # another request refreshed meanwhile
                self._last_forced = now
            elif self._keys and now - self._fetched_at <= KEYS_MAX_AGE_SECONDS:
                return
            try:
                keys = await self._fetch()
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError, TypeError) as exc:
                logger.warning("signing keys not fetched: %s", type(exc).__name__)
                if not self._keys:
                    raise AuthenticationError("signing keys unavailable") from exc
                return
            self._keys, self._fetched_at = keys, now
            logger.info("signing keys fetched: count=%d", len(keys))

    async def _fetch(self) -> dict[str, _SigningKey]:
        timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT_SECONDS)
        async with self._session_factory(timeout=timeout) as session:
            async with session.get(self._metadata_url) as response:
                response.raise_for_status()
                metadata = json.loads(await response.text())
            async with session.get(metadata["jwks_uri"]) as response:
                response.raise_for_status()
                jwks = json.loads(await response.text())
        keys = {}
        for entry in jwks["keys"]:
            if entry.get("kty") != "RSA" or not entry.get("kid"):
                continue
            keys[entry["kid"]] = _SigningKey(PyJWK(entry, algorithm="RS256").key, frozenset(entry.get("endorsements") or ()))
        return keys


class ChannelTokenValidator:
    def __init__(self, app_id: str, keys: ChannelKeys, issuer: str = CHANNEL_TOKEN_ISSUER) -> None:
        self._app_id = app_id
        self.keys = keys
        self._issuer = issuer

    async def validate(self, auth_header: str, service_url: str | None) -> dict[str, Any]:
        """The token's claims, or AuthenticationError."""
        scheme, _, token = (auth_header or "").partition(" ")
        if scheme != "Bearer" or not token.strip():
            raise AuthenticationError("no bearer token")
        token = token.strip()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise AuthenticationError("malformed token") from exc
        if header.get("alg") != "RS256":
            raise AuthenticationError("algorithm not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthenticationError("no key id")
        signing_key = await self.keys.get(kid)
        if TEAMS_CHANNEL not in signing_key.endorsements:
            raise AuthenticationError("key does not endorse Teams")
        try:
            claims = jwt.decode(
                token,
                signing_key.key,
                algorithms=["RS256"],
                audience=self._app_id,
                issuer=self._issuer,
                leeway=CLOCK_TOLERANCE_SECONDS,
                options={"require": ["exp", "iss", "aud"], "verify_signature": True},
            )
        except jwt.InvalidTokenError as exc:
            raise AuthenticationError(type(exc).__name__) from exc
        for name in NUMERIC_DATES:  # PyJWT reads "exp": "1712345678" with int(); the JWT says a number
            if name in claims and (type(claims[name]) is not int):
                raise AuthenticationError(f"{name} is not an integer")
        claimed_url = claims.get("serviceurl")
        if not isinstance(claimed_url, str) or not service_url or claimed_url.rstrip("/") != service_url.rstrip("/"):
            raise AuthenticationError("serviceurl claim missing or not the activity's")
        return claims


class RequestAuthenticator:
    """Authenticates an incoming activity and hands botbuilder the result (claims and the
    connector factory for replies), so botbuilder's own validation never runs.

    Only Teams activities are served, with or without an app id. Without an app id (local
    development) every Teams activity is anonymous, as botbuilder does it."""

    def __init__(self, framework: Any, validator: ChannelTokenValidator | None) -> None:
        self._framework = framework
        self._validator = validator

    @property
    def keys(self) -> ChannelKeys | None:
        return self._validator.keys if self._validator is not None else None

    async def close(self) -> None:
        if self.keys is not None:
            await self.keys.close()

    async def authenticate(self, auth_header: str, activity: Any):
        from botframework.connector.auth import AuthenticateRequestResult, AuthenticationConstants, ClaimsIdentity

        if activity.channel_id != TEAMS_CHANNEL:
            raise AuthenticationError("not a Teams activity")
        if self._validator is None:
            identity = ClaimsIdentity({}, True, AuthenticationConstants.ANONYMOUS_AUTH_TYPE)
        else:
            claims = await self._validator.validate(auth_header, activity.service_url)
            identity = ClaimsIdentity(claims, True)
        result = AuthenticateRequestResult()
        result.claims_identity = identity
        result.audience = self._framework.get_originating_audience()
        result.caller_id = None
        result.connector_factory = self._framework.create_connector_factory(identity)
        return result
