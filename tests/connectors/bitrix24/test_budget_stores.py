"""Every budget store applies the same leaky-bucket rule atomically.

Redis and PostgreSQL run only when TEST_REDIS_URL / TEST_DATABASE_URL are set;
SQLite and the in-process store always run.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from connectors.bitrix24 import (
    BucketPolicy,
    BudgetStore,
    InMemoryBudgetStore,
    PostgresBudgetStore,
    RedisBudgetStore,
)

NOW = 1_700_000_000.0
POLICY = BucketPolicy(capacity=10, drain_per_second=2.0, capacity_margin=2, jitter_seconds=0)

CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS rate_budgets (portal_key varchar(255) primary key, "
    "level float, updated_at float, paused_until float, last_wait float, last_probe boolean)"
)


async def _sqlite_store(tmp_path: Path) -> AsyncIterator[BudgetStore]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'budget.db'}")
    async with engine.begin() as conn:
        await conn.execute(text(CREATE_TABLE))
    yield PostgresBudgetStore(engine)
    await engine.dispose()


async def _postgres_store() -> AsyncIterator[BudgetStore]:
    raw = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not raw:
        pytest.skip("TEST_DATABASE_URL not set")
    url = make_url(raw).set(drivername="postgresql+asyncpg")
    schema = f"budget_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_async_engine(
        url, connect_args={"server_settings": {"search_path": schema}}, pool_size=20
    )
    async with engine.begin() as conn:
        await conn.execute(text(CREATE_TABLE))
    yield PostgresBudgetStore(engine)
    await engine.dispose()
    async with admin.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await admin.dispose()


async def _redis_store() -> AsyncIterator[BudgetStore]:
    raw = os.environ.get("TEST_REDIS_URL", "").strip()
    if not raw:
        pytest.skip("TEST_REDIS_URL not set")
    from redis.asyncio import Redis

    redis = Redis.from_url(raw)
    yield RedisBudgetStore(redis, prefix=f"test:{uuid.uuid4().hex}:")
    await redis.aclose()


async def _memory_store() -> AsyncIterator[BudgetStore]:
    yield InMemoryBudgetStore()


def _factories(tmp_path: Path) -> dict[str, Callable[[], AsyncIterator[BudgetStore]]]:
    return {
        "memory": _memory_store,
        "sqlite": lambda: _sqlite_store(tmp_path),
        "postgresql": _postgres_store,
        "redis": _redis_store,
    }


@pytest.fixture(params=["memory", "sqlite", "postgresql", "redis"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BudgetStore]:
    async for instance in _factories(tmp_path)[request.param]():
        yield instance


@pytest.fixture(params=["sqlite", "postgresql", "redis"])
async def shared_store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[BudgetStore]:
    """A store that runs the rule outside Python (SQL, Lua)."""
    async for instance in _factories(tmp_path)[request.param]():
        yield instance


# One step of a portal's life: a burst of acquires, a 503's pause or a probe's success; then
# time passes.
STEPS = st.lists(
    st.tuples(
        st.one_of(
            st.integers(min_value=1, max_value=12),
            st.sampled_from(["pause", "resume"]),
        ),
        st.floats(min_value=0, max_value=6),
        st.sampled_from([0.0, 0.01, 0.25, 0.5, 1.7, 4.0]),
    ),
    max_size=30,
)


class TestBucket:
    async def test_a_burst_fills_the_usable_capacity_then_waits(self, store: BudgetStore) -> None:
        waits = [(await store.acquire("p", POLICY, NOW)).wait for _ in range(9)]
        assert waits[:8] == [0.0] * 8
        assert waits[8] == pytest.approx(0.5)

    async def test_the_bucket_drains_with_time(self, store: BudgetStore) -> None:
        for _ in range(8):
            await store.acquire("p", POLICY, NOW)
        assert (await store.acquire("p", POLICY, NOW + 0.5)).wait == 0.0
        assert (await store.acquire("p", POLICY, NOW + 0.5)).wait == pytest.approx(0.5)

    async def test_portals_have_separate_budgets(self, store: BudgetStore) -> None:
        for _ in range(8):
            await store.acquire("a", POLICY, NOW)
        assert (await store.acquire("b", POLICY, NOW)).wait == 0.0

    async def test_concurrent_acquires_never_grant_beyond_capacity(
        self, store: BudgetStore
    ) -> None:
        decisions = await asyncio.gather(*(store.acquire("p", POLICY, NOW) for _ in range(30)))
        assert sum(1 for d in decisions if d.wait == 0.0) == 8


class TestTheSameRuleEverywhere:
    @settings(
        max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(steps=STEPS)
    async def test_a_shared_store_decides_as_budget_decide_does(
        self, shared_store: BudgetStore, steps: list[tuple[int | str, float, float]]
    ) -> None:
        key, reference, now = uuid.uuid4().hex, InMemoryBudgetStore(), NOW
        for action, pause_seconds, elapse in steps:
            if isinstance(action, int):
                for _ in range(action):
                    expected = await reference.acquire(key, POLICY, now)
                    decided = await shared_store.acquire(key, POLICY, now)
                    assert decided.probe == expected.probe
                    assert decided.wait == pytest.approx(expected.wait, abs=1e-6)
            elif action == "pause":
                await reference.pause(key, now + pause_seconds)
                await shared_store.pause(key, now + pause_seconds)
            else:
                await reference.resume(key)
                await shared_store.resume(key)
            now += elapse


class TestPause:
    async def test_a_pause_holds_every_caller_until_it_ends(self, store: BudgetStore) -> None:
        await store.acquire("p", POLICY, NOW)
        await store.pause("p", NOW + 4)
        assert (await store.acquire("p", POLICY, NOW + 1)).wait == pytest.approx(3.0)

    async def test_a_shorter_pause_does_not_shorten_a_longer_one(self, store: BudgetStore) -> None:
        await store.pause("p", NOW + 8)
        await store.pause("p", NOW + 2)
        assert (await store.acquire("p", POLICY, NOW)).wait == pytest.approx(8.0)

    async def test_after_a_pause_one_probe_goes_and_the_rest_wait(self, store: BudgetStore) -> None:
        await store.pause("p", NOW + 4)
        probe = await store.acquire("p", POLICY, NOW + 5)
        assert probe.wait == 0.0 and probe.probe
        follower = await store.acquire("p", POLICY, NOW + 5)
        assert follower.wait == pytest.approx(POLICY.probe_hold)
        await store.resume("p")
        after = await store.acquire("p", POLICY, NOW + 5)
        assert after.wait == 0.0 and not after.probe
