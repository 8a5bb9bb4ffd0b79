"""Fair claiming (PRODUCT §3.11): one portal's backlog never starves the others — round
robin by portal, and a cap on one portal's running jobs across all workers. Counts the
claim order on a real database (SQLite, and PostgreSQL when configured)."""

from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core import queue
from app.core.db import create_engine, create_session_factory, unit_of_work
from app.core.models import Job
from app.core.models.base import utc_now

BIG, BACKLOG, SMALL_PORTALS = "big-portal", 10_000, 50
LEASE = timedelta(seconds=60)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


def job_row(member_id: str, key: str, age_seconds: float) -> dict[str, object]:
    at = utc_now() - timedelta(seconds=age_seconds)
    return {
        "member_id": member_id, "kind": "sync_deal", "coalesce_key": key, "payload": {},
        "status": queue.PENDING, "dirty": False, "attempts": 0, "run_after": at,
        "locked_by": "", "last_error": "", "outcome_kind": "", "outcome": "",
        "created_at": at, "updated_at": at,
    }  # fmt: skip


async def seed(sessions: async_sessionmaker[AsyncSession]) -> None:
    """The backlog is older than every small portal's job: oldest-first alone would starve them."""
    rows = [job_row(BIG, f"big:{i}", 3600 - i * 0.01) for i in range(BACKLOG)]
    rows += [job_row(f"small-{p}", f"small-{p}:1", 10) for p in range(SMALL_PORTALS)]
    async with unit_of_work(sessions) as session:
        for start in range(0, len(rows), 1000):
            await session.execute(insert(Job.__table__), rows[start : start + 1000])


async def claim(
    sessions: async_sessionmaker[AsyncSession], worker: str, limit: int, cap: int | None = 2
) -> list[Job]:
    async with unit_of_work(sessions) as session:
        return await queue.claim(
            session, worker_id=worker, limit=limit, lease=LEASE, per_portal=cap
        )


async def finish_all(sessions: async_sessionmaker[AsyncSession], jobs: list[Job]) -> None:
    async with unit_of_work(sessions) as session:
        for job in jobs:
            await queue.finish(session, job, worker_id=job.locked_by)


class TestFairClaiming:
    async def test_fifty_small_portals_start_before_the_backlog_gets_a_third_slot(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        await seed(sessions)
        claims: list[list[str]] = []
        while len({m for c in claims for m in c if m != BIG}) < SMALL_PORTALS:
            claimed = await claim(sessions, "worker-a", limit=4)
            assert claimed, "claiming stopped before every small portal got its job"
            claims.append([job.member_id for job in claimed])
            await finish_all(sessions, claimed)
        # the first claim of 4 took the backlog's oldest job and three small portals' jobs;
        # then the portals not yet served went first, so the fifty had all started after 13
        # claims; oldest first they would wait 2,500 claims
        assert len(claims) == -(-(SMALL_PORTALS + 1) // 4)
        assert claims[0].count(BIG) == 1
        assert all(BIG not in c for c in claims[1:-1])

    async def test_a_portal_never_runs_more_than_its_cap_across_workers(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        await seed(sessions)
        held: list[Job] = []
        for worker in ("worker-a", "worker-b", "worker-c"):
            held += await claim(sessions, worker, limit=30)
        running = Counter(job.member_id for job in held)
        assert running[BIG] == 2
        assert sum(1 for member in running if member != BIG) == SMALL_PORTALS
        await finish_all(sessions, [job for job in held if job.member_id == BIG][:1])
        again = await claim(sessions, "worker-d", limit=30)
        assert [job.member_id for job in again] == [BIG]  # one slot of the cap came free

    async def test_without_a_cap_claiming_is_still_round_robin(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        await seed(sessions)
        first = await claim(sessions, "worker-a", limit=SMALL_PORTALS + 1, cap=None)
        assert Counter(job.member_id for job in first)[BIG] == 1


async def seed_equal_backlogs(sessions: async_sessionmaker[AsyncSession], portals: int) -> None:
    """Portal after portal, as a bulk arm leaves them: portal 0's jobs are all the oldest."""
    rows = [
        job_row(f"equal-{p}", f"equal-{p}:{i}", 600 - p * 10 - i * 0.01)
        for p in range(portals)
        for i in range(20)
    ]
    async with unit_of_work(sessions) as session:
        await session.execute(insert(Job.__table__), rows)


class TestTurns:
    async def test_equal_backlogs_are_served_in_turns_not_portal_after_portal(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        """One slot at a time over 5 portals of 20 jobs: every portal gets its turn once
        every 5 claims, though portal 0's backlog is older than all of the others'."""
        await seed_equal_backlogs(sessions, portals=5)
        order: list[str] = []
        for _ in range(25):
            claimed = await claim(sessions, "worker-a", limit=1)
            order += [job.member_id for job in claimed]
            await finish_all(sessions, claimed)
        for start in range(0, 25, 5):
            assert sorted(order[start : start + 5]) == [f"equal-{p}" for p in range(5)]

    async def test_workers_share_the_turns(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        """A portal one worker just served waits behind the others for the next worker too."""
        await seed_equal_backlogs(sessions, portals=3)
        first = await claim(sessions, "worker-a", limit=1, cap=None)
        second = await claim(sessions, "worker-b", limit=2, cap=None)
        assert {job.member_id for job in second}.isdisjoint({first[0].member_id})
