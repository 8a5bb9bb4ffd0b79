"""The worker: coalescing, retries with backoff, dead letters, leases and the admin retry (R3, R19, R18)."""

import asyncio
from collections import Counter
from dataclasses import replace
from datetime import UTC, timedelta

import pytest
import structlog
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core import queue
from app.core.context import AppContext
from app.core.db import create_engine, create_session_factory, unit_of_work
from app.core.models import Job
from app.core.models.base import utc_now
from app.core.outcome import Outcome
from app.core.queue import PermanentJobError, UnavailableError
from app.worker.deps import job_deps
from app.worker.runner import Worker
from app.worker.scheduler import PeriodicJob, run_tick
from automations.ports import Deps
from tests.appclient import MEMBER_ID, AppHarness, app_harness


@pytest.fixture
async def harness(database_url: str):
    async with app_harness(
        database_url, inbox_max_attempts=3, admin_token="admin-secret-token"
    ) as harness:
        await harness.register()
        yield harness


async def arm(context: AppContext, key: str, kind: str = "count") -> int:
    async with unit_of_work(context.sessions) as session:
        return await queue.arm_job(session, MEMBER_ID, kind, key, {"key": key})


async def get_job(context: AppContext, job_id: int) -> Job:
    async with context.sessions() as session:
        job = await session.get(Job, job_id)
    assert job is not None
    return job


async def make_due(context: AppContext) -> None:
    async with unit_of_work(context.sessions) as session:
        await session.execute(update(Job).values(run_after=utc_now() - timedelta(seconds=1)))


