"""Group commit for event deliveries: requests that arrive together share one transaction.

Bitrix24 fires one HTTP request per changed entity, so a mass update arrives as a burst.
Each request still gets its answer only after its row is committed (DR1), but a burst
costs one commit — and on SQLite one writer — instead of one per request. A request
whose sender fails verification gets its own 401/403 without affecting the others
(verification happens before anything is written).

On a database with concurrent writers (PostgreSQL) up to ``COMMITS_IN_FLIGHT`` batches
commit at once: with one at a time, the intake's rate is the connections' count over one
commit cycle. Concurrent batches are as safe as several web processes: each locks the job
rows it shares in the same key order. SQLite has one writer, so there it stays one.
"""

import asyncio
import contextlib
from typing import Any

from app.core.context import AppContext
from app.core.errors import AppError, ServiceUnavailable
from app.core.logs import get_logger
from app.core.queue import Coalescing
from app.core.uow import in_transaction
from webhooks.bitrix24.envelope import EventEnvelope
from webhooks.bitrix24.events import accept_events

MAX_BATCH = 200
COMMITS_IN_FLIGHT = 3
log = get_logger("b24bridge.events")
Item = tuple[EventEnvelope, "asyncio.Future[dict[str, Any]]"]


class EventIntake:
    def __init__(self, context: AppContext, *, max_batch: int = MAX_BATCH) -> None:
        self._context = context
        self._max_batch = max_batch
        settings = context.settings
        self._coalescing = Coalescing(settings.sync_quiet_seconds, settings.sync_max_delay_seconds)
        self._queue: asyncio.Queue[Item] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        single_writer = context.engine.dialect.name == "sqlite"
        self._in_flight = asyncio.Semaphore(1 if single_writer else COMMITS_IN_FLIGHT)
        self._batches: set[asyncio.Task[None]] = set()

    async def submit(self, envelope: EventEnvelope) -> dict[str, Any]:
        """Store one delivery (with whatever else is queued) and return its answer."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((envelope, future))
        return await future

    async def _run(self) -> None:
        while True:
            first = await self._queue.get()
            await self._in_flight.acquire()  # what queues meanwhile joins this batch
            batch = [first]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            task = asyncio.create_task(self._store_then_release(batch))
            self._batches.add(task)
            task.add_done_callback(self._batches.discard)

    async def _store_then_release(self, batch: list[Item]) -> None:
        try:
            await self._store(batch)
        finally:
            self._in_flight.release()

    async def _store(self, batch: list[Item]) -> None:
        answers = await self._answers([envelope for envelope, _future in batch])
        for (_envelope, future), answer in zip(batch, answers, strict=True):
            if future.done():
                continue
            if isinstance(answer, AppError):
                future.set_exception(answer)
            else:
                future.set_result(answer)

    async def _answers(self, envelopes: list[EventEnvelope]) -> list[dict[str, Any] | AppError]:
        """One transaction for the whole batch; a refused sender only refuses its own request."""
        answers: list[dict[str, Any] | AppError] = []

        async def work(session: Any) -> None:
            answers[:] = await accept_events(session, envelopes, self._coalescing)

        try:
            await in_transaction(self._context, work)
        except AppError as outage:  # the database is down: nobody's delivery was stored
            return [outage] * len(envelopes)
        except Exception as exc:  # a batch boundary: never leave a request waiting
            log.error(
                "event batch failed", error=f"{type(exc).__name__}: {exc}", size=len(envelopes)
            )
            return [ServiceUnavailable("the event could not be stored; nothing was stored")] * len(
                envelopes
            )
        return answers

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await asyncio.gather(*self._batches, return_exceptions=True)  # answer who is waiting


def event_intake(context: AppContext) -> EventIntake:
    return context.service("intake", lambda: EventIntake(context))
