"""Parse Bitrix24 CRM answers into records: string ids, "Y"/"N", ``[]`` for empty maps
and legacy UPPER_CASE vs ``crm.item.*`` camelCase all end here (REST_FACTS §1.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any


def as_int(value: Any) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def as_decimal(value: Any, default: str = "0") -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(default)
    except InvalidOperation:
        return Decimal(default)


def as_date(value: Any) -> date | None:
    text = str(value or "")[:10]
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def as_map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class DealRecord:
    id: int
    title: str
    stage_id: str
    category_id: int
    assigned_by_id: int
    contact_id: int | None
    opportunity: Decimal
    fields: dict[str, Any]

    @classmethod
    def parse(cls, raw: Any) -> DealRecord:
        data = as_map(raw)
        return cls(
            id=as_int(data.get("ID")) or 0,
            title=str(data.get("TITLE") or ""),
            stage_id=str(data.get("STAGE_ID") or ""),
            category_id=as_int(data.get("CATEGORY_ID")) or 0,
            assigned_by_id=as_int(data.get("ASSIGNED_BY_ID")) or 0,
            contact_id=as_int(data.get("CONTACT_ID")),
            opportunity=as_decimal(data.get("OPPORTUNITY")),
            fields=data,
        )


@dataclass(frozen=True)
class ProductRowRecord:
    id: int
    product_id: int | None
    name: str
    price: Decimal
    price_netto: Decimal
    quantity: Decimal
    discount_type_id: int
    discount_rate: Decimal
    discount_sum: Decimal
    tax_rate: Decimal | None
    tax_included: bool
    sort: int
    measure_code: int | None
    measure_name: str
    type: int = 1  # catalog product type: 2 = bundle (kit), 7 = service (REST_FACTS §11.2)

    @classmethod
    def parse(cls, raw: Any) -> ProductRowRecord:
        data = {key.upper(): value for key, value in as_map(raw).items()}
        tax = data.get("TAX_RATE")
        return cls(
            id=as_int(data.get("ID")) or 0,
            product_id=as_int(data.get("PRODUCT_ID")),
            name=str(data.get("PRODUCT_NAME") or data.get("ORIGINAL_PRODUCT_NAME") or ""),
            price=as_decimal(data.get("PRICE")),
            price_netto=as_decimal(data.get("PRICE_NETTO") or data.get("PRICE")),
            quantity=as_decimal(data.get("QUANTITY"), "1"),
            discount_type_id=as_int(data.get("DISCOUNT_TYPE_ID")) or 2,
            discount_rate=as_decimal(data.get("DISCOUNT_RATE")),
            discount_sum=as_decimal(data.get("DISCOUNT_SUM")),
            tax_rate=None if tax in (None, "") else as_decimal(tax),
            tax_included=str(data.get("TAX_INCLUDED") or "N").upper() == "Y",
            sort=as_int(data.get("SORT")) or 0,
            measure_code=as_int(data.get("MEASURE_CODE")),
            measure_name=str(data.get("MEASURE_NAME") or ""),
            type=as_int(data.get("TYPE")) or 1,
        )


def parse_rows(raw: Any) -> tuple[ProductRowRecord, ...]:
    """Rows of ``crm.deal.productrows.get`` (a list) or ``crm.item.productrow.*`` ({productRows})."""
    rows = raw.get("productRows", []) if isinstance(raw, dict) else raw
    return tuple(ProductRowRecord.parse(row) for row in rows or [])


@dataclass(frozen=True)
class ItemRecord:
    id: int
    entity_type_id: int
    title: str
    stage_id: str
    category_id: int
    assigned_by_id: int
    fields: dict[str, Any]

    @classmethod
    def parse(cls, raw: Any) -> ItemRecord:
        data = as_map(as_map(raw).get("item", raw))
        return cls(
            id=as_int(data.get("id")) or 0,
            entity_type_id=as_int(data.get("entityTypeId")) or 0,
            title=str(data.get("title") or ""),
            stage_id=str(data.get("stageId") or ""),
            category_id=as_int(data.get("categoryId")) or 0,
            assigned_by_id=as_int(data.get("assignedById")) or 0,
            fields=data,
        )

    def date_field(self, name: str) -> date | None:
        return as_date(self.fields.get(name)) if name else None


def first_phone(raw: Any) -> str | None:
    phones = as_map(raw).get("PHONE") or []
    for phone in phones if isinstance(phones, list) else []:
        value = str(as_map(phone).get("VALUE") or "").strip()
        if value:
            return value
    return None


def owner_type_code(entity_type_id: int) -> str:
    """Product-row owner code of a smart process: ``T`` + lowercase hex id (REST_FACTS §10.1)."""
    return f"T{entity_type_id:x}"
