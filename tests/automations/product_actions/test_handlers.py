"""The product-action handlers against the sandbox portal over real HTTP (SQLite and PostgreSQL)."""

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core.models import Portal
from app.core.outcome import OutcomeKind
from app.core.portal_settings import update_portal_settings
from automations.kit_catalog.refresh import load_cached_kits, refresh_kits
from automations.product_actions import PRODUCT_ACTIONS, apply_field_discount, expand_kits_in_deal
from automations.product_actions.money_discount import parse_amount
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
KIT_ROW = {"PRODUCT_ID": KIT_PRODUCT_ID, "PRICE": 45000, "QUANTITY": 2}
DELIVERY_ROW = {"PRODUCT_ID": DELIVERY_ID, "PRICE": 3000, "QUANTITY": 1}


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with live_stack(database_url) as stack:
        await stack.install()
        yield stack


async def the_portal(stack: Stack) -> Portal:
    async with stack.deps.sessions() as session:
        return (await session.scalars(select(Portal))).one()


def written_methods(requests: list[dict]) -> list[str]:
    methods = [m for r in requests for m in (r["batch_commands"] or [r["method"]])]
    return [m for m in methods if not m.endswith((".get", ".list"))]


class TestKitRefresh:
    async def test_refresh_caches_the_kits_of_the_smart_process(self, stack: Stack) -> None:
        await create_kits_process(stack)
        report = await refresh_kits(stack.deps, await the_portal(stack))
        kits = await load_cached_kits(stack.deps, stack.member_id)
        assert report.loaded == 1 and report.problems == ()
        assert [(c.product_id, c.quantity) for c in kits[KIT_PRODUCT_ID].components] == [
            (1, Decimal(2)),
            (2, Decimal(1)),
            (3, Decimal(1)),
        ]

    async def test_without_a_kits_smart_process_nothing_is_loaded(self, stack: Stack) -> None:
        report = await refresh_kits(stack.deps, await the_portal(stack))
        assert report.source_found is False and report.loaded == 0


class TestExpandKits:
    async def test_a_kit_row_becomes_components_costing_the_kit_price(self, stack: Stack) -> None:
        await create_kits_process(stack)
        deal_id = await create_deal(stack, [KIT_ROW, DELIVERY_ROW])
        outcome = await expand_kits_in_deal(stack.deps, await the_portal(stack), deal_id)
        rows = await read_rows(stack, deal_id)
        components = [r for r in rows if int(r["PRODUCT_ID"]) != DELIVERY_ID]
        assert outcome.kind is OutcomeKind.DONE and "развёрнуты" in outcome.message
        assert {int(r["PRODUCT_ID"]) for r in components} == {1, 2, 3}
        assert rows_total(components) == Decimal("90000")
        assert await deal_opportunity(stack, deal_id) == Decimal("93000")

    async def test_the_second_run_reads_once_and_writes_nothing(self, stack: Stack) -> None:
        await create_kits_process(stack)
        deal_id = await create_deal(stack, [KIT_ROW])
        portal = await the_portal(stack)
        await expand_kits_in_deal(stack.deps, portal, deal_id)
        before = await read_rows(stack, deal_id)
        await stack.ctl("DELETE", "/requests")
        await expand_kits_in_deal(stack.deps, portal, deal_id)
        requests = await requests_since_clear(stack)
        assert len(requests) == 1 and written_methods(requests) == []
        assert await read_rows(stack, deal_id) == before

    async def test_a_deal_without_kits_costs_one_read(self, stack: Stack) -> None:
        deal_id = await create_deal(stack, [DELIVERY_ROW])
        await stack.ctl("DELETE", "/requests")
        await expand_kits_in_deal(stack.deps, await the_portal(stack), deal_id)
        assert len(await requests_since_clear(stack)) == 1

    async def test_a_kit_without_definition_is_reported_and_left(self, stack: Stack) -> None:
        deal_id = await create_deal(stack, [KIT_ROW])
        outcome = await expand_kits_in_deal(stack.deps, await the_portal(stack), deal_id)
        assert outcome.kind is OutcomeKind.REFUSED
        assert "4" in outcome.message and "Комплекты" in outcome.message
        assert [int(r["PRODUCT_ID"]) for r in await read_rows(stack, deal_id)] == [KIT_PRODUCT_ID]

    async def test_a_percent_kit_discount_gives_the_rounded_kit_price(self, stack: Stack) -> None:
        await create_kits_process(stack, discount_money=Decimal(0), discount_percent=Decimal("7.5"))
        deal_id = await create_deal(
            stack, [{"PRODUCT_ID": KIT_PRODUCT_ID, "PRICE": 1, "QUANTITY": 3}]
        )
        await PRODUCT_ACTIONS["expand_kits"](stack.deps, await the_portal(stack), deal_id, {})
        # 51 300 − 7.5 % = 47 452.50 per kit
        assert rows_total(await read_rows(stack, deal_id)) == Decimal("142357.50")


