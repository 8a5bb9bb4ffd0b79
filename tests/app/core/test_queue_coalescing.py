"""Coalescing with a maximum delay (PRODUCT §3.2, issue: speed and scale-out): an event's
sync waits a quiet period for more events of the same entity, but the pending run is never
put off past ``max_delay`` after its first event. Time is moved by shifting the job's stored
times back (what the queue would see after that many seconds), on a real database."""

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from itertools import count

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core import queue
from app.core.db import create_engine, create_session_factory, unit_of_work
from app.core.models import Job
from app.core.models.base import utc_now

MEMBER, DEAL = "coalescing-portal", 7
STORM = queue.Coalescing(quiet_seconds=5, max_delay_seconds=8)
KEY = queue.deal_sync_key(MEMBER, DEAL)
_events = count()


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


async def event(sessions: async_sessionmaker[AsyncSession]) -> None:
    delivery = queue.Delivery(
        member_id=MEMBER, dedupe_key=f"evt-{next(_events)}", source="event",
        name="ONCRMDEALUPDATE", job_kind=queue.SYNC_DEAL, coalesce_key=KEY,
        job_payload={"deal_id": DEAL}, coalescing=STORM,
    )  # fmt: skip
    async with unit_of_work(sessions) as session:
        await queue.accept_many(session, [delivery])


async def seconds_pass(sessions: async_sessionmaker[AsyncSession], seconds: float) -> None:
    back = timedelta(seconds=seconds)
    async with unit_of_work(sessions) as session:
        stored = await _the_job(session)
        for name in ("run_after", "pending_since", "due_by"):
            setattr(stored, name, aware(getattr(stored, name)) - back)


async def job(sessions: async_sessionmaker[AsyncSession]) -> Job:
    async with sessions() as session:
        return await _the_job(session)


async def _the_job(session: AsyncSession) -> Job:
    return (await session.scalars(select(Job).where(Job.coalesce_key == KEY))).one()


def due_in(at: datetime) -> float:
    """Seconds until ``at``; it only shrinks as the test runs, so only upper bounds are safe."""
    return (aware(at) - utc_now()).total_seconds()


def span(since: datetime, until: datetime) -> float:
    return (aware(until) - aware(since)).total_seconds()


def aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=utc_now().tzinfo)


class TestQuietPeriod:
    async def test_an_event_is_due_after_the_quiet_period(self, sessions) -> None:
        await event(sessions)
        pending = await job(sessions)
        assert span(pending.pending_since, pending.run_after) == 5
        assert span(pending.pending_since, pending.due_by) == 8

    async def test_another_event_in_the_quiet_period_puts_the_run_off(self, sessions) -> None:
        await event(sessions)
        await seconds_pass(sessions, 1)  # was due in 4 s
        latest = utc_now()
        await event(sessions)
        pending = await job(sessions)
        assert span(latest, pending.run_after) >= 5 and due_in(pending.run_after) <= 5
        assert span(pending.pending_since, pending.due_by) == 8  # the first event's cap
        assert pending.run_after < pending.due_by

    async def test_the_run_is_never_put_off_past_the_maximum_delay(self, sessions) -> None:
        await event(sessions)
        for _ in range(3):  # an edit every 2 s: without the cap it would never be due
            await seconds_pass(sessions, 2)
            await event(sessions)
        pending = await job(sessions)
        assert pending.run_after == pending.due_by  # 8 s after the first event, 6 s ago
        assert span(pending.pending_since, pending.due_by) == 8
        assert due_in(pending.run_after) <= 2
        await seconds_pass(sessions, 2)
        await event(sessions)
        assert due_in((await job(sessions)).run_after) <= 0  # due: more events wait no more

    async def test_a_click_in_the_tab_is_due_at_once_even_in_a_quiet_period(self, sessions) -> None:
        await event(sessions)
        async with unit_of_work(sessions) as session:
            await queue.arm_deal_sync(session, MEMBER, DEAL)  # immediate, like the tab
        assert due_in((await job(sessions)).run_after) <= 0

    async def test_a_retry_backoff_is_kept(self, sessions) -> None:
        await event(sessions)
        await seconds_pass(sessions, 6)
        async with unit_of_work(sessions) as session:
            [claimed] = await queue.claim(session, worker_id="w", limit=1, lease=timedelta(60))
        retry_at = utc_now() + timedelta(seconds=300)
        async with unit_of_work(sessions) as session:
            await queue.fail(session, claimed, worker_id="w", error="x", retry_at=retry_at)
        await event(sessions)
        assert aware((await job(sessions)).run_after) == retry_at


class TestDuringARun:
    async def test_events_during_a_run_make_one_re_run_within_the_maximum_delay(
        self, sessions
    ) -> None:
        await event(sessions)
        await seconds_pass(sessions, 6)
        async with unit_of_work(sessions) as session:
            [running] = await queue.claim(session, worker_id="w", limit=1, lease=timedelta(60))
        await event(sessions)  # starts the re-run's wait: due in 5, at the latest in 8
        for _ in range(4):
            await seconds_pass(sessions, 2)
            await event(sessions)
        async with unit_of_work(sessions) as session:
            await queue.finish(session, running, worker_id="w")
        rerun = await job(sessions)
        assert rerun.status == queue.PENDING
        assert due_in(rerun.run_after) <= 0  # 8 s after the first event of the run passed
        assert span(rerun.pending_since, rerun.due_by) == 8  # the inbox lag counts from that
        assert -due_in(rerun.pending_since) > 7  # event, 8 s (and the test's own time) ago
