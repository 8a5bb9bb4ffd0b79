"""Manager bonuses at scale: N deals won at once → N accrual items and N deal fields.

On the sandbox portal over real HTTP with the app's worker: N deals with goods rows are
created before the app is installed (so they fire no events), the app is installed and
provisioned, bonus rules are set, then a person moves all N deals to «Сделка завершена» at
once. Measured: the wave — the deals marked by their ``bonus_deal`` jobs, read by the
portal's ``bonus_scan`` job 16 per ``batch``, and the ``bonus_registry`` job (the accrual
items and the deal fields, packed 50 commands per ``batch``) — then, apart, the echo
re-reads of the deal-field writes. The procurement
sync of the same events is not run (its handler is replaced by a no-op here) so only the
bonus capability's requests are counted. Prints wall time, HTTP requests, 503 answers and
the limiter's physical minimum: bucket 50, drain D/s → min seconds = max(0, (requests − 50) / D).

    .venv/bin/python benchmarks/bonuses.py [--deals 1000] [--drain 2]
"""

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from app.core import queue
from app.core.db import unit_of_work
from app.core.models import BonusAccrual, Job
from app.core.portal_settings import load_portal_settings, update_portal_settings
from app.worker.deps import job_deps
from app.worker.registry import HANDLERS
from app.worker.runner import Worker
from tests.databases import SqliteDatabases
from tests.e2e.harness import Stack, live_stack

BUCKET = 50
RULES = {"default_percent": "2", "product_percent": {"2": "10"}}
ROWS = [
    {"PRODUCT_ID": 1, "PRODUCT_NAME": "Фара передняя левая", "PRICE": 12500, "QUANTITY": 2},
    {"PRODUCT_ID": 2, "PRODUCT_NAME": "Бампер передний", "PRICE": 18900, "QUANTITY": 1},
]
EXPECTED_KOPECKS = 12500 * 2 * 2 + 18900 * 10  # per deal, in kopecks


async def not_measured(_deps: Any, _job: Job) -> str:
    return "procurement sync is not part of this benchmark"


async def create_deals(stack: Stack, count: int) -> list[int]:
    async def one(number: int) -> int:
        fields = {"TITLE": f"Сделка {number}", "STAGE_ID": "NEW", "ASSIGNED_BY_ID": 2}
        deal_id = int(await stack.act("crm.deal.add", {"fields": fields}))
        await stack.act("crm.deal.productrows.set", {"id": deal_id, "rows": ROWS})
        return deal_id

    ids: list[int] = []
    for start in range(0, count, 50):
        ids += await asyncio.gather(*(one(n) for n in range(start, min(count, start + 50))))
    return ids


async def run_worker(worker: Worker) -> None:
    while await pending(worker):  # a scan or registry run may be due a moment later
        await worker.run_until_idle(max_rounds=100_000)
        await asyncio.sleep(0.05)


async def pending(worker: Worker) -> int:
    async with worker.deps.sessions() as session:
        waiting = select(func.count()).select_from(Job).where(Job.status == queue.PENDING)
        return int(await session.scalar(waiting) or 0)


async def requests(stack: Stack) -> list[dict[str, Any]]:
    return list((await stack.ctl("GET", "/requests"))["requests"])


async def bench(deals: int, drain: float) -> None:
    databases = SqliteDatabases(Path(tempfile.mkdtemp()))
    await databases.prepare()
    limits = {"b24_rate_capacity": BUCKET, "b24_rate_per_second": drain, "log_level": "WARNING"}
    async with live_stack(await databases.create(), **limits) as stack:
        await stack.ctl(
            "PATCH", "/config", json={"rate_capacity": BUCKET, "rate_per_second": drain}
        )
        deal_ids = await create_deals(stack, deals)
        await stack.install()
        await stack.provision()
        async with unit_of_work(stack.context.sessions) as session:
            values = await update_portal_settings(session, stack.member_id, {"bonus_rules": RULES})
        worker = Worker(job_deps(stack.context), {**HANDLERS, queue.SYNC_DEAL: not_measured})
        await run_worker(worker)
        won = values["deal_stages"]["WON"]
        for start in range(0, len(deal_ids), 50):  # a person's moves, outside the REST limits
            await asyncio.gather(
                *(
                    stack.act("crm.deal.update", {"id": d, "fields": {"STAGE_ID": won}})
                    for d in deal_ids[start : start + 50]
                )
            )
        await stack.ctl("DELETE", "/requests")
        started = time.perf_counter()
        await stack.ctl("POST", "/events/flush")
        await run_worker(worker)
        wall = time.perf_counter() - started
        wave = await requests(stack)
        await stack.ctl("DELETE", "/requests")
        echo_started = time.perf_counter()
        await stack.ctl("POST", "/events/flush")
        await run_worker(worker)
        echo_wall = time.perf_counter() - echo_started
        echo = await requests(stack)
        report(deals, drain, wall, wave, echo_wall, echo, await accruals(stack))


async def accruals(stack: Stack) -> tuple[int, int, int]:
    """Accruals in the ledger, their sum, and accrual items in the portal's registry."""
    async with stack.context.sessions() as session:
        values = await load_portal_settings(session, stack.member_id)
        total = select(func.count(), func.sum(BonusAccrual.amount_kopecks))
        count, amount = (await session.execute(total)).one()
    items, start = 0, 0
    while True:
        page = await stack.act(
            "crm.item.list",
            {"entityTypeId": values["accrual_entity_type_id"], "select": ["id"], "start": start},
        )
        items += len(page["items"])
        if len(page["items"]) < 50:
            return int(count), int(amount or 0), items
        start += 50


def report(
    deals: int,
    drain: float,
    wall: float,
    wave: list[dict[str, Any]],
    echo_wall: float,
    echo: list[dict[str, Any]],
    ledger: tuple[int, int, int],
) -> None:
    def line(name: str, seconds: float, sent: list[dict[str, Any]]) -> str:
        refused = sum(1 for r in sent if r["http_status"] == 503)
        minimum = max(0.0, (len(sent) - BUCKET) / drain)
        methods = Counter(str(r.get("method")) for r in sent)
        return (
            f"{name}: wall {seconds:.1f} s, HTTP requests {len(sent)} {dict(methods)}, "
            f"503 answers {refused}, limiter minimum {minimum:.1f} s"
        )

    count, total, items = ledger
    print(f"deals won at once: {deals}  (bucket {BUCKET}, drain {drain}/s)")
    print(
        f"accruals in the ledger: {count}, Σ {total} kopecks (expected {deals * EXPECTED_KOPECKS})"
    )
    print(f"accrual items in the portal's registry: {items}")
    print(line("wave (scan reads, registry writes, echo re-reads delivered meanwhile)", wall, wave))
    print(line("echo re-reads delivered after the wave", echo_wall, echo))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=1000)
    parser.add_argument("--drain", type=float, default=2.0, help="requests per second drained")
    args = parser.parse_args()
    asyncio.run(bench(args.deals, args.drain))


if __name__ == "__main__":
    main()
