"""Per-client SMS of the exchange: the origin node's template for the stage a deal enters,
once per stage entry (a re-run of the same change sends nothing)."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from app.core import queue
from app.core.db import unit_of_work
from tests.e2e import exchange_steps as steps
from tests.e2e.harness import Stack, free_port, live_stack, serve
from tests.e2e.test_chaos import sms_provider

pytestmark = pytest.mark.e2e


@pytest.fixture
async def setup(database_url: str) -> AsyncIterator[tuple[Stack, list[dict[str, Any]]]]:
    provider, received = sms_provider()
    port = free_port()
    sms = {"sms_provider": "http", "sms_http_url": f"http://127.0.0.1:{port}",
           "sms_http_key": "test-key"}  # fmt: skip
    async with serve(provider, port), live_stack(database_url, **sms) as stack:
        await stack.install()
        yield stack, received


async def move(stack: Stack, deal_id: str, stage: str) -> None:
    await stack.act("crm.deal.update", {"id": deal_id, "fields": {"STAGE_ID": stage}})
    await stack.settle()


class TestStageSms:
    async def test_one_sms_per_stage_entry(self, setup: tuple[Stack, list[dict[str, Any]]]) -> None:
        stack, received = setup
        templates = {"EXECUTING": "Заказ $number в работе", "NEW": "Заказ $number принят"}
        node = await steps.add(stack, "b2b", sms_templates=templates)
        await node.call("order.upsert", {"order": steps.order("o-1")})
        await stack.settle()
        deal_id = (await steps.deals(stack))[-1]["ID"]
        await move(stack, deal_id, "EXECUTING")
        async with unit_of_work(stack.context.sessions) as session:  # the same change again
            await queue.arm_exchange_deal(session, stack.member_id, int(deal_id))
        await stack.settle()
        await move(stack, deal_id, "WON")
        await move(stack, deal_id, "EXECUTING")
        texts = [m["text"] for m in received]
        assert texts == ["Заказ S-77 принят", "Заказ S-77 в работе", "Заказ S-77 в работе"]
        assert {m["to"] for m in received} == {"+79990001122"}
        assert len({m["key"] for m in received}) == 3
