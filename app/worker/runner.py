"""The worker: claims jobs from the inbox, runs their handler, records the outcome.

A handler's return value becomes the job's outcome (``jobs.outcome``: done or refused, with
its message); a dead-lettered job gets a failure outcome in the portal's language, so the
tab and the robots can tell the person who asked.

Failures are retried with exponential backoff and dead-lettered after
``INBOX_MAX_ATTEMPTS`` — except a job waiting for a side that is merely down
(``UnavailableError``), which keeps retrying at its capped pause. A running job's lease is
renewed every third of it, so a long run is never taken over; a crashed worker's jobs come
back when their lease runs out; SIGTERM releases what is held (R3, R19, R21). A portal may hold at most
``per_portal_cap`` running jobs across all workers (``WORKER_PORTAL_CONCURRENCY``), and
claiming is round robin by portal, so one slow portal or one portal's backlog cannot take
every slot (R8, PRODUCT §3.11).
"""

import asyncio
import os
import socket
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.core import queue
from app.core.db import unit_of_work
from app.core.logs import get_logger
from app.core.metrics import DEAD_LETTERS, JOB_RESULTS
from app.core.models import Job
from app.core.models.base import utc_now
from app.core.outcome import Outcome, as_outcome
from app.core.queue import PermanentJobError, UnavailableError
from app.worker.outcomes import dead_letter_outcome, portal_language
from automations.ports import Deps, JobHandler

log = get_logger("b24bridge.worker")
MAX_BACKOFF_SECONDS = 600


