"""Smart-process types, funnels, stages and user-field definitions:
``crm.type.*``, ``crm.category.*``, ``crm.status.*``, ``userfieldconfig.*`` (§10)."""

from typing import Any

from sandbox.calls import Call, method, to_int
from sandbox.crm_store import DEAL, FIRST_SPA_TYPE
from sandbox.envelope import Page
from sandbox.errors import RestError, legacy_error, required
from sandbox.fields import as_legacy, to_upper
from sandbox.listing import apply_filter, apply_order, paginate
from sandbox.stages import add_category, add_status, categories_of, status_by_id, update_status

_TYPE_FLAGS = (
    "isCategoriesEnabled",
    "isStagesEnabled",
    "isLinkWithProductsEnabled",
    "isClientEnabled",
    "isDocumentsEnabled",
    "isAutomationEnabled",
    "isBizProcEnabled",
    "isObserversEnabled",
    "isUseInUserfieldEnabled",
    "isPaymentsEnabled",
)


def _flag(value: Any) -> str:
    return "Y" if str(value).upper() in ("Y", "1", "TRUE") else "N"


@method("crm.type.add")
def type_add(call: Call) -> dict[str, Any]:
    fields = call.dict_param("fields")
    if not fields.get("title"):
        raise required("title")
    store = call.store
    taken = set(store.types) | {FIRST_SPA_TYPE - 1}
    entity_type_id = to_int(fields.get("entityTypeId")) or max(taken) + 1
    if entity_type_id in store.types:
        raise RestError("ERROR_VALUE_NOT_UNIQUE", "entityTypeId is already taken", status=400)
    record: dict[str, Any] = {"id": store.next_type_id, "title": str(fields["title"])}
    record |= {"code": str(fields.get("code") or ""), "entityTypeId": entity_type_id}
    record |= {flag: _flag(fields.get(flag, "N")) for flag in _TYPE_FLAGS}
    record |= {"createdBy": call.caller.user_id, "createdTime": call.now().isoformat()}
    store.next_type_id += 1
    store.types[entity_type_id] = record
    add_category(store, entity_type_id, name="Воронка по умолчанию", is_default=True)
    return {"type": record}


def _type_by_id(call: Call) -> dict[str, Any]:
    type_id = to_int(call.param("id"))
    for record in call.store.types.values():
        if record["id"] == type_id:
            return record
    raise RestError("NOT_FOUND", "Smart process not found", status=400)


@method("crm.type.get")
def type_get(call: Call) -> dict[str, Any]:
    return {"type": _type_by_id(call)}


@method("crm.type.update")
def type_update(call: Call) -> dict[str, Any]:
    record = _type_by_id(call)
    for name, value in call.dict_param("fields").items():
        record[name] = _flag(value) if name in _TYPE_FLAGS else value
    return {"type": record}


@method("crm.type.list")
def type_list(call: Call) -> Page:
    records = sorted(call.store.types.values(), key=lambda r: r["id"])
    records = apply_filter(records, call.dict_param("filter"), str)
    page = paginate(records, call.param("start"))
    return Page({"types": page.result}, page.total, page.next)


def _category_type(call: Call) -> int:
    entity_type_id = to_int(call.param("entityTypeId"))
    if entity_type_id is None:
        raise required("entityTypeId")
    spa = call.store.types.get(entity_type_id)
    if entity_type_id != DEAL and spa is None:
        raise RestError("ENTITY_TYPE_NOT_SUPPORTED", "Entity type is not supported", status=400)
    return entity_type_id


@method("crm.category.list")
def category_list(call: Call) -> Page:
    categories = categories_of(call.store, _category_type(call))
    return Page({"categories": categories}, len(categories))


@method("crm.category.add")
def category_add(call: Call) -> dict[str, Any]:
    entity_type_id = _category_type(call)
    spa = call.store.types.get(entity_type_id)
    if spa is not None and spa["isCategoriesEnabled"] != "Y":
        raise RestError(
            "ENTITY_TYPE_NOT_SUPPORTED", "Categories are disabled for this type", status=400
        )
    fields = call.dict_param("fields")
    if not fields.get("name"):
        raise required("name")
    sort = to_int(fields.get("sort"), 500) or 500
    return {
        "category": add_category(call.store, entity_type_id, name=str(fields["name"]), sort=sort)
    }


