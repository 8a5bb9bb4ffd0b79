"""Forged events next to real ones: how fast forgeries are refused, and what they cost a
legitimate sender.

Starts `b24bridge serve` (worker off) on a fresh database with one portal, then for
``--seconds`` sends legitimate ONCRMDEALUPDATE deliveries at ``--legit-rate`` per second,
first alone (the baseline) and then beside a flood of deliveries that carry the portal's
``member_id`` and a wrong token, ``--flood-concurrency`` at a time. Prints the refusals per
second and the legitimate latency p50/p99 in both runs.

    python benchmarks/forged_flood.py [--seconds 10] [--legit-rate 10] [--flood-concurrency 40]
"""

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from event_intake import app_server, percentile, prepare  # noqa: E402

from tests.appclient import MEMBER_ID, deal_event  # noqa: E402


async def legitimate(url: str, seconds: float, rate: float, first_ts: int) -> list[float]:
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        started, sent = time.perf_counter(), 0
        while time.perf_counter() - started < seconds:
            body = deal_event(1 + sent % 50, ts=str(first_ts + sent))
            begin = time.perf_counter()
            response = await client.post("/b24/events", data=body)
            latencies.append(time.perf_counter() - begin)
            assert response.status_code == 200, response.text
            sent += 1
            await asyncio.sleep(max(0.0, started + sent / rate - time.perf_counter()))
    return latencies


async def flood(url: str, stop: asyncio.Event, concurrency: int) -> Counter[int]:
    answers: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=concurrency)

    async def lane(client: httpx.AsyncClient, lane_id: int) -> None:
        n = 0
        while not stop.is_set():
            body = deal_event(
                7, ts=str(1_900_000_000 + n), member_id=MEMBER_ID, token=f"x{lane_id}"
            )
            answers[(await client.post("/b24/events", data=body)).status_code] += 1
            n += 1

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        await asyncio.gather(*(lane(client, i) for i in range(concurrency)))
    return answers


async def run(url: str, args: argparse.Namespace) -> None:
    baseline = await legitimate(url, args.seconds, args.legit_rate, 1_800_000_000)
    stop = asyncio.Event()
    flooding = asyncio.create_task(flood(url, stop, args.flood_concurrency))
    started = time.perf_counter()
    beside = await legitimate(url, args.seconds, args.legit_rate, 1_850_000_000)
    stop.set()
    answers = await flooding
    wall = time.perf_counter() - started
    refused = sum(n for status, n in answers.items() if status in (401, 403))
    print(f"forged answers                 {dict(sorted(answers.items()))}")
    print(f"forged refusals per second     {refused / wall:.0f} ({refused / wall * 60:.0f}/min)")
    for name, values in (("alone", baseline), ("beside the flood", beside)):
        p50, p99 = percentile(values, 0.5) * 1000, percentile(values, 0.99) * 1000
        print(f"legitimate {name:<18} {len(values)} events, p50 {p50:.1f} ms, p99 {p99:.1f} ms")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--legit-rate", type=float, default=10.0)
    parser.add_argument("--flood-concurrency", type=int, default=40)
    args = parser.parse_args()
    database_url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/flood.db"
    await prepare(database_url)
    async with app_server(database_url) as server:
        await run(server.url, args)


if __name__ == "__main__":
    asyncio.run(main())
