"""Start and stop the background parts of a process: the worker loop and the scheduler."""

import asyncio
import signal
from dataclasses import dataclass
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from app.core.context import AppContext
from app.worker.deps import job_deps
from app.worker.registry import HANDLERS
from app.worker.runner import Worker
from app.worker.scheduler import build_scheduler


@dataclass
class Background:
    worker: Worker
    scheduler: AsyncIOScheduler
    loop_task: asyncio.Task[None]
    grace_seconds: float  # WORKER_STOP_GRACE_SECONDS


def build_worker(context: AppContext) -> Worker:
    settings = context.settings
    return Worker(
        deps=job_deps(context),
        handlers=dict(HANDLERS),
        concurrency=settings.worker_concurrency,
        per_portal_cap=settings.worker_portal_concurrency,
        poll_seconds=settings.worker_poll_seconds,
        lease=timedelta(seconds=settings.worker_lease_seconds),
    )


def start_background(context: AppContext) -> Background:
    worker = build_worker(context)
    context.services["worker"] = worker
    scheduler = build_scheduler(context, owner=worker.worker_id)
    scheduler.start()
    return Background(
        worker=worker,
        scheduler=scheduler,
        loop_task=asyncio.create_task(worker.run_forever()),
        grace_seconds=context.settings.worker_stop_grace_seconds,
    )


async def stop_background(background: Background) -> None:
    """Stop claiming, give running jobs the grace period, hand back what is still held."""
    background.scheduler.shutdown(wait=False)
    await background.worker.stop(background.grace_seconds)
    await background.loop_task


async def run_worker_process(context: AppContext) -> None:
    """``b24bridge worker``: run until SIGTERM/SIGINT, then release held jobs."""
    background = start_background(context)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await stop_background(background)
