"""Legacy ``crm.deal.*``: UPPER_CASE keys, every scalar a string, ``{"error": ""}`` on bad input."""

from typing import Any

from sandbox.calls import Call, method, to_int
from sandbox.crm_entities import EntityError, create_entity, delete_entity, update_entity
from sandbox.crm_store import DEAL
from sandbox.envelope import Page
from sandbox.errors import RestError, legacy_error
from sandbox.fields import as_legacy, fields_from_input, to_upper
from sandbox.listing import apply_filter, apply_order, paginate, select_fields
from sandbox.product_rows import RowError, replace_rows

_FIELD_TYPES = {
    "ID": ("integer", True),
    "TITLE": ("string", False),
    "TYPE_ID": ("crm_status", False),
    "CATEGORY_ID": ("crm_category", False),
    "STAGE_ID": ("crm_status", False),
    "STAGE_SEMANTIC_ID": ("string", True),
    "CURRENCY_ID": ("crm_currency", False),
    "OPPORTUNITY": ("double", False),
    "IS_MANUAL_OPPORTUNITY": ("char", False),
    "CONTACT_ID": ("crm_contact", False),
    "COMPANY_ID": ("crm_company", False),
    "ASSIGNED_BY_ID": ("user", False),
    "CREATED_BY_ID": ("user", True),
    "MODIFY_BY_ID": ("user", True),
    "DATE_CREATE": ("datetime", True),
    "DATE_MODIFY": ("datetime", True),
    "OPENED": ("char", False),
    "CLOSED": ("char", False),
    "COMMENTS": ("string", False),
}


def legacy_fields(call: Call) -> dict[str, Any]:
    fields = call.param("fields")
    if not isinstance(fields, dict):
        raise legacy_error("Parameter 'fields' must be array.")
    return fields_from_input(fields)


def get_deal(call: Call) -> dict[str, Any]:
    deal_id = to_int(call.param("id"))
    if not deal_id or deal_id <= 0:
        raise legacy_error("ID is not defined or invalid.")
    record = call.store.find(DEAL, deal_id)
    if record is None:
        raise legacy_error("Not found")
    return record


@method("crm.deal.add")
def deal_add(call: Call) -> int:
    try:
        record = create_entity(call, DEAL, legacy_fields(call))
    except EntityError as exc:
        raise legacy_error(str(exc)) from exc
    return int(record["ID"])


@method("crm.deal.get")
def deal_get(call: Call) -> dict[str, Any]:
    return as_legacy(get_deal(call), call.offset)


@method("crm.deal.update")
def deal_update(call: Call) -> bool:
    record = get_deal(call)
    fields = legacy_fields(call)
    fields.pop("CATEGORY_ID", None)  # legacy update never moves funnels (§10.4)
    try:
        update_entity(call, DEAL, record, fields)
    except EntityError as exc:
        raise legacy_error(str(exc)) from exc
    return True


@method("crm.deal.delete")
def deal_delete(call: Call) -> bool:
    delete_entity(call, DEAL, get_deal(call))
    return True


@method("crm.deal.list")
def deal_list(call: Call) -> Page:
    records = list(call.store.table(DEAL).values())
    records = apply_filter(records, call.dict_param("filter"), to_upper)
    records = apply_order(records, call.dict_param("order"), to_upper)
    select = call.param("select")
    page = paginate(records, call.param("start"))
    rows = [as_legacy(select_fields(r, select, to_upper), call.offset) for r in page.result]
    return Page(rows, page.total, page.next)


@method("crm.deal.fields")
def deal_fields(call: Call) -> dict[str, Any]:
    described = {
        name: {
            "type": kind,
            "isRequired": False,
            "isReadOnly": read_only,
            "isMultiple": False,
            "title": name,
        }
        for name, (kind, read_only) in _FIELD_TYPES.items()
    }
    for field in call.store.userfields:
        if field["entityId"] == "CRM_DEAL":
            described[field["fieldName"]] = {
                "type": field["userTypeId"],
                "isRequired": False,
                "title": field["fieldName"],
            }
    return described


def legacy_row(row: dict[str, Any]) -> dict[str, Any]:
    """Rows of crm.deal.productrows.get: ids as strings, PRICE_ACCOUNT "899.10" (§11.1)."""
    out = dict(row)
    for name in ("ID", "OWNER_ID"):
        out[name] = str(row[name])
    out["PRICE_ACCOUNT"] = f"{row['PRICE_ACCOUNT']:.2f}"
    return out


@method("crm.deal.productrows.get")
def deal_rows_get(call: Call) -> list[dict[str, Any]]:
    deal = get_deal(call)
    return [legacy_row(r) for r in call.store.rows_of("D", int(deal["ID"]))]


@method("crm.deal.productrows.set")
def deal_rows_set(call: Call) -> bool:
    deal = get_deal(call)
    rows = call.param("rows") or []
    if isinstance(rows, dict):
        rows = list(rows.values())
    if not isinstance(rows, list):
        raise legacy_error("Parameter 'rows' must be array.")
    try:
        replace_rows(call.store, ("D", int(deal["ID"])), rows, call.now())
    except RowError as exc:
        raise RestError("ERROR_CORE", str(exc), status=400) from exc
    return True
