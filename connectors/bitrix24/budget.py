"""The per-portal rate budget: a leaky bucket mirroring Bitrix24's request counter.

Bitrix24 keeps, per portal (and source IP), a counter that every HTTP request
raises by one and that drains by Y per second; a request arriving while the
counter is above X is refused with 503 QUERY_LIMIT_EXCEEDED (limits.md,
REST_FACTS §3.1). The client keeps its own copy of that counter and only sends
a request when the server's counter certainly has room, with a small margin
for network jitter, so it never causes the error itself.

The state (level, updated_at, paused_until) lives behind ``BudgetStore`` so
several processes can share one budget per portal: in-process here, Redis and
PostgreSQL in ``limiter_stores``. ``decide`` is the one rule all stores apply
(the Redis store runs the same rule as a Lua script).

``paused_until`` is set after a 503 arrives anyway (another app on the same
IP). When it has passed but was not cleared, the next grant is the *probe*:
it re-arms the pause for ``probe_hold`` seconds so that only one request
tests the portal per backoff step; the probe's success clears the pause.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Protocol

# Unix timestamps near 1.7e9 carry ~1e-7 s of float precision: tolerate that
# much excess and never ask for a wait shorter than a millisecond.
EPSILON = 1e-6
MIN_WAIT = 1e-3


@dataclass(frozen=True, slots=True)
class BucketPolicy:
    """Capacity X and drain Y of the server's bucket, and our safety margin."""

    capacity: float = 50.0
    drain_per_second: float = 2.0
    capacity_margin: float = 1.0
    # Requests granted in order can reach the portal out of order or bunched
    # (queueing, network); the server then counts them closer together than
    # we did. Keep room for that many seconds of drain.
    jitter_seconds: float = 0.2
    drain_factor: float = 1.0
    # Others wait this long for the probe's answer before another probe may go.
    probe_hold: float = 5.0

    @classmethod
    def standard(cls) -> BucketPolicy:
        """Every plan but Enterprise: 50 requests, 2 per second."""
        return cls()

    @classmethod
    def enterprise(cls) -> BucketPolicy:
        """Enterprise plans: 250 requests, 5 per second."""
        return cls(capacity=250.0, drain_per_second=5.0)

    @property
    def usable_capacity(self) -> float:
        margin = self.capacity_margin + self.drain_per_second * self.jitter_seconds
        return max(1.0, self.capacity - margin)

    @property
    def usable_drain(self) -> float:
        return self.drain_per_second * self.drain_factor


@dataclass(frozen=True, slots=True)
class BucketState:
    """What the stores persist per portal key."""

    level: float = 0.0
    updated_at: float = 0.0
    paused_until: float = 0.0


@dataclass(frozen=True, slots=True)
class Decision:
    """``wait`` = 0 means a slot was taken; ``probe`` marks the first call after a pause."""

    wait: float
    probe: bool = False


def decide(state: BucketState, policy: BucketPolicy, now: float) -> tuple[BucketState, Decision]:
    """Try to take one slot at ``now``; returns the new state and the decision."""
    elapsed = max(0.0, now - state.updated_at)
    level = max(0.0, state.level - policy.usable_drain * elapsed)
    drained = BucketState(level, max(now, state.updated_at), state.paused_until)
    if state.paused_until > now:
        return drained, Decision(wait=state.paused_until - now)
    excess = level + 1.0 - policy.usable_capacity
    if excess > EPSILON:
        return drained, Decision(wait=max(MIN_WAIT, excess / policy.usable_drain))
    probe = state.paused_until > 0.0
    paused_until = now + policy.probe_hold if probe else 0.0
    return replace(drained, level=level + 1.0, paused_until=paused_until), Decision(0.0, probe)


class BudgetStore(Protocol):
    """Holds the bucket state per portal key; every operation is atomic."""

    async def acquire(self, key: str, policy: BucketPolicy, now: float) -> Decision:
        """Apply ``decide`` atomically."""
        ...

    async def pause(self, key: str, until: float) -> None:
        """Set ``paused_until`` to ``until`` unless it is already later."""
        ...

    async def resume(self, key: str) -> None:
        """Clear ``paused_until`` (a probe got through)."""
        ...


class InMemoryBudgetStore:
    """One process's budget: fine for a single worker and for tests."""

    def __init__(self) -> None:
        self._states: dict[str, BucketState] = {}
        self._lock = asyncio.Lock()

    async def acquire(self, key: str, policy: BucketPolicy, now: float) -> Decision:
        async with self._lock:
            state, decision = decide(
                self._states.get(key, BucketState(updated_at=now)), policy, now
            )
            self._states[key] = state
            return decision

    async def pause(self, key: str, until: float) -> None:
        async with self._lock:
            state = self._states.get(key, BucketState())
            self._states[key] = replace(state, paused_until=max(state.paused_until, until))

    async def resume(self, key: str) -> None:
        async with self._lock:
            if key in self._states:
                self._states[key] = replace(self._states[key], paused_until=0.0)

    def state(self, key: str) -> BucketState | None:
        """The stored state (for diagnostics and tests)."""
        return self._states.get(key)
