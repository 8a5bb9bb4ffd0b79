"""Per-method execution-time budget (429 OPERATION_TIME_LIMIT).

Bitrix24 sums the execution seconds of each method per app over 10 minutes
(``time.operating``) and blocks the method once that sum exceeds the limit
(480 s in the docs' example); the call that crosses it still completes, and
the method comes back at ``operating_reset_at`` (limits.md, REST_FACTS §3.2).
Other methods keep working, so this gate is keyed by (portal, method).

The gate slows a method down once its ``operating`` passes ``slowdown_from``
of the budget, holds it until the reset time when it reaches ``stop_at``, and
holds it after a 429 until the reset time of the last successful answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.bitrix24.envelope import CallTime


@dataclass(frozen=True, slots=True)
class OperatingPolicy:
    """Budget of execution seconds per method and how to approach it."""

    budget_seconds: float = 480.0
    slowdown_from: float = 0.8
    stop_at: float = 0.95
    max_spacing_seconds: float = 5.0
    unknown_reset_seconds: float = 60.0
    # operating_reset_at is whole seconds and our clock is not the portal's.
    reset_margin_seconds: float = 1.0


@dataclass(frozen=True, slots=True)
class _Usage:
    operating: float
    reset_at: float | None


class OperatingGate:
    """Remembers ``time.operating`` per (portal, method) and says how long to wait."""

    def __init__(self, policy: OperatingPolicy | None = None) -> None:
        self._policy = policy or OperatingPolicy()
        self._usage: dict[tuple[str, str], _Usage] = {}
        self._blocked: dict[tuple[str, str], float] = {}
        self._next_at: dict[tuple[str, str], float] = {}

    def record(self, key: str, method: str, time: CallTime | None) -> None:
        """Store the ``time`` block of a successful answer."""
        if time is None or time.operating is None:
            return
        self._usage[(key, method)] = _Usage(time.operating, time.operating_reset_at)

    def block(self, key: str, method: str, now: float) -> float:
        """A 429 arrived: hold the method until its reset time; returns that time."""
        usage = self._usage.get((key, method))
        until = usage.reset_at if usage and usage.reset_at and usage.reset_at > now else None
        until = (
            until or now + self._policy.unknown_reset_seconds
        ) + self._policy.reset_margin_seconds
        self._blocked[(key, method)] = until
        return until

    def delay(self, key: str, method: str, now: float) -> float:
        """Seconds ``method`` should wait before its next call; 0 = go now.

        A 0 answer takes the method's next slot when it is being spaced out,
        so concurrent callers leave one by one.
        """
        slot = (key, method)
        blocked = self._blocked.get(slot, 0.0)
        if blocked > now:
            return blocked - now
        usage = self._usage.get(slot)
        if usage is not None and usage.reset_at is not None and usage.reset_at <= now:
            del self._usage[slot]  # the oldest minute dropped out; the value is stale
            usage = None
        if usage is None:
            return 0.0
        hold = self._hold(usage, now)
        if hold > 0.0:
            return hold
        return self._take_spaced_slot(slot, self._spacing(usage), now)

    def _hold(self, usage: _Usage, now: float) -> float:
        policy = self._policy
        if usage.operating < policy.budget_seconds * policy.stop_at:
            return 0.0
        reset_at = usage.reset_at or now + policy.unknown_reset_seconds
        return max(0.0, reset_at + policy.reset_margin_seconds - now)

    def _spacing(self, usage: _Usage) -> float:
        policy = self._policy
        slow = policy.budget_seconds * policy.slowdown_from
        stop = policy.budget_seconds * policy.stop_at
        if usage.operating <= slow:
            return 0.0
        return policy.max_spacing_seconds * min(1.0, (usage.operating - slow) / (stop - slow))

    def _take_spaced_slot(self, slot: tuple[str, str], spacing: float, now: float) -> float:
        if spacing <= 0.0:
            return 0.0
        next_at = self._next_at.get(slot, 0.0)
        if next_at > now:
            return next_at - now
        self._next_at[slot] = now + spacing
        return 0.0
