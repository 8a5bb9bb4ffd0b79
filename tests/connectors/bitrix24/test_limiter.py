"""The limiter on a virtual clock: no overflow, one probe per backoff step, lanes."""

from __future__ import annotations

import asyncio
import random

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.bitrix24 import (
    Bitrix24Client,
    BucketPolicy,
    OperatingGate,
    OperatingPolicy,
    Priority,
    RateLimiter,
)
from connectors.bitrix24.envelope import CallTime
from connectors.bitrix24.limiter import BackoffPolicy
from tests.connectors.bitrix24.support import WEBHOOK, FakePortal, VirtualClock

RECOVERY_SECONDS = 5.0  # from the portal accepting again to the first served request


def server_overflows(arrivals: list[float], capacity: float, drain: float) -> int:
    """Replay arrivals through Bitrix24's bucket: refuse when level + 1 > capacity."""
    level, last, refused = 0.0, arrivals[0] if arrivals else 0.0, 0
    for at in sorted(arrivals):
        level = max(0.0, level - drain * (at - last))
        last = at
        if level + 1 > capacity:
            refused += 1
        else:
            level += 1
    return refused


async def _simulate(
    schedule: list[float], latencies: list[float], policy: BucketPolicy, clock: VirtualClock
) -> list[float]:
    limiter = RateLimiter(policy=policy, clock=clock, max_in_flight=4)
    arrivals: list[float] = []

    async def caller(delay: float, latency: float) -> None:
        await clock.sleep(delay)
        grant = await limiter.acquire("portal", ["crm.deal.update"])
        await clock.sleep(latency)
        arrivals.append(clock.now())
        limiter.release(grant)

    await asyncio.gather(*(caller(d, lat) for d, lat in zip(schedule, latencies, strict=True)))
    return arrivals


def _bursty(count: int, mean_gap: float, burst_share: float, seed: int) -> list[float]:
    """Arrival times with exponential gaps; a share of arrivals come in bursts (gap 0)."""
    rng = random.Random(seed)
    total, times = 0.0, []
    for _ in range(count):
        total += 0.0 if rng.random() < burst_share else rng.expovariate(1 / mean_gap)
        times.append(total)
    return times


class TestNoOverflow:
    @settings(max_examples=60, deadline=None)
    @given(
        schedule=st.one_of(
            st.lists(st.floats(0, 120, allow_nan=False), min_size=1, max_size=250),
            st.builds(
                _bursty,
                count=st.integers(1, 400),
                mean_gap=st.floats(0.01, 2.0),
                burst_share=st.floats(0, 1),
                seed=st.integers(0, 2**16),
            ),
        ),
        plan=st.sampled_from([(50.0, 2.0), (250.0, 5.0), (10.0, 1.0), (50.0, 10.0)]),
        seed=st.integers(0, 2**16),
    )
    def test_no_arrival_schedule_overflows_the_server_bucket(
        self, schedule: list[float], plan: tuple[float, float], seed: int
    ) -> None:
        capacity, drain = plan
        rng = random.Random(seed)
        # Network latency varies per request (0-200 ms): requests reach the
        # server in a different order and spacing than they were granted.
        latencies = [rng.uniform(0, 0.2) for _ in schedule]
        policy = BucketPolicy(capacity=capacity, drain_per_second=drain)
        clock = VirtualClock()

        async def main() -> list[float]:
            return await clock.run(_simulate(schedule, latencies, policy, clock))

        arrivals = asyncio.run(main())
        assert len(arrivals) == len(schedule)
        assert server_overflows(arrivals, capacity, drain) == 0


class TestOutage:
    async def test_a_60_second_outage_costs_few_probes_and_loses_no_call(
        self, clock: VirtualClock, http: httpx.AsyncClient, portal: FakePortal
    ) -> None:
        portal.handlers["crm.deal.update"] = lambda params: True
        start = clock.now()
        portal.outage_until = start + 60
        async with Bitrix24Client.from_webhook(WEBHOOK, http=http, clock=clock) as b24:
            calls = [b24.call("crm.deal.update", {"id": i}) for i in range(200)]
            results = await clock.run(asyncio.gather(*calls))
        assert results == [True] * 200
        during = portal.requests_between(start, start + 60)
        assert len(during) <= 30
        assert {s.error for s in during} == {"QUERY_LIMIT_EXCEEDED"}
        assert portal.overflowed == 0  # after the outage the bucket is respected
        assert sum(1 for s in portal.seen if s.status == 200) == 200

    @pytest.mark.parametrize("callers", [1, 8, 200])
    @pytest.mark.parametrize("window", [6, 20, 45])
    async def test_after_a_503_window_the_portal_is_used_again_within_seconds(
        self,
        clock: VirtualClock,
        http: httpx.AsyncClient,
        portal: FakePortal,
        callers: int,
        window: int,
    ) -> None:
        """Issue 11 #14: a QUERY_LIMIT_EXCEEDED window, then the portal accepts again."""
        portal.handlers["crm.deal.update"] = lambda params: True
        start = clock.now()
        portal.outage_until = start + window
        async with Bitrix24Client.from_webhook(WEBHOOK, http=http, clock=clock) as b24:
            calls = [b24.call("crm.deal.update", {"id": i}) for i in range(callers)]
            await clock.run(asyncio.gather(*calls))
        first_served = min(s.at for s in portal.seen if s.status == 200)
        assert first_served - portal.outage_until <= RECOVERY_SECONDS
        assert len(portal.requests_between(start, portal.outage_until)) <= 2 + window / 2


