"""``b24bridge worker`` as the process manager runs it: SIGTERM while a job is running (its
portal never answers) ends the process within the grace period, and the job is handed back
to the queue at once — pending, unlocked, its attempt not counted — instead of waiting for
the lease to run out (RELIABILITY R21)."""

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.core import queue
from app.core.db import create_engine, create_session_factory, unit_of_work
from app.core.models import Job
from app.core.portal_store import PortalRegistration, register_portal
from tests.e2e.harness import free_port

ROOT = Path(__file__).resolve().parents[3]
MEMBER_ID = "f0e1d2c3b4a5968778695a4b3c2d1e0f"


@pytest.fixture
async def silent_portal() -> AsyncIterator[str]:
    """A portal address that accepts connections and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    port = free_port()
    server = await asyncio.start_server(hold, "127.0.0.1", port)
    async with server:
        yield f"127.0.0.1:{port}"
        for writer in held:
            writer.close()


async def job_waiting_on(database_url: str, host: str) -> int:
    engine = create_engine(database_url)
    registration = PortalRegistration(
        member_id=MEMBER_ID,
        domain=host,
        client_endpoint=f"http://{host}/rest/",
        application_token="app-token-of-the-silent-portal",
        access_token="access-token-of-the-silent-portal",
        refresh_token="refresh-token-of-the-silent-portal",
    )
    async with unit_of_work(create_session_factory(engine)) as session:
        await register_portal(session, registration, action_secret="action-secret-value")
        job_id = await queue.arm_deal_sync(session, MEMBER_ID, 41)
    await engine.dispose()
    return job_id


async def read_job(database_url: str, job_id: int) -> Job:
    engine = create_engine(database_url)
    async with create_session_factory(engine)() as session:
        job = await session.get(Job, job_id)
    await engine.dispose()
    assert job is not None
    return job


async def wait_until_running(database_url: str, job_id: int, attempts: int = 300) -> Job:
    for _ in range(attempts):
        job = await read_job(database_url, job_id)
        if job.status == queue.RUNNING:
            return job
        await asyncio.sleep(0.1)
    raise AssertionError("the worker never claimed the job")


class TestGracefulShutdown:
    async def test_sigterm_hands_the_running_job_back_at_once(
        self, database_url: str, silent_portal: str
    ) -> None:
        job_id = await job_waiting_on(database_url, silent_portal)
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "B24_ALLOWED_DOMAINS": silent_portal,
            "WORKER_POLL_SECONDS": "0.05",
            "WORKER_LEASE_SECONDS": "600",
            "WORKER_STOP_GRACE_SECONDS": "0.5",
            "RECONCILE_INTERVAL_SECONDS": "3600",
            "LOG_LEVEL": "WARNING",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app", "worker", cwd=ROOT, env=env
        )
        try:
            held = await wait_until_running(database_url, job_id)
            assert held.locked_by and held.attempts == 1
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), timeout=30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        assert code == 0
        job = await read_job(database_url, job_id)
        assert (job.status, job.locked_by, job.locked_until, job.attempts) == (
            queue.PENDING,
            "",
            None,
            0,
        )
