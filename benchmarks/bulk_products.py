"""Kit expansion across many deals on the sandbox portal over HTTP, through the connector.

Starts the sandbox as a subprocess on a free port, has a user create the «Комплекты» smart
process with one kit and N deals each holding a kit row (through the control API, outside the
REST limits, as a person in the UI would), then runs the bulk expansion the
``b24bridge products expand-kits`` command runs: reads and writes through ``call_many`` behind
the leaky-bucket limiter. Prints wall time, HTTP requests, 503 answers and the limiter's
physical minimum: bucket 50, drain D/s → min seconds = max(0, (requests − 50) / D).

    .venv/bin/python benchmarks/bulk_products.py [--deals 1000] [--drain 2]
"""

import argparse
import asyncio
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from automations.kit_catalog.portal_source import find_kits_type, read_portal_kits
from automations.product_actions.bulk import expansion_decision, run_bulk
from connectors.bitrix24 import Bitrix24Client
from connectors.crm.product_rows import ProductRowsGateway

ROOT = Path(__file__).resolve().parents[1]

BUCKET = 50
KIT_PRODUCT_ID = 4
COMPONENTS = ((1, "12500", "2"), (2, "18900", "1"), (3, "7400", "1"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_until_up(control: httpx.AsyncClient) -> None:
    for _ in range(200):
        try:
            if (await control.get("/_sandbox/portals/demo")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.05)
    raise RuntimeError("the sandbox did not start")


async def act(control: httpx.AsyncClient, method: str, params: dict[str, Any]) -> Any:
    body = {"user_id": 1, "method": method, "params": params}
    response = await control.post("/_sandbox/portals/demo/act", json=body)
    response.raise_for_status()
    return response.json()["result"]


async def create_kit(control: httpx.AsyncClient) -> None:
    kit_type = (
        await act(
            control,
            "crm.type.add",
            {"fields": {"title": "Комплекты", "isLinkWithProductsEnabled": "Y"}},
        )
    )["type"]
    type_id, entity_type_id = int(kit_type["id"]), int(kit_type["entityTypeId"])
    fields = {
        "title": "Рестайлинг",
        f"ufCrm{type_id}_KIT_PRODUCT": KIT_PRODUCT_ID,
        f"ufCrm{type_id}_DISCOUNT_MONEY": "6300",
    }
    item = (await act(control, "crm.item.add", {"entityTypeId": entity_type_id, "fields": fields}))[
        "item"
    ]
    rows = [{"productId": p, "price": price, "quantity": q} for p, price, q in COMPONENTS]
    await act(
        control,
        "crm.item.productrow.set",
        {"ownerType": f"T{entity_type_id:x}", "ownerId": item["id"], "productRows": rows},
    )


async def create_deal(control: httpx.AsyncClient, number: int) -> int:
    deal_id = int(await act(control, "crm.deal.add", {"fields": {"TITLE": f"Сделка {number}"}}))
    rows = [
        {"PRODUCT_ID": KIT_PRODUCT_ID, "PRICE": 45000, "QUANTITY": 1 + number % 3},
        {"PRODUCT_ID": 5, "PRICE": 3000},
    ]
    await act(control, "crm.deal.productrows.set", {"id": deal_id, "rows": rows})
    return deal_id


async def create_deals(control: httpx.AsyncClient, count: int) -> list[int]:
    ids: list[int] = []
    for start in range(0, count, 50):
        ids += await asyncio.gather(
            *(create_deal(control, n) for n in range(start, min(count, start + 50)))
        )
    return ids


async def expand(webhook_url: str, deal_ids: list[int], drain: float) -> Any:
    async with Bitrix24Client.from_webhook(
        webhook_url,
        rate_capacity=BUCKET,
        rate_per_second=drain,
        allowed_hosts=[f"127.0.0.1:{urlsplit(webhook_url).port}"],
    ) as client:
        source = await find_kits_type(client)
        assert source is not None
        kits = {kit.product_id: kit for kit in (await read_portal_kits(client, source)).kits}
        return await run_bulk(
            ProductRowsGateway(client), deal_ids, expansion_decision(kits), progress=lambda _n: None
        )


async def verify(control: httpx.AsyncClient, deal_ids: list[int]) -> int:
    """Deals whose rows now cost exactly the kits' price after discount plus delivery."""
    exact = 0
    for deal_id in deal_ids[:: max(1, len(deal_ids) // 50)]:
        rows = await act(control, "crm.deal.productrows.get", {"id": deal_id})
        total = sum(Decimal(str(r["PRICE"])) * Decimal(str(r["QUANTITY"])) for r in rows)
        exact += total == Decimal(45000 * (1 + (deal_id_number(deal_ids, deal_id)) % 3) + 3000)
    return exact


def deal_id_number(deal_ids: list[int], deal_id: int) -> int:
    return deal_ids.index(deal_id)


async def run(base: str, deals: int, drain: float) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as control:
        await wait_until_up(control)
        await control.patch(
            "/_sandbox/portals/demo/config",
            json={"rate_capacity": BUCKET, "rate_per_second": drain},
        )
        await create_kit(control)
        deal_ids = await create_deals(control, deals)
        webhook_url = (await control.get("/_sandbox/portals/demo")).json()["webhook_url"]
        await control.delete("/_sandbox/portals/demo/requests")
        started = time.perf_counter()
        report = await expand(webhook_url, deal_ids, drain)
        wall = time.perf_counter() - started
        requests = (await control.get("/_sandbox/portals/demo/requests")).json()["requests"]
        checked = await verify(control, deal_ids)
    refused = sum(1 for r in requests if r["http_status"] == 503)
    minimum = max(0.0, (len(requests) - BUCKET) / drain)
    print(
        f"deals: {deals}  changed: {report.changed}  refused: {len(report.refused)}  failed: {len(report.failed)}"
    )
    print(f"exact totals in a sample: {checked}/{len(deal_ids[:: max(1, len(deal_ids) // 50)])}")
    print(f"wall time: {wall:.1f} s  HTTP requests: {len(requests)}  503 answers: {refused}")
    print(f"limiter minimum (bucket {BUCKET}, drain {drain}/s): {minimum:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=1000)
    parser.add_argument(
        "--drain", type=float, default=2.0, help="requests per second the bucket drains"
    )
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        asyncio.run(run(f"http://127.0.0.1:{port}", args.deals, args.drain))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
