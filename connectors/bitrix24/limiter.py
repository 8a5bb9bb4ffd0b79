"""The per-portal rate limiter: when may the next request to a portal go out?

Three gates, in order:

1. the operating gate of each method in the request (429 OPERATION_TIME_LIMIT
   pauses only that method; see ``operating``);
2. the portal's lane in this process: callers queue by priority (interactive
   before bulk, then arrival order), at most ``max_in_flight`` requests are
   in flight per portal, and only the head of the queue asks the budget;
3. the shared budget (``budget.BudgetStore``): the leaky bucket and the
   ``paused_until`` set after a 503. The slot is taken there, before the request is
   sent; the bunching margin of the policy is narrowed per portal to what the portal's
   answers show (``arrival``).

After a 503 QUERY_LIMIT_EXCEEDED the portal is paused with exponential
backoff and jitter; when a pause ends one probe goes out (the store hands the
probe role to one caller), and only its success lifts the pause, so an outage
costs one request per backoff step rather than callers x retries.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import IntEnum

from connectors.bitrix24.arrival import ArrivalSpread
from connectors.bitrix24.budget import BucketPolicy, BudgetStore, Decision, InMemoryBudgetStore
from connectors.bitrix24.clock import Clock, SystemClock
from connectors.bitrix24.envelope import CallTime
from connectors.bitrix24.observer import NullObserver, Observer
from connectors.bitrix24.operating import OperatingGate

_Ticket = tuple[int, int]


class Priority(IntEnum):
    """Interactive calls (a user clicked in the tab) go before bulk work."""

    INTERACTIVE = 0
    BULK = 1


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    """Pause after a 503: ``base * 2**(step-1)``, capped, minus up to ``jitter`` of it.

    The cap is short because a QUERY_LIMIT_EXCEEDED window is short (the bucket drains a
    slot every 1/rate seconds): a long pause only leaves the portal idle after it accepts
    again. One probe per step keeps even a long outage at a request every few seconds."""

    base_seconds: float = 1.0
    max_seconds: float = 4.0
    jitter: float = 0.3

    def delay(self, step: int, rng: random.Random) -> float:
        full = min(self.max_seconds, self.base_seconds * 2 ** max(0, step - 1))
        return float(full * (1.0 - self.jitter * rng.random()))


@dataclass(frozen=True, slots=True)
class Grant:
    """Permission to send one HTTP request to ``key``; release it when done."""

    key: str
    probe: bool
    granted_at: float


class _Lane:
    """Callers of one portal in this process, queued by (priority, arrival)."""

    def __init__(self, quiet_seconds: float) -> None:
        self.waiting: list[_Ticket] = []
        self.turns: dict[_Ticket, asyncio.Event] = {}
        self.in_flight = 0
        self.backoff_step = 0
        self.last_refusal_at = float("-inf")
        self.arrivals = ArrivalSpread(quiet_seconds=quiet_seconds)

    def join(self, ticket: _Ticket) -> asyncio.Event:
        previous_head = self.waiting[0] if self.waiting else None
        heapq.heappush(self.waiting, ticket)
        turn = self.turns[ticket] = asyncio.Event()
        if self.waiting[0] == ticket:
            turn.set()
            if previous_head is not None:
                self.turns[previous_head].set()  # it lost the head; let it notice
        return turn

    def leave(self, ticket: _Ticket) -> None:
        was_head = self.waiting[0] == ticket
        self.waiting.remove(ticket)
        heapq.heapify(self.waiting)
        del self.turns[ticket]
        if was_head:
            self.poke_head()

    def is_head(self, ticket: _Ticket) -> bool:
        return self.waiting[0] == ticket

    def poke_head(self) -> None:
        if self.waiting:
            self.turns[self.waiting[0]].set()


class RateLimiter:
    """Grants request slots per portal key; see the module docstring."""

    def __init__(
        self,
        store: BudgetStore | None = None,
        policy: BucketPolicy | None = None,
        *,
        clock: Clock | None = None,
        operating: OperatingGate | None = None,
        backoff: BackoffPolicy | None = None,
        max_in_flight: int = 8,
        observer: Observer | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.policy = policy or BucketPolicy()
        self.clock = clock or SystemClock()
        self.operating = operating or OperatingGate()
        self._store = store or InMemoryBudgetStore()
        self._backoff = backoff or BackoffPolicy()
        self._max_in_flight = max(1, max_in_flight)
        self._observer = observer or NullObserver()
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._lanes: dict[str, _Lane] = {}
        self._tickets = itertools.count()

    async def acquire(
        self, key: str, methods: Iterable[str], priority: Priority = Priority.BULK
    ) -> Grant:
        """Wait until one request carrying ``methods`` may be sent to ``key``."""
        started = self.clock.now()
        await self._wait_for_methods(key, frozenset(methods))
        lane = self._lanes.get(key) or self._lanes.setdefault(key, self._new_lane())
        ticket = (int(priority), next(self._tickets))
        turn = lane.join(ticket)
        try:
            decision = await self._wait_for_slot(key, lane, ticket, turn)
        finally:
            lane.leave(ticket)
        lane.in_flight += 1
        now = self.clock.now()
        if now > started:
            self._observer.limiter_waited(key, now - started)
        return Grant(key=key, probe=decision.probe, granted_at=now)

    def _new_lane(self) -> _Lane:
        """A portal's lane; its bucket is certainly empty after a full drain's quiet."""
        return _Lane(quiet_seconds=self.policy.capacity / self.policy.usable_drain)

    def release(self, grant: Grant) -> None:
        """The request ended (whatever its outcome)."""
        lane = self._lanes[grant.key]
        lane.in_flight -= 1
        lane.poke_head()

    async def succeeded(self, grant: Grant, times: Iterable[tuple[str, CallTime | None]]) -> None:
        """The portal served the request: record operating times, lift a pause."""
        lane = self._lanes[grant.key]
        arrived: float | None = None
        for method, time in times:
            self.operating.record(grant.key, method, time)
            arrived = arrived or (time.start if time else None)
        lane.arrivals.record(grant.granted_at, arrived)
        if grant.granted_at >= lane.last_refusal_at:
            lane.backoff_step = 0
        if grant.probe:
            await self._store.resume(grant.key)
            lane.poke_head()

    async def refused_rate(self, grant: Grant) -> float:
        """A 503 QUERY_LIMIT_EXCEEDED arrived: pause the portal; returns the pause end."""
        lane = self._lanes[grant.key]
        now = self.clock.now()
        if grant.probe or grant.granted_at >= lane.last_refusal_at:
            lane.backoff_step += 1  # news about the outage, not an echo of known news
        lane.last_refusal_at = now
        until = now + self._backoff.delay(lane.backoff_step, self._rng)
        await self._store.pause(grant.key, until)
        return until

    def policy_for(self, key: str) -> BucketPolicy:
        """The bucket policy with the bunching margin this portal's answers call for."""
        lane = self._lanes.get(key)
        if lane is None:
            return self.policy
        jitter = lane.arrivals.jitter(self.policy.jitter_seconds)
        return (
            self.policy
            if jitter == self.policy.jitter_seconds
            else replace(self.policy, jitter_seconds=jitter)
        )

    def refused_operating(self, key: str, method: str) -> float:
        """A 429 OPERATION_TIME_LIMIT arrived for ``method``; returns the pause end."""
        return self.operating.block(key, method, self.clock.now())

    async def _wait_for_methods(self, key: str, methods: frozenset[str]) -> None:
        while True:
            now = self.clock.now()
            delay = max((self.operating.delay(key, m, now) for m in methods), default=0.0)
            if delay <= 0.0:
                return
            await self.clock.sleep(delay)

    async def _wait_for_slot(
        self, key: str, lane: _Lane, ticket: _Ticket, turn: asyncio.Event
    ) -> Decision:
        while True:
            if not lane.is_head(ticket) or lane.in_flight >= self._max_in_flight:
                turn.clear()
                await turn.wait()
                continue
            decision = await self._store.acquire(key, self.policy_for(key), self.clock.now())
            if decision.wait <= 0.0:
                return decision
            await self._nap(turn, decision.wait)

    async def _nap(self, turn: asyncio.Event, seconds: float) -> None:
        """Sleep, but wake early when poked (new head, freed slot, lifted pause)."""
        turn.clear()
        sleeper = asyncio.ensure_future(self.clock.sleep(seconds))
        waker = asyncio.ensure_future(turn.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            waker.cancel()
