"""Push nodes: deal changes are POSTed to the node's URL; while the node refuses them (a 4xx)
they wait (the job's retries, then the periodic sync once its retries are spent), and after
it takes them every change arrives exactly once and is acknowledged; nothing is pushed again.
A node that is down (5xx, unreachable) is never dead-lettered: test_exchange_chaos.py."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response
from sqlalchemy import func, select

from app.core.db import unit_of_work
from app.core.models import ExchangeOutbox
from automations.exchange.push import arm_pending_pushes
from tests.e2e import exchange_steps as steps
from tests.e2e.harness import Stack, free_port, live_stack, serve

pytestmark = pytest.mark.e2e


@dataclass
class Receiver:
    down: bool = True
    refused: int = 0
    keys: set[str] = field(default_factory=set)
    cursors: list[int] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/changes")
        async def take(request: Request) -> Response:
            if self.down:
                self.refused += 1
                return Response(status_code=422)  # refusing, not down: the retries run out
            key = request.headers["idempotency-key"]
            if key not in self.keys:  # a repeat of a delivered push is dropped, as promised
                self.keys.add(key)
                body: dict[str, Any] = await request.json()
                self.cursors += [c["cursor"] for c in body["params"]["changes"]]
            return Response(status_code=204)

        return app


@pytest.fixture
async def setup(database_url: str) -> AsyncIterator[tuple[Stack, Receiver, str]]:
    receiver, port = Receiver(), free_port()
    async with serve(receiver.app(), port), live_stack(database_url, inbox_max_attempts=2) as stack:
        await stack.install()
        yield stack, receiver, f"http://127.0.0.1:{port}/changes"


async def unacknowledged(stack: Stack) -> int:
    async with stack.context.sessions() as session:
        query = select(func.count()).select_from(ExchangeOutbox)
        return int(await session.scalar(query.where(ExchangeOutbox.acked_at.is_(None))) or 0)


async def drain(stack: Stack, rounds: int = 30) -> None:
    for _ in range(rounds):
        await stack.worker.run_until_idle()
        await asyncio.sleep(0.3)


class TestPushNodeRefusing:
    async def test_changes_wait_for_the_node_to_take_them_and_arrive_once(
        self, setup: tuple[Stack, Receiver, str]
    ) -> None:
        stack, receiver, url = setup
        await steps.add(stack, "erp", direction="out", deal_category_id=0, push_url=url)
        deal_id = await stack.act("crm.deal.add", {"fields": {"TITLE": "Из портала"}})
        await stack.settle()
        await stack.act("crm.deal.update", {"id": deal_id, "fields": {"STAGE_ID": "EXECUTING"}})
        await stack.settle()
        await drain(stack, rounds=12)  # the job's retries are spent: dead-lettered
        assert receiver.refused >= 2 and receiver.cursors == []
        assert await unacknowledged(stack) == 2

        receiver.down = False
        async with unit_of_work(stack.context.sessions) as session:
            assert await arm_pending_pushes(session) == 1  # the periodic sync
        await drain(stack, rounds=3)
        assert len(receiver.cursors) == 2 and len(set(receiver.cursors)) == 2
        assert await unacknowledged(stack) == 0
        async with unit_of_work(stack.context.sessions) as session:
            assert await arm_pending_pushes(session) == 0
