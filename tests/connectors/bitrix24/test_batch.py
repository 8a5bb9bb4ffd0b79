"""call_many packs calls into batches; batch() runs dependent named commands."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from connectors.bitrix24 import (
    AuthError,
    Bitrix24Client,
    Call,
    NotFoundError,
    PermissionDeniedError,
)
from connectors.bitrix24.batch import batch_body
from tests.connectors.bitrix24.support import (
    WEBHOOK,
    FakePortal,
    PortalError,
    VirtualClock,
    php_parse,
)


def make_client(clock: VirtualClock, http: httpx.AsyncClient, **kwargs: Any) -> Bitrix24Client:
    return Bitrix24Client.from_webhook(WEBHOOK, http=http, clock=clock, **kwargs)


class Deals:
    """A tiny deal store behind the fake portal's handlers."""

    def __init__(self, portal: FakePortal) -> None:
        self.titles: dict[int, str] = {}
        self.received: list[dict[str, Any]] = []
        portal.handlers["crm.deal.update"] = self.update
        portal.handlers["crm.deal.get"] = self.get

    def update(self, params: dict[str, Any]) -> bool:
        self.received.append(params)
        deal_id = int(params["id"])
        if deal_id < 0:
            raise PortalError("", "Not found", 400)
        if deal_id == 13:
            raise PortalError("ACCESS_DENIED", "Access denied", 403)
        self.titles[deal_id] = params["fields"]["TITLE"]
        return True

    def get(self, params: dict[str, Any]) -> dict[str, Any]:
        deal_id = int(params["id"])
        if deal_id not in self.titles:
            raise PortalError("", "Not found", 400)
        return {"ID": str(deal_id), "TITLE": self.titles[deal_id]}