class TestApplyDiscount:
    async def test_the_discount_spreads_exactly_in_place(self, stack: Stack) -> None:
        deal_id = await create_deal(
            stack, [{"PRODUCT_ID": 1, "PRICE": 12500, "QUANTITY": 2}, DELIVERY_ROW]
        )
        ids_before = [r["ID"] for r in await read_rows(stack, deal_id)]
        outcome = await PRODUCT_ACTIONS["apply_discount"](
            stack.deps, await the_portal(stack), deal_id, {"amount": "1000"}
        )
        rows = await read_rows(stack, deal_id)
        assert outcome.kind is OutcomeKind.DONE and "применена" in outcome.message
        assert rows_total(rows) == Decimal("27000")
        assert [r["ID"] for r in rows] == ids_before
        assert all(int(r["DISCOUNT_TYPE_ID"]) == 1 for r in rows)

    async def test_an_inexact_share_splits_a_row_and_the_total_is_exact(self, stack: Stack) -> None:
        deal_id = await create_deal(
            stack,
            [
                {"PRODUCT_ID": 3, "PRICE": 7400, "QUANTITY": 3},
                {"PRODUCT_ID": 2, "PRICE": 18900, "QUANTITY": 7},
            ],
        )
        await PRODUCT_ACTIONS["apply_discount"](
            stack.deps, await the_portal(stack), deal_id, {"amount": "1234,57"}
        )
        rows = await read_rows(stack, deal_id)
        assert rows_total(rows) == Decimal(3 * 7400 + 7 * 18900) - Decimal("1234.57")
        assert await deal_opportunity(stack, deal_id) == rows_total(rows)

    async def test_a_retried_job_does_not_apply_the_discount_twice(self, stack: Stack) -> None:
        deal_id = await create_deal(stack, [{"PRODUCT_ID": 1, "PRICE": 12500, "QUANTITY": 2}])
        portal = await the_portal(stack)
        await PRODUCT_ACTIONS["apply_discount"](stack.deps, portal, deal_id, {"amount": "500"})
        again = await PRODUCT_ACTIONS["apply_discount"](
            stack.deps, portal, deal_id, {"amount": "500"}
        )
        assert again.kind is OutcomeKind.DONE and "уже" in again.message
        assert rows_total(await read_rows(stack, deal_id)) == Decimal("24500")

    async def test_a_refused_discount_writes_nothing(self, stack: Stack) -> None:
        deal_id = await create_deal(stack, [DELIVERY_ROW])
        before = await read_rows(stack, deal_id)
        await stack.ctl("DELETE", "/requests")
        outcome = await PRODUCT_ACTIONS["apply_discount"](
            stack.deps, await the_portal(stack), deal_id, {"amount": "5000"}
        )
        assert outcome.kind is OutcomeKind.REFUSED
        assert outcome.message.startswith("Скидка 5000 больше суммы сделки 3000")
        assert written_methods(await requests_since_clear(stack)) == []
        assert await read_rows(stack, deal_id) == before

    async def test_the_field_discount_applies_once_and_then_only_its_change(
        self, stack: Stack
    ) -> None:
        async with stack.deps.sessions() as session, session.begin():
            await update_portal_settings(
                session, stack.member_id, {"discount_field": "UF_CRM_DISCOUNT"}
            )
        deal_id = await create_deal(stack, [{"PRODUCT_ID": 2, "PRICE": 18900, "QUANTITY": 2}])
        portal = await the_portal(stack)
        await stack.act("crm.deal.update", {"id": deal_id, "fields": {"UF_CRM_DISCOUNT": "800"}})
        await apply_field_discount(stack.deps, portal, deal_id)
        echo = await apply_field_discount(stack.deps, portal, deal_id)
        assert echo == "no new discount"
        assert rows_total(await read_rows(stack, deal_id)) == Decimal("37000")
        await stack.act("crm.deal.update", {"id": deal_id, "fields": {"UF_CRM_DISCOUNT": "1000"}})
        await apply_field_discount(stack.deps, portal, deal_id)
        assert rows_total(await read_rows(stack, deal_id)) == Decimal("36800")


class TestClearProducts:
    async def test_all_rows_go_in_one_request(self, stack: Stack) -> None:
        deal_id = await create_deal(
            stack, [KIT_ROW, DELIVERY_ROW, {"PRODUCT_ID": 1, "PRICE": 1, "QUANTITY": 9}]
        )
        await stack.ctl("DELETE", "/requests")
        await PRODUCT_ACTIONS["clear_products"](stack.deps, await the_portal(stack), deal_id, {})
        requests = await requests_since_clear(stack)
        assert [r["method"] for r in requests] == ["crm.item.productrow.set"]
        assert await read_rows(stack, deal_id) == []


class TestParseAmount:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("1 500,50", Decimal("1500.50")),
            ("700|RUB", Decimal(700)),
            ("abc", None),
            (None, None),
            ("NaN", None),
        ],
    )
    def test_amounts_from_buttons_robots_and_fields(
        self, raw: object, expected: Decimal | None
    ) -> None:
        assert parse_amount(raw) == expected
