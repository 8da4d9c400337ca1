"""The bot's own credentials for its outgoing calls: a token from Entra ID (the client-credentials
grant, through MSAL), with a time limit, and never fetched on the event loop.

botbuilder 4.17's `MicrosoftAppCredentials` builds MSAL without a timeout (a hung token endpoint
would hold its caller for good), and its configuration-driven factory, given any `ToBot…` setting,
passes MSAL no authority at all, so that MSAL falls back to `/common`. Here the authority is the
one botbuilder documents for the app type (`https://login.microsoftonline.com/botframework.com`
for a multi-tenant bot, `…/<MicrosoftAppTenantId>` for a single-tenant one) unless
`ToChannelFromBotLoginUrl` names another (a sovereign cloud, or the tests' loopback stand-in);
an authority named that way is taken as given (no instance discovery at login.microsoftonline.com).

Where it is asked:
- off the loop, in a thread (bot/transport/authorizations.py): MSAL's cache, or Entra ID with the
  configured timeout on each HTTP request;
- on the loop, by msrest signing a request: only a token already fetched is given; otherwise
  TokenUnavailable, at once (msrest callers ask Authorizations first: bot/transport/replies.py).
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import msal
from botframework.connector.auth import AppCredentials, MicrosoftAppCredentials, ServiceClientCredentialsFactory

from bot.connector import TokenUnavailable
from bot.transport.authorizations import TOKEN_MARGIN

LOGIN_URL = "https://login.microsoftonline.com"
MULTI_TENANT_AUTHORITY = f"{LOGIN_URL}/botframework.com"
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com"


def default_authority(app_type: str, tenant_id: str) -> str:
    if app_type == "SingleTenant" and tenant_id:
        return f"{LOGIN_URL}/{tenant_id}"
    return MULTI_TENANT_AUTHORITY


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class EntraCredentials(AppCredentials):
    def __init__(
        self, app_id: str, password: str, *, authority: str, scope: str, timeout: float, named_authority: bool,
    ) -> None:
        super().__init__(app_id=app_id, oauth_scope=scope)
        self.oauth_endpoint = authority
        self._password = password
        self._timeout = timeout
        self._named_authority = named_authority
        self._app: msal.ConfidentialClientApplication | None = None
        self._lock = threading.Lock()
        self._token: tuple[str, float] | None = None
        """The last token and the time (epoch seconds) until which it may be sent."""

    def get_access_token(self, force_refresh: bool = False) -> str:
        if _on_event_loop():
            token = self._token
            if token is not None and time.time() < token[1]:
                return token[0]
            raise TokenUnavailable("not fetched yet: never on the event loop")
        with self._lock:  # one request to Entra ID at a time for these credentials
            result = self._msal().acquire_token_for_client(scopes=[self._scope()])
        token = result.get("access_token") if isinstance(result, dict) else None
        if not token:
            raise PermissionError(f"Entra ID refused the token: {result.get('error') if isinstance(result, dict) else result}")
        self._token = (token, time.time() + float(result.get("expires_in") or 0) - TOKEN_MARGIN)
        return token

    def _scope(self) -> str:
        scope = self.oauth_scope or BOT_FRAMEWORK_SCOPE
        return scope if scope.endswith("/.default") else f"{scope}/.default"

    def _msal(self) -> msal.ConfidentialClientApplication:
        """Built on first use, in a thread: MSAL reads the authority's OpenID configuration then.
        Built again after a failure (Entra ID unreachable at the time)."""
        if self._app is None:
            options: dict[str, Any] = {"timeout": self._timeout}
            if self._named_authority:
                options |= {"validate_authority": False, "instance_discovery": False}
            self._app = msal.ConfidentialClientApplication(
                self.microsoft_app_id, client_credential=self._password, authority=self.oauth_endpoint, **options,
            )
        return self._app


class EntraCredentialsFactory(ServiceClientCredentialsFactory):
    """Credentials for the bot's app id and password (MultiTenant and SingleTenant app types)."""

    def __init__(
        self, app_id: str, password: str, *, authority: str, timeout: float, named_authority: bool = False,
    ) -> None:
        self._app_id = app_id
        self._password = password
        self._authority = authority
        self._timeout = timeout
        self._named_authority = named_authority

    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == self._app_id

    async def is_authentication_disabled(self) -> bool:
        return not self._app_id

    async def create_credentials(self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool):
        if not self._app_id:
            return MicrosoftAppCredentials.empty()
        if app_id != self._app_id:
            raise PermissionError("not this bot's app id")
        return EntraCredentials(
            app_id, self._password, authority=self._authority, scope=oauth_scope or BOT_FRAMEWORK_SCOPE,
            timeout=self._timeout, named_authority=self._named_authority,
        )
