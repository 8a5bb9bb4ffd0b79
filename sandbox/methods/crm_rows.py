"""``crm.item.productrow.*``: typed camelCase rows owned by ``D`` (deals) or ``T{hex}`` (SPAs)."""

from typing import Any

from sandbox.calls import Call, method, to_int
from sandbox.crm_store import entity_type_of_owner
from sandbox.envelope import Page
from sandbox.errors import RestError, required
from sandbox.fields import to_camel, to_upper
from sandbox.listing import apply_filter, apply_order, paginate
from sandbox.product_rows import RowError, add_row, delete_row, replace_rows, update_row

_ITEM_ROW_FIELDS = [
    "ID",
    "OWNER_ID",
    "OWNER_TYPE",
    "PRODUCT_ID",
    "PRODUCT_NAME",
    "PRICE",
    "PRICE_ACCOUNT",
    "PRICE_EXCLUSIVE",
    "PRICE_NETTO",
    "PRICE_BRUTTO",
    "QUANTITY",
    "DISCOUNT_TYPE_ID",
    "DISCOUNT_RATE",
    "DISCOUNT_SUM",
    "TAX_RATE",
    "TAX_INCLUDED",
    "CUSTOMIZED",
    "MEASURE_CODE",
    "MEASURE_NAME",
    "SORT",
    "XML_ID",
    "TYPE",
    "STORE_ID",
]


def row_out(row: dict[str, Any]) -> dict[str, Any]:
    out = {to_camel(name): row.get(name) for name in _ITEM_ROW_FIELDS}
    out["measureCode"] = str(row["MEASURE_CODE"])
    return out


def _owner(call: Call, owner_type: Any, owner_id: Any) -> tuple[str, int]:
    if owner_type in (None, "") or owner_id in (None, ""):
        raise required("ownerType/ownerId")
    entity_type_id = entity_type_of_owner(str(owner_type))
    if entity_type_id is None:
        raise RestError("ENTITY_TYPE_NOT_SUPPORTED", "Entity type is not supported", status=400)
    number = to_int(owner_id) or 0
    if call.store.find(entity_type_id, number) is None:
        raise RestError("OWNER_NOT_FOUND", "Owner was not found", status=400)
    return str(owner_type), number


def _row(call: Call) -> dict[str, Any]:
    row_id = to_int(call.param("id"))
    if row_id is None:
        raise required("id")
    row = call.store.rows.get(row_id)
    if row is None:
        raise RestError("NOT_FOUND", "Product row not found", status=400)
    return row


def _row_error(exc: RowError) -> RestError:
    return RestError("0", str(exc).removesuffix("<br>"), status=400)


@method("crm.item.productrow.add")
def row_add(call: Call) -> dict[str, Any]:
    fields = call.dict_param("fields")
    owner = _owner(call, fields.get("ownerType"), fields.get("ownerId"))
    raw = {k: v for k, v in fields.items() if k not in ("ownerType", "ownerId")}
    try:
        return {"productRow": row_out(add_row(call.store, owner, raw, call.now()))}
    except RowError as exc:
        raise _row_error(exc) from exc


@method("crm.item.productrow.update")
def row_update(call: Call) -> dict[str, Any]:
    row = _row(call)
    try:
        return {
            "productRow": row_out(
                update_row(call.store, row, call.dict_param("fields"), call.now())
            )
        }
    except RowError as exc:
        raise _row_error(exc) from exc


@method("crm.item.productrow.get")
def row_get(call: Call) -> dict[str, Any]:
    return {"productRow": row_out(_row(call))}


@method("crm.item.productrow.delete")
def row_delete(call: Call) -> None:
    delete_row(call.store, _row(call), call.now())


@method("crm.item.productrow.list")
def row_list(call: Call) -> Page:
    filters = call.dict_param("filter")
    owner = _owner(call, filters.get("=ownerType"), filters.get("=ownerId"))
    rows = apply_filter(call.store.rows_of(*owner), filters, to_upper)
    rows = apply_order(rows, call.dict_param("order"), to_upper)
    page = paginate(rows, call.param("start"))
    return Page({"productRows": [row_out(r) for r in page.result]}, page.total, page.next)


@method("crm.item.productrow.set")
def row_set(call: Call) -> dict[str, Any]:
    owner = _owner(call, call.param("ownerType"), call.param("ownerId"))
    rows = call.param("productRows") or []
    if isinstance(rows, dict):
        rows = list(rows.values())
    try:
        saved = replace_rows(call.store, owner, rows, call.now())
    except RowError as exc:
        raise _row_error(exc) from exc
    return {"productRows": [row_out(r) for r in saved]}


@method("crm.item.productrow.fields")
def row_fields(call: Call) -> dict[str, Any]:
    return {
        "fields": {
            to_camel(name): {"type": "string", "isReadOnly": name == "ID"}
            for name in _ITEM_ROW_FIELDS
        }
    }
