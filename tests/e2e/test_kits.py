"""Kits, money discounts and «Удалить все товары» end to end: the sandbox portal, the app and
its worker over real HTTP; users act in the portal, the app reacts after ``settle``."""

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from app.core.db import unit_of_work
from app.worker.actions import queue_action
from tests.automations.product_actions.portal_steps import (
    DELIVERY_ID,
    KIT_PRODUCT_ID,
    create_deal,
    create_kits_process,
    deal_opportunity,
    read_rows,
    requests_since_clear,
    rows_total,
)
from tests.e2e.harness import Stack, live_stack

pytestmark = pytest.mark.e2e


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with live_stack(database_url) as stack:
        await stack.install()
        await stack.provision()
        yield stack


async def queue(
    stack: Stack, deal_id: int, name: str, params: dict[str, str] | None = None
) -> None:
    async with unit_of_work(stack.context.sessions) as session:
        await queue_action(session, stack.member_id, deal_id, name, params or {})
    await stack.settle()


class TestKitsEndToEnd:
    async def test_a_kit_added_in_the_card_comes_back_as_its_discounted_components(
        self, stack: Stack
    ) -> None:
        await create_kits_process(stack)
        deal_id = await create_deal(
            stack, [{"PRODUCT_ID": DELIVERY_ID, "PRICE": 3000, "QUANTITY": 1}]
        )
        await stack.settle()
        # the manager adds the kit in the deal card and saves the card
        await stack.act(
            "crm.deal.productrows.set",
            {
                "id": deal_id,
                "rows": [
                    {"PRODUCT_ID": DELIVERY_ID, "PRICE": 3000, "QUANTITY": 1},
                    {"PRODUCT_ID": KIT_PRODUCT_ID, "PRICE": 45000, "QUANTITY": 3},
                ],
            },
        )
        await stack.act(
            "crm.deal.update", {"id": deal_id, "fields": {"COMMENTS": "добавлен комплект"}}
        )
        await stack.settle()
        rows = await read_rows(stack, deal_id)
        components = [r for r in rows if int(r["PRODUCT_ID"]) != DELIVERY_ID]
        assert sorted({int(r["PRODUCT_ID"]) for r in components}) == [1, 2, 3]
        assert rows_total(components) == Decimal("135000.00")  # 3 × (51 300 − 6 300)
        assert await deal_opportunity(stack, deal_id) == Decimal("138000")

    async def test_a_money_discount_spreads_exactly_and_clear_takes_one_request(
        self, stack: Stack
    ) -> None:
        deal_id = await create_deal(
            stack,
            [
                {"PRODUCT_ID": 1, "PRICE": 12500, "QUANTITY": 3},
                {"PRODUCT_ID": 3, "PRICE": 7400, "QUANTITY": 7},
                {"PRODUCT_ID": DELIVERY_ID, "PRICE": 3000, "QUANTITY": 1},
            ],
        )
        await stack.settle()
        old_total = rows_total(await read_rows(stack, deal_id))
        await queue(stack, deal_id, "apply_discount", {"amount": "1000.01"})
        assert rows_total(await read_rows(stack, deal_id)) == old_total - Decimal("1000.01")
        await stack.ctl("DELETE", "/requests")
        await queue(stack, deal_id, "clear_products")
        writes = [
            r for r in await requests_since_clear(stack) if r["method"] == "crm.item.productrow.set"
        ]
        assert len(writes) == 1
        assert await read_rows(stack, deal_id) == []

    async def test_a_refused_discount_writes_nothing(self, stack: Stack) -> None:
        deal_id = await create_deal(stack, [{"PRODUCT_ID": 2, "PRICE": 18900, "QUANTITY": 1}])
        await stack.settle()
        before = await read_rows(stack, deal_id)
        await stack.ctl("DELETE", "/requests")
        await queue(stack, deal_id, "apply_discount", {"amount": "20000"})
        methods = [
            m
            for r in await requests_since_clear(stack)
            for m in (r["batch_commands"] or [r["method"]])
        ]
        assert not [m for m in methods if m.startswith("crm.item.productrow")]
        assert await read_rows(stack, deal_id) == before
