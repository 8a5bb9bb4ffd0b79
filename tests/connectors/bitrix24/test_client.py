"""Single calls through Bitrix24Client: transport, errors, retries, limits, redirects."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import respx

from connectors.bitrix24 import (
    Bitrix24Client,
    ClientSettings,
    HostNotAllowedError,
    NotFoundError,
    Priority,
    ServerError,
    TransportError,
)
from tests.connectors.bitrix24.support import (
    WEBHOOK,
    Envelope,
    FakePortal,
    PortalError,
    VirtualClock,
)


class RecordingObserver:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.waits: list[float] = []

    def request_finished(self, method: str, status: str, seconds: float) -> None:
        self.requests.append((method, status))

    def limiter_waited(self, portal_key: str, seconds: float) -> None:
        self.waits.append(seconds)


def make_client(clock: VirtualClock, http: httpx.AsyncClient, **kwargs: Any) -> Bitrix24Client:
    return Bitrix24Client.from_webhook(WEBHOOK, http=http, clock=clock, **kwargs)


class TestCall:
    async def test_returns_the_result_of_a_json_post(
        self, clock: VirtualClock, http: httpx.AsyncClient, router: respx.MockRouter
    ) -> None:
        route = router.post(f"{WEBHOOK}crm.deal.get").respond(
            json={"result": {"ID": "1", "TITLE": "Deal"}, "time": {"operating": 0.1}}
        )
        async with make_client(clock, http) as b24:
            deal = await clock.run(b24.call("crm.deal.get", {"id": 1}))
        assert deal == {"ID": "1", "TITLE": "Deal"}
        request = route.calls.last.request
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.content) == {"id": 1}
        assert "auth" not in request.url.params

    async def test_typed_error_carries_method_not_params(
        self, clock: VirtualClock, http: httpx.AsyncClient, router: respx.MockRouter
    ) -> None:
        router.post(f"{WEBHOOK}crm.deal.get").respond(
            400, json={"error": "", "error_description": "Not found"}
        )
        async with make_client(clock, http) as b24:
            with pytest.raises(NotFoundError) as caught:
                await clock.run(b24.call("crm.deal.get", {"id": 987654}))
        assert caught.value.method == "crm.deal.get"
        assert "987654" not in str(caught.value)

    async def test_server_errors_are_retried_for_reads(
        self, clock: VirtualClock, http: httpx.AsyncClient, router: respx.MockRouter
    ) -> None:
        route = router.post(f"{WEBHOOK}crm.deal.get").mock(
            side_effect=[
                httpx.Response(500, json={"error": "INTERNAL_SERVER_ERROR"}),
                httpx.Response(502, text="<html>bad gateway</html>"),
                httpx.Response(200, json={"result": {"ID": "1"}}),
            ]
        )
        async with make_client(clock, http) as b24:
            assert await clock.run(b24.call("crm.deal.get", {"id": 1})) == {"ID": "1"}
        assert route.call_count == 3

    async def test_server_errors_are_not_retried_for_adds(
        self, clock: VirtualClock, http: httpx.AsyncClient, router: respx.MockRouter
    ) -> None:
        route = router.post(f"{WEBHOOK}crm.deal.add").respond(
            500, json={"error": "INTERNAL_SERVER_ERROR"}
        )
        async with make_client(clock, http) as b24:
            with pytest.raises(ServerError):
                await clock.run(b24.call("crm.deal.add", {"fields": {}}))
        assert route.call_count == 1

    async def test_retries_stop_after_the_configured_attempts(
        self, clock: VirtualClock, http: httpx.AsyncClient, router: respx.MockRouter
    ) -> None:
        route = router.post(f"{WEBHOOK}crm.deal.get").respond(
            500, json={"error": "INTERNAL_SERVER_ERROR"}
        )
        settings = ClientSettings(max_attempts=3)
        async with make_client(clock, http, settings=settings) as b24:
            with pytest.raises(ServerError):
                await clock.run(b24.call("crm.deal.get", {"id": 1}))
        assert route.call_count == 3

    async def test_no_httpx_exception_leaves_the_package(
        self, clock: VirtualClock, http: httpx.AsyncClient, router: respx.MockRouter
    ) -> None:
        router.post(f"{WEBHOOK}crm.deal.add").mock(side_effect=httpx.ReadTimeout("slow"))
        async with make_client(clock, http) as b24:
            with pytest.raises(TransportError) as caught:
                await clock.run(b24.call("crm.deal.add", {"fields": {}}))
        assert caught.value.request_sent
        assert isinstance(caught.value.__cause__, httpx.ReadTimeout)

    async def test_connect_errors_are_retried_even_for_adds(
        self, clock: VirtualClock, http: httpx.AsyncClient, router: respx.MockRouter
    ) -> None:
        route = router.post(f"{WEBHOOK}crm.deal.add").mock(
            side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json={"result": 7})]
        )
        async with make_client(clock, http) as b24:
            assert await clock.run(b24.call("crm.deal.add", {"fields": {}})) == 7
        assert route.call_count == 2

    async def test_observer_sees_each_request_and_limiter_waits(
        self, clock: VirtualClock, http: httpx.AsyncClient, portal: FakePortal
    ) -> None:
        portal.handlers["crm.deal.get"] = lambda params: {"ID": params["id"]}
        observer = RecordingObserver()
        async with make_client(clock, http, observer=observer, rate_capacity=5) as b24:
            for _ in range(6):
                await clock.run(b24.call("crm.deal.get", {"id": 1}))
        assert observer.requests == [("crm.deal.get", "200")] * 6
        assert observer.waits and all(w > 0 for w in observer.waits)


class TestConstruction:
    def test_a_foreign_webhook_is_refused_before_any_request(self) -> None:
        with pytest.raises(HostNotAllowedError):
            Bitrix24Client.from_webhook("https://evil.io/rest/1/code/")

    def test_plain_http_needs_an_allowed_host(self) -> None:
        with pytest.raises(HostNotAllowedError):
            Bitrix24Client.from_webhook("http://127.0.0.1:8001/rest/1/code/")
        client = Bitrix24Client.from_webhook(
            "http://127.0.0.1:8001/rest/1/code/", allowed_hosts=["127.0.0.1:8001"]
        )
        assert client.portal_key == "127.0.0.1:8001"


class TestRateLimits:
    async def test_a_503_pauses_and_the_call_is_retried(
        self, clock: VirtualClock, http: httpx.AsyncClient, portal: FakePortal
    ) -> None:
        portal.handlers["crm.deal.get"] = lambda params: {"ID": "1"}
        portal.outage_until = clock.now() + 5
        async with make_client(clock, http) as b24:
            assert await clock.run(b24.call("crm.deal.get", {"id": 1})) == {"ID": "1"}
        statuses = [s.status for s in portal.seen]
        assert statuses[-1] == 200 and set(statuses[:-1]) == {503}
        assert len(statuses) <= 5  # one probe per backoff step: ~1, 2, 4 s

    async def test_429_pauses_only_that_method_until_the_reset(
        self, clock: VirtualClock, http: httpx.AsyncClient, portal: FakePortal
    ) -> None:
        reset_at = clock.now() + 120
        blocked = {"on": False}

        def item_list(params: dict[str, Any]) -> Any:
            if blocked["on"] and clock.now() < reset_at:
                raise PortalError("OPERATION_TIME_LIMIT", "blocked", 429)
            return Envelope([], {"time": {"operating": 100.0, "operating_reset_at": reset_at}})

        portal.handlers["crm.item.list"] = item_list
        portal.handlers["crm.deal.get"] = lambda params: {"ID": "1"}
        other_done: list[float] = []

        async def scenario(b24: Bitrix24Client) -> None:
            await b24.call("crm.item.list", {"entityTypeId": 2})
            blocked["on"] = True
            listing = asyncio.ensure_future(b24.call("crm.item.list", {"entityTypeId": 2}))
            await clock.sleep(1)
            await b24.call("crm.deal.get", {"id": 1})
            other_done.append(clock.now())
            await listing

        async with make_client(clock, http) as b24:
            start = clock.now()
            await clock.run(scenario(b24))
        item_calls = [s for s in portal.seen if s.method == "crm.item.list"]
        assert [s.status for s in item_calls] == [200, 429, 200]
        assert item_calls[-1].at >= reset_at  # retried at operating_reset_at, not before
        assert other_done[0] - start < 2  # other methods keep flowing

    async def test_operating_time_near_the_budget_slows_the_method(
        self, clock: VirtualClock, http: httpx.AsyncClient, portal: FakePortal
    ) -> None:
        reset_at = clock.now() + 300
        portal.handlers["crm.item.list"] = lambda params: Envelope(
            [], {"time": {"operating": 460.0, "operating_reset_at": reset_at}}
        )
        async with make_client(clock, http) as b24:
            await clock.run(b24.call("crm.item.list", {}))
            await clock.run(b24.call("crm.item.list", {}))
        calls = [s.at for s in portal.seen]
        assert calls[1] >= reset_at  # 460 of 480 s: hold until the oldest minute drops out


class TestDomainChange:
    async def test_a_302_to_an_allowed_host_is_re_posted_and_remembered(
        self, clock: VirtualClock, http: httpx.AsyncClient, router: respx.MockRouter
    ) -> None:
        new = "https://renamed.bitrix24.ru/rest/1/wh0secretcode42/"
        router.post(f"{WEBHOOK}crm.deal.update").respond(
            302, headers={"Location": f"{new}crm.deal.update"}
        )
        moved = router.post(f"{new}crm.deal.update").respond(json={"result": True})
        again = router.post(f"{new}crm.deal.get").respond(json={"result": {"ID": "1"}})
        params = {"id": 1, "fields": {"TITLE": "x"}}
        async with make_client(clock, http) as b24:
            assert await clock.run(b24.call("crm.deal.update", params)) is True
            await clock.run(b24.call("crm.deal.get", {"id": 1}))
        assert moved.calls.last.request.method == "POST"
        assert json.loads(moved.calls.last.request.content) == params
        assert again.call_count == 1

    async def test_a_302_to_a_foreign_host_is_refused_without_a_request(
        self, clock: VirtualClock, http: httpx.AsyncClient, router: respx.MockRouter
    ) -> None:
        router.post(f"{WEBHOOK}crm.deal.get").respond(
            302, headers={"Location": "https://evil.io/rest/1/x/crm.deal.get"}
        )
        evil = router.post(url__startswith="https://evil.io/").respond(json={"result": 1})
        async with make_client(clock, http) as b24:
            with pytest.raises(HostNotAllowedError):
                await clock.run(b24.call("crm.deal.get", {"id": 1}))
        assert evil.call_count == 0


class TestPriority:
    async def test_interactive_calls_overtake_queued_bulk_calls(
        self, clock: VirtualClock, http: httpx.AsyncClient, portal: FakePortal
    ) -> None:
        portal.handlers["crm.deal.update"] = lambda params: True
        portal.handlers["crm.deal.get"] = lambda params: {"ID": "1"}

        async def scenario(b24: Bitrix24Client) -> None:
            bulk = [
                asyncio.ensure_future(b24.call("crm.deal.update", {"id": i})) for i in range(20)
            ]
            await clock.sleep(0.1)
            await b24.call("crm.deal.get", {"id": 1}, priority=Priority.INTERACTIVE)
            await asyncio.gather(*bulk)

        settings = ClientSettings(jitter_seconds=0, capacity_margin=2)
        async with make_client(
            clock, http, rate_capacity=5, rate_per_second=1.0, settings=settings
        ) as b24:
            await clock.run(scenario(b24))
        order = [s.method for s in portal.seen]
        # 3 bulk calls fit the burst (5 minus the margin of 2); the click goes next.
        assert order.index("crm.deal.get") == 3
