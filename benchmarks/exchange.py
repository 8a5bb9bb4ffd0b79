"""Exchange gateway cost: N orders × 10 rows from 3 nodes (the third re-sending a tenth of
the first node's orders, which must not make deals) → deals in the sandbox portal over HTTP.

Prints the wall time of applying them, the REST requests (each a batch) next to the
limiter's physical minimum — bucket B, drain D/s → max(0, (requests − B) / D) — the
requests per order (at most 2) and the 503 answers (must be 0); then the acceptance latency
of a 1C ``mode=file`` upload of about 5 MB (parts of ``file_limit``, then ``import``).

    PYTHONPATH=. .venv/bin/python benchmarks/exchange.py [--orders 1000] [--drain 2]
"""

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from app.core.migrations import upgrade
from tests.e2e import exchange_steps as steps
from tests.e2e.harness import Stack, live_stack
from tests.e2e.onec_base import OneCBase, commerce_file, order_xml

BUCKET = 50


def order(number: int, node: str) -> dict[str, Any]:
    rows = [
        {"code": f"demo-product-{1 + (number + r) % 8}", "name": f"Позиция {r}",
         "price": f"{100 + r}.50", "quantity": str(1 + r % 3)}
        for r in range(10)
    ]  # fmt: skip
    return steps.order(f"{node}-{number}", number=str(number), site_number=f"S-{number}", rows=rows)


async def upload(node: steps.Node, orders: list[dict[str, Any]]) -> None:
    for start in range(0, len(orders), 100):
        batch = [
            {"jsonrpc": "2.0", "method": "order.upsert", "params": {"order": o}, "id": i}
            for i, o in enumerate(orders[start : start + 100])
        ]
        answers = (await node.rpc(batch)).json()
        assert all("result" in a for a in answers), answers[:2]


async def count_gateway_deals(stack: Stack) -> int:
    """Deals the gateway made (``ORIGINATOR_ID``), page by page."""
    count, start = 0, 0
    while True:
        params = {"filter": {"ORIGINATOR_ID": "b24bridge"}, "select": ["ID"], "start": start}
        page = await stack.act("crm.deal.list", params, user_id=1)
        count += len(page)
        if len(page) < 50:
            return count
        start += 50


def _is_order_request(request: dict[str, Any]) -> bool:
    """The exchange job's read batch (products) or write batch (rows)."""
    commands = request.get("batch_commands") or []
    return "crm.product.list" in commands or "crm.deal.productrows.set" in commands


async def apply_orders(stack: Stack, count: int, drain: float) -> None:
    await stack.ctl("PATCH", "/config", json={"rate_capacity": BUCKET, "rate_per_second": drain})
    nodes = [await steps.add(stack, f"node-{n}", direction="in") for n in range(3)]
    shares = [list(range(n, count, 3)) for n in range(3)]
    for node, share in zip(nodes, shares, strict=True):
        await upload(node, [order(number, node.credentials.login) for number in share])
    resent = [order(number, "again") for number in shares[0][: max(1, count // 10)]]
    await upload(nodes[2], resent)
    before = await count_gateway_deals(stack)
    await stack.control.delete("/_sandbox/portals/demo/requests")
    started = time.perf_counter()
    await stack.worker.run_until_idle()
    wall = time.perf_counter() - started
    requests = (await stack.ctl("GET", "/requests"))["requests"]
    made = await count_gateway_deals(stack) - before
    refused = sum(1 for r in requests if r["http_status"] == 503)
    minimum = max(0.0, (len(requests) - BUCKET) / drain)
    ours = [r for r in requests if _is_order_request(r)]
    print(f"orders: {count} (+{len(resent)} re-sent by another node)  deals made: {made}")
    print(f"wall time: {wall:.1f} s  REST requests: {len(requests)} (orders: {len(ours)}, "
          f"{len(ours) / count:.2f} per order; the rest are the deal events' syncs)  "
          f"503 answers: {refused}")  # fmt: skip
    print(f"limiter minimum (bucket {BUCKET}, drain {drain}/s): {minimum:.1f} s")


async def file_latency(stack: Stack, megabytes: float) -> None:
    node = await steps.add(stack, "1c-bench", kind="1c")
    base = OneCBase(stack.http, node)
    rows = [(f"demo-product-{1 + r % 8}", f"Позиция {r}", "100.50", "2") for r in range(10)]
    one = order_xml("guid-0", "1", site_number="F-0", rows=rows)
    count = int(megabytes * 1024 * 1024 / len(one.encode()))
    body = commerce_file(
        [order_xml(f"guid-{n}", str(n), site_number=f"F-{n}", rows=rows) for n in range(count)]
    )
    parts = -(-len(body) // (1024 * 1024))
    assert (await base.checkauth())[0] == "success"
    await base.get("init", version="2.08")
    started = time.perf_counter()
    answers = await base.upload("big.xml", body, parts=parts)
    uploaded = time.perf_counter() - started
    imported = await base.import_file("big.xml")
    accepted = time.perf_counter() - started
    assert all(a == "success\n" for a in answers) and imported.startswith("success"), imported
    print(f"mode=file: {len(body) / 1e6:.1f} MB, {count} orders in {parts} parts: upload "
          f"{uploaded:.2f} s, accepted (stored, jobs armed) after import {accepted:.2f} s")  # fmt: skip


async def run(count: int, drain: float, megabytes: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        await upgrade(url)
        limits = {"b24_rate_capacity": BUCKET, "b24_rate_per_second": drain}
        async with live_stack(url, **limits) as stack:
            await stack.install()
            await apply_orders(stack, count, drain)
            await file_latency(stack, megabytes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--drain", type=float, default=2.0)
    parser.add_argument("--file-mb", type=float, default=5.0)
    args = parser.parse_args()
    asyncio.run(run(args.orders, args.drain, args.file_mb))


if __name__ == "__main__":
    main()
