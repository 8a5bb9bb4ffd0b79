"""Leaky bucket, operating-time limit, outages, token expiry and refresh rotation."""

import httpx

from sandbox.clock import FakeClock
from tests.sandbox.conftest import call, issue_token


class TestLeakyBucket:
    async def test_burst_over_capacity_is_refused_and_not_executed(
        self, client: httpx.AsyncClient, webhook: str, clock: FakeClock
    ) -> None:
        await client.patch(
            "/_sandbox/portals/demo/config", json={"rate_capacity": 3, "rate_per_second": 1}
        )
        statuses = [
            (
                await client.post(f"{webhook}crm.deal.add", json={"fields": {"TITLE": f"d{i}"}})
            ).status_code
            for i in range(4)
        ]
        assert statuses == [200, 200, 200, 503]
        titles = [
            d["TITLE"]
            for d in (
                await client.post(
                    "/_sandbox/portals/demo/act", json={"method": "crm.deal.list", "params": {}}
                )
            ).json()["result"]
        ]
        assert "d3" not in titles and "d2" in titles
        clock.advance(1)
        assert (await client.post(f"{webhook}user.current", json={})).status_code == 200
        refused = (await client.get("/_sandbox/portals/demo/requests")).json()["requests"][3]
        assert (refused["http_status"], refused["error"]) == (503, "QUERY_LIMIT_EXCEEDED")

    async def test_the_request_log_shows_the_counter_after_each_request(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        await client.patch(
            "/_sandbox/portals/demo/config", json={"rate_capacity": 3, "rate_per_second": 1}
        )
        for _ in range(4):
            await client.post(f"{webhook}user.current", json={})
        log = (await client.get("/_sandbox/portals/demo/requests")).json()["requests"]
        assert [r["bucket_level"] for r in log[-4:]] == [1.0, 2.0, 3.0, None]

    async def test_limits_can_be_switched_off(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        await client.patch(
            "/_sandbox/portals/demo/config", json={"rate_capacity": 1, "limits_enabled": False}
        )
        statuses = {
            (await client.post(f"{webhook}user.current", json={})).status_code for _ in range(5)
        }
        assert statuses == {200}


class TestOperatingLimit:
    async def test_method_blocked_after_budget_and_released_at_reset(
        self, client: httpx.AsyncClient, webhook: str, clock: FakeClock
    ) -> None:
        config = {
            "operating_limit_seconds": 10,
            "method_cost_seconds": {"crm.deal.list": 6},
            "rate_capacity": 1000,
        }
        await client.patch("/_sandbox/portals/demo/config", json=config)
        first = (await client.post(f"{webhook}crm.deal.list", json={})).json()
        assert first["time"]["operating"] == 6
        clock.advance(61)
        second = await client.post(f"{webhook}crm.deal.list", json={})
        assert second.status_code == 200 and second.json()["time"]["operating"] == 12
        blocked = await client.post(f"{webhook}crm.deal.list", json={})
        assert (blocked.status_code, blocked.json()["error"]) == (429, "OPERATION_TIME_LIMIT")
        assert (await client.post(f"{webhook}crm.deal.get", json={"id": 1})).status_code == 200
        assert "time" not in blocked.json()  # an error body has none (REST_FACTS §2)
        reset_at = second.json()["time"]["operating_reset_at"]  # the last success says when
        clock.advance(reset_at - clock.now().timestamp())
        released = await client.post(f"{webhook}crm.deal.list", json={})
        assert released.status_code == 200


class TestOutage:
    async def test_outage_answers_the_error_with_its_status_until_ended(
        self, client: httpx.AsyncClient, webhook: str
    ) -> None:
        await client.post(
            "/_sandbox/portals/demo/outage",
            json={"error": "OVERLOAD_LIMIT", "seconds": 60, "methods": ["crm.deal.get"]},
        )
        blocked = await client.post(f"{webhook}crm.deal.get", json={"id": 1})
        assert (blocked.status_code, blocked.json()["error"]) == (503, "OVERLOAD_LIMIT")
        assert (await client.post(f"{webhook}user.current", json={})).status_code == 200
        await client.post("/_sandbox/portals/demo/outage", json={"seconds": 0})
        assert (await client.post(f"{webhook}crm.deal.get", json={"id": 1})).status_code == 200


class TestOAuth:
    async def test_expired_token_then_refresh_rotates_and_reuse_is_invalid_grant(
        self, client: httpx.AsyncClient, clock: FakeClock
    ) -> None:
        tokens = await issue_token(client)
        clock.advance(3601)
        expired = await call(client, "user.current", auth=tokens["access_token"])
        assert (expired.status_code, expired.json()["error"]) == (401, "expired_token")
        query = {
            "grant_type": "refresh_token",
            "client_id": "local.b24bridge",
            "client_secret": "sandbox-secret",
            "refresh_token": tokens["refresh_token"],
        }
        fresh = (await client.get("/oauth/token/", params=query)).json()
        assert fresh["refresh_token"] != tokens["refresh_token"] and fresh["expires_in"] == 3600
        assert (
            fresh["client_endpoint"] == "http://127.0.0.1:8001/p/demo/rest/"
            and fresh["member_id"]
            and fresh["user_id"] == 1
        )
        assert (await call(client, "user.current", auth=fresh["access_token"])).status_code == 200
        reused = await client.post("/oauth/token/", data=query)
        assert reused.json()["error"] == "invalid_grant"

    async def test_reuse_allowed_when_switch_is_off_and_bad_client_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        await client.patch(
            "/_sandbox/portals/demo/config", json={"reject_reused_refresh_tokens": False}
        )
        tokens = await issue_token(client)
        query = {
            "grant_type": "refresh_token",
            "client_id": "local.b24bridge",
            "client_secret": "sandbox-secret",
            "refresh_token": tokens["refresh_token"],
        }
        for _ in range(2):
            assert "access_token" in (await client.get("/oauth/token/", params=query)).json()
        wrong = await client.get("/oauth/token/", params=query | {"client_secret": "x"})
        assert wrong.json()["error"] == "invalid_client"

    async def test_expire_tokens_control_route(self, client: httpx.AsyncClient, token: str) -> None:
        await client.post("/_sandbox/portals/demo/expire-tokens")
        assert (await call(client, "user.current", auth=token)).json()["error"] == "expired_token"
