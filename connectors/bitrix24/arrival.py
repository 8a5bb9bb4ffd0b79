"""The adaptive bunching margin, learned from when the portal says it received requests.

Requests we grant in order can reach the portal bunched (queueing, scheduling, network),
so the portal may count them closer together than our copy of its bucket did; the bucket
policy keeps ``jitter_seconds`` of drain free for that. Every answer's ``time.start`` tells
when the portal received the request, on the portal's clock (a constant clock offset
cancels out of every difference below).

While the portal's bucket never empties, its count runs ahead of ours by the drain of how
much later its busy period began than ours: the delay of the period's first arrival
(earliest arrival − earliest grant) minus the delay of the request at hand. The margin in
use is ``factor`` times the largest such difference seen in the busy period (first delay −
lowest delay; requests that arrive later than that only lower the portal's count), never
below ``floor_seconds`` and never above the configured ``jitter_seconds``, which also holds
until ``min_samples`` answers arrived (a portal that reports no ``start`` keeps it). A busy
period ends with a quiet gap long enough for the bucket to drain.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ArrivalSpread:
    """The grant and arrival times of one portal's busy period and the margin they call for."""

    min_samples: int = 8
    factor: float = 1.0
    floor_seconds: float = 0.02
    quiet_seconds: float = 25.0  # a full standard bucket drains in 50 / 2 s
    _samples: int = 0
    _first_granted: float = 0.0
    _first_arrived: float = 0.0
    _lowest_delay: float = 0.0
    _last_granted: float | None = None

    def record(self, granted_at: float, arrived_at: float | None) -> None:
        if arrived_at is None:
            return
        if self._last_granted is None or granted_at - self._last_granted >= self.quiet_seconds:
            self._samples, self._last_granted = 0, granted_at  # a new busy period
            self._first_granted, self._first_arrived = granted_at, arrived_at
            self._lowest_delay = arrived_at - granted_at
        self._last_granted = max(self._last_granted, granted_at)
        self._samples += 1
        self._first_granted = min(self._first_granted, granted_at)
        self._first_arrived = min(self._first_arrived, arrived_at)
        self._lowest_delay = min(self._lowest_delay, arrived_at - granted_at)

    def jitter(self, ceiling: float) -> float:
        """Seconds of drain to keep free: learned, but never more daring than configured."""
        if self._samples < self.min_samples:
            return ceiling
        ahead = (self._first_arrived - self._first_granted) - self._lowest_delay
        return min(ceiling, max(self.floor_seconds, self.factor * ahead))
