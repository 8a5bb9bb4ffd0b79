"""Kit definitions read from the portal's «Комплекты» smart process, and its creation.

Each item is one kit: ``UF_CRM_{typeId}_KIT_PRODUCT`` holds the kit's catalog product id,
``…_DISCOUNT_MONEY`` a discount per kit in money or ``…_DISCOUNT_PERCENT`` one in percent, and
the item's product rows are the components (quantity per kit, ``priceBrutto`` = the unit price
before discount). ``crm.item.*`` answers user fields in camelCase (``ufCrm{typeId}_…``,
REST_FACTS §4) whose exact casing of the name part varies, so fields are matched ignoring
case and underscores.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from automations.pricing import (
    KitComponent,
    KitDefinition,
    Measure,
    MoneyDiscount,
    PercentDiscount,
    find_kit_problem,
)
from automations.pricing.row_prices import Discount
from connectors.bitrix24 import Bitrix24Client, Call, Priority
from connectors.crm.product_rows import StoredRow, parse_rows
from connectors.crm.schemas import as_decimal, as_int, owner_type_code

KITS_TYPE_TITLE = "Комплекты"
FIELD_SUFFIXES = {
    "product": "KIT_PRODUCT",
    "money": "DISCOUNT_MONEY",
    "percent": "DISCOUNT_PERCENT",
}
FIELD_LABELS = {
    "product": {"ru": "Товар-комплект (ID в каталоге)", "en": "Kit product (catalog ID)"},
    "money": {"ru": "Скидка на комплект, ₽", "en": "Kit discount, money"},
    "percent": {"ru": "Скидка на комплект, %", "en": "Kit discount, percent"},
}
FIELD_TYPES = {"product": "integer", "money": "double", "percent": "double"}


@dataclass(frozen=True, slots=True)
class KitSourceFields:
    """Where the kits live in the portal: the smart process and its field ids."""

    entity_type_id: int
    type_id: int

    def field(self, kind: str) -> str:
        return f"UF_CRM_{self.type_id}_{FIELD_SUFFIXES[kind]}"

    def value(self, item: Mapping[str, Any], kind: str) -> Any:
        wanted = _plain(self.field(kind))
        return next((v for k, v in item.items() if _plain(k) == wanted), None)


@dataclass(frozen=True, slots=True)
class PortalKits:
    kits: tuple[KitDefinition, ...]
    problems: tuple[str, ...]


async def find_kits_type(client: Bitrix24Client) -> KitSourceFields | None:
    """crm.type.list filtered by the «Комплекты» title."""
    listed = await client.call("crm.type.list", {"filter": {"title": KITS_TYPE_TITLE}})
    types = [t for t in (listed or {}).get("types", []) if t.get("title") == KITS_TYPE_TITLE]
    if not types:
        return None
    return KitSourceFields(
        entity_type_id=int(types[0]["entityTypeId"]), type_id=int(types[0]["id"])
    )


async def ensure_kits_type(client: Bitrix24Client) -> KitSourceFields:
    """Create the «Комплекты» smart process (products enabled) and its three fields if absent."""
    source = await find_kits_type(client)
    if source is None:
        added = await client.call("crm.type.add", {"fields": {
            "title": KITS_TYPE_TITLE, "isLinkWithProductsEnabled": "Y", "isStagesEnabled": "N",
            "isCategoriesEnabled": "N", "isClientEnabled": "N"}})  # fmt: skip
        created = added["type"]
        source = KitSourceFields(
            entity_type_id=int(created["entityTypeId"]), type_id=int(created["id"])
        )
    listed = await client.call(
        "userfieldconfig.list", {"moduleId": "crm", "filter": {"entityId": f"CRM_{source.type_id}"}}
    )
    present = {f.get("fieldName") for f in (listed or {}).get("fields", [])}
    for kind in FIELD_SUFFIXES:
        if source.field(kind) not in present:
            await client.call("userfieldconfig.add", {"moduleId": "crm", "field": {
                "entityId": f"CRM_{source.type_id}", "fieldName": source.field(kind),
                "userTypeId": FIELD_TYPES[kind], "editFormLabel": FIELD_LABELS[kind]}})  # fmt: skip
    return source


async def read_portal_kits(client: Bitrix24Client, source: KitSourceFields) -> PortalKits:
    """Every kit item with its product rows: one list walk plus batched row reads."""
    items = [item async for item in client.iterate(
        "crm.item.list", {"entityTypeId": source.entity_type_id, "select": ["*"]},
        priority=Priority.BULK)]  # fmt: skip
    owner = owner_type_code(source.entity_type_id)
    calls: list[Call] = [
        ("crm.item.productrow.list", {"filter": {"=ownerType": owner, "=ownerId": item["id"]}})
        for item in items
    ]
    outcomes = await client.call_many(calls, priority=Priority.BULK)
    kits: list[KitDefinition] = []
    problems: list[str] = []
    for item, outcome in zip(items, outcomes, strict=True):
        kit_or_problem = _kit_of(source, item, outcome.unwrap())
        if isinstance(kit_or_problem, str):
            problems.append(kit_or_problem)
        else:
            kits.append(kit_or_problem)
    return PortalKits(kits=tuple(kits), problems=tuple(problems))


def _kit_of(source: KitSourceFields, item: Mapping[str, Any], rows: Any) -> KitDefinition | str:
    where = f"«{KITS_TYPE_TITLE}» item {item.get('id')}"
    product_id = as_int(source.value(item, "product"))
    if product_id is None:
        return f"{where}: the kit product field is empty"
    kit = KitDefinition(
        product_id=product_id,
        components=_components(parse_rows(rows)),
        discount=_discount(source, item),
    )
    refusal = find_kit_problem(kit)
    return f"{where}: {refusal.message_en}" if refusal is not None else kit


def _components(stored: Sequence[StoredRow]) -> tuple[KitComponent, ...]:
    return tuple(
        KitComponent(
            product_id=s.row.product_id,
            name=s.row.name,
            quantity=s.row.quantity,
            price_brutto=s.row.price_brutto,
            tax_rate=s.row.tax_rate,
            tax_included=s.row.tax_included,
            measure=Measure(s.row.measure_code, s.row.measure_name) if s.row.measure_code else None,
        )
        for s in stored
    )


def _discount(source: KitSourceFields, item: Mapping[str, Any]) -> Discount:
    percent = as_decimal(source.value(item, "percent"))
    if percent:
        return PercentDiscount(percent)
    return MoneyDiscount(as_decimal(source.value(item, "money")))


def _plain(name: str) -> str:
    return name.replace("_", "").lower()
