"""OAuth: refresh only on expired_token, once per portal, persisted before use."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import respx

from connectors.bitrix24 import (
    AuthError,
    Bitrix24Client,
    HostNotAllowedError,
    InMemoryTokenStore,
    OAuthTokens,
)
from tests.connectors.bitrix24.support import PORTAL, VirtualClock

OAUTH = "https://oauth.bitrix.info"
MEMBER = "a223c6b3710f85df22e9377d6c4f7553"


class OAuthPortal:
    """Portal + authorization server: one live access token, rotating refresh tokens."""

    def __init__(self, store: InMemoryTokenStore) -> None:
        self.store = store
        self.access = "access-old-1111"
        self.refresh = "refresh-old-2222"
        self.refreshes: list[httpx.Request] = []
        self.saved_before_use: list[bool] = []
        self.endpoint = f"{PORTAL}/rest/"

    def rest(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body.get("auth") != self.access:
            return httpx.Response(401, json={"error": "expired_token", "error_description": "x"})
        self.saved_before_use.append(self.store.tokens[MEMBER].access_token == self.access)
        return httpx.Response(200, json={"result": {"ID": str(body.get("id"))}})

    def token(self, request: httpx.Request) -> httpx.Response:
        self.refreshes.append(request)
        params = request.url.params
        if (
            params.get("refresh_token") != self.refresh
            or params.get("client_secret") != "s3cr3t-app"
        ):
            return httpx.Response(400, json={"error": "invalid_grant", "error_description": "bad"})
        number = len(self.refreshes)
        self.access, self.refresh = f"access-new-{number}xyz", f"refresh-new-{number}xyz"
        return httpx.Response(
            200,
            json={
                "access_token": self.access,
                "refresh_token": self.refresh,
                "client_endpoint": self.endpoint,
                "member_id": MEMBER,
                "domain": "oauth.bitrix.info",
                "expires": 1780319382,
                "expires_in": 3600,
            },
        )


@pytest.fixture
def store() -> InMemoryTokenStore:
    return InMemoryTokenStore(
        {
            MEMBER: OAuthTokens(
                access_token="access-old-1111",
                refresh_token="refresh-old-2222",
                client_endpoint=f"{PORTAL}/rest/",
                member_id=MEMBER,
            )
        }
    )


@pytest.fixture
def oauth_portal(store: InMemoryTokenStore, router: respx.MockRouter) -> OAuthPortal:
    fake = OAuthPortal(store)
    router.post(url__startswith=f"{PORTAL}/rest/").mock(side_effect=fake.rest)
    router.get(f"{OAUTH}/oauth/token/").mock(side_effect=fake.token)
    return fake


def oauth_client(
    store: InMemoryTokenStore, clock: VirtualClock, http: httpx.AsyncClient, **kwargs: Any
) -> Bitrix24Client:
    return Bitrix24Client.from_oauth(
        MEMBER,
        store,
        client_id="local.app",
        client_secret="s3cr3t-app",
        http=http,
        clock=clock,
        **kwargs,
    )


class TestRefresh:
    async def test_auth_travels_in_the_json_body_not_the_url(
        self,
        store: InMemoryTokenStore,
        oauth_portal: OAuthPortal,
        clock: VirtualClock,
        http: httpx.AsyncClient,
        router: respx.MockRouter,
    ) -> None:
        oauth_portal.access = "access-old-1111"
        async with oauth_client(store, clock, http) as b24:
            await clock.run(b24.call("crm.deal.get", {"id": 1}))
        request = router.calls.last.request
        assert "auth" not in request.url.params
        assert json.loads(request.content)["auth"] == "access-old-1111"
        assert oauth_portal.refreshes == []  # never refreshed ahead of time

    async def test_eight_concurrent_expired_calls_cause_exactly_one_refresh(
        self,
        store: InMemoryTokenStore,
        oauth_portal: OAuthPortal,
        clock: VirtualClock,
        http: httpx.AsyncClient,
    ) -> None:
        oauth_portal.access = "access-issued-elsewhere"  # the stored token has expired
        oauth_portal.refresh = "refresh-old-2222"
        async with oauth_client(store, clock, http) as b24:
            calls = [b24.call("crm.deal.get", {"id": i}) for i in range(8)]
            results = await clock.run(asyncio.gather(*calls))
        assert results == [{"ID": str(i)} for i in range(8)]
        assert len(oauth_portal.refreshes) == 1
        refresh = oauth_portal.refreshes[0].url.params
        assert refresh["grant_type"] == "refresh_token"
        assert refresh["client_id"] == "local.app"
        assert store.saves == 1
        assert store.tokens[MEMBER].refresh_token == "refresh-new-1xyz"
        assert all(oauth_portal.saved_before_use)

    async def test_a_refused_refresh_is_an_auth_error_without_retry(
        self,
        store: InMemoryTokenStore,
        oauth_portal: OAuthPortal,
        clock: VirtualClock,
        http: httpx.AsyncClient,
    ) -> None:
        oauth_portal.access = "access-issued-elsewhere"
        oauth_portal.refresh = "refresh-someone-else-rotated"
        async with oauth_client(store, clock, http) as b24:
            with pytest.raises(AuthError) as caught:
                await clock.run(b24.call("crm.deal.get", {"id": 1}))
        assert caught.value.code == "invalid_grant"
        assert len(oauth_portal.refreshes) == 1

    async def test_the_call_is_retried_only_once_after_a_refresh(
        self,
        store: InMemoryTokenStore,
        clock: VirtualClock,
        http: httpx.AsyncClient,
        router: respx.MockRouter,
    ) -> None:
        rest = router.post(url__startswith=f"{PORTAL}/rest/").respond(
            401, json={"error": "expired_token"}
        )
        router.get(f"{OAUTH}/oauth/token/").respond(
            json={"access_token": "a-2-long", "refresh_token": "r-2-long"}
        )
        async with oauth_client(store, clock, http) as b24:
            with pytest.raises(AuthError):
                await clock.run(b24.call("crm.deal.get", {"id": 1}))
        assert rest.call_count == 2

    async def test_the_answer_s_client_endpoint_is_trusted(
        self,
        store: InMemoryTokenStore,
        oauth_portal: OAuthPortal,
        clock: VirtualClock,
        http: httpx.AsyncClient,
        router: respx.MockRouter,
    ) -> None:
        moved = "https://moved.bitrix24.ru/rest/"
        oauth_portal.access = "access-issued-elsewhere"
        oauth_portal.endpoint = moved
        new_host = router.post(url__startswith=moved).mock(side_effect=oauth_portal.rest)
        async with oauth_client(store, clock, http) as b24:
            await clock.run(b24.call("crm.deal.get", {"id": 1}))
        assert new_host.call_count == 1
        assert store.tokens[MEMBER].client_endpoint == moved

    async def test_refresh_goes_only_to_an_allowed_oauth_server(
        self,
        store: InMemoryTokenStore,
        clock: VirtualClock,
        http: httpx.AsyncClient,
        router: respx.MockRouter,
    ) -> None:
        router.post(url__startswith=f"{PORTAL}/rest/").respond(401, json={"error": "expired_token"})
        async with oauth_client(store, clock, http, oauth_url="https://oauth.evil.io") as b24:
            with pytest.raises(HostNotAllowedError):
                await clock.run(b24.call("crm.deal.get", {"id": 1}))

    async def test_a_loopback_oauth_server_needs_explicit_allowance(
        self, clock: VirtualClock, http: httpx.AsyncClient, router: respx.MockRouter
    ) -> None:
        sandbox = "http://127.0.0.1:8001"
        store = InMemoryTokenStore(
            {MEMBER: OAuthTokens("old-token-1", "old-refresh-1", f"{sandbox}/p/demo/rest/", MEMBER)}
        )
        router.post(f"{sandbox}/p/demo/rest/user.current").mock(
            side_effect=[
                httpx.Response(401, json={"error": "expired_token"}),
                httpx.Response(200, json={"result": {"ID": "1"}}),
            ]
        )
        token = router.get(f"{sandbox}/oauth/token/").respond(
            json={"access_token": "new-token-1", "refresh_token": "new-refresh-1"}
        )
        async with oauth_client(
            store, clock, http, oauth_url=sandbox, allowed_hosts=["127.0.0.1:8001"]
        ) as b24:
            assert await clock.run(b24.call("user.current")) == {"ID": "1"}
        assert token.call_count == 1


class TestDomainChangeWithOAuth:
    async def test_the_new_endpoint_is_reported_to_the_token_store(
        self,
        store: InMemoryTokenStore,
        clock: VirtualClock,
        http: httpx.AsyncClient,
        router: respx.MockRouter,
    ) -> None:
        router.post(f"{PORTAL}/rest/crm.deal.get").respond(
            302, headers={"Location": "https://new-name.bitrix24.ru/rest/crm.deal.get"}
        )
        new = router.post("https://new-name.bitrix24.ru/rest/crm.deal.get").respond(
            json={"result": {"ID": "1"}}
        )
        async with oauth_client(store, clock, http) as b24:
            await clock.run(b24.call("crm.deal.get", {"id": 1}))
        assert store.tokens[MEMBER].client_endpoint == "https://new-name.bitrix24.ru/rest/"
        assert json.loads(new.calls.last.request.content)["auth"] == "access-old-1111"


class TestInstallTimeRefresh:
    async def test_refresh_tokens_returns_the_oauth_servers_identity_and_persists_it(
        self,
        store: InMemoryTokenStore,
        oauth_portal: OAuthPortal,
        clock: VirtualClock,
        http: httpx.AsyncClient,
    ) -> None:
        oauth_portal.refresh = "refresh-old-2222"
        async with oauth_client(store, clock, http) as b24:
            fresh = await clock.run(b24.refresh_tokens())
        assert len(oauth_portal.refreshes) == 1
        assert fresh.member_id == MEMBER
        assert store.tokens[MEMBER] == fresh

    async def test_a_webhook_client_has_nothing_to_refresh(self, http: httpx.AsyncClient) -> None:
        client = Bitrix24Client.from_webhook("https://p.bitrix24.ru/rest/1/abc123/", http=http)
        with pytest.raises(AuthError):
            await client.refresh_tokens()
