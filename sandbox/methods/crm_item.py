"""Universal ``crm.item.*``: typed camelCase, ``{"item": …}`` / ``{"items": […]}`` wrappers,
``NOT_FOUND`` / ``"100"`` errors; entityTypeId 2 is the same store as ``crm.deal.*``."""

import re
from typing import Any

from sandbox.calls import Call, method, to_int
from sandbox.crm_entities import EntityError, create_entity, delete_entity, update_entity
from sandbox.crm_store import CLIENT_TYPES, DEAL
from sandbox.envelope import Page
from sandbox.errors import RestError, not_found_item, required
from sandbox.fields import as_item, fields_from_input, to_camel, to_upper
from sandbox.listing import apply_filter_groups, apply_order, paginate, select_fields


def entity_type(call: Call) -> int:
    value = call.param("entityTypeId")
    if value in (None, ""):
        raise required("entityTypeId")
    entity_type_id = to_int(value)
    if entity_type_id is None or not call.store.is_known_type(entity_type_id):
        raise RestError("NOT_FOUND", "Smart process not found", status=400)
    return entity_type_id


def item_out(call: Call, entity_type_id: int, record: dict[str, Any]) -> dict[str, Any]:
    item = as_item(record, call.offset)
    item["entityTypeId"] = entity_type_id
    return item


def _find(call: Call, entity_type_id: int) -> dict[str, Any]:
    item_id = to_int(call.param("id"))
    if item_id is None:
        raise required("id")
    record = call.store.find(entity_type_id, item_id)
    if record is None:
        raise not_found_item()
    return record


def _fields(call: Call) -> dict[str, Any]:
    fields = call.param("fields")
    if not isinstance(fields, dict):
        raise required("fields")
    return fields_from_input(fields)


def _invalid(exc: EntityError) -> RestError:
    return RestError("CRM_FIELD_ERROR_VALUE_NOT_VALID", str(exc), status=400)


@method("crm.item.add")
def item_add(call: Call) -> dict[str, Any]:
    entity_type_id = entity_type(call)
    try:
        record = create_entity(call, entity_type_id, _fields(call))
    except EntityError as exc:
        raise _invalid(exc) from exc
    return {"item": item_out(call, entity_type_id, record)}


@method("crm.item.get")
def item_get(call: Call) -> dict[str, Any]:
    entity_type_id = entity_type(call)
    return {"item": item_out(call, entity_type_id, _find(call, entity_type_id))}


@method("crm.item.update")
def item_update(call: Call) -> dict[str, Any]:
    entity_type_id = entity_type(call)
    record = _find(call, entity_type_id)
    try:
        update_entity(call, entity_type_id, record, _fields(call))
    except EntityError as exc:
        raise _invalid(exc) from exc
    return {"item": item_out(call, entity_type_id, record)}


@method("crm.item.delete")
def item_delete(call: Call) -> list[Any]:
    entity_type_id = entity_type(call)
    delete_entity(call, entity_type_id, _find(call, entity_type_id))
    return []


def _listed(call: Call, entity_type_id: int, record: dict[str, Any]) -> dict[str, Any]:
    """Only the selected fields (``id`` always); ``entityTypeId`` too when all are."""
    select = call.param("select")
    if not isinstance(select, list) or not select or "*" in select:
        return item_out(call, entity_type_id, record)
    item = as_item(select_fields(record, select, to_upper), call.offset)
    if "entityTypeId" in select:
        item["entityTypeId"] = entity_type_id
    return item


@method("crm.item.list")
def item_list(call: Call) -> Page:
    entity_type_id = entity_type(call)
    records = list(call.store.table(entity_type_id).values())
    records = apply_filter_groups(records, call.param("filter"), to_upper)
    records = apply_order(records, call.dict_param("order"), to_upper)
    page = paginate(records, call.param("start"))
    items = [_listed(call, entity_type_id, r) for r in page.result]
    return Page({"items": items}, page.total, page.next)


# (camelCase name, type, read-only) of the fields every item has (crm/universal/object-fields.md)
_COMMON_FIELDS = (
    ("id", "integer", True),
    ("title", "string", False),
    ("xmlId", "string", False),
    ("createdTime", "datetime", True),
    ("updatedTime", "datetime", True),
    ("createdBy", "user", True),
    ("updatedBy", "user", True),
    ("assignedById", "user", False),
    ("opened", "boolean", False),
)
_FUNNEL_FIELDS = (
    ("categoryId", "crm_category", False),
    ("stageId", "crm_status", False),
    ("stageSemanticId", "string", True),
    ("movedTime", "datetime", True),
    ("movedBy", "user", True),
    ("opportunity", "double", False),
    ("isManualOpportunity", "boolean", False),
    ("currencyId", "crm_currency", False),
    ("contactId", "crm_contact", False),
    ("companyId", "crm_company", False),
    ("begindate", "date", False),
    ("closedate", "date", False),
)


def _described(name: str, kind: str, read_only: bool, upper: str) -> dict[str, Any]:
    return {
        "type": kind,
        "isRequired": False,
        "isReadOnly": read_only,
        "isImmutable": False,
        "isMultiple": False,
        "isDynamic": name.startswith("uf"),
        "title": name,
        "upperName": upper,
    }


def _uf_entity(call: Call, entity_type_id: int) -> str:
    if entity_type_id == DEAL:
        return "CRM_DEAL"
    record = call.store.types.get(entity_type_id)
    return f"CRM_{record['id']}" if record else ""


@method("crm.item.fields")
def item_fields(call: Call) -> dict[str, Any]:
    """``{"fields": {camelName: description}}``; user fields keep their ``UF_`` names with
    ``useOriginalUfNames=Y``."""
    entity_type_id = entity_type(call)
    standard = _COMMON_FIELDS if entity_type_id in CLIENT_TYPES else _COMMON_FIELDS + _FUNNEL_FIELDS
    fields = {
        name: _described(name, kind, read_only, re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper())
        for name, kind, read_only in standard
    }
    original = str(call.param("useOriginalUfNames", "N")).upper() == "Y"
    for field in call.store.userfields:
        if field["entityId"] == _uf_entity(call, entity_type_id):
            upper = str(field["fieldName"])
            name = upper if original else to_camel(upper)
            fields[name] = _described(name, str(field["userTypeId"]), False, upper)
            fields[name]["isMultiple"] = field.get("multiple") == "Y"
    return {"fields": fields}
