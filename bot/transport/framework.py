"""botbuilder's side of the bot, built from the settings: the adapter that runs turns, its
authentication (connector clients reused, bot/transport/connectors.py), the bot's outgoing
credentials (bot/transport/entra.py) and the validation of incoming requests
(bot/transport/auth.py). The composition root (app.py) asks here, so that it needs no SDK type."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botframework.connector.auth import ServiceClientCredentialsFactory

from bot.transport.auth import ChannelKeys, ChannelTokenValidator, RequestAuthenticator
from bot.transport.connectors import ReusingAuthentication
from bot.transport.entra import EntraCredentialsFactory, default_authority


@dataclass(frozen=True)
class BotIdentity:
    """The Bot Framework settings (MicrosoftAppId, …), as the settings read them."""

    app_id: str
    password: str
    app_type: str
    tenant_id: str
    openid_metadata_url: str
    token_issuer: str
    login_url: str = ""
    """ToChannelFromBotLoginUrl: the Entra ID authority of the bot's own token (empty: the public cloud's)."""
    entra_timeout: float = 10.0


@dataclass(frozen=True)
class Framework:
    adapter: CloudAdapter
    authentication: ReusingAuthentication
    authenticator: RequestAuthenticator


def framework(identity: BotIdentity, credentials_factory: Any | None = None) -> Framework:
    """The adapter and authentication; `credentials_factory` replaces the Entra credentials of
    outgoing calls (tests sign tokens locally)."""
    authentication = ReusingAuthentication(ConfigurationBotFrameworkAuthentication(
        SimpleNamespace(
            APP_ID=identity.app_id, APP_PASSWORD=identity.password, APP_TYPE=identity.app_type,
            APP_TENANTID=identity.tenant_id, TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=identity.openid_metadata_url,
            TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=identity.token_issuer,
        ),
        credentials_factory=credentials_factory or entra_credentials(identity),
    ))
    return Framework(CloudAdapter(authentication), authentication, request_authenticator(identity, authentication))


def entra_credentials(identity: BotIdentity) -> ServiceClientCredentialsFactory | None:
    """The bot's outgoing credentials for an app id and password; None (botbuilder's own) without an
    app id, or for a managed identity."""
    if not identity.app_id or identity.app_type == "UserAssignedMSI":
        return None
    named = identity.login_url.strip()
    return EntraCredentialsFactory(
        identity.app_id, identity.password,
        authority=named or default_authority(identity.app_type, identity.tenant_id),
        timeout=identity.entra_timeout, named_authority=bool(named),
    )


def request_authenticator(identity: BotIdentity, authentication: ReusingAuthentication) -> RequestAuthenticator:
    if not identity.app_id:
        return RequestAuthenticator(authentication, None)
    keys = ChannelKeys(identity.openid_metadata_url)
    return RequestAuthenticator(authentication, ChannelTokenValidator(identity.app_id, keys, identity.token_issuer))
