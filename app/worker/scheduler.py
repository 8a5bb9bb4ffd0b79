"""The single scheduler module: every periodic job is one line in ``PERIODIC_JOBS``.

APScheduler (asyncio, 3.x) ticks in every process; each tick first claims its period
in the database (``periodic_runs``), so a periodic job runs once per period however
many processes run a scheduler (R18). Ticks only arm jobs in the inbox; the worker
does the work, with its retries and dead letters.
"""

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import portal_store, queue, schedule
from app.core.context import AppContext
from app.core.db import unit_of_work
from app.core.logs import get_logger
from automations.exchange.archive import prune_archive
from automations.exchange.push import arm_pending_pushes

log = get_logger("b24bridge.scheduler")
Tick = Callable[[AsyncSession], Awaitable[int]]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: int
    tick: Tick


async def arm_reconciliation(session: AsyncSession) -> int:
    """One reconcile job per active portal (re-reads recent and active deals)."""
    active = await portal_store.list_active_portals(session)
    for portal in active:
        await queue.arm_reconciliation(session, portal.member_id)
    return len(active)


async def fire_due_reminders(session: AsyncSession) -> int:
    """Turn due reminders into jobs; each reminder fires once."""
    due = await schedule.take_due_reminders(session)
    for reminder in due:
        await queue.arm_reminder(
            session,
            reminder.member_id,
            reminder.key,
            {"key": reminder.key, "kind": reminder.kind, **reminder.payload},
        )
    return len(due)


def periodic_jobs(context: AppContext) -> list[PeriodicJob]:
    settings = context.settings
    return [
        PeriodicJob("reconcile", settings.reconcile_interval_seconds, arm_reconciliation),
        PeriodicJob("reminders", settings.reminder_poll_seconds, fire_due_reminders),
        PeriodicJob("exchange_push", settings.exchange_sync_interval_seconds, arm_pending_pushes),
        PeriodicJob(
            "exchange_archive", 86400, prune_archive(settings.exchange_archive_retention_days)
        ),
    ]


async def run_tick(
    context: AppContext, job: PeriodicJob, *, owner: str, now: float | None = None
) -> bool:
    """Run ``job`` for the current period unless another process already claimed it."""
    period = int((now if now is not None else time.time()) // job.every_seconds)
    async with unit_of_work(context.sessions) as session:
        if not await schedule.claim_period(session, job.name, period, owner):
            return False
        count = await job.tick(session)
    log.info("periodic job ran", job=job.name, period=period, count=count)
    return True


def build_scheduler(context: AppContext, *, owner: str) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    for job in periodic_jobs(context):
        scheduler.add_job(
            _safe_tick,
            "interval",
            seconds=job.every_seconds,
            args=[context, job, owner],
            id=job.name,
            max_instances=1,
            coalesce=True,
        )
    return scheduler


async def _safe_tick(context: AppContext, job: PeriodicJob, owner: str) -> None:
    try:
        await run_tick(context, job, owner=owner)
    except Exception as exc:  # a tick boundary: log and wait for the next period
        log.warning("periodic job failed", job=job.name, error=f"{type(exc).__name__}: {exc}")
