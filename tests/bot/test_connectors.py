"""Connector clients are reused across turns; the user-token client is made only when used.

Runs against botbuilder's real ConfigurationBotFrameworkAuthentication (no app id: local mode)."""

from __future__ import annotations

from types import SimpleNamespace

from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity

from bot.transport.connectors import ReusingAuthentication


class CountingAuthentication(ConfigurationBotFrameworkAuthentication):
    """The real authentication, counting the user-token clients it builds."""

    token_clients = 0

    async def create_user_token_client(self, claims_identity):
        type(self).token_clients += 1
        return await super().create_user_token_client(claims_identity)


def authentication() -> ReusingAuthentication:
    configuration = SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")
    return ReusingAuthentication(CountingAuthentication(configuration))


def activity(service_url: str) -> Activity:
    return Activity().deserialize({
        "type": "message", "id": "1", "channelId": "msteams", "serviceUrl": service_url,
        "from": {"id": "29:a"}, "recipient": {"id": "28:b"}, "conversation": {"id": "a:1"},
    })


async def test_one_client_per_service_url_across_turns():
    auth = authentication()
    clients = []
    for _ in range(5):
        result = await auth.authenticate_request(activity("http://127.0.0.1:1/"), "")
        clients.append(await result.connector_factory.create("http://127.0.0.1:1/", result.audience))
    assert all(client is clients[0] for client in clients)
    other = await (await auth.authenticate_request(activity("http://127.0.0.1:2/"), "")).connector_factory.create(
        "http://127.0.0.1:2/", None
    )
    assert other is not clients[0] and other.config.base_url == "http://127.0.0.1:2/"
    result = await auth.authenticate_request(activity("http://127.0.0.1:1/"), "")
    assert await result.connector_factory.create("http://127.0.0.1:1/", result.audience) is clients[0]  # both kept


async def test_proactive_factories_share_the_same_clients():
    auth = authentication()
    result = await auth.authenticate_request(activity("http://127.0.0.1:1/"), "")
    reactive = await result.connector_factory.create("http://127.0.0.1:1/", result.audience)
    proactive = await auth.create_connector_factory(result.claims_identity).create("http://127.0.0.1:1/", result.audience)
    assert proactive is reactive


async def test_user_token_client_is_created_only_when_used():
    CountingAuthentication.token_clients = 0
    auth = authentication()
    result = await auth.authenticate_request(activity("http://127.0.0.1:1/"), "")
    lazy = await auth.create_user_token_client(result.claims_identity)
    assert CountingAuthentication.token_clients == 0
    real = await lazy._real()  # what any of its methods does first (calling one would go to the token service)
    assert CountingAuthentication.token_clients == 1
    assert await lazy._real() is real and CountingAuthentication.token_clients == 1


async def test_a_client_is_handed_out_without_asking_entra_for_a_token():
    """The token is a concern of the send (bot/transport/authorizations.Authorizations), not of the turn: a card action
    answered in its HTTP response needs none."""
    from botframework.connector.auth import ClaimsIdentity, ServiceClientCredentialsFactory

    from loopback.tokens import CountingCredentials

    made: list[CountingCredentials] = []

    class Factory(ServiceClientCredentialsFactory):
        async def is_valid_app_id(self, app_id: str) -> bool:
            return True

        async def is_authentication_disabled(self) -> bool:
            return False

        async def create_credentials(self, app_id, oauth_scope, login_endpoint, validate_authority):
            made.append(CountingCredentials(lifetime=3600))
            return made[-1]

    configuration = SimpleNamespace(APP_ID="bot", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")
    auth = ReusingAuthentication(ConfigurationBotFrameworkAuthentication(configuration, credentials_factory=Factory()))
    identity = ClaimsIdentity({"aud": "bot", "appid": "bot"}, True)
    for _ in range(3):
        client = await auth.create_connector_factory(identity).create("http://127.0.0.1:1/", None)
    (credentials,) = made
    assert client.config.credentials is credentials
    assert credentials.asked == []
