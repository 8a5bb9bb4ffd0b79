"""Product rows of deals and smart-process items: §11.3 arithmetic and the row store.

Every writer (crm.deal.productrows.set, crm.item.productrow.*, the rows editor page)
goes through these functions, so ``set`` always assigns NEW row ids and the owner's
OPPORTUNITY is recomputed (Σ price × quantity, 2 dp) unless it is manual. No event
is ever fired for rows (REST_FACTS §8.5).
"""

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.crm_store import CrmStore, entity_type_of_owner
from sandbox.fields import to_upper

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class RowError(ValueError):
    """Invalid row input (legacy answers ERROR_CORE, messages end with ``<br>``)."""


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _dec(value: Any, default: str = "0") -> Decimal:
    if value is None or value == "":
        return Decimal(default)
    return Decimal(str(value))


def compute_prices(
    price: Decimal, *, discount_type: int, rate: Decimal, discount_sum: Decimal | None, tax: Decimal
) -> dict[str, Decimal]:
    """Back-compute the row from the final price (after discount, including tax)."""
    factor = 1 + tax / HUNDRED
    exclusive = q2(price / factor)
    if discount_type == 1 or rate == HUNDRED:
        if discount_sum is None:
            raise RowError("Discount sum is required for this discount<br>")
        netto = exclusive + discount_sum
        rate = q2(discount_sum / netto * HUNDRED) if netto else Decimal(0)
    else:
        netto = q2(exclusive / (1 - rate / HUNDRED))
        discount_sum = q2(netto - exclusive)
    return {
        "PRICE_EXCLUSIVE": exclusive,
        "PRICE_NETTO": netto,
        "PRICE_BRUTTO": q2(netto * factor),
        "DISCOUNT_SUM": discount_sum,
        "DISCOUNT_RATE": rate,
    }


def _price_from_netto(fields: dict[str, Any], discount_type: int, tax: Decimal) -> Decimal:
    """Honour PRICE_NETTO when PRICE is absent (UNCONFIRMED in the docs; harmless)."""
    netto = _dec(fields.get("PRICE_NETTO"))
    if discount_type == 1:
        exclusive = netto - _dec(fields.get("DISCOUNT_SUM"))
    else:
        exclusive = netto * (1 - _dec(fields.get("DISCOUNT_RATE")) / HUNDRED)
    return q2(exclusive * (1 + tax / HUNDRED))


def _validate_discount(fields: dict[str, Any]) -> int:
    discount_type = int(_dec(fields.get("DISCOUNT_TYPE_ID"), "2"))
    explicit = fields.get("DISCOUNT_TYPE_ID") not in (None, "")
    if explicit and discount_type == 1 and fields.get("DISCOUNT_SUM") in (None, ""):
        raise RowError("Discount sum is required for a monetary discount<br>")
    if discount_type not in (1, 2):
        raise RowError("Invalid discount type<br>")
    return discount_type


def _money(value: Decimal) -> float:
    return float(value)


