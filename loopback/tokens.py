"""A local stand-in for the Bot Framework token service: RS256 keys, OpenID metadata and key set on
loopback, channel tokens signed as Teams' channel signs them, and credentials for the bot's own
outgoing calls signed the same way (so the real connector client sends a real bearer token).
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import threading
import time
import uuid
from typing import Any, Self

import jwt
from aiohttp import web
from botframework.connector.auth import AppCredentials, ServiceClientCredentialsFactory
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://api.botframework.com"
APP_ID = "11111111-2222-4333-8444-555555555555"


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class SigningKey:
    def __init__(self, endorsements: tuple[str, ...] | None = None) -> None:
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex
        self.endorsements = endorsements
        """The channels this key endorses; None: the service's (`TokenService.endorsements`)."""

    def jwk(self, endorsements: tuple[str, ...] = ("msteams",)) -> dict[str, Any]:
        numbers = self.private.public_key().public_numbers()
        return {"kty": "RSA", "use": "sig", "kid": self.kid, "n": _b64(numbers.n), "e": _b64(numbers.e),
                "endorsements": list(endorsements)}


class TokenService:
    """Serves /v1/.well-known/openidconfiguration and /v1/keys on 127.0.0.1."""

    def __init__(self) -> None:
        self.keys = [SigningKey()]
        self.endorsements: tuple[str, ...] = ("msteams",)
        self.metadata_requests = 0
        self.held: asyncio.Event | None = None
        """While set to an unset event, metadata requests wait for it (a slow or hung endpoint)."""
        self._runner: web.AppRunner | None = None
        self.url = ""

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/v1/.well-known/openidconfiguration"

    async def start(self) -> Self:
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/keys", self._jwks)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        site = web.SockSite(self._runner, sock)
        await site.start()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self

    async def close(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _metadata(self, _request: web.Request) -> web.Response:
        self.metadata_requests += 1
        if self.held is not None:
            await self.held.wait()
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{self.url}/v1/keys",
                                  "id_token_signing_alg_values_supported": ["RS256"]})

    async def _jwks(self, _request: web.Request) -> web.Response:
        return web.json_response({"keys": [
            key.jwk(self.endorsements if key.endorsements is None else key.endorsements) for key in self.keys]})

    def rotate(self) -> SigningKey:
        """A new signing key replaces the old ones (as the channel rotates keys)."""
        self.keys = [SigningKey()]
        return self.keys[0]

    def token(self, service_url: str, *, key: SigningKey | None = None, drop: tuple[str, ...] = (),
              headers: dict | None = None, algorithm: str = "RS256", signing_secret: Any = None, **claims: Any) -> str:
        now = int(time.time())
        payload = {"iss": ISSUER, "aud": APP_ID, "exp": now + 3600, "nbf": now - 60, "iat": now - 60,
                   "serviceurl": service_url, **claims}
        for name in drop:
            payload.pop(name, None)
        key = key or self.keys[0]
        secret = signing_secret if signing_secret is not None else key.private
        return jwt.encode(payload, secret, algorithm=algorithm, headers={"kid": key.kid, **(headers or {})})


class LocalCredentials(AppCredentials):
    """The bot's outgoing credentials, with a locally signed token instead of one from Entra."""

    def __init__(self, app_id: str, service: TokenService) -> None:
        super().__init__(channel_auth_tenant=None, oauth_scope="https://api.botframework.com")
        self.microsoft_app_id = app_id
        self._service = service

    def get_access_token(self, force_refresh: bool = False) -> str:
        return self._service.token("", aud="https://api.botframework.com", appid=self.microsoft_app_id)


class LocalCredentialsFactory(ServiceClientCredentialsFactory):
    def __init__(self, service: TokenService) -> None:
        self._service = service

    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == APP_ID

    async def is_authentication_disabled(self) -> bool:
        return False

    async def create_credentials(self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool):
        return LocalCredentials(app_id, self._service)


def jwt_with_exp(exp: float) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256'})}.{part({'exp': int(exp), 'appid': 'bot'})}.c2lnbmF0dXJl"


class CountingCredentials(AppCredentials):
    """Credentials whose tokens (unsigned, `exp` set) last `lifetime` seconds; records the thread
    each was asked for on."""

    def __init__(self, lifetime: float) -> None:
        super().__init__(channel_auth_tenant=None, oauth_scope="https://api.botframework.com")
        self.microsoft_app_id = "bot"
        self.lifetime = lifetime
        self.asked: list[str] = []

    def get_access_token(self, force_refresh: bool = False) -> str:
        self.asked.append(threading.current_thread().name)
        return jwt_with_exp(time.time() + self.lifetime)