@dataclass
class Worker:
    deps: Deps
    handlers: dict[str, JobHandler]
    concurrency: int = 4
    per_portal_cap: int = 2
    lease: timedelta = timedelta(seconds=60)
    poll_seconds: float = 1.0
    worker_id: str = field(
        default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    )
    _running: Counter[str] = field(default_factory=Counter)
    _held: set[int | None] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)

    async def run_forever(self) -> None:
        while not self._stopping.is_set():
            if len(self._tasks) >= self.concurrency:
                await asyncio.wait(self._tasks, return_when=asyncio.FIRST_COMPLETED)
            elif not await self.run_once():
                await self._idle()

    async def _idle(self) -> None:
        """Nothing to claim: wait for a poll interval, stop, or a finished job (whose portal
        may have work again) — a freed slot is filled at once, never after a poll sleep."""
        stopping = asyncio.create_task(self._stopping.wait())
        try:
            await asyncio.wait(
                {stopping, *self._tasks},
                timeout=self.poll_seconds,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            stopping.cancel()

    async def run_once(self) -> int:
        """Claim what fits in the free slots and start it; returns how many jobs started."""
        free = self.concurrency - len(self._tasks)
        if free <= 0:
            await asyncio.wait(self._tasks, return_when=asyncio.FIRST_COMPLETED)
            return 0
        saturated = frozenset(m for m, n in self._running.items() if n >= self.per_portal_cap)
        try:
            async with unit_of_work(self.deps.sessions) as session:
                claimed = await queue.claim(
                    session,
                    worker_id=self.worker_id,
                    limit=free,
                    lease=self.lease,
                    exclude_members=saturated,
                    per_portal=self.per_portal_cap,
                )
        except Exception as exc:  # database outage: keep polling, never die
            log.warning("claim failed", error=type(exc).__name__)
            return 0
        for job in claimed:
            self._start(job)
        return len(claimed)

    def _start(self, job: Job) -> None:
        if job.id in self._held:
            return  # already running here: its lease lapsed under load, the run goes on
        self._held.add(job.id)
        self._running[job.member_id] += 1
        task = asyncio.create_task(self._run(job))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for every started job (tests and graceful shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def run_until_idle(self, max_rounds: int = 1000) -> None:
        for _ in range(max_rounds):
            started = await self.run_once()
            await self.drain()
            if not started:
                return

    async def stop(self, grace_seconds: float = 10.0) -> None:
        self._stopping.set()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=grace_seconds)
        for task in self._tasks:
            task.cancel()
        async with unit_of_work(self.deps.sessions) as session:
            await queue.release(session, worker_id=self.worker_id)

    async def _run(self, job: Job) -> None:
        try:
            await self._run_and_record(job)
        except Exception as exc:  # the outcome could not be stored (database outage)
            log.error(
                "job outcome not recorded; the job runs again when its lease ends",
                job_id=job.id,
                kind=job.kind,
                member_id=job.member_id,
                error=f"{type(exc).__name__}: {exc}",
            )
        finally:
            self._running[job.member_id] -= 1
            self._held.discard(job.id)

    async def _run_and_record(self, job: Job) -> None:
        try:
            outcome = await self._keeping_lease(job)
        except Exception as exc:  # unit-of-work boundary: record the failure
            await self._record_failure(job, exc)
            return
        async with unit_of_work(self.deps.sessions) as session:
            await queue.finish(session, job, worker_id=self.worker_id, outcome=outcome)
        JOB_RESULTS.labels(kind=job.kind, result=outcome.kind.value).inc()
        log.info(
            "job done",
            job_id=job.id,
            kind=job.kind,
            member_id=job.member_id,
            outcome=outcome.kind.value,
            message=outcome.message,
        )

    async def _keeping_lease(self, job: Job) -> Outcome:
        """Run the job's handler, renewing its lease every third of it, so a long run (a
        portal's slow answers, a queue at the limiter) is never run a second time at once."""
        handling = asyncio.ensure_future(self._handle(job))
        every = max(self.lease.total_seconds() / 3, 0.05)
        try:
            while not (await asyncio.wait({handling}, timeout=every))[0]:
                await self._renew_lease(job)
            return handling.result()
        finally:
            handling.cancel()

    async def _renew_lease(self, job: Job) -> None:
        try:
            async with unit_of_work(self.deps.sessions) as session:
                kept = await queue.extend_lease(
                    session, job, worker_id=self.worker_id, lease=self.lease
                )
        except Exception as exc:  # database outage: the run goes on, renewal is retried
            log.warning("lease not renewed", job_id=job.id, error=type(exc).__name__)
            return
        if not kept:
            log.warning("job lease lost to another worker", job_id=job.id, kind=job.kind)

    async def _handle(self, job: Job) -> Outcome:
        handler = self.handlers.get(job.kind)
        if handler is None:
            raise PermanentJobError(f"no handler for job kind {job.kind!r}")
        return as_outcome(await handler(self.deps, job))

    async def _record_failure(self, job: Job, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"
        retry_at = self._retry_at(job, exc)
        outcome = None if retry_at else await self._dead_letter_outcome(job)
        async with unit_of_work(self.deps.sessions) as session:
            await queue.fail(
                session,
                job,
                worker_id=self.worker_id,
                error=error,
                retry_at=retry_at,
                outcome=outcome,
            )
        result = "dead" if retry_at is None else "retry"
        JOB_RESULTS.labels(kind=job.kind, result=result).inc()
        if retry_at is None:
            DEAD_LETTERS.inc()
        log.warning(
            "job failed",
            job_id=job.id,
            kind=job.kind,
            member_id=job.member_id,
            attempts=job.attempts,
            error=error,
            dead_lettered=retry_at is None,
        )

    def _retry_at(self, job: Job, exc: Exception) -> datetime | None:
        """When to run again; None dead-letters. A job waiting for a side that is down
        never runs out of attempts, its pause capped by the error."""
        if isinstance(exc, UnavailableError):
            cap = timedelta(seconds=exc.retry_max_seconds)
            return utc_now() + min(backoff(job.attempts), cap)
        permanent = (
            isinstance(exc, PermanentJobError)
            or job.attempts >= self.deps.settings.inbox_max_attempts
        )
        return None if permanent else utc_now() + backoff(job.attempts)

    async def _dead_letter_outcome(self, job: Job) -> Outcome:
        try:
            lang = await portal_language(self.deps, job.member_id)
        except Exception:  # the database is failing too: the outcome still gets recorded
            lang = "ru"
        return dead_letter_outcome(job, lang)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(MAX_BACKOFF_SECONDS, 2 ** max(0, attempts - 1)))
