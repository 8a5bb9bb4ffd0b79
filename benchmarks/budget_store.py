"""What one rate-budget acquire costs in each shared store (``LIMITER_BACKEND``).

Every REST call a worker or web process makes first takes a slot from its portal's budget, so
with a shared store (PostgreSQL or Redis) that acquire is on the path of every call. This
times ``--acquires`` acquires over 20 portal keys, one at a time and ``--concurrency`` at a
time, for the in-process store (the floor), SQLite, PostgreSQL and Redis, in ``--rounds``
rounds taken in turns (this machine's speed drifts between runs), and prints the best round's
wall time and this process's CPU per acquire. PostgreSQL and Redis run when their URL is
given (``--database-url`` / ``--redis-url``, or ``TEST_DATABASE_URL`` / ``TEST_REDIS_URL``).

    python benchmarks/budget_store.py [--acquires 2000] [--concurrency 8] [--rounds 3]
"""

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connectors.bitrix24 import (  # noqa: E402
    BucketPolicy,
    BudgetStore,
    InMemoryBudgetStore,
    PostgresBudgetStore,
    RedisBudgetStore,
)
from tests.databases import PostgresDatabases, SqliteDatabases, scratch_engine  # noqa: E402

# A bucket that never fills: every acquire is a grant, so the figure is the store's own cost.
ENDLESS = BucketPolicy(capacity=1e12, drain_per_second=2.0)
KEYS = [f"portal-{n}" for n in range(20)]

Opener = Callable[[], AbstractAsyncContextManager[BudgetStore]]


@asynccontextmanager
async def memory_store() -> AsyncIterator[BudgetStore]:
    yield InMemoryBudgetStore()


def sql_store(databases: SqliteDatabases | PostgresDatabases) -> Opener:
    """The store on a scratch database migrated to head (``rate_budgets`` as deployed)."""

    @asynccontextmanager
    async def opened() -> AsyncIterator[BudgetStore]:
        async with scratch_engine(databases) as engine:
            yield PostgresBudgetStore(engine)

    return opened


def redis_store(url: str) -> Opener:
    @asynccontextmanager
    async def opened() -> AsyncIterator[BudgetStore]:
        from redis.asyncio import Redis

        redis = Redis.from_url(url)
        try:
            yield RedisBudgetStore(redis, prefix=f"bench:{uuid.uuid4().hex}:")
        finally:
            await redis.aclose()

    return opened


async def timed(store: BudgetStore, acquires: int, concurrency: int) -> tuple[float, float]:
    """Milliseconds of wall and of this process's CPU per acquire."""

    async def caller(offset: int) -> None:
        for step in range(acquires // concurrency):
            await store.acquire(KEYS[(offset + step) % len(KEYS)], ENDLESS, time.time())

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(caller(offset) for offset in range(concurrency)))
    done = acquires // concurrency * concurrency
    return (
        (time.perf_counter() - wall) / done * 1e3,
        (time.process_time() - cpu) / done * 1e3,
    )


def asyncpg_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        sqlite = SqliteDatabases(Path(folder))
        await sqlite.prepare()
        stores: dict[str, Opener] = {"in-process": memory_store, "sqlite": sql_store(sqlite)}
        postgres = PostgresDatabases(asyncpg_url(args.database_url)) if args.database_url else None
        if postgres is not None:
            await postgres.prepare()
            stores["postgresql"] = sql_store(postgres)
        if args.redis_url:
            stores["redis"] = redis_store(args.redis_url)
        try:
            await compare(stores, args)
        finally:
            if postgres is not None:
                await postgres.close()


async def compare(stores: dict[str, Opener], args: argparse.Namespace) -> None:
    best: dict[tuple[str, int], tuple[float, float]] = {}
    for _ in range(args.rounds):
        for name, opener in stores.items():
            async with opener() as store:
                await timed(store, len(KEYS), 1)  # warm: connections, the keys' rows
                for concurrency in (1, args.concurrency):
                    figures = await timed(store, args.acquires, concurrency)
                    key = (name, concurrency)
                    best[key] = min(best.get(key, figures), figures)
    print(f"{args.acquires} acquires over {len(KEYS)} portals, best of {args.rounds} rounds")
    print(f"{'store':12s} {'callers':>7s} {'ms wall/acquire':>16s} {'ms CPU/acquire':>15s}")
    for (name, concurrency), (wall, cpu) in best.items():
        print(f"{name:12s} {concurrency:7d} {wall:16.3f} {cpu:15.3f}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--acquires", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("TEST_REDIS_URL", ""))
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
