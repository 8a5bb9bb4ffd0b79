"""Deal product rows as typed ``RowValues``; Bitrix24 row field names live only here.

(The connector may not import ``automations`` — import-linter contract — so the pricing
``ProductRow`` ⇄ ``RowValues`` mapping is in ``automations.product_actions.row_mapping``.)

Reads use ``crm.deal.productrows.get`` (all rows of a deal in one call, UPPER_CASE, ids as
strings) batched with ``crm.deal.get``; writes use ``crm.item.productrow.*`` with
``ownerType "D"`` (REST_FACTS §11.1): ``set`` replaces every row and gives new ids, ``update``
changes one row in place and keeps its id. Prices go out as strings so no float rounding
touches a kopeck.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from connectors.bitrix24 import Bitrix24Client, Call, NotFoundError, Outcome, Priority
from connectors.crm.schemas import as_decimal, as_int, as_map

DEAL_OWNER = "D"
BUNDLE_TYPE = 2  # product row ``type`` 2 = bundle (REST_FACTS §11.2)
MAX_BATCH = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class RowValues:
    """One product row, snake_case; money and quantities exact (per unit, REST_FACTS §11.2)."""

    product_id: int
    name: str
    price: Decimal
    price_brutto: Decimal
    quantity: Decimal
    discount_type_id: int = 2
    discount_rate: Decimal = Decimal(0)
    discount_sum: Decimal = Decimal(0)
    tax_rate: Decimal | None = None
    tax_included: bool = False
    measure_code: int | None = None
    measure_name: str = ""
    sort: int = 0
    is_bundle: bool = False


@dataclass(frozen=True, slots=True)
class StoredRow:
    """A row as the portal keeps it: its id (stable until the next ``set``) and its values."""

    row_id: int
    row: RowValues


@dataclass(frozen=True, slots=True)
class DealRows:
    deal_id: int
    found: bool
    rows: tuple[StoredRow, ...]
    fields: Mapping[str, Any]


def parse_row(raw: Any) -> StoredRow:
    """One row of ``crm.deal.productrows.get`` or ``crm.item.productrow.*`` (camelCase)."""
    data = {_plain(key): value for key, value in as_map(raw).items()}
    tax = data.get("taxrate")
    price = as_decimal(data.get("price"))
    row = RowValues(
        product_id=as_int(data.get("productid")) or 0,
        name=str(data.get("productname") or data.get("originalproductname") or ""),
        price_brutto=as_decimal(data.get("pricebrutto"), str(price)) or price,
        price=price,
        quantity=as_decimal(data.get("quantity"), "1"),
        tax_rate=None if tax in (None, "") else as_decimal(tax),
        tax_included=str(data.get("taxincluded") or "N").upper() == "Y",
        discount_type_id=as_int(data.get("discounttypeid")) or 2,
        discount_sum=as_decimal(data.get("discountsum")),
        discount_rate=as_decimal(data.get("discountrate")),
        measure_code=as_int(data.get("measurecode")),
        measure_name=str(data.get("measurename") or ""),
        sort=as_int(data.get("sort")) or 0,
        is_bundle=as_int(data.get("type")) == BUNDLE_TYPE,
    )
    return StoredRow(row_id=as_int(data.get("id")) or 0, row=row)


def parse_rows(raw: Any) -> tuple[StoredRow, ...]:
    rows = raw.get("productRows", []) if isinstance(raw, dict) else raw
    return tuple(parse_row(row) for row in rows or [])


def row_fields(row: RowValues) -> dict[str, Any]:
    """The camelCase input of ``crm.item.productrow.set``/``update`` for one row."""
    fields: dict[str, Any] = {
        "productId": row.product_id,
        "productName": row.name,
        "price": _text(row.price),
        "quantity": _text(row.quantity),
        "discountTypeId": row.discount_type_id,
        "discountRate": _text(row.discount_rate),
        "discountSum": _text(row.discount_sum),
        "taxIncluded": "Y" if row.tax_included else "N",
        "sort": row.sort,
    }
    if row.tax_rate is not None:
        fields["taxRate"] = _text(row.tax_rate)
    if row.measure_code is not None:
        fields |= {"measureCode": row.measure_code, "measureName": row.measure_name}
    return fields


def read_deal_calls(deal_id: int) -> dict[str, Call]:
    return {
        "deal": ("crm.deal.get", {"id": deal_id}),
        "rows": ("crm.deal.productrows.get", {"id": deal_id}),
    }


def replace_rows_call(deal_id: int, rows: Sequence[RowValues]) -> Call:
    """``crm.item.productrow.set``: every row replaced, new ids; ``[]`` removes all rows."""
    return (
        "crm.item.productrow.set",
        {"ownerType": DEAL_OWNER, "ownerId": deal_id, "productRows": [row_fields(r) for r in rows]},
    )


def update_row_call(row_id: int, row: RowValues) -> Call:
    """``crm.item.productrow.update``: one row changed in place, its id kept."""
    return ("crm.item.productrow.update", {"id": row_id, "fields": row_fields(row)})


class ProductRowsGateway:
    """Reads and writes of deal rows, each decision one HTTP request."""

    def __init__(self, client: Bitrix24Client, *, priority: Priority = Priority.BULK) -> None:
        self.client = client
        self.priority = priority

    async def read_deal(self, deal_id: int) -> DealRows:
        """crm.deal.get + crm.deal.productrows.get in one batch."""
        outcomes = await self.client.batch(read_deal_calls(deal_id), priority=self.priority)
        return deal_rows_of(deal_id, outcomes["deal"], outcomes["rows"])

    async def read_deals(self, deal_ids: Sequence[int]) -> list[DealRows]:
        """Many deals through the batch packer: 25 deals (50 commands) per request."""
        calls = [call for deal_id in deal_ids for call in read_deal_calls(deal_id).values()]
        outcomes = await self.client.call_many(calls, priority=self.priority)
        return [
            deal_rows_of(deal_id, outcomes[2 * i], outcomes[2 * i + 1])
            for i, deal_id in enumerate(deal_ids)
        ]

    async def send(self, call: Call) -> Any:
        method, params = call
        return await self.client.call(method, params, priority=self.priority)

    async def send_together(self, calls: Sequence[Call]) -> list[Outcome[Any]]:
        """Up to 50 calls as ONE batch request (``$result`` references not needed)."""
        if len(calls) > MAX_BATCH:
            raise ValueError(f"one batch carries at most {MAX_BATCH} calls, not {len(calls)}")
        commands = {f"c{i}": call for i, call in enumerate(calls)}
        outcomes = await self.client.batch(commands, priority=self.priority)
        return [outcomes.get(key, Outcome()) for key in commands]

    async def send_many(self, calls: Sequence[Call]) -> list[Outcome[Any]]:
        return await self.client.call_many(calls, priority=self.priority)


def deal_rows_of(deal_id: int, deal: Outcome[Any], rows: Outcome[Any]) -> DealRows:
    """A deal that is missing (or unreadable) comes back ``found=False`` with no rows."""
    if not deal.ok or not deal.value:
        if deal.error is not None and not _is_missing(deal.error):
            raise deal.error
        return DealRows(deal_id=deal_id, found=False, rows=(), fields={})
    if rows.error is not None:
        raise rows.error
    return DealRows(
        deal_id=deal_id, found=True, rows=parse_rows(rows.value), fields=as_map(deal.value)
    )


def deal_field(fields: Mapping[str, Any], name: str) -> Any:
    """A deal field by its UPPER_CASE name as ``crm.deal.get`` returns it."""
    return fields.get(name.upper())


def _is_missing(error: Exception) -> bool:
    return isinstance(error, NotFoundError) or "not found" in str(error).lower()


def _plain(key: str) -> str:
    return key.replace("_", "").lower()


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
