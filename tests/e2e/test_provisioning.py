"""Provisioning on the sandbox portal: our stages in the documented order before the final
ones; the funnel the app created keeps no defaults; the admin's funnels lose nothing."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from app.portals.provisioning import provision_portal
from automations.provisioning.stages import CARD_SEMANTICS, CARD_TITLES, DEAL_TITLES
from tests.e2e.harness import Stack, live_stack

pytestmark = pytest.mark.e2e

CARD_NAMES = [CARD_TITLES[s] for s in CARD_SEMANTICS]
OUR_DEAL_NAMES = [
    DEAL_TITLES[s]
    for s in ("SEARCH", "FOUND", "PROPOSAL", "BUYOUT", "BOUGHT", "IN_TRANSIT", "RECEIVED")
]
DEAL_DEFAULTS = ["Подготовка документов", "Счёт на предоплату", "В работе", "Финальный счёт"]


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with live_stack(database_url) as stack:
        await stack.install()
        yield stack


async def funnel(stack: Stack, reference: str) -> list[dict[str, Any]]:
    """The funnel's stages in the order the portal shows them (by SORT)."""
    rows = await stack.act(
        "crm.status.list", {"filter": {"ENTITY_ID": reference}, "order": {"SORT": "ASC"}}
    )
    return sorted(rows, key=lambda row: (int(row["SORT"]), int(row["ID"])))


def names(rows: list[dict[str, Any]]) -> list[str]:
    return [row["NAME"] for row in rows]


async def card_funnel(stack: Stack, report_map: dict[str, Any]) -> list[dict[str, Any]]:
    entity_type_id, category_id = report_map["card_entity_type_id"], report_map["card_category_id"]
    return await funnel(stack, f"DYNAMIC_{entity_type_id}_STAGE_{category_id}")


class TestProvisionedStages:
    async def test_the_funnel_the_app_created_has_only_our_stages_in_order(
        self, stack: Stack
    ) -> None:
        report = await provision_portal(stack.context, stack.member_id)
        rows = await card_funnel(stack, report.stage_map)
        assert names(rows) == CARD_NAMES
        assert [row["SEMANTICS"] for row in rows[-2:]] == ["S", "F"]

    async def test_the_deal_funnel_keeps_the_admins_stages_and_ours_sort_before_the_finals(
        self, stack: Stack
    ) -> None:
        await provision_portal(stack.context, stack.member_id)
        rows = await funnel(stack, "DEAL_STAGE")
        assert names(rows) == [
            "Новая",
            *DEAL_DEFAULTS,
            *OUR_DEAL_NAMES,
            "Сделка успешна",
            "Сделка провалена",
        ]

    async def test_a_smart_process_the_admin_made_keeps_its_stages(self, stack: Stack) -> None:
        fields = {"title": "Закупка", "isStagesEnabled": "Y", "isCategoriesEnabled": "Y"}
        await stack.act(
            "crm.type.add", {"fields": fields | {"isLinkWithProductsEnabled": "Y"}}, user_id=1
        )
        report = await provision_portal(stack.context, stack.member_id)
        rows = await card_funnel(stack, report.stage_map)
        assert names(rows) == [
            "Начало",
            "Подготовка",
            "Согласование с клиентом",
            *CARD_NAMES[:-2],
            "Успех",
            "Провал",
        ]

    async def test_a_second_run_changes_nothing(self, stack: Stack) -> None:
        first = await provision_portal(stack.context, stack.member_id)
        before = await card_funnel(stack, first.stage_map), await funnel(stack, "DEAL_STAGE")
        again = await provision_portal(stack.context, stack.member_id)
        assert (again.created, again.changed) == ((), ())
        after = await card_funnel(stack, again.stage_map), await funnel(stack, "DEAL_STAGE")
        assert after == before
