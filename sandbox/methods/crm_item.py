"""Universal ``crm.item.*``: typed camelCase, ``{"item": …}`` / ``{"items": […]}`` wrappers,
``NOT_FOUND`` / ``"100"`` errors; entityTypeId 2 is the same store as ``crm.deal.*``."""

from typing import Any

from sandbox.calls import Call, method, to_int
from sandbox.crm_entities import EntityError, create_entity, delete_entity, update_entity
from sandbox.envelope import Page
from sandbox.errors import RestError, not_found_item, required
from sandbox.fields import as_item, fields_from_input, to_upper
from sandbox.listing import apply_filter, apply_order, paginate, select_fields


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


@method("crm.item.list")
def item_list(call: Call) -> Page:
    entity_type_id = entity_type(call)
    records = list(call.store.table(entity_type_id).values())
    records = apply_filter(records, call.dict_param("filter"), to_upper)
    records = apply_order(records, call.dict_param("order"), to_upper)
    page = paginate(records, call.param("start"))
    select = call.param("select")
    items = [
        item_out(call, entity_type_id, select_fields(r, select, to_upper)) for r in page.result
    ]
    return Page({"items": items}, page.total, page.next)