class TestWorker:
    async def test_runs_each_armed_job_once(self, harness: AppHarness) -> None:
        runs: Counter[str] = Counter()

        async def count(_deps: Deps, job: Job) -> str:
            runs[job.payload["key"]] += 1
            return "counted"

        for key in ("a", "b", "a", "a"):
            await arm(harness.context, key)
        await Worker(job_deps(harness.context), {"count": count}).run_until_idle()
        assert runs == {"a": 1, "b": 1}

    async def test_event_during_a_run_makes_the_job_run_once_more(
        self, harness: AppHarness
    ) -> None:
        runs: list[int] = []

        async def rearm_on_first_run(_deps: Deps, job: Job) -> str:
            runs.append(job.id or 0)
            if len(runs) == 1:
                await arm(harness.context, "a")
            return "ok"

        job_id = await arm(harness.context, "a")
        await Worker(job_deps(harness.context), {"count": rearm_on_first_run}).run_until_idle()
        assert runs == [job_id, job_id]
        assert (await get_job(harness.context, job_id)).status == "done"

    async def test_failing_job_is_retried_then_dead_lettered_and_others_proceed(
        self, harness: AppHarness
    ) -> None:
        done: list[str] = []

        async def poison(_deps: Deps, job: Job) -> str:
            if job.payload["key"] == "poison":
                raise RuntimeError("handler raises on this deal")
            done.append(job.payload["key"])
            return "ok"

        poison_id = await arm(harness.context, "poison")
        await arm(harness.context, "healthy")
        worker = Worker(job_deps(harness.context), {"count": poison})
        for _ in range(3):
            await worker.run_until_idle()
            await make_due(harness.context)
        job = await get_job(harness.context, poison_id)
        assert (job.status, job.attempts) == ("dead", 3)
        assert "handler raises on this deal" in job.last_error
        assert done == ["healthy"]

        listed = await harness.http.get(
            "/admin/jobs", headers={"authorization": "Bearer admin-secret-token"}
        )
        assert [j["id"] for j in listed.json()["jobs"]] == [poison_id]
        retried = await harness.http.post(
            f"/admin/jobs/{poison_id}/retry", headers={"authorization": "Bearer admin-secret-token"}
        )
        assert retried.status_code == 200
        assert (await get_job(harness.context, poison_id)).status == "pending"

    async def test_admin_routes_refuse_without_the_token(self, harness: AppHarness) -> None:
        assert (await harness.http.get("/admin/jobs")).status_code == 401
        assert (
            await harness.http.post("/admin/jobs/1/retry", headers={"authorization": "Bearer x"})
        ).status_code == 401

    async def test_permanent_error_dead_letters_at_once(self, harness: AppHarness) -> None:
        async def refuse(_deps: Deps, _job: Job) -> str:
            raise PermanentJobError("access denied by the portal")

        job_id = await arm(harness.context, "x")
        await Worker(job_deps(harness.context), {"count": refuse}).run_until_idle()
        assert (await get_job(harness.context, job_id)).status == "dead"

    async def test_a_job_waiting_for_a_side_that_is_down_is_never_dead_lettered(
        self, harness: AppHarness
    ) -> None:
        async def down(_deps: Deps, _job: Job) -> str:
            raise UnavailableError("node answered HTTP 503", retry_max_seconds=7)

        job_id = await arm(harness.context, "x")
        worker = Worker(job_deps(harness.context), {"count": down})
        for _ in range(12):  # four times INBOX_MAX_ATTEMPTS
            await worker.run_until_idle()
            await make_due(harness.context)
        await worker.run_until_idle()
        job = await get_job(harness.context, job_id)
        assert (job.status, job.attempts) == ("pending", 13)
        pause = (job.run_after.replace(tzinfo=UTC) - utc_now()).total_seconds()
        assert 5 < pause <= 7  # the backoff (2**12 s) capped by the error

    async def test_a_crashed_workers_job_is_taken_over_after_its_lease(
        self, harness: AppHarness
    ) -> None:
        job_id = await arm(harness.context, "a")
        async with unit_of_work(harness.context.sessions) as session:
            taken = await queue.claim(
                session, worker_id="dead-worker", limit=10, lease=timedelta(seconds=-1)
            )
        assert [j.id for j in taken] == [job_id]
        runs: list[str] = []

        async def record(_deps: Deps, job: Job) -> str:
            runs.append(job.locked_by)
            return "ok"

        worker = Worker(job_deps(harness.context), {"count": record})
        await worker.run_until_idle()
        assert runs == [worker.worker_id]

    async def test_a_run_longer_than_its_lease_is_not_run_again_meanwhile(
        self, harness: AppHarness
    ) -> None:
        job_id = await arm(harness.context, "a")
        runs: list[int] = []

        async def slow(_deps: Deps, job: Job) -> str:
            runs.append(job.id or 0)
            await asyncio.sleep(1.2)  # four leases of 0.3 s
            return "ok"

        worker = Worker(
            job_deps(harness.context),
            {"count": slow},
            concurrency=2,
            lease=timedelta(seconds=0.3),
            poll_seconds=0.02,
        )
        running = asyncio.create_task(worker.run_forever())
        for _ in range(200):
            await asyncio.sleep(0.02)
            if (await get_job(harness.context, job_id)).status == "done":
                break
        await worker.stop()
        await running
        assert runs == [job_id]
        assert (await get_job(harness.context, job_id)).attempts == 1

    async def test_graceful_stop_releases_held_jobs(self, harness: AppHarness) -> None:
        job_id = await arm(harness.context, "a")
        worker = Worker(job_deps(harness.context), {})
        async with unit_of_work(harness.context.sessions) as session:
            await queue.claim(
                session, worker_id=worker.worker_id, limit=10, lease=timedelta(minutes=5)
            )
        await worker.stop(grace_seconds=0.1)
        job = await get_job(harness.context, job_id)
        assert (job.status, job.locked_by, job.attempts) == ("pending", "", 0)