class TestLanes:
    async def test_waiting_interactive_callers_get_slots_first(self, clock: VirtualClock) -> None:
        policy = BucketPolicy(capacity=3, drain_per_second=1.0, capacity_margin=0)
        limiter = RateLimiter(policy=policy, clock=clock)
        order: list[str] = []

        async def caller(name: str, priority: Priority, delay: float) -> None:
            await clock.sleep(delay)
            grant = await limiter.acquire("p", ["m"], priority)
            order.append(name)
            limiter.release(grant)

        tasks = [caller(f"bulk{i}", Priority.BULK, 0) for i in range(8)]
        tasks += [caller("click", Priority.INTERACTIVE, 0.5)]
        await clock.run(asyncio.gather(*tasks))
        assert order[:3] == ["bulk0", "bulk1", "bulk2"]
        assert order[3] == "click"

    async def test_in_flight_requests_per_portal_are_capped(self, clock: VirtualClock) -> None:
        limiter = RateLimiter(clock=clock, max_in_flight=2)
        peak = {"now": 0, "max": 0}

        async def caller() -> None:
            grant = await limiter.acquire("p", ["m"])
            peak["now"] += 1
            peak["max"] = max(peak["max"], peak["now"])
            await clock.sleep(1)
            peak["now"] -= 1
            limiter.release(grant)

        await clock.run(asyncio.gather(*(caller() for _ in range(10))))
        assert peak["max"] == 2

    async def test_portals_do_not_wait_for_each_other(self, clock: VirtualClock) -> None:
        limiter = RateLimiter(policy=BucketPolicy(capacity=3), clock=clock)
        for _ in range(5):
            limiter.release(await clock.run(limiter.acquire("slow", ["m"])))
        before = clock.now()
        limiter.release(await clock.run(limiter.acquire("other", ["m"])))
        assert clock.now() == before


class TestBackoff:
    def test_delays_grow_exponentially_and_are_capped(self) -> None:
        policy = BackoffPolicy(base_seconds=1, max_seconds=30, jitter=0)
        rng = random.Random(1)
        assert [policy.delay(step, rng) for step in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]

    def test_jitter_only_shortens(self) -> None:
        policy = BackoffPolicy(base_seconds=4, jitter=0.5)
        rng = random.Random(7)
        assert all(2 <= policy.delay(1, rng) <= 4 for _ in range(100))


class TestOperatingGate:
    def test_methods_are_gated_independently(self) -> None:
        gate = OperatingGate(OperatingPolicy(budget_seconds=480))
        gate.record("p", "crm.item.list", CallTime(operating=470, operating_reset_at=1000))
        assert gate.delay("p", "crm.item.list", 900) > 99
        assert gate.delay("p", "crm.deal.get", 900) == 0
        assert gate.delay("q", "crm.item.list", 900) == 0

    def test_calls_are_spaced_out_when_the_budget_gets_tight(self) -> None:
        gate = OperatingGate(OperatingPolicy(budget_seconds=100, max_spacing_seconds=4))
        gate.record("p", "m", CallTime(operating=87.5, operating_reset_at=2000))
        assert gate.delay("p", "m", 1000) == 0  # takes the slot
        assert gate.delay("p", "m", 1000) == 2.0  # the next one waits half the spacing
        assert gate.delay("p", "m", 1002) == 0

    def test_usage_expires_at_the_reset_time(self) -> None:
        gate = OperatingGate()
        gate.record("p", "m", CallTime(operating=479, operating_reset_at=1000))
        assert gate.delay("p", "m", 1001.5) == 0

    def test_a_429_without_known_reset_waits_a_minute(self) -> None:
        gate = OperatingGate(OperatingPolicy(unknown_reset_seconds=60, reset_margin_seconds=1))
        assert gate.block("p", "m", 500) == 561
        assert gate.delay("p", "m", 530) == 31
