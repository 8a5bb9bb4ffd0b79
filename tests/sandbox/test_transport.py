"""Limits and transport: a neighbour app on the same bucket, a shrinkable operating window,
HTTPS required, a domain change answered by 302, tokens bound to their portal."""

import httpx

from sandbox.clock import FakeClock
from tests.sandbox.conftest import issue_token


async def configure(client: httpx.AsyncClient, **changes: object) -> None:
    response = await client.patch("/_sandbox/portals/demo/config", json=changes)
    assert response.status_code == 200, response.text


class TestNeighbourTraffic:
    async def test_another_apps_burst_leaves_less_room_for_ours(
        self, client: httpx.AsyncClient, webhook: str, clock: FakeClock
    ) -> None:
        await configure(client, rate_capacity=5, rate_per_second=1)
        shared = await client.post("/_sandbox/portals/demo/neighbour", json={"requests": 4})
        assert shared.json()["level"] == 4
        statuses = [
            (await client.post(f"{webhook}server.time", json={})).status_code for _ in range(2)
        ]
        assert statuses == [200, 503]
        clock.advance(1)
        assert (await client.post(f"{webhook}server.time", json={})).status_code == 200

    async def test_a_steady_neighbour_keeps_the_bucket_from_draining(
        self, client: httpx.AsyncClient, webhook: str, clock: FakeClock
    ) -> None:
        await configure(client, rate_capacity=3, rate_per_second=1)
        await client.post("/_sandbox/portals/demo/neighbour", json={"requests": 3, "per_second": 1})
        clock.advance(30)
        refused = await client.post(f"{webhook}server.time", json={})
        assert refused.json()["error"] == "QUERY_LIMIT_EXCEEDED"
        await client.post("/_sandbox/portals/demo/neighbour", json={"per_second": 0})
        clock.advance(1)
        assert (await client.post(f"{webhook}server.time", json={})).status_code == 200


class TestOperatingWindow:
    async def test_a_shrunk_window_releases_the_method_sooner(
        self, client: httpx.AsyncClient, webhook: str, clock: FakeClock
    ) -> None:
        await configure(
            client,
            operating_limit_seconds=5,
            method_cost_seconds={"crm.deal.list": 6},
            operating_window_seconds=20,
            operating_basket_seconds=2,
        )
        first = (await client.post(f"{webhook}crm.deal.list", json={})).json()
        assert first["time"]["operating_reset_at"] == int(clock.now().timestamp()) + 20
        blocked = await client.post(f"{webhook}crm.deal.list", json={})
        assert blocked.status_code == 429
        clock.advance(20)
        assert (await client.post(f"{webhook}crm.deal.list", json={})).status_code == 200

    async def test_the_window_must_be_positive(self, client: httpx.AsyncClient) -> None:
        response = await client.patch(
            "/_sandbox/portals/demo/config", json={"operating_window_seconds": 0}
        )
        assert response.status_code == 422


class TestHttpsRequired:
    async def test_plain_http_is_refused_when_switched_on(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        await configure(client, https_required=True)
        refused = await client.post(f"{webhook}server.time", json={})
        assert (refused.status_code, refused.json()) == (
            400,
            {"error": "INVALID_REQUEST", "error_description": "Https required"},
        )
        behind_tls = await client.post(
            f"{webhook}server.time", json={}, headers={"X-Forwarded-Proto": "https"}
        )
        assert behind_tls.status_code == 200


class TestDomainChange:
    async def test_the_old_address_answers_302_to_the_new_one(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        tokens = await issue_token(client)
        moved = await client.post("/_sandbox/portals/demo/move", json={"address": "renamed"})
        assert moved.json()["client_endpoint"] == "http://127.0.0.1:8001/p/renamed/rest/"
        old = await client.post(
            "/p/demo/rest/crm.deal.get?x=1", json={"id": 1, "auth": tokens["access_token"]}
        )
        assert old.status_code == 302
        assert old.headers["location"] == "http://127.0.0.1:8001/p/renamed/rest/crm.deal.get?x=1"
        root = await client.post("/rest/server.time", json={"auth": tokens["access_token"]})
        assert root.headers["location"].startswith("http://127.0.0.1:8001/p/renamed/rest/")
        new = await client.post(
            "/p/renamed/rest/crm.deal.get", json={"id": 1, "auth": tokens["access_token"]}
        )
        assert new.json()["result"]["ID"] == "1"
        hook = webhook.replace("/p/demo/", "/p/renamed/")
        assert (await client.post(f"{hook}server.time", json={})).status_code == 200
        portal = (await client.get("/_sandbox/portals/demo")).json()
        assert portal["webhook_url"].startswith("http://127.0.0.1:8001/p/renamed/rest/")

    async def test_an_address_of_another_portal_is_refused(self, client: httpx.AsyncClient) -> None:
        await client.post("/_sandbox/portals", json={"code": "b", "seed": False})
        taken = await client.post("/_sandbox/portals/demo/move", json={"address": "b"})
        assert taken.status_code == 409


class TestPortalsKeepTheirTokens:
    async def test_a_token_of_portal_b_does_not_work_at_portal_as_address(
        self, client: httpx.AsyncClient
    ) -> None:
        await client.post("/_sandbox/portals", json={"code": "b", "seed": False})
        b_token = (await issue_token(client, portal="b"))["access_token"]
        a_token = (await issue_token(client))["access_token"]
        refused = await client.post("/p/demo/rest/user.current", json={"auth": b_token})
        assert (refused.status_code, refused.json()["error"]) == (401, "NO_AUTH_FOUND")
        also = await client.post("/p/b/rest/user.current", json={"auth": a_token})
        assert also.json()["error"] == "NO_AUTH_FOUND"
