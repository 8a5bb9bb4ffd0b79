"""Event intake: how many Bitrix24 event deliveries per second the endpoint stores.

Starts `b24bridge serve` (worker off) as a subprocess on a free port with a fresh
database, registers one portal, then POSTs N form-encoded ONCRMDEALUPDATE events
(over M distinct deals, C at a time) and prints throughput and latency percentiles.
Every answer must be 200 (each stored in the inbox before it is given).

    python benchmarks/event_intake.py [--events 2000] [--deals 200] [--concurrency 20]
                                      [--database-url postgresql+asyncpg://…]

With ``--database-url`` a scratch database is created on that server and dropped after.
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core.migrations import upgrade  # noqa: E402
from tests.appclient import deal_event, register_portal_in  # noqa: E402
from tests.databases import PostgresDatabases  # noqa: E402
from tests.e2e.harness import free_port  # noqa: E402


async def prepare(database_url: str) -> None:
    await upgrade(database_url)
    await register_portal_in(database_url)


@asynccontextmanager
async def app_server(database_url: str) -> AsyncIterator[str]:
    """``b24bridge serve`` (worker off) on a free port over ``database_url``; yields its URL."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RUN_WORKER": "false",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        await wait_ready(url)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


async def wait_ready(url: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            try:
                if (await client.get(f"{url}/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the app did not start")


async def fire(
    url: str, events: int, deals: int, concurrency: int
) -> tuple[float, list[float], dict[int, int]]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = list(range(events))
    limits = httpx.Limits(max_connections=concurrency)

    async def one(client: httpx.AsyncClient, i: int) -> None:
        body = deal_event(1 + i % deals, ts=str(1_800_000_000 + i))
        started = time.perf_counter()
        response = await client.post("/b24/events", data=body)
        latencies.append(time.perf_counter() - started)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    async def lane(client: httpx.AsyncClient) -> None:
        while queue:
            await one(client, queue.pop())

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(lane(client) for _ in range(concurrency)))
        return time.perf_counter() - started, latencies, statuses


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--deals", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    scratch = PostgresDatabases(args.database_url) if args.database_url else None
    if scratch is not None:  # a scratch database on that server, dropped afterwards
        await scratch.prepare()
        database_url = await scratch.create()
    else:
        database_url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/intake.db"
    await prepare(database_url)
    try:
        async with app_server(database_url) as url:
            wall, latencies, statuses = await fire(url, args.events, args.deals, args.concurrency)
    finally:
        if scratch is not None:
            await scratch.drop(database_url)
            await scratch.close()
    backend = database_url.split(":", 1)[0]
    print(f"database             {backend}")
    print(
        f"events               {args.events} over {args.deals} deals, {args.concurrency} concurrent"
    )
    print(f"answers              {dict(sorted(statuses.items()))}")
    print(f"wall seconds         {wall:.2f}")
    print(f"events per second    {args.events / wall:.0f}")
    print(
        f"latency p50 / p99 ms {percentile(latencies, 0.5) * 1000:.1f} / {percentile(latencies, 0.99) * 1000:.1f}"
    )
    print(f"mean latency ms      {statistics.mean(latencies) * 1000:.1f}")


if __name__ == "__main__":
    asyncio.run(main())
