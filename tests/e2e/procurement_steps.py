"""Steps of the procurement journey on the live stack, shared by the end-to-end tests."""

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.core.models import ProcurementLine, ProcurementLink
from app.core.portal_settings import load_portal_settings
from tests.e2e.harness import BUYER_ID, SALES_ID, Stack

GOODS_ROWS = [
    {"PRODUCT_ID": 1, "PRODUCT_NAME": "Фара передняя левая", "PRICE": 12500, "QUANTITY": 2},
    {"PRODUCT_ID": 2, "PRODUCT_NAME": "Бампер передний", "PRICE": 18900, "QUANTITY": 1},
    {"PRODUCT_ID": 5, "PRODUCT_NAME": "Доставка", "PRICE": 3000, "QUANTITY": 1},
]


@dataclass
class Journey:
    stack: Stack
    values: dict[str, Any]
    deal_id: int = 0

    @classmethod
    async def start(cls, stack: Stack) -> "Journey":
        await stack.install()
        await stack.provision()
        async with stack.context.sessions() as session:
            values = await load_portal_settings(session, stack.member_id)
        return cls(stack=stack, values=values)

    def deal_stage(self, semantic: str) -> str:
        return str(self.values["deal_stages"][semantic])

    def card_stage(self, semantic: str) -> str:
        return str(self.values["card_stages"][semantic])

    async def create_deal(self, rows: list[dict[str, Any]] | None = None) -> int:
        fields = {
            "TITLE": "Фары для Audi",
            "STAGE_ID": self.deal_stage("NEW"),
            "CONTACT_ID": 1,
            "ASSIGNED_BY_ID": SALES_ID,
        }
        self.deal_id = int(await self.stack.act("crm.deal.add", {"fields": fields}))
        await self.stack.act(
            "crm.deal.productrows.set", {"id": self.deal_id, "rows": rows or GOODS_ROWS}
        )
        await self.stack.settle()
        return self.deal_id

    async def move_deal(self, semantic: str, *, user_id: int = SALES_ID) -> None:
        await self.stack.act(
            "crm.deal.update",
            {"id": self.deal_id, "fields": {"STAGE_ID": self.deal_stage(semantic)}},
            user_id=user_id,
        )
        await self.stack.settle()

    async def move_card(self, semantic: str, *, extra: dict[str, Any] | None = None) -> None:
        fields = {"stageId": self.card_stage(semantic), **(extra or {})}
        await self.stack.act(
            "crm.item.update",
            {
                "entityTypeId": self.values["card_entity_type_id"],
                "id": await self.card_id(),
                "fields": fields,
            },
            user_id=BUYER_ID,
        )
        await self.stack.settle()

    async def link(self) -> ProcurementLink | None:
        async with self.stack.context.sessions() as session:
            return await session.scalar(
                select(ProcurementLink).where(ProcurementLink.deal_id == self.deal_id)
            )

    async def card_id(self) -> int:
        link = await self.link()
        assert link is not None and link.card_id, "the deal has no procurement card"
        return int(link.card_id)

    async def lines(self) -> list[ProcurementLine]:
        async with self.stack.context.sessions() as session:
            rows = await session.scalars(select(ProcurementLine).order_by(ProcurementLine.position))
            return list(rows)

    async def deal(self) -> dict[str, Any]:
        return dict(await self.stack.act("crm.deal.get", {"id": self.deal_id}))

    async def card(self) -> dict[str, Any]:
        item = await self.stack.act(
            "crm.item.get",
            {"entityTypeId": self.values["card_entity_type_id"], "id": await self.card_id()},
        )
        return dict(item["item"])

    async def notifications(self, user_id: int) -> list[str]:
        found = await self.stack.ctl("GET", "/notifications", params={"user_id": user_id})
        return [str(n.get("MESSAGE") or n.get("message")) for n in found["notifications"]]

    async def tasks(self, user_id: int) -> list[str]:
        found = await self.stack.ctl("GET", "/tasks", params={"user_id": user_id})
        return [str(t.get("TITLE") or t.get("title")) for t in found["tasks"]]

    async def open_tab(
        self, kind: str = "deal", user_id: int = BUYER_ID
    ) -> tuple[str, dict[str, Any]]:
        placement = (
            "CRM_DEAL_DETAIL_TAB"
            if kind == "deal"
            else f"CRM_DYNAMIC_{self.values['card_entity_type_id']}_DETAIL_TAB"
        )
        entity_id = self.deal_id if kind == "deal" else await self.card_id()
        request = await self.stack.ctl(
            "POST",
            "/placement-request",
            json={"placement": placement, "entity_id": entity_id, "user_id": user_id},
        )
        response = await self.stack.http.post(request["url"], data=request["form"])
        assert response.status_code == 200, response.text
        match = re.search(
            r'<script type="application/json" id="tab-config"[^>]*>(.*?)</script>',
            response.text,
            re.S,
        )
        assert match, "the tab page carries its config"
        return response.text, json.loads(match.group(1))

    async def enter(
        self, config: dict[str, Any], line_id: int, changes: dict[str, Any]
    ) -> dict[str, Any]:
        response = await self.stack.http.patch(
            f"{config['api_base']}/lines/{line_id}",
            json=changes,
            headers={"X-View-Token": config["view_token"]},
        )
        assert response.status_code == 200, response.text
        return dict(response.json())
