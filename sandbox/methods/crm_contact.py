"""Legacy ``crm.contact.*`` and ``crm.company.*``: the CRM's clients, UPPER_CASE string
scalars, PHONE/EMAIL multifields, ``{"error": ""}`` on bad input (REST_FACTS §1.1)."""

from typing import Any

from sandbox.calls import Call, method, to_int
from sandbox.crm_entities import create_entity, update_entity
from sandbox.crm_store import COMPANY, CONTACT
from sandbox.envelope import Page
from sandbox.errors import legacy_error
from sandbox.fields import as_legacy, to_upper
from sandbox.listing import apply_filter, apply_order, paginate, select_fields
from sandbox.methods.crm_deal import legacy_fields

_MULTIFIELDS = ("PHONE", "EMAIL")


def find_client(call: Call, entity_type_id: int) -> dict[str, Any]:
    client_id = to_int(call.param("id"))
    if not client_id or client_id <= 0:
        raise legacy_error("ID is not defined or invalid.")
    record = call.store.find(entity_type_id, client_id)
    if record is None:
        raise legacy_error("Not found")
    return record


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


def list_clients(call: Call, entity_type_id: int) -> Page:
    filters = call.dict_param("filter")
    records = list(call.store.table(entity_type_id).values())
    for kind in _MULTIFIELDS:  # a multifield filter matches any of the entity's values
        wanted = filters.pop(kind, None)
        if wanted is not None:
            records = [
                r for r in records if any(v["VALUE"] == str(wanted) for v in r.get(kind, []))
            ]
    records = apply_filter(records, filters, to_upper)
    records = apply_order(records, call.dict_param("order"), to_upper)
    page = paginate(records, call.param("start"))
    select = call.param("select")
    rows = [as_legacy(_with_multifields(r, select), call.offset) for r in page.result]
    return Page(rows, page.total, page.next)


@method("crm.contact.add")
def contact_add(call: Call) -> int:
    return int(create_entity(call, CONTACT, legacy_fields(call))["ID"])


@method("crm.contact.get")
def contact_get(call: Call) -> dict[str, Any]:
    return as_legacy(find_client(call, CONTACT), call.offset)


@method("crm.contact.list")
def contact_list(call: Call) -> Page:
    return list_clients(call, CONTACT)


@method("crm.contact.update")
def contact_update(call: Call) -> bool:
    update_entity(call, CONTACT, find_client(call, CONTACT), legacy_fields(call))
    return True


@method("crm.company.add")
def company_add(call: Call) -> int:
    return int(create_entity(call, COMPANY, legacy_fields(call))["ID"])


@method("crm.company.get")
def company_get(call: Call) -> dict[str, Any]:
    return as_legacy(find_client(call, COMPANY), call.offset)


@method("crm.company.list")
def company_list(call: Call) -> Page:
    return list_clients(call, COMPANY)


@method("crm.company.update")
def company_update(call: Call) -> bool:
    """``{"result": true}``; unknown fields are kept, as the legacy family does not check."""
    record = find_client(call, COMPANY)
    update_entity(call, COMPANY, record, legacy_fields(call))
    return True
