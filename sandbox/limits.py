"""Cloud limits (REST_FACTS §3): the per-portal leaky bucket (shared with other apps on the
same server, §3.1) and per-method operating time in a window of baskets (§3.2)."""

from dataclasses import dataclass, field
from datetime import datetime

BASKET_SECONDS = 60.0
WINDOW_SECONDS = 600.0


@dataclass
class LeakyBucket:
    """``level = max(0, level - Y*dt)``; a request that would overflow is refused.

    The exact boundary is UNCONFIRMED (§3.1): ``strict`` refuses when ``level + 1 > X``,
    otherwise (the doc's literal wording) when ``level > X`` before adding.
    """

    capacity: float
    per_second: float
    strict: bool = True
    level: float = 0.0
    updated_at: datetime | None = None
    neighbour_per_second: float = 0.0

    def _drain(self, now: datetime) -> None:
        """Drain by Y per second; a neighbour app calling steadily refills meanwhile."""
        if self.updated_at is not None:
            elapsed = max(0.0, (now - self.updated_at).total_seconds())
            net = self.per_second - self.neighbour_per_second
            self.level = max(0.0, self.level - net * elapsed)
            if self.neighbour_per_second > 0:
                self.level = min(self.level, self.capacity)
        self.updated_at = now

    def consume(self, now: datetime, requests: float) -> float:
        """Another app's requests on this bucket; those that would overflow it are refused
        (they are that app's 503s), so the level never passes the capacity. Returns it."""
        self._drain(now)
        self.level = min(self.capacity, self.level + max(0.0, requests))
        return self.level

    def try_take(self, now: datetime) -> bool:
        """Count one request; False (and nothing counted) when it must be refused."""
        self._drain(now)
        over = self.level + 1 > self.capacity if self.strict else self.level > self.capacity
        if over:
            return False
        self.level += 1
        return True


@dataclass
class Basket:
    opened_at: float
    seconds: float = 0.0


@dataclass
class OperatingMeter:
    """Execution seconds of one method for one app/webhook in 10 one-minute baskets (§3.2);
    tests may shrink the window and the baskets."""

    baskets: list[Basket] = field(default_factory=list)
    window: float = WINDOW_SECONDS
    basket: float = BASKET_SECONDS

    def _live(self, now: float) -> list[Basket]:
        self.baskets = [b for b in self.baskets if b.opened_at + self.window > now]
        return self.baskets

    def operating(self, now: float) -> float:
        return sum(b.seconds for b in self._live(now))

    def reset_at(self, now: float) -> int:
        """When the oldest live basket drops out (now + window when there is none)."""
        live = self._live(now)
        oldest = min((b.opened_at for b in live), default=now)
        return int(oldest + self.window)

    def record(self, now: float, seconds: float) -> None:
        live = self._live(now)
        if not live or now - live[-1].opened_at >= self.basket:
            live.append(Basket(opened_at=now))
        live[-1].seconds += seconds


@dataclass
class OperatingLimits:
    """All meters of one portal, keyed by (caller identity, method)."""

    meters: dict[tuple[str, str], OperatingMeter] = field(default_factory=dict)
    window: float = WINDOW_SECONDS
    basket: float = BASKET_SECONDS

    def meter(self, identity: str, method: str) -> OperatingMeter:
        key = (identity, method)
        if key not in self.meters:
            self.meters[key] = OperatingMeter(window=self.window, basket=self.basket)
        return self.meters[key]

    def resize(self, window: float, basket: float) -> None:
        """A new window applies at once to every meter (baskets already open keep their start)."""
        self.window, self.basket = window, basket
        for meter in self.meters.values():
            meter.window, meter.basket = window, basket
