"""Stage transition cost: HTTP requests to the portal and latency per transition.

For 1, 10 and 50 goods rows, a sales deal is moved to «Передано в поиск» (rule 1:
card created, rows copied, task and notification) and then completed by the buyer
(rule 3: both cards moved, sales manager notified). For each transition it prints the
requests the transition's own sync job sent (target: ≤ 2 — one batched read, one
batched write) and those spent afterwards on re-reading the echoes of our own writes,
and the job's latency against the local sandbox portal over HTTP.

    python benchmarks/stage_transition.py [--rows 1 10 50]
"""

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.databases import SqliteDatabases
from tests.e2e.harness import Stack, live_stack
from tests.e2e.procurement_steps import Journey


def goods(count: int) -> list[dict[str, object]]:
    return [
        {"PRODUCT_ID": 1 + i % 3, "PRODUCT_NAME": f"Товар {i + 1}", "PRICE": 100 + i, "QUANTITY": 1}
        for i in range(count)
    ]


async def requests_count(stack: Stack) -> int:
    return len((await stack.ctl("GET", "/requests"))["requests"])


async def measure(stack: Stack, action) -> tuple[int, float, int]:
    """(requests of the transition job, its seconds, requests of the echo re-reads)."""
    await stack.ctl("DELETE", "/requests")
    await action()
    await stack.ctl("POST", "/events/flush")
    started = time.perf_counter()
    await stack.worker.run_once()
    await stack.worker.drain()
    seconds = time.perf_counter() - started
    own = await requests_count(stack)
    await stack.settle()
    return own, seconds, await requests_count(stack) - own


async def bench(rows: int) -> list[tuple[str, int, float, int]]:
    databases = SqliteDatabases(Path(tempfile.mkdtemp()))
    await databases.prepare()
    async with live_stack(await databases.create(), log_level="WARNING") as stack:
        journey = await Journey.start(stack)
        await journey.create_deal(goods(rows))
        search = await measure(
            stack,
            lambda: stack.act(
                "crm.deal.update",
                {"id": journey.deal_id, "fields": {"STAGE_ID": journey.deal_stage("SEARCH")}},
            ),
        )
        _html, config = await journey.open_tab("card")
        await stack.settle()
        last = config["lines"][-1]["id"]
        for line in config["lines"][:-1]:
            await journey.enter(config, line["id"], {"status": "found"})
        await stack.settle()
        found = await measure(stack, lambda: journey.enter(config, last, {"status": "found"}))
        return [
            ("NEW→SEARCH (card, rows, task, notify)", *search),
            ("SEARCH→FOUND (both cards, notify)", *found),
        ]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1, 10, 50])
    args = parser.parse_args()
    print(f"{'rows':>5}  {'transition':<40} {'requests':>8} {'latency ms':>11} {'echo reads':>10}")
    for rows in args.rows:
        for name, requests, seconds, echo in await bench(rows):
            print(f"{rows:>5}  {name:<40} {requests:>8} {seconds * 1000:>11.1f} {echo:>10}")


if __name__ == "__main__":
    asyncio.run(main())
