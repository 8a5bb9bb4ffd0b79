"""Long outages without waiting for them: the test moves one virtual clock, and with it the
sandbox portal's clock (``POST /_sandbox/clock``, so its outage ends on that time) and the
app's retry schedule (every pending job's ``run_after`` comes that much closer), then lets
the system run whatever is due. Between steps the system is quiet (``Stack.settle``), so
a step is the jump to the next due retry or the next scripted happening. The app's REST
client may run on ``connector_clock()``: its retry pauses move the same clock instead of
waiting, so the portal's minute passes for the client as it does for the portal."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from app.core import queue
from app.core.db import unit_of_work
from app.core.models import Job
from app.core.models.base import utc_now

Happening = Callable[[], Awaitable[None]]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class ConnectorClock:
    """The connector's clock on virtual time: ``sleep`` moves time instead of waiting (to the
    latest wake-up asked for, so concurrent sleepers do not add up)."""

    def __init__(self, time: "VirtualTime") -> None:
        self._time = time

    def now(self) -> float:
        return self._time.unix_now()

    async def sleep(self, seconds: float) -> None:
        wake = self.now() + max(0.0, seconds)
        async with self._time.lock:
            if wake > self.now():
                await self._time.advance(wake - self.now())
        await asyncio.sleep(0)


@dataclass
class VirtualTime:
    stack: Any = None  # a Stack, set once it is up
    shift: float = 0.0
    started: float = field(default_factory=time.time)
    script: list[tuple[float, Happening]] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def elapsed(self) -> float:
        """Virtual seconds since the start: real time plus every move."""
        return time.time() - self.started + self.shift

    def unix_now(self) -> float:
        return time.time() + self.shift

    def connector_clock(self) -> ConnectorClock:
        return ConnectorClock(self)

    def at(self, seconds: float, happening: Happening) -> None:
        self.script.append((seconds, happening))
        self.script.sort(key=lambda item: item[0])

    async def advance(self, seconds: float) -> None:
        """Move the clock: at once here, then the portal's and the jobs' — shielded, so a
        sleeper cancelled meanwhile (the limiter's nap woken early) cannot leave the portal
        behind or ahead."""
        self.shift += seconds
        await asyncio.shield(self._move_others(seconds))

    async def _move_others(self, seconds: float) -> None:
        response = await self.stack.control.post("/_sandbox/clock", json={"seconds": seconds})
        response.raise_for_status()
        async with unit_of_work(self.stack.context.sessions) as session:
            jobs = await session.scalars(select(Job).where(Job.status == queue.PENDING))
            for job in jobs:
                job.run_after = _aware(job.run_after) - timedelta(seconds=seconds)

    async def next_due(self) -> float | None:
        """Seconds until the next pending job is due (0 when one is due now)."""
        async with self.stack.context.sessions() as session:
            due = await session.scalar(
                select(Job.run_after).where(Job.status == queue.PENDING).order_by(Job.run_after)
            )
        return None if due is None else max(0.0, (_aware(due) - utc_now()).total_seconds())

    async def run(self, until: float) -> None:
        """Play the script and the retries until ``until`` virtual seconds, or until
        nothing is pending and the script is done."""
        while True:
            while self.script and self.script[0][0] <= self.elapsed:
                await self.script.pop(0)[1]()
            await self.stack.settle()
            due = await self.next_due()
            happening = self.script[0][0] - self.elapsed if self.script else None
            steps = [s for s in (due, happening) if s is not None]
            if not steps or self.elapsed >= until:
                return
            async with self.lock:
                await self.advance(max(min(steps), 0.01))
