"""The runbook's commands on a real database: dead letters listed without their payload and
retried once, a portal's reconciliation queued now, and one clear line for a wrong id."""

from sqlalchemy import update

from app.core import queue
from app.core.db import create_engine, create_session_factory, unit_of_work
from app.core.models import Job, Portal
from tests.app_process import app_env, run_app_async
from tests.appclient import MEMBER_ID, register_portal_in


async def run_cli(database_url: str, *args: str) -> tuple[int, str, str]:
    env = app_env({"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"})
    return await run_app_async(*args, env=env, timeout=60)


async def dead_job(database_url: str) -> int:
    engine = create_engine(database_url)
    async with unit_of_work(create_session_factory(engine)) as session:
        job_id = await queue.arm_job(
            session, MEMBER_ID, queue.ROBOT, "robot:1", {"event_token": "secret-event-token"}
        )
        await session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(status=queue.DEAD, attempts=8, last_error="TransportError: portal down")
        )
    await engine.dispose()
    return job_id


async def job_status(database_url: str, job_id: int) -> tuple[str, int]:
    engine = create_engine(database_url)
    async with create_session_factory(engine)() as session:
        job = await session.get(Job, job_id)
    await engine.dispose()
    assert job is not None
    return job.status, job.attempts


class TestDeadLetters:
    async def test_listed_without_payload_then_retried_once(self, database_url: str) -> None:
        job_id = await dead_job(database_url)
        code, out, _ = await run_cli(database_url, "jobs", "list")
        assert code == 0
        [line] = out.strip().splitlines()
        assert line.startswith(f"{job_id}\t{MEMBER_ID}\trobot\t8\t")
        assert line.endswith("TransportError: portal down")
        assert "secret-event-token" not in out
        assert (await run_cli(database_url, "jobs", "retry", str(job_id)))[:2] == (
            0,
            f"job {job_id} queued again\n",
        )
        assert await job_status(database_url, job_id) == (queue.PENDING, 0)
        code, _, err = await run_cli(database_url, "jobs", "retry", str(job_id))
        assert code == 2 and err.strip() == f"b24bridge: no dead-lettered job {job_id}"


class TestReconcile:
    async def test_queues_the_portals_reconciliation(self, database_url: str) -> None:
        await register_portal_in(database_url)
        code, out, _ = await run_cli(database_url, "reconcile", "--member-id", MEMBER_ID)
        assert code == 0 and out.startswith("reconciliation queued: job ")
        job_id = int(out.strip().rsplit(" ", 1)[1])
        assert await job_status(database_url, job_id) == (queue.PENDING, 0)

    async def test_an_unknown_portal_is_one_line(self, database_url: str) -> None:
        code, _, err = await run_cli(database_url, "reconcile", "--member-id", "nobody")
        assert code == 2 and err.strip() == "b24bridge: no active portal with member_id 'nobody'"


class TestRotateActionSecret:
    async def test_a_new_secret_and_the_urls_that_carry_it(self, database_url: str) -> None:
        await register_portal_in(database_url)
        code, out, _ = await run_cli(database_url, "rotate-action-secret", "--member-id", MEMBER_ID)
        assert code == 0
        urls = dict(line.split("\t") for line in out.strip().splitlines())
        assert set(urls) >= {"expand_kits", "apply_discount", "clear_products"}
        secret = await stored_secret(database_url)
        assert secret != "action-secret-value" and len(secret) >= 32
        assert all(f"secret={secret}" in url for url in urls.values())


async def stored_secret(database_url: str) -> str:
    engine = create_engine(database_url)
    async with create_session_factory(engine)() as session:
        portal = await session.get(Portal, MEMBER_ID)
    await engine.dispose()
    assert portal is not None
    return portal.action_secret
