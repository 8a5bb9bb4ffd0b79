"""Every budget store applies the same leaky-bucket rule atomically.

Redis and PostgreSQL run only when TEST_REDIS_URL / TEST_DATABASE_URL are set;
SQLite and the in-process store always run.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.bitrix24 import (
    BucketPolicy,
    BudgetStore,
    InMemoryBudgetStore,
    PostgresBudgetStore,
    RedisBudgetStore,
)
from tests.databases import PostgresDatabases, SqliteDatabases, scratch_engine

NOW = 1_700_000_000.0
POLICY = BucketPolicy(capacity=10, drain_per_second=2.0, capacity_margin=2, jitter_seconds=0)


@asynccontextmanager
async def _sql_store(databases: SqliteDatabases | PostgresDatabases) -> AsyncIterator[BudgetStore]:
    """The store on a fresh database migrated to head (``rate_budgets`` as deployed)."""
    async with scratch_engine(databases) as engine:
        yield PostgresBudgetStore(engine)


@asynccontextmanager
async def _redis_store() -> AsyncIterator[BudgetStore]:
    raw = os.environ.get("TEST_REDIS_URL", "").strip()
    if not raw:
        pytest.skip("TEST_REDIS_URL not set")
    from redis.asyncio import Redis

    redis = Redis.from_url(raw)
    try:
        yield RedisBudgetStore(redis, prefix=f"test:{uuid.uuid4().hex}:")
    finally:
        await redis.aclose()


@asynccontextmanager
async def _opened(
    kind: str, sqlite: SqliteDatabases, postgres: PostgresDatabases | None
) -> AsyncIterator[BudgetStore]:
    if kind == "memory":
        yield InMemoryBudgetStore()
        return
    if kind == "redis":
        async with _redis_store() as store:
            yield store
        return
    if kind == "postgresql" and postgres is None:
        pytest.skip("TEST_DATABASE_URL not set")
    async with _sql_store(sqlite if kind == "sqlite" else postgres) as store:
        yield store


def _store_fixture(name: str, kinds: list[str]) -> Any:
    @pytest.fixture(name=name, params=kinds)
    async def opened_store(
        request: pytest.FixtureRequest,
        sqlite_databases: SqliteDatabases,
        postgres_databases: PostgresDatabases | None,
    ) -> AsyncIterator[BudgetStore]:
        async with _opened(request.param, sqlite_databases, postgres_databases) as opened:
            yield opened

    return opened_store


store = _store_fixture("store", ["memory", "sqlite", "postgresql", "redis"])
# The stores that run the rule outside Python (SQL, Lua).
shared_store = _store_fixture("shared_store", ["sqlite", "postgresql", "redis"])


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