class TestCallMany:
    async def test_outcomes_come_back_in_order_one_per_call(
        self, clock: VirtualClock, http: httpx.AsyncClient, portal: FakePortal
    ) -> None:
        deals = Deals(portal)
        ids = range(100, 220)
        calls = [("crm.deal.update", {"id": i, "fields": {"TITLE": f"T{i}"}}) for i in ids]
        async with make_client(clock, http) as b24:
            outcomes = await clock.run(b24.call_many(calls))
        assert [o.value for o in outcomes] == [True] * 120
        assert deals.titles == {i: f"T{i}" for i in ids}
        assert [s.method for s in portal.seen] == ["batch"] * 3  # 50 + 50 + 20

    async def test_one_failing_command_does_not_fail_the_others(
        self, clock: VirtualClock, http: httpx.AsyncClient, portal: FakePortal
    ) -> None:
        Deals(portal)
        calls = [
            ("crm.deal.update", {"id": 1, "fields": {"TITLE": "a"}}),
            ("crm.deal.update", {"id": -5, "fields": {"TITLE": "b"}}),
            ("crm.deal.update", {"id": 13, "fields": {"TITLE": "c"}}),
            ("crm.deal.update", {"id": 2, "fields": {"TITLE": "d"}}),
        ]
        async with make_client(clock, http) as b24:
            outcomes = await clock.run(b24.call_many(calls))
        assert [o.ok for o in outcomes] == [True, False, False, True]
        assert isinstance(outcomes[1].error, NotFoundError)
        assert isinstance(outcomes[2].error, PermissionDeniedError)
        assert outcomes[2].error.method == "crm.deal.update"
        with pytest.raises(NotFoundError):
            outcomes[1].unwrap()

    async def test_parameters_reach_the_portal_exactly(
        self, clock: VirtualClock, http: httpx.AsyncClient, portal: FakePortal
    ) -> None:
        deals = Deals(portal)
        fields = {
            "TITLE": "Закупка & «кит» = 5 > 3",
            "UF_LIST": ["a", "b&c"],
            "UF_EMPTY": [],
            "COMMENTS": None,
            "OPENED": True,
        }
        calls = [("crm.deal.update", {"id": i, "fields": fields}) for i in (1, 2)]
        async with make_client(clock, http) as b24:
            await clock.run(b24.call_many(calls))
        assert deals.received[0]["fields"] == {
            "TITLE": "Закупка & «кит» = 5 > 3",
            "UF_LIST": {"0": "a", "1": "b&c"},
            "UF_EMPTY": "",
            "COMMENTS": "",
            "OPENED": "1",
        }

    async def test_commands_refused_for_rate_reasons_are_retried(
        self, clock: VirtualClock, http: httpx.AsyncClient, portal: FakePortal
    ) -> None:
        deals = Deals(portal)
        refused = {"left": 2}
        original = portal.handlers["crm.deal.update"]

        def sometimes_refused(params: dict[str, Any]) -> Any:
            if int(params["id"]) % 2 and refused["left"]:
                refused["left"] -= 1
                raise PortalError("QUERY_LIMIT_EXCEEDED", "Too many requests", 503)
            return original(params)

        portal.handlers["crm.deal.update"] = sometimes_refused
        calls = [("crm.deal.update", {"id": i, "fields": {"TITLE": "x"}}) for i in range(6)]
        async with make_client(clock, http) as b24:
            outcomes = await clock.run(b24.call_many(calls))
        assert all(o.ok for o in outcomes)
        assert sorted(deals.titles) == list(range(6))
        assert len(portal.seen) == 2

    async def test_a_whole_batch_failure_becomes_each_call_s_error(
        self, clock: VirtualClock, http: httpx.AsyncClient, router: respx.MockRouter
    ) -> None:
        router.post(f"{WEBHOOK}batch").respond(401, json={"error": "NO_AUTH_FOUND"})
        calls = [("crm.deal.get", {"id": i}) for i in range(3)]
        async with make_client(clock, http) as b24:
            outcomes = await clock.run(b24.call_many(calls))
        assert all(isinstance(o.error, AuthError) for o in outcomes)

    async def test_a_single_call_is_sent_without_a_batch(
        self, clock: VirtualClock, http: httpx.AsyncClient, portal: FakePortal
    ) -> None:
        Deals(portal)
        async with make_client(clock, http) as b24:
            [outcome] = await clock.run(
                b24.call_many([("crm.deal.update", {"id": 1, "fields": {"TITLE": "x"}})])
            )
        assert outcome.value is True
        assert [s.method for s in portal.seen] == ["crm.deal.update"]

    async def test_empty_input_sends_nothing(
        self, clock: VirtualClock, http: httpx.AsyncClient, portal: FakePortal
    ) -> None:
        async with make_client(clock, http) as b24:
            assert await clock.run(b24.call_many([])) == []
        assert portal.seen == []


class TestDependentBatch:
    async def test_result_references_are_passed_through(
        self, clock: VirtualClock, http: httpx.AsyncClient, router: respx.MockRouter
    ) -> None:
        route = router.post(f"{WEBHOOK}batch").respond(
            json={
                "result": {
                    "result": {"deal": {"item": {"id": 15}}, "rows": {"productRows": []}},
                    "result_error": [],
                    "result_total": [],
                    "result_next": [],
                    "result_time": [],
                }
            }
        )
        commands: dict[str, Call] = {
            "deal": ("crm.item.get", {"entityTypeId": 2, "id": 15}),
            "rows": (
                "crm.item.productrow.list",
                {"filter": {"=ownerType": "D", "=ownerId": "$result[deal][item][id]"}},
            ),
        }
        async with make_client(clock, http) as b24:
            outcomes = await clock.run(b24.batch(commands, halt=True))
        assert outcomes["deal"].value == {"item": {"id": 15}}
        assert outcomes["rows"].value == {"productRows": []}
        sent = json.loads(route.calls.last.request.content)
        assert sent["halt"] == 1
        rows_cmd = sent["cmd"]["rows"]
        assert rows_cmd.startswith("crm.item.productrow.list?")
        assert "$result[deal][item][id]" in rows_cmd
        assert php_parse(rows_cmd.partition("?")[2])["filter"]["=ownerType"] == "D"

    def test_more_than_fifty_commands_are_refused(self) -> None:
        with pytest.raises(ValueError, match="at most 50"):
            batch_body({f"k{i}": ("user.get", {}) for i in range(51)})