def build_row(
    store: CrmStore, raw: dict[str, Any], owner: tuple[str, int], row_id: int
) -> dict[str, Any]:
    fields = {to_upper(str(k)): v for k, v in raw.items()}
    discount_type = _validate_discount(fields)
    tax_given = fields.get("TAX_RATE") not in (None, "")
    tax = _dec(fields.get("TAX_RATE"))
    if fields.get("PRICE") in (None, "") and fields.get("PRICE_NETTO") not in (None, ""):
        price = _price_from_netto(fields, discount_type, tax)
    else:
        price = _dec(fields.get("PRICE"))
    given_sum = fields.get("DISCOUNT_SUM")
    prices = compute_prices(
        price,
        discount_type=discount_type,
        rate=_dec(fields.get("DISCOUNT_RATE")),
        discount_sum=None if given_sum in (None, "") else _dec(given_sum),
        tax=tax,
    )
    product = store.products.get(int(_dec(fields.get("PRODUCT_ID"))), {})
    name = fields.get("PRODUCT_NAME") or product.get("NAME") or f"[{row_id}]"
    return {
        "ID": row_id,
        "OWNER_ID": owner[1],
        "OWNER_TYPE": owner[0],
        "PRODUCT_ID": int(_dec(fields.get("PRODUCT_ID"))),
        "PRODUCT_NAME": str(name),
        "ORIGINAL_PRODUCT_NAME": str(product.get("NAME") or name),
        "PRODUCT_DESCRIPTION": fields.get("PRODUCT_DESCRIPTION"),
        "PRICE": float(price),
        "PRICE_EXCLUSIVE": _money(prices["PRICE_EXCLUSIVE"]),
        "PRICE_NETTO": _money(prices["PRICE_NETTO"]),
        "PRICE_BRUTTO": _money(prices["PRICE_BRUTTO"]),
        "PRICE_ACCOUNT": _money(q2(price)),
        "QUANTITY": float(_dec(fields.get("QUANTITY"), "1")),
        "DISCOUNT_TYPE_ID": discount_type,
        "DISCOUNT_RATE": _money(prices["DISCOUNT_RATE"]),
        "DISCOUNT_SUM": _money(prices["DISCOUNT_SUM"]),
        "TAX_RATE": float(tax) if tax_given else None,
        "TAX_INCLUDED": str(fields.get("TAX_INCLUDED") or "N"),
        "CUSTOMIZED": "Y",
        "MEASURE_CODE": int(_dec(fields.get("MEASURE_CODE") or product.get("MEASURE"), "796")),
        "MEASURE_NAME": str(fields.get("MEASURE_NAME") or "шт"),
        "SORT": int(_dec(fields.get("SORT"), "0")),
        "XML_ID": fields.get("XML_ID"),
        "TYPE": int(product.get("TYPE") or fields.get("TYPE") or 1),
        "STORE_ID": fields.get("STORE_ID"),
    }


def replace_rows(
    store: CrmStore, owner: tuple[str, int], raw_rows: list[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    """``set`` semantics: validate all, drop every old row, create all with NEW ids."""
    built = [build_row(store, raw, owner, row_id=0) for raw in raw_rows]
    for row in store.rows_of(*owner):
        del store.rows[row["ID"]]
    for row in built:
        row["ID"] = store.new_row_id()
        if row["PRODUCT_NAME"] == "[0]":
            row["PRODUCT_NAME"] = row["ORIGINAL_PRODUCT_NAME"] = f"[{row['ID']}]"
        store.rows[row["ID"]] = row
    recompute_owner(store, owner, now)
    return store.rows_of(*owner)


def add_row(
    store: CrmStore, owner: tuple[str, int], raw: dict[str, Any], now: datetime
) -> dict[str, Any]:
    row = build_row(store, raw, owner, store.new_row_id())
    store.rows[row["ID"]] = row
    recompute_owner(store, owner, now)
    return row


def update_row(
    store: CrmStore, row: dict[str, Any], raw: dict[str, Any], now: datetime
) -> dict[str, Any]:
    merged = {key: value for key, value in row.items() if value is not None}
    merged |= {to_upper(str(k)): v for k, v in raw.items()}
    if "PRICE" not in {to_upper(str(k)) for k in raw} and "PRICE_NETTO" in merged:
        merged.pop("PRICE_NETTO")
    owner = (str(row["OWNER_TYPE"]), int(row["OWNER_ID"]))
    updated = build_row(store, merged, owner, int(row["ID"]))
    store.rows[updated["ID"]] = updated
    recompute_owner(store, owner, now)
    return updated


def delete_row(store: CrmStore, row: dict[str, Any], now: datetime) -> None:
    del store.rows[row["ID"]]
    recompute_owner(store, (str(row["OWNER_TYPE"]), int(row["OWNER_ID"])), now)


def rows_total(rows: list[dict[str, Any]]) -> float:
    total = sum((_dec(r["PRICE"]) * _dec(r["QUANTITY"]) for r in rows), Decimal(0))
    return float(q2(total))


def recompute_owner(store: CrmStore, owner: tuple[str, int], now: datetime) -> None:
    """OPPORTUNITY follows the rows unless the amount is manual (§10.4)."""
    entity_type_id = entity_type_of_owner(owner[0])
    record = store.find(entity_type_id, owner[1]) if entity_type_id else None
    if record is None or record.get("IS_MANUAL_OPPORTUNITY") == "Y":
        return
    total = rows_total(store.rows_of(*owner))
    if record.get("OPPORTUNITY") != total:
        record["OPPORTUNITY"] = total
        record["DATE_MODIFY"] = now
