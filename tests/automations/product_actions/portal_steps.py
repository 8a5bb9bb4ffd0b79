"""What a portal user does before the app can act on kits: the «Комплекты» smart process with
its fields and one kit item, deals with rows — all through the sandbox as that user, over REST."""

from decimal import Decimal
from typing import Any

from automations.kit_catalog.portal_source import FIELD_SUFFIXES, FIELD_TYPES, KITS_TYPE_TITLE
from tests.e2e.harness import Stack

ADMIN_ID = 1
KIT_PRODUCT_ID = 4  # «Комплект рестайлинга», catalog TYPE 2 in the sandbox seed
# (product id, unit price before discount, quantity per kit): list price 51 300
KIT_COMPONENTS = ((1, "12500", "2"), (2, "18900", "1"), (3, "7400", "1"))
KIT_DISCOUNT = Decimal("6300")  # → 45 000 per kit, the catalog price
DELIVERY_ID = 5


async def create_kits_process(
    stack: Stack, *, discount_money: Decimal = KIT_DISCOUNT, discount_percent: Decimal | None = None
) -> dict[str, Any]:
    """crm.type.add + userfieldconfig.add + crm.item.add + crm.item.productrow.set, as the admin."""
    added = await stack.act(
        "crm.type.add",
        {"fields": {"title": KITS_TYPE_TITLE, "isLinkWithProductsEnabled": "Y"}},
        user_id=ADMIN_ID,
    )
    kit_type = added["type"]
    type_id, entity_type_id = int(kit_type["id"]), int(kit_type["entityTypeId"])
    for kind, suffix in FIELD_SUFFIXES.items():
        await stack.act(
            "userfieldconfig.add",
            {
                "moduleId": "crm",
                "field": {
                    "entityId": f"CRM_{type_id}",
                    "fieldName": f"UF_CRM_{type_id}_{suffix}",
                    "userTypeId": FIELD_TYPES[kind],
                },
            },
            user_id=ADMIN_ID,
        )
    fields: dict[str, Any] = {
        "title": "Рестайлинг Camry",
        f"ufCrm{type_id}_KIT_PRODUCT": KIT_PRODUCT_ID,
        f"ufCrm{type_id}_DISCOUNT_MONEY": str(discount_money),
    }
    if discount_percent is not None:
        fields[f"ufCrm{type_id}_DISCOUNT_PERCENT"] = str(discount_percent)
    item = (
        await stack.act(
            "crm.item.add", {"entityTypeId": entity_type_id, "fields": fields}, user_id=ADMIN_ID
        )
    )["item"]
    await stack.act(
        "crm.item.productrow.set",
        {
            "ownerType": f"T{entity_type_id:x}",
            "ownerId": item["id"],
            "productRows": [
                {"productId": p, "price": price, "quantity": q} for p, price, q in KIT_COMPONENTS
            ],
        },
        user_id=ADMIN_ID,
    )
    return {"entity_type_id": entity_type_id, "type_id": type_id, "item_id": item["id"]}


async def create_deal(
    stack: Stack, rows: list[dict[str, Any]], *, title: str = "Сделка с комплектом"
) -> int:
    deal_id = int(
        await stack.act("crm.deal.add", {"fields": {"TITLE": title, "ASSIGNED_BY_ID": 2}})
    )
    await stack.act("crm.deal.productrows.set", {"id": deal_id, "rows": rows})
    return deal_id


async def read_rows(stack: Stack, deal_id: int) -> list[dict[str, Any]]:
    rows = await stack.act("crm.deal.productrows.get", {"id": deal_id})
    return list(rows)


def rows_total(rows: list[dict[str, Any]]) -> Decimal:
    """Σ price × quantity, exact, from the values the portal gives back."""
    return sum((Decimal(str(r["PRICE"])) * Decimal(str(r["QUANTITY"])) for r in rows), Decimal(0))


async def deal_opportunity(stack: Stack, deal_id: int) -> Decimal:
    return Decimal(str((await stack.act("crm.deal.get", {"id": deal_id}))["OPPORTUNITY"]))


async def requests_since_clear(stack: Stack) -> list[dict[str, Any]]:
    return list((await stack.ctl("GET", "/requests"))["requests"])