class TestOutcomes:
    """The outcome of a job's last run is stored with it, for the tab and robots to read."""

    async def test_a_refusal_is_stored_apart_from_success(self, harness: AppHarness) -> None:
        async def answer(_deps: Deps, job: Job) -> str | Outcome:
            if job.payload["key"] == "too-big":
                return Outcome.refused("Скидка больше суммы сделки.")
            return "note of work done"

        refused, done = await arm(harness.context, "too-big"), await arm(harness.context, "ok")
        await Worker(job_deps(harness.context), {"count": answer}).run_until_idle()
        job = await get_job(harness.context, refused)
        assert (job.status, job.outcome_kind, job.outcome) == (
            "done",
            "refused",
            "Скидка больше суммы сделки.",
        )
        job = await get_job(harness.context, done)
        assert (job.outcome_kind, job.outcome) == ("done", "note of work done")

    async def test_a_dead_lettered_job_says_why_in_the_portals_language(
        self, harness: AppHarness
    ) -> None:
        async def refuse(_deps: Deps, _job: Job) -> str:
            raise PermanentJobError("access denied by the portal")

        job_id = await arm(harness.context, "x")
        await Worker(job_deps(harness.context), {"count": refuse}).run_until_idle()
        job = await get_job(harness.context, job_id)
        assert (job.status, job.outcome_kind) == ("dead", "failed")
        assert job.outcome.startswith("сбой после 1 попытки.")
        assert "access denied" not in job.outcome  # the technical error stays in last_error

    async def test_re_arming_a_finished_job_clears_its_outcome(self, harness: AppHarness) -> None:
        async def note(_deps: Deps, _job: Job) -> str:
            return "synced"

        job_id = await arm(harness.context, "deal-1")
        await Worker(job_deps(harness.context), {"count": note}).run_until_idle()
        assert (await get_job(harness.context, job_id)).outcome == "synced"
        assert await arm(harness.context, "deal-1") == job_id
        job = await get_job(harness.context, job_id)
        assert (job.status, job.outcome_kind, job.outcome) == ("pending", "", "")


class TestPeriodicJobs:
    async def test_two_schedulers_fire_each_period_exactly_once(self, harness: AppHarness) -> None:
        fired: list[int] = []

        async def tick(_session: object) -> int:
            fired.append(1)
            return 1

        job = PeriodicJob("probe", 60, tick)  # type: ignore[arg-type]
        for period in range(10):
            now = 1_800_000_000 + period * 60
            results = [
                await run_tick(harness.context, job, owner=o, now=now + 1) for o in ("w1", "w2")
            ]
            assert sorted(results) == [False, True]
        assert len(fired) == 10


class TestMetrics:
    async def test_metrics_show_inbox_depth_lag_and_dead_letters(self, harness: AppHarness) -> None:
        await arm(harness.context, "waiting")
        async with unit_of_work(harness.context.sessions) as session:
            ago = utc_now() - timedelta(seconds=90)
            await session.execute(update(Job).values(run_after=ago, pending_since=ago))
        text = (await harness.http.get("/metrics")).text
        assert 'b24bridge_inbox_depth{status="pending"} 1.0' in text
        lag = next(
            line for line in text.splitlines() if line.startswith("b24bridge_inbox_lag_seconds ")
        )
        assert float(lag.split()[1]) >= 89
        assert "b24bridge_dead_letter_total" in text


class SwitchableDatabase:
    """The worker's session factory, pointed at an unreachable server on demand (an outage)."""

    def __init__(self, healthy: async_sessionmaker[AsyncSession]) -> None:
        self.healthy = healthy
        self.down = create_session_factory(create_engine(UNREACHABLE))
        self.current = healthy

    def __call__(self) -> AsyncSession:
        return self.current()


UNREACHABLE = "postgresql+asyncpg://nobody@127.0.0.1:1/none"


class TestDatabaseOutageDuringAJob:
    """Issue 11 #15: the outcome cannot be stored; the worker says so once and keeps going."""

    async def test_an_unrecordable_outcome_is_logged_and_the_job_comes_back(
        self, harness: AppHarness
    ) -> None:
        database = SwitchableDatabase(harness.context.sessions)
        runs: list[int] = []

        async def count(_deps: Deps, job: Job) -> str:
            runs.append(job.id or 0)
            database.current = database.down if len(runs) == 1 else database.healthy
            return "counted"

        deps = replace(job_deps(harness.context), sessions=database)  # type: ignore[arg-type]
        worker = Worker(deps, {"count": count}, lease=timedelta(seconds=0))
        job_id = await arm(harness.context, "a")
        with structlog.testing.capture_logs() as logged:
            assert await worker.run_once() == 1
            await asyncio.gather(*worker._tasks)  # would raise if the task had failed
        assert [e["event"] for e in logged if e["log_level"] == "error"] == [
            "job outcome not recorded; the job runs again when its lease ends"
        ]
        database.current = database.healthy
        await worker.run_until_idle()
        assert runs == [job_id, job_id]
        assert (await get_job(harness.context, job_id)).status == "done"
