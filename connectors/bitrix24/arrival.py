"""The adaptive bunching margin, learned from when the portal says it received requests.

Requests we grant in order can reach the portal bunched (queueing, scheduling, network),
so the portal may count them closer together than our copy of its bucket did; the bucket
policy keeps ``jitter_seconds`` of drain free for that. Every answer's ``time.start`` tells
when the portal received the request, on the portal's clock: the spread of
(arrival − our grant) over the recent answers is how much bunching actually happens — a
constant clock offset cancels out. The margin in use is ``factor`` times that spread, never
below ``floor_seconds`` and never above the configured ``jitter_seconds``, which also holds
until ``min_samples`` answers arrived (a portal that reports no ``start`` keeps it).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class ArrivalSpread:
    """Recent (arrival − grant) delays of one portal and the margin they call for."""

    window: int = 64
    min_samples: int = 8
    factor: float = 1.0
    floor_seconds: float = 0.02
    _delays: deque[float] = field(default_factory=deque)

    def record(self, granted_at: float, arrived_at: float | None) -> None:
        if arrived_at is None:
            return
        self._delays.append(arrived_at - granted_at)
        if len(self._delays) > self.window:
            self._delays.popleft()

    def jitter(self, ceiling: float) -> float:
        """Seconds of drain to keep free: learned, but never more daring than configured."""
        if len(self._delays) < self.min_samples:
            return ceiling
        spread = max(self._delays) - min(self._delays)
        return min(ceiling, max(self.floor_seconds, self.factor * spread))
