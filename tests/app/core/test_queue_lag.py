"""The inbox lag (``oldest_pending_age``, the ``INBOX_LAG`` metric) is the age of the oldest
event not yet acted on: a job re-armed while it runs is due again from that event's time,
not from the first event of a chain of re-runs, so a busy deal synced every few seconds does
not look minutes behind."""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core import queue
from app.core.db import create_engine, create_session_factory, unit_of_work
from app.core.models import Job
from app.core.models.base import utc_now

MEMBER = "lag-portal"
HOUR = timedelta(hours=1)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


async def armed_an_hour_ago(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with unit_of_work(sessions) as session:
        job_id = await queue.arm_deal_sync(session, MEMBER, 7)
        past = utc_now() - HOUR
        await session.execute(
            update(Job).values(run_after=past, pending_since=past, created_at=past)
        )
    return job_id


async def lag(sessions: async_sessionmaker[AsyncSession]) -> float:
    async with sessions() as session:
        return await queue.oldest_pending_age(session)


class TestInboxLag:
    async def test_a_re_run_is_due_from_the_event_that_came_during_the_run(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        await armed_an_hour_ago(sessions)
        assert await lag(sessions) >= HOUR.total_seconds() - 5
        async with unit_of_work(sessions) as session:
            [job] = await queue.claim(session, worker_id="w", limit=1, lease=HOUR)
        async with unit_of_work(sessions) as session:
            await queue.arm_deal_sync(session, MEMBER, 7)  # an event while it runs
        async with unit_of_work(sessions) as session:
            await queue.finish(session, job, worker_id="w")
        async with sessions() as session:
            again = await session.get(Job, job.id)
        assert again is not None and again.status == queue.PENDING  # it runs once more
        assert await lag(sessions) < 60  # from the new event, not an hour

    async def test_a_pending_job_keeps_its_oldest_event(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        await armed_an_hour_ago(sessions)
        async with unit_of_work(sessions) as session:
            await queue.arm_deal_sync(session, MEMBER, 7)  # coalesced into the waiting job
        assert await lag(sessions) >= HOUR.total_seconds() - 5