def _references(call: Call) -> list[dict[str, Any]]:
    references = []
    for category in call.store.categories.values():
        entity_type_id = int(category["entityTypeId"])
        category_id = int(category["id"])
        if entity_type_id == DEAL:
            ref, prefix = (
                ("DEAL_STAGE", "")
                if category_id == 0
                else (f"DEAL_STAGE_{category_id}", f"C{category_id}")
            )
        else:
            ref, prefix = (
                f"DYNAMIC_{entity_type_id}_STAGE_{category_id}",
                f"DT{entity_type_id}_{category_id}",
            )
        references.append(
            {
                "ID": ref,
                "NAME": category["name"],
                "PREFIX": prefix,
                "ENTITY_TYPE_ID": entity_type_id,
                "CATEGORY_ID": category_id,
            }
        )
    return references


@method("crm.status.entity.types")
def status_entity_types(call: Call) -> list[dict[str, Any]]:
    return _references(call)


@method("crm.status.list")
def status_list(call: Call) -> Page:
    rows = apply_filter(call.store.statuses, call.dict_param("filter"), to_upper)
    rows = apply_order(rows, call.dict_param("order") or {"SORT": "ASC"}, to_upper)
    page = paginate(rows, call.param("start"))
    return Page([_status_out(call, r) for r in page.result], page.total, page.next)


def _status_out(call: Call, row: dict[str, Any]) -> dict[str, Any]:
    out = as_legacy(row, call.offset)
    semantics = {"S": "success", "F": "failure"}.get(row["SEMANTICS"] or "", "process")
    out["EXTRA"] = {"SEMANTICS": semantics, "COLOR": row["COLOR"]}
    return out


@method("crm.status.add")
def status_add(call: Call) -> int:
    fields = {to_upper(str(k)): v for k, v in call.dict_param("fields").items()}
    known = {ref["ID"] for ref in _references(call)}
    if not fields.get("ENTITY_ID") or not fields.get("STATUS_ID") or not fields.get("NAME"):
        raise legacy_error("Required fields: ENTITY_ID, STATUS_ID, NAME.")
    if fields["ENTITY_ID"] not in known:
        raise legacy_error(f"Entity '{fields['ENTITY_ID']}' is not found.")
    row = add_status(call.store, fields)
    same = [
        s
        for s in call.store.statuses
        if s["ENTITY_ID"] == row["ENTITY_ID"] and s["STATUS_ID"] == row["STATUS_ID"]
    ]
    if len(same) > 1:
        call.store.statuses.remove(row)
        raise legacy_error("Status with this STATUS_ID already exists.")
    return int(row["ID"])


def _status_row(call: Call) -> dict[str, Any]:
    row = status_by_id(call.store, call.param("id"))
    if row is None:
        raise legacy_error("The status is not found.")
    return row


@method("crm.status.update")
def status_update(call: Call) -> bool:
    fields = {to_upper(str(k)): v for k, v in call.dict_param("fields").items()}
    update_status(_status_row(call), fields)
    return True


@method("crm.status.delete")
def status_delete(call: Call) -> bool:
    """A system stage (a funnel's default) is deleted only with ``params[FORCED]=Y``."""
    row = _status_row(call)
    forced = str(call.dict_param("params").get("FORCED", "N")).upper() == "Y"
    if row["SYSTEM"] == "Y" and not forced:
        raise legacy_error("The system status can not be deleted.")
    call.store.statuses.remove(row)
    return True


@method("userfieldconfig.add")
def userfield_add(call: Call) -> dict[str, Any]:
    field = call.dict_param("field")
    name = str(field.get("fieldName") or "")
    if not name.startswith("UF_") or not field.get("entityId") or not field.get("userTypeId"):
        raise RestError(
            "ERROR_ARGUMENT", "fieldName, entityId and userTypeId are required", status=400
        )
    if any(
        f["fieldName"] == name and f["entityId"] == field["entityId"] for f in call.store.userfields
    ):
        raise RestError("ERROR_FIELD_EXISTS", f"Field {name} already exists", status=400)
    record = {
        "id": call.portal.next_id("userfield"),
        "moduleId": str(call.param("moduleId") or "crm"),
    }
    record |= {key: value for key, value in field.items()}
    record["multiple"] = _flag(field.get("multiple", "N"))
    record["mandatory"] = _flag(field.get("mandatory", "N"))
    call.store.userfields.append(record)
    return {"field": record}


@method("userfieldconfig.list")
def userfield_list(call: Call) -> Page:
    fields = apply_filter(call.store.userfields, call.dict_param("filter"), str)
    page = paginate(fields, call.param("start"))
    return Page({"fields": page.result}, page.total, page.next)
