"""Kits at the boundary over the live stack: a node that keeps a kit as one row gets it
exploded into the portal's components (money exact to the kopeck) and assembled back in its
changes; a node that keeps components, like the portal, has a kit row it sends anyway
exploded at its own money. The node's setting is changed by the operator's command."""

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from app.core.db import unit_of_work
from automations.kit_catalog.repository import upsert_kits
from automations.pricing import KitComponent, KitDefinition
from tests.app_process import run_app_async
from tests.e2e import exchange_steps as steps
from tests.e2e.harness import Stack, live_stack

pytestmark = pytest.mark.e2e
D = Decimal
KIT = KitDefinition(  # «Комплект рестайлинга» (product 4 of the sandbox catalog)
    product_id=4,
    components=(
        KitComponent(
            product_id=1, name="Фара передняя левая", quantity=D(1), price_brutto=D(12500)
        ),
        KitComponent(product_id=2, name="Бампер передний", quantity=D(1), price_brutto=D(18900)),
        KitComponent(product_id=3, name="Решётка радиатора", quantity=D(2), price_brutto=D(7400)),
    ),
)


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with live_stack(database_url) as stack:
        await stack.install()
        async with unit_of_work(stack.context.sessions) as session:
            await upsert_kits(session, stack.member_id, "file", [KIT])
        yield stack


def row(product_id: int, name: str, price: str, quantity: str) -> dict[str, str]:
    return {"code": f"demo-product-{product_id}", "name": name, "price": price,
            "quantity": quantity}  # fmt: skip


def kopecks(rows: list[dict[str, object]]) -> int:
    return sum(round(D(str(r["PRICE"])) * D(str(r["QUANTITY"])) * 100) for r in rows)


async def set_kits(stack: Stack, node: steps.Node, mode: str) -> None:
    node_id = str(node.credentials.node_id)
    code, _, err = await run_app_async(
        "exchange", "node", "set-kits", node_id, "--kits", mode, env=stack.process_env()
    )
    assert code == 0, err


class TestNodeKeepsKits:
    async def test_a_kit_row_comes_in_as_components_and_goes_out_as_the_kit(
        self, stack: Stack
    ) -> None:
        node = await steps.add(stack, "b2b")
        await set_kits(stack, node, "as_kit")
        kit_row = row(4, "Комплект рестайлинга", "40000.01", "3")
        await node.call("order.upsert", {"order": steps.order("o-1", rows=[kit_row])})
        await stack.worker.run_until_idle()
        deal = (await steps.deals(stack))[-1]
        rows = await steps.rows_of(stack, deal["ID"])
        assert {r["PRODUCT_ID"] for r in rows} == {1, 2, 3}
        assert sum(r["QUANTITY"] for r in rows if r["PRODUCT_ID"] == 3) == 6
        assert kopecks(rows) == 12000003  # 3 × 40 000.01, to the kopeck
        await stack.settle()
        await stack.act("crm.deal.update", {"id": deal["ID"], "fields": {"STAGE_ID": "EXECUTING"}})
        await stack.settle()
        changes = (await node.call("changes.pull", {}))["result"]["changes"]
        [last] = [c for c in changes if "stage" in c["changed"]]
        assert [(name.startswith("Комплект"), D(price) * D(quantity)) for name, price, quantity
                in last["rows"]] == [(True, D("120000.03"))]  # fmt: skip

    async def test_a_bad_setting_is_refused_by_the_command(self, stack: Stack) -> None:
        node = await steps.add(stack, "b2b")
        node_id = str(node.credentials.node_id)
        code, out, err = await run_app_async(
            "exchange", "node", "set-kits", node_id, "--kits", "halves", env=stack.process_env()
        )
        assert code != 0 and "kits" in out + err


class TestNodeKeepsComponents:
    async def test_a_kit_row_sent_anyway_is_exploded_at_the_nodes_money(self, stack: Stack) -> None:
        node = await steps.add(stack, "b2b", kits="as_components")
        rows_in = [row(4, "Комплект", "40000.01", "1"), row(5, "Доставка", "3000", "1")]
        await node.call("order.upsert", {"order": steps.order("o-2", rows=rows_in)})
        await stack.settle()
        deal = (await steps.deals(stack))[-1]
        rows = await steps.rows_of(stack, deal["ID"])
        assert {r["PRODUCT_ID"] for r in rows} == {1, 2, 3, 5}
        assert kopecks(rows) == 4000001 + 300000  # the node's price, not the definition's
        assert deal["OPPORTUNITY"] == "43000.01"
