"""Create, update and delete CRM entities with Bitrix24's side effects: default funnel and
stage, stage semantics, ``DATE_MODIFY``, OPPORTUNITY from rows, and the events of §8.5
(``ONCRMDEALMOVETOCATEGORY`` instead of an update on a funnel change; ``ONCRMDYNAMICITEM*``
only for smart processes). Shared by the legacy and the universal API families and the pages."""

from typing import Any

from sandbox.calls import Call
from sandbox.crm_store import CLIENT_TYPES, COMPANY, CONTACT, DEAL, owner_type_code
from sandbox.product_rows import recompute_owner
from sandbox.stages import default_category, find_stage, first_stage, semantic_id

_READ_ONLY = frozenset({"ID", "DATE_CREATE", "DATE_MODIFY", "CREATED_BY_ID", "MODIFY_BY_ID"})


class EntityError(ValueError):
    """A field value Bitrix24 would refuse (each API family words it its own way)."""


_LEGACY_EVENTS = {DEAL: "ONCRMDEAL", CONTACT: "ONCRMCONTACT", COMPANY: "ONCRMCOMPANY"}


def _event_names(entity_type_id: int, action: str) -> list[str]:
    if entity_type_id in _LEGACY_EVENTS:
        return [f"{_LEGACY_EVENTS[entity_type_id]}{action}"]
    return [f"ONCRMDYNAMICITEM{action}", f"ONCRMDYNAMICITEM{action}_{entity_type_id}"]


def _emit(call: Call, entity_type_id: int, action: str, record: dict[str, Any]) -> None:
    fields: dict[str, Any] = {"ID": record["ID"]}
    if entity_type_id not in _LEGACY_EVENTS:
        fields["ENTITY_TYPE_ID"] = entity_type_id
    for name in _event_names(entity_type_id, action):
        call.emit(name, fields, entity_key=f"{entity_type_id}:{record['ID']}:{name}")


def _apply_stage(call: Call, entity_type_id: int, record: dict[str, Any]) -> None:
    if entity_type_id in CLIENT_TYPES:
        return
    category_id = int(record.get("CATEGORY_ID") or 0)
    stage_id = record.get("STAGE_ID") or first_stage(call.store, entity_type_id, category_id)
    stage = find_stage(call.store, entity_type_id, category_id, str(stage_id))
    if stage is None:
        raise EntityError(f"Stage '{stage_id}' does not belong to funnel {category_id}")
    record["STAGE_ID"] = stage_id
    record["STAGE_SEMANTIC_ID"] = semantic_id(stage)
    record["CLOSED"] = "N" if semantic_id(stage) == "P" else "Y"


def _defaults(call: Call, entity_type_id: int) -> dict[str, Any]:
    now = call.now()
    user = call.caller.user_id
    base: dict[str, Any] = {
        "ASSIGNED_BY_ID": user,
        "CREATED_BY_ID": user,
        "MODIFY_BY_ID": user,
        "DATE_CREATE": now,
        "DATE_MODIFY": now,
        "OPENED": "Y",
    }
    if entity_type_id == CONTACT:
        return base | {"NAME": "", "LAST_NAME": ""}
    if entity_type_id == COMPANY:
        return base | {"TITLE": "", "COMPANY_TYPE": "CUSTOMER"}
    return base | {
        "TITLE": "",
        "CATEGORY_ID": default_category(call.store, entity_type_id),
        "OPPORTUNITY": 0.0,
        "CURRENCY_ID": "RUB",
        "IS_MANUAL_OPPORTUNITY": "N",
        "CONTACT_ID": None,
        "COMPANY_ID": None,
    }


def _normalise_multifields(record: dict[str, Any], call: Call) -> None:
    for kind in ("PHONE", "EMAIL"):
        values = record.get(kind)
        if not isinstance(values, list):
            continue
        record[kind] = [
            {
                "ID": str(call.portal.next_id("multifield")),
                "VALUE_TYPE": str(item.get("VALUE_TYPE") or "WORK"),
                "VALUE": str(item.get("VALUE") or ""),
                "TYPE_ID": kind,
            }
            for item in values
            if isinstance(item, dict)
        ]


def create_entity(call: Call, entity_type_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {"ID": 0} | _defaults(call, entity_type_id)
    record |= {k: v for k, v in fields.items() if k not in _READ_ONLY}
    if entity_type_id not in _LEGACY_EVENTS:
        record["ENTITY_TYPE_ID"] = entity_type_id
    _apply_stage(call, entity_type_id, record)
    _normalise_multifields(record, call)
    record["ID"] = call.store.new_id(entity_type_id)
    call.store.table(entity_type_id)[record["ID"]] = record
    _emit(call, entity_type_id, "ADD", record)
    return record


def _changed(record: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if k not in _READ_ONLY and record.get(k) != v}


def _moved_funnel(
    call: Call, entity_type_id: int, record: dict[str, Any], changes: dict[str, Any]
) -> bool:
    """A new CATEGORY_ID without a stage lands on the first stage of the target funnel."""
    if "CATEGORY_ID" not in changes or entity_type_id in CLIENT_TYPES:
        return False
    if "STAGE_ID" not in changes:
        changes["STAGE_ID"] = first_stage(
            call.store, entity_type_id, int(changes["CATEGORY_ID"] or 0)
        )
    return True


def update_entity(
    call: Call, entity_type_id: int, record: dict[str, Any], fields: dict[str, Any]
) -> bool:
    """Apply changes; False (no save, no event) when nothing changed, as crm.item.update does."""
    changes = _changed(record, fields)
    if not changes:
        return False
    moved = _moved_funnel(call, entity_type_id, record, changes)
    candidate = record | changes
    _apply_stage(call, entity_type_id, candidate)
    _normalise_multifields(candidate, call)
    if candidate.get("STAGE_ID") != record.get("STAGE_ID"):
        candidate["MOVED_BY_ID"] = call.caller.user_id
        candidate["MOVED_TIME"] = call.now()
    candidate["DATE_MODIFY"] = call.now()
    candidate["MODIFY_BY_ID"] = call.caller.user_id
    record.clear()
    record.update(candidate)
    if entity_type_id not in CLIENT_TYPES:
        recompute_owner(
            call.store, (owner_type_code(entity_type_id), int(record["ID"])), call.now()
        )
    if moved and entity_type_id == DEAL:
        fields_out = {
            "ID": record["ID"],
            "CATEGORY_ID": record["CATEGORY_ID"],
            "STAGE_ID": record["STAGE_ID"],
        }
        call.emit("ONCRMDEALMOVETOCATEGORY", fields_out, entity_key=f"2:{record['ID']}:move")
    else:
        _emit(call, entity_type_id, "UPDATE", record)
    return True


def delete_entity(call: Call, entity_type_id: int, record: dict[str, Any]) -> None:
    del call.store.table(entity_type_id)[record["ID"]]
    owner = (owner_type_code(entity_type_id), int(record["ID"]))
    for row in call.store.rows_of(*owner):
        del call.store.rows[row["ID"]]
    _emit(call, entity_type_id, "DELETE", record)
