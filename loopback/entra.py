"""A loopback stand-in for Entra ID's token endpoint, for the bot's own (outgoing) token.

MSAL only talks to an https authority, so the stand-in serves TLS with a certificate made for
127.0.0.1 at start; `ca_file` is that certificate, for `REQUESTS_CA_BUNDLE` (MSAL's requests
session trusts what it names). It answers what MSAL asks of an authority
`https://127.0.0.1:<port>/<tenant>`: the OpenID configuration, and the client-credentials grant,
with a bearer token signed by the tests' token service. It can be up, down (connections refused),
slow (`delay` seconds), or held (no answer until released).
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import socket
import ssl
import tempfile
import threading
from pathlib import Path
from typing import Self

from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from loopback.tokens import APP_ID, TokenService

SECRET = "bot-secret-for-tests"
SCOPE = "https://api.botframework.com/.default"
TENANT = "botframework.com"


def _certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "entra.pem", directory / "entra.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class EntraStandIn:
    """Runs on its own thread and event loop (like ConnectorStandIn), called by MSAL from a worker
    thread. Going down drops the connections MSAL keeps alive, as an unreachable host would."""

    def __init__(self, tokens: TokenService) -> None:
        self.tokens = tokens
        self.delay = 0.0
        """Seconds each token request takes."""
        self.token_requests = 0
        """Token requests answered (with a token)."""
        self.pending = 0
        """Token requests being answered right now (delayed or held)."""
        self._held = threading.Event()
        self._held.set()
        self._directory = tempfile.TemporaryDirectory()
        self.ca_file, self._key_file = _certificate(Path(self._directory.name))
        self._ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._ssl.load_cert_chain(self.ca_file, self._key_file)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="entra-stand-in", daemon=True)
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self.port = 0

    @property
    def authority(self) -> str:
        """What ToChannelFromBotLoginUrl names: the stand-in's tenant `botframework.com`."""
        return f"https://127.0.0.1:{self.port}/{TENANT}"

    def hold(self) -> None:
        """Token requests get no answer until `release` (Entra ID accepts the connection and hangs)."""
        self._held.clear()

    def release(self) -> None:
        self._held.set()

    async def _on_loop(self, coroutine) -> None:
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self._loop))

    async def start(self) -> Self:
        self._thread.start()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        await self._on_loop(self._setup())
        await self.up()
        return self

    async def _setup(self) -> None:
        app = web.Application()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._configuration)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()

    async def up(self) -> None:
        """Listen (again) on the same port."""
        await self._on_loop(self._up())

    async def _up(self) -> None:
        if self._site is None:
            self._site = web.TCPSite(self._runner, "127.0.0.1", self.port, ssl_context=self._ssl, reuse_address=True)
            await self._site.start()

    async def down(self) -> None:
        """Stop listening: connections are refused, as for an unreachable Entra ID."""
        await self._on_loop(self._down())

    async def _down(self) -> None:
        if self._site is not None:
            await self._site.stop()
            self._site = None
        for connection in list(self._runner.server.connections):  # MSAL's kept-alive ones too
            if connection.transport is not None:
                connection.transport.abort()  # at once: a TLS close would wait for the idle client's answer
            connection.force_close()

    async def close(self) -> None:
        self.release()
        await self.down()
        await self._on_loop(self._runner.cleanup())
        self._loop.call_soon_threadsafe(self._loop.stop)
        await asyncio.to_thread(self._thread.join, 10)
        self._loop.close()
        self._directory.cleanup()

    async def _configuration(self, request: web.Request) -> web.Response:
        base = f"https://127.0.0.1:{self.port}/{request.match_info['tenant']}"
        return web.json_response({
            "issuer": f"{base}/v2.0", "token_endpoint": f"{base}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        })

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        self.pending += 1
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            while not self._held.is_set():
                await asyncio.sleep(0.02)
        finally:
            self.pending -= 1
        if (form.get("grant_type"), form.get("client_id"), form.get("client_secret"), form.get("scope")) != (
            "client_credentials", APP_ID, SECRET, SCOPE
        ):
            return web.json_response({"error": "invalid_client", "error_description": "AADSTS7000215"}, status=401)
        self.token_requests += 1
        token = self.tokens.token("", aud="https://api.botframework.com", appid=APP_ID, iss=f"https://sts.windows.net/{TENANT}/")
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                                  "access_token": token})
