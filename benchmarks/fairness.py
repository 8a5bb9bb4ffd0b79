"""Fairness: one portal with a 10,000-job backlog beside 50 portals with one job each.

Seeds a fresh database (the backlog older than every small portal's job, so oldest-first
claiming would run the whole backlog first), then runs the real worker (``Worker`` with
``WORKER_CONCURRENCY`` slots and the per-portal cap) with a handler that spends
``--job-seconds`` per job, as a REST call would, and prints when the small portals' jobs
started and how many backlog jobs ran by then; oldest first, the last small job would start
only after the backlog: backlog x job seconds / concurrency.

    python benchmarks/fairness.py [--backlog 10000] [--portals 50] [--job-seconds 0.05]
                                  [--concurrency 4] [--cap 2] [--database-url postgresql+asyncpg://…]
"""

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from app.core.config import Settings  # noqa: E402
from app.core.context import AppContext  # noqa: E402
from app.core.db import unit_of_work  # noqa: E402
from app.core.logs import configure_logging  # noqa: E402
from app.core.migrations import upgrade  # noqa: E402
from app.core.models import Job  # noqa: E402
from app.worker.deps import job_deps  # noqa: E402
from app.worker.runner import Worker  # noqa: E402
from tests.app.core.test_queue_fairness import job_row  # noqa: E402
from tests.databases import PostgresDatabases  # noqa: E402

BIG = "big-portal"


async def seed(context: AppContext, backlog: int, portals: int) -> None:
    rows = [job_row(BIG, f"big:{i}", 3600 - i * 0.01) for i in range(backlog)]
    rows += [job_row(f"small-{p}", f"small-{p}:1", 10) for p in range(portals)]
    async with unit_of_work(context.sessions) as session:
        for start in range(0, len(rows), 1000):
            await session.execute(insert(Job.__table__), rows[start : start + 1000])


async def run(args: argparse.Namespace, database_url: str) -> None:
    await upgrade(database_url)
    context = AppContext.build(Settings(database_url=database_url, log_level="WARNING"))
    await seed(context, args.backlog, args.portals)
    started_at: dict[str, float] = {}
    big_runs = 0
    began = time.perf_counter()

    async def handler(_deps: object, job: Job) -> str:
        nonlocal big_runs
        if job.member_id == BIG:
            big_runs += 1
        else:
            started_at[job.member_id] = time.perf_counter() - began
        await asyncio.sleep(args.job_seconds)
        return "done"

    worker = Worker(
        deps=job_deps(context),
        handlers={"sync_deal": handler},
        concurrency=args.concurrency,
        per_portal_cap=args.cap,
        poll_seconds=0.05,
    )
    big_by_then = 0
    while len(started_at) < args.portals:
        await worker.run_once()
        big_by_then = big_runs
        await asyncio.sleep(0)
    await worker.drain()
    await context.close()
    print(
        f"database                 {database_url.split(':', 1)[0]}; load {os.getloadavg()[0]:.2f}"
    )
    print(f"backlog                  {args.backlog} jobs of one portal, {args.portals} portals x 1")
    print(f"worker                   {args.concurrency} slots, cap {args.cap} per portal, "
          f"{args.job_seconds:g} s per job")  # fmt: skip
    times = sorted(started_at.values())
    print(f"small jobs started       first {times[0]:.2f} s, median {times[len(times) // 2]:.2f} s, "
          f"last {times[-1]:.2f} s")  # fmt: skip
    print(f"backlog jobs run by then {big_by_then}")
    oldest_first = args.backlog * args.job_seconds / args.concurrency
    print(f"oldest first (computed)  the last small job would start after ≈{oldest_first:.0f} s")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backlog", type=int, default=10_000)
    parser.add_argument("--portals", type=int, default=50)
    parser.add_argument("--job-seconds", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--cap", type=int, default=2)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    configure_logging("WARNING")
    scratch = PostgresDatabases(args.database_url) if args.database_url else None
    if scratch is not None:
        await scratch.prepare()
        database_url = await scratch.create()
    else:
        database_url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/fairness.db"
    try:
        await run(args, database_url)
    finally:
        if scratch is not None:
            await scratch.drop(database_url)
            await scratch.close()


if __name__ == "__main__":
    asyncio.run(main())
