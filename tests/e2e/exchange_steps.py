"""Steps of the exchange gateway's end-to-end tests: nodes, orders, RPC calls, deals."""

from dataclasses import dataclass
from typing import Any

import httpx

from app.core import portal_store
from app.core.db import unit_of_work
from app.core.models import Portal
from automations.exchange.nodes import Credentials, NodeSpec, add_node
from tests.e2e.harness import Stack


@dataclass
class Node:
    stack: Stack
    credentials: Credentials

    async def rpc(self, payload: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.credentials.bearer}"}
        return await self.stack.http.post("/exchange/rpc", json=payload, headers=headers)

    async def call(self, method: str, params: dict[str, Any], call_id: int = 1) -> Any:
        body = {"jsonrpc": "2.0", "method": method, "params": params, "id": call_id}
        response = await self.rpc(body)
        assert response.status_code == 200, response.text
        return response.json()


async def add(stack: Stack, name: str, **options: Any) -> Node:
    spec = NodeSpec(
        member_id=stack.member_id,
        name=name,
        kind=options.pop("kind", "rpc"),
        direction=options.pop("direction", "both"),
        **options,
    )
    async with unit_of_work(stack.context.sessions) as session:
        credentials = await add_node(session, spec)
    return Node(stack, credentials)


def order(external_id: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "external_id": external_id,
        "number": "A-1001",
        "date": "2026-12-01",
        "site_number": "S-77",
        "counterparty": {"name": "Иван Петров", "phone": "+79990001122"},
        "rows": [
            {
                "code": "demo-product-1",
                "name": "Фара передняя левая",
                "price": "12500.00",
                "quantity": "2",
            },
            {
                "code": "x#y",
                "article": "ART-003",
                "name": "Решётка радиатора",
                "price": "7400",
                "quantity": "1",
            },
        ],
    }
    return base | changes


async def deals(stack: Stack) -> list[dict[str, Any]]:
    return list(await stack.act("crm.deal.list", {"select": ["*"]}, user_id=1))


async def rows_of(stack: Stack, deal_id: int | str) -> list[dict[str, Any]]:
    return list(await stack.act("crm.deal.productrows.get", {"id": deal_id}, user_id=1))


async def portal(stack: Stack) -> Portal:
    async with stack.context.sessions() as session:
        found = await portal_store.find_active_portal(session, stack.member_id)
    assert found is not None
    return found
