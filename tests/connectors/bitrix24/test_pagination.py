"""iterate(): start/next with batched pages, and the fast ID cursor."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from connectors.bitrix24 import Bitrix24Client
from connectors.bitrix24.pagination import page_rows
from tests.connectors.bitrix24.support import WEBHOOK, Envelope, FakePortal, VirtualClock


class ListEndpoint:
    """A list method over ``count`` rows with gaps in the IDs (IDs 3, 6, 9, ...)."""

    def __init__(self, count: int, *, id_field: str = "ID", container: str | None = None) -> None:
        self.ids = [3 * (n + 1) for n in range(count)]
        self.id_field = id_field
        self.container = container
        self.calls: list[dict[str, Any]] = []

    def __call__(self, params: dict[str, Any]) -> Envelope:
        self.calls.append(params)
        start = int(params.get("start", 0))
        ids = self.ids
        after = (params.get("filter") or {}).get(f">{self.id_field}")
        if after not in (None, ""):
            ids = [i for i in ids if i > int(after)]
        if start == -1:
            page, extra = ids[:50], {"total": 0}
        else:
            page = ids[start : start + 50]
            extra = {"total": len(ids)}
            if start + 50 < len(ids):
                extra["next"] = start + 50
        rows = [{self.id_field: str(i) if self.id_field == "ID" else i} for i in page]
        return Envelope({self.container: rows} if self.container else rows, extra)


def make_client(clock: VirtualClock, http: httpx.AsyncClient) -> Bitrix24Client:
    return Bitrix24Client.from_webhook(WEBHOOK, http=http, clock=clock)


async def collect(clock: VirtualClock, iterator: Any) -> list[Any]:
    async def drain() -> list[Any]:
        return [row async for row in iterator]

    return await clock.run(drain())


class TestStartPaging:
    async def test_remaining_pages_are_fetched_as_batch_commands(
        self, clock: VirtualClock, http: httpx.AsyncClient, portal: FakePortal
    ) -> None:
        portal.handlers["crm.deal.list"] = endpoint = ListEndpoint(237)
        async with make_client(clock, http) as b24:
            rows = await collect(clock, b24.iterate("crm.deal.list", {"select": ["ID"]}))
        assert [int(r["ID"]) for r in rows] == endpoint.ids
        assert [s.method for s in portal.seen] == ["crm.deal.list", "batch"]
        assert sorted(int(c["start"]) for c in endpoint.calls) == [0, 50, 100, 150, 200]

    async def test_item_lists_unwrap_the_items_container(
        self, clock: VirtualClock, http: httpx.AsyncClient, portal: FakePortal
    ) -> None:
        portal.handlers["crm.item.list"] = ListEndpoint(60, id_field="id", container="items")
        async with make_client(clock, http) as b24:
            rows = await collect(clock, b24.iterate("crm.item.list", {"entityTypeId": 2}))
        assert len(rows) == 60

    async def test_product_rows_unwrap_their_container(
        self, clock: VirtualClock, http: httpx.AsyncClient, portal: FakePortal
    ) -> None:
        portal.handlers["crm.item.productrow.list"] = ListEndpoint(
            7, id_field="id", container="productRows"
        )
        async with make_client(clock, http) as b24:
            rows = await collect(clock, b24.iterate("crm.item.productrow.list", {}))
        assert len(rows) == 7

    async def test_a_single_short_page_needs_one_request(
        self, clock: VirtualClock, http: httpx.AsyncClient, portal: FakePortal
    ) -> None:
        portal.handlers["crm.deal.list"] = ListEndpoint(12)
        async with make_client(clock, http) as b24:
            rows = await collect(clock, b24.iterate("crm.deal.list"))
        assert len(rows) == 12 and len(portal.seen) == 1


class TestIdCursor:
    async def test_fast_mode_walks_ids_without_totals(
        self, clock: VirtualClock, http: httpx.AsyncClient, portal: FakePortal
    ) -> None:
        portal.handlers["crm.deal.list"] = endpoint = ListEndpoint(1234)
        async with make_client(clock, http) as b24:
            rows = await collect(
                clock, b24.iterate("crm.deal.list", {"select": ["TITLE"]}, fast=True)
            )
        assert [int(r["ID"]) for r in rows] == endpoint.ids
        assert all(int(c["start"]) == -1 for c in endpoint.calls)
        first = endpoint.calls[0]
        assert first["order"] == {"ID": "ASC"}
        assert first["select"] == ["TITLE", "ID"]
        # 1 + ceil(1184 / 500): several pages ride in each batch request
        assert len(portal.seen) == 4

    async def test_fast_mode_for_items_uses_lower_case_ids(
        self, clock: VirtualClock, http: httpx.AsyncClient, portal: FakePortal
    ) -> None:
        portal.handlers["crm.item.list"] = endpoint = ListEndpoint(
            130, id_field="id", container="items"
        )
        async with make_client(clock, http) as b24:
            rows = await collect(
                clock, b24.iterate("crm.item.list", {"entityTypeId": 2}, fast=True)
            )
        assert [r["id"] for r in rows] == endpoint.ids

    async def test_an_exact_multiple_of_fifty_ends_cleanly(
        self, clock: VirtualClock, http: httpx.AsyncClient, portal: FakePortal
    ) -> None:
        portal.handlers["crm.deal.list"] = endpoint = ListEndpoint(100)
        async with make_client(clock, http) as b24:
            rows = await collect(clock, b24.iterate("crm.deal.list", fast=True))
        assert [int(r["ID"]) for r in rows] == endpoint.ids

    async def test_a_given_id_filter_is_the_starting_cursor(
        self, clock: VirtualClock, http: httpx.AsyncClient, portal: FakePortal
    ) -> None:
        portal.handlers["crm.deal.list"] = ListEndpoint(100)
        params = {"filter": {">ID": 270, "STAGE_ID": "NEW"}}
        async with make_client(clock, http) as b24:
            rows = await collect(clock, b24.iterate("crm.deal.list", params, fast=True))
        assert [int(r["ID"]) for r in rows] == list(range(273, 301, 3))


class TestPageRows:
    @pytest.mark.parametrize(
        ("result", "rows"),
        [([1, 2], [1, 2]), ({"items": [1]}, [1]), ({"productRows": []}, []), ({}, []), ([], [])],
    )
    def test_row_containers(self, result: Any, rows: list[Any]) -> None:
        assert page_rows(result)[0] == rows
