"""Time source of the connector, injectable so limits can be tested on a virtual clock.

Wall-clock seconds (``time.time``) rather than a monotonic clock: Bitrix24's
``operating_reset_at`` is a unix timestamp, and processes sharing one rate
budget through Redis or PostgreSQL must read the same time base.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    """Reads the time and waits."""

    def now(self) -> float:
        """Unix seconds."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (may be cancelled)."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))
