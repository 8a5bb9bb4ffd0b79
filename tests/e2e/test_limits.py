"""The connector against the sandbox's real limits (RELIABILITY.md R5, R6): an outage of
QUERY_LIMIT_EXCEEDED with work queued loses nothing and is probed, not hammered; bulk
work at the bucket edge causes no 503."""

import asyncio

import httpx
import pytest

from connectors.bitrix24 import Bitrix24Client
from sandbox.app import create_app as create_sandbox
from sandbox.settings import SandboxSettings
from tests.e2e.harness import free_port, serve

pytestmark = pytest.mark.e2e


@pytest.fixture
async def sandbox():
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    async with (
        serve(create_sandbox(SandboxSettings(base_url=url)), port),
        httpx.AsyncClient(base_url=url, timeout=30) as control,
    ):
        yield url, control


async def make_portal(control: httpx.AsyncClient, drain: float) -> str:
    portal = (
        await control.post(
            "/_sandbox/portals", json={"code": "lim", "rate_capacity": 50, "rate_per_second": drain}
        )
    ).json()
    return str(portal["webhook_url"])


class TestQueryLimitOutage:
    async def test_queued_calls_all_complete_after_an_outage(self, sandbox) -> None:
        url, control = sandbox
        webhook = await make_portal(control, 50.0)
        host = url.removeprefix("http://")
        async with Bitrix24Client.from_webhook(
            webhook, rate_capacity=50, rate_per_second=50.0, allowed_hosts=[host]
        ) as b24:
            created = await b24.call_many(
                [("crm.deal.add", {"fields": {"TITLE": f"D{i}"}}) for i in range(200)]
            )
            ids = [o.unwrap() for o in created]
            await control.delete("/_sandbox/portals/lim/requests")
            await control.post(
                "/_sandbox/portals/lim/outage", json={"error": "QUERY_LIMIT_EXCEEDED", "seconds": 4}
            )
            updates = [("crm.deal.update", {"id": i, "fields": {"TITLE": "after"}}) for i in ids]
            outcomes = await asyncio.wait_for(b24.call_many(updates), timeout=120)
        assert all(o.ok for o in outcomes)
        log = (await control.get("/_sandbox/portals/lim/requests")).json()["requests"]
        refused = [r for r in log if r["http_status"] == 503]
        assert 1 <= len(refused) <= 12  # probes during the outage, not one per queued call
        assert sum(1 for o in outcomes if o.ok) == 200

    async def test_bulk_work_at_the_bucket_edge_causes_no_503(self, sandbox) -> None:
        url, control = sandbox
        webhook = await make_portal(control, 20.0)
        async with Bitrix24Client.from_webhook(
            webhook,
            rate_capacity=50,
            rate_per_second=20.0,
            allowed_hosts=[url.removeprefix("http://")],
        ) as b24:
            calls = [("crm.deal.add", {"fields": {"TITLE": f"B{i}"}}) for i in range(3500)]
            outcomes = await b24.call_many(calls)  # 70 batch requests: 50 burst + 20 drained
        assert all(o.ok for o in outcomes)
        log = (await control.get("/_sandbox/portals/lim/requests")).json()["requests"]
        assert [r for r in log if r["http_status"] == 503] == []
        assert len(log) == 70
