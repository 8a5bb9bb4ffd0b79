"""Run one method under the per-method operating-time limit (§3.2) and build its ``time`` block."""

from datetime import datetime
from time import perf_counter
from typing import Any

from sandbox.calls import Call, run_method
from sandbox.envelope import Timing, time_block
from sandbox.errors import RestError
from sandbox.state import Portal, Sandbox


def run_metered(call: Call, name: str, *, limits: bool) -> Any:
    """Blocked before the call when ``operating`` is already over the limit; the call that
    pushes it over still completes. Cost = configured seconds or the real elapsed time."""
    portal = call.portal
    meter = portal.operating.meter(call.caller.identity, name)
    if limits and meter.operating(call.now().timestamp()) > portal.config.operating_limit_seconds:
        raise RestError("OPERATION_TIME_LIMIT")
    started = perf_counter()
    try:
        return run_method(call, name)
    finally:
        elapsed = perf_counter() - started
        cost = portal.config.method_cost_seconds.get(name, elapsed)
        meter.record(call.now().timestamp(), cost)


def time_for(
    sandbox: Sandbox, portal: Portal, key: tuple[str, str], *, started: datetime, processing: float
) -> dict[str, Any]:
    """The ``time`` block; ``key`` is (caller identity, method)."""
    finished = sandbox.now()
    meter = portal.operating.meter(*key)
    now = finished.timestamp()
    timing = Timing(
        start=started,
        finish=finished,
        processing=processing,
        operating=meter.operating(now),
        operating_reset_at=meter.reset_at(now),
    )
    return time_block(timing, sandbox.settings.timezone_offset_hours)


def check_outage(sandbox: Sandbox, portal: Portal, name: str) -> None:
    """Control-API outage: the method (or every method) answers the chosen error."""
    outage = portal.outage
    if outage is None:
        return
    if sandbox.now() >= outage.until:
        portal.outage = None
        return
    if outage.methods is None or name in outage.methods:
        raise RestError(outage.error, status=outage.status)
