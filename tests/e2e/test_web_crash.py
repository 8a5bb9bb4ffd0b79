"""R4: the web process is SIGKILLed right after answering 2xx — every acknowledged event
is already in the inbox with its job (the answer is sent only after the commit)."""

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app.core import queue
from app.core.db import create_engine, create_session_factory
from app.core.models import InboxEvent, Job
from tests.appclient import deal_event, register_portal_in
from tests.e2e.harness import free_port

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


async def counts(database_url: str) -> tuple[int, int]:
    engine = create_engine(database_url)
    async with create_session_factory(engine)() as session:
        inbox = await session.scalar(select(func.count()).select_from(InboxEvent))
        armed = await session.scalar(  # each deal's sync (its bonus job is armed beside it)
            select(func.count())
            .select_from(Job)
            .where(Job.status == "pending", Job.kind == queue.SYNC_DEAL)
        )
    await engine.dispose()
    return int(inbox or 0), int(armed or 0)


class TestWebProcessKilledAfterAnswering:
    async def test_every_acknowledged_event_survives_the_kill(self, database_url: str) -> None:
        await register_portal_in(database_url)
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "RUN_WORKER": "false",
            "LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        acknowledged = 0
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                for _ in range(200):
                    try:
                        if (await client.get("/healthz")).status_code == 200:
                            break
                    except httpx.HTTPError:
                        await asyncio.sleep(0.1)
                sends = [
                    client.post("/b24/events", data=deal_event(1 + i, ts=str(100 + i)))
                    for i in range(30)
                ]
                for response in await asyncio.gather(*sends, return_exceptions=True):
                    if isinstance(response, httpx.Response) and response.status_code == 200:
                        acknowledged += 1
                os.kill(server.pid, signal.SIGKILL)  # no graceful shutdown of any kind
        finally:
            server.kill()
            server.wait()
        inbox, armed = await counts(database_url)
        assert acknowledged == 30
        assert inbox == acknowledged and armed == acknowledged
