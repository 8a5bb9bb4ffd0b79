"""Chaos: a real worker process is SIGKILLed mid-job again and again while the procurement
journey runs; after restarts every event is processed, the final state is the expected
one, and no task, notification or SMS is duplicated (RELIABILITY.md R3, R21)."""

import asyncio
import os
import random
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from sqlalchemy import func, select

from app.core.models import Job
from tests.e2e.harness import BUYER_ID, SALES_ID, Stack, free_port, live_stack, serve
from tests.e2e.procurement_steps import Journey
from tests.e2e.test_procurement import find_everything

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def sms_provider() -> tuple[FastAPI, list[dict[str, Any]]]:
    """A provider that, like real ones, drops a repeat with the same Idempotency-Key."""
    received: list[dict[str, Any]] = []
    app = FastAPI()

    @app.post("/messages")
    async def send(request: Request) -> dict[str, str]:
        body = await request.json()
        received.append(body | {"key": request.headers.get("idempotency-key")})
        return {"id": request.headers.get("idempotency-key") or "x"}

    return app, received


@dataclass
class ChaosWorker:
    stack: Stack
    env: dict[str, str]
    rng: random.Random
    process: subprocess.Popen[bytes] | None = None
    kills: int = 0
    log: list[str] = field(default_factory=list)

    def start(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "app", "worker"],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.kills += 1

    async def open_jobs(self) -> int:
        async with self.stack.context.sessions() as session:
            return int(
                await session.scalar(
                    select(func.count())
                    .select_from(Job)
                    .where(Job.status.in_(("pending", "running")))
                )
                or 0
            )

    async def running(self) -> bool:
        async with self.stack.context.sessions() as session:
            return bool(
                await session.scalar(
                    select(func.count()).select_from(Job).where(Job.status == "running")
                )
            )

    async def wait_until_running(self, seconds: float = 5.0) -> bool:
        for _ in range(int(seconds / 0.005)):
            if await self.running():
                return True
            if not await self.open_jobs():
                return False
            await asyncio.sleep(0.005)
        return False

    async def settle(self, max_kills: int = 2) -> None:
        """Deliver events; run the worker process, killing it mid-job up to ``max_kills`` times."""
        kills_here = 0
        for _ in range(600):
            delivered = (await self.stack.ctl("POST", "/events/flush"))["delivered"]
            self.start()
            if kills_here < max_kills and await self.wait_until_running():
                await asyncio.sleep(self.rng.uniform(0, 0.03))
                self.kill()
                kills_here += 1
                continue
            if not delivered and not await self.open_jobs():
                await asyncio.sleep(0.3)
                if (
                    not (await self.stack.ctl("POST", "/events/flush"))["delivered"]
                    and not await self.open_jobs()
                ):
                    return
            await asyncio.sleep(0.05)
        raise AssertionError("the worker process did not drain the inbox")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=20)


@pytest.fixture
async def chaos(
    database_url: str,
) -> AsyncIterator[tuple[Journey, ChaosWorker, list[dict[str, Any]]]]:
    provider, received = sms_provider()
    sms_port = free_port()
    async with serve(provider, sms_port), live_stack(database_url, worker_lease_seconds=1) as stack:
        journey = await Journey.start(stack)
        env = stack.process_env(
            WORKER_LEASE_SECONDS="1",
            WORKER_POLL_SECONDS="0.05",
            RECONCILE_INTERVAL_SECONDS="3600",
            REMINDER_POLL_SECONDS="3600",
            SMS_PROVIDER="http",
            SMS_HTTP_URL=f"http://127.0.0.1:{sms_port}",
            SMS_HTTP_KEY="chaos-key",
        )
        worker = ChaosWorker(stack, env, random.Random(2026))
        stack.settle = worker.settle  # type: ignore[method-assign]
        try:
            yield journey, worker, received
        finally:
            worker.stop()


class TestWorkerKilledMidWork:
    async def test_no_event_lost_and_no_side_effect_duplicated(self, chaos: Any) -> None:
        journey, worker, received = chaos
        await journey.create_deal()
        await journey.move_deal("SEARCH")
        await find_everything(journey)
        await journey.move_deal("PROPOSAL")
        await journey.move_deal("BUYOUT")
        await journey.move_card("BOUGHT")
        await journey.move_card("AT_WAREHOUSE")
        await journey.move_card("SHIPPED", extra={journey.values["card_eta_field"]: "2030-06-20"})
        await journey.move_deal("RECEIVED")
        await journey.move_deal("WON")

        assert worker.kills >= 5, "the chaos did not happen"
        assert (await journey.deal())["STAGE_ID"] == journey.deal_stage("WON")
        assert (await journey.card())["stageId"] == journey.card_stage("DONE")
        assert len(await journey.tasks(BUYER_ID)) == 2
        assert len(await journey.notifications(BUYER_ID)) == 1
        assert len(await journey.notifications(SALES_ID)) == 1
        items = await journey.stack.act(
            "crm.item.list", {"entityTypeId": journey.values["card_entity_type_id"]}
        )
        assert len(items["items"]) == 1  # exactly one procurement card
        assert (
            len({message["key"] for message in received}) == 2
        )  # two distinct SMS, repeats deduplicated
        assert await worker.open_jobs() == 0
