"""Legacy ``crm.contact.*`` with the PHONE/EMAIL multifields."""

from typing import Any

from sandbox.calls import Call, method, to_int
from sandbox.crm_entities import create_entity
from sandbox.crm_store import CONTACT
from sandbox.envelope import Page
from sandbox.errors import legacy_error
from sandbox.fields import as_legacy, to_upper
from sandbox.listing import apply_filter, apply_order, paginate, select_fields
from sandbox.methods.crm_deal import legacy_fields

_MULTIFIELDS = ("PHONE", "EMAIL")


@method("crm.contact.add")
def contact_add(call: Call) -> int:
    return int(create_entity(call, CONTACT, legacy_fields(call))["ID"])


@method("crm.contact.get")
def contact_get(call: Call) -> dict[str, Any]:
    contact_id = to_int(call.param("id"))
    if not contact_id or contact_id <= 0:
        raise legacy_error("ID is not defined or invalid.")
    record = call.store.find(CONTACT, contact_id)
    if record is None:
        raise legacy_error("Not found")
    return as_legacy(record, call.offset)


def _with_multifields(record: dict[str, Any], select: Any) -> dict[str, Any]:
    """Multifields come in a list only when selected by name (not with ``*``)."""
    chosen = select if isinstance(select, list) else []
    projected = select_fields(record, chosen, to_upper)
    for name in _MULTIFIELDS:
        if name not in chosen:
            projected.pop(name, None)
        elif name in record:
            projected[name] = record[name]
    return projected


@method("crm.contact.list")
def contact_list(call: Call) -> Page:
    filters = call.dict_param("filter")
    records = list(call.store.table(CONTACT).values())
    phone = filters.pop("PHONE", None)
    if phone is not None:
        records = [r for r in records if any(p["VALUE"] == str(phone) for p in r.get("PHONE", []))]
    records = apply_filter(records, filters, to_upper)
    records = apply_order(records, call.dict_param("order"), to_upper)
    page = paginate(records, call.param("start"))
    select = call.param("select")
    rows = [as_legacy(_with_multifields(r, select), call.offset) for r in page.result]
    return Page(rows, page.total, page.next)
