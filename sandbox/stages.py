"""Funnels and stages: default stages on new funnels, lookups, semantics (§10.2-10.3)."""

from typing import Any

from sandbox.crm_store import (
    DEAL,
    DEAL_DEFAULT_STAGES,
    SPA_DEFAULT_STAGES,
    CrmStore,
    stage_entity_id,
    stage_prefix,
)

_COLORS = {None: "#39A8EF", "S": "#7BD500", "F": "#FF5752"}


def add_status(store: CrmStore, fields: dict[str, Any]) -> dict[str, Any]:
    """Store one stage row; ``STATUS_ID`` gets the funnel prefix unless it has one."""
    entity_id = str(fields["ENTITY_ID"])
    category_id = _category_of_reference(store, entity_id)
    entity_type_id = _type_of_reference(entity_id)
    status_id = str(fields["STATUS_ID"])
    prefix = stage_prefix(entity_type_id, category_id) if category_id is not None else ""
    if prefix and not status_id.startswith(prefix):
        status_id = prefix + status_id
    semantics = fields.get("SEMANTICS") or None
    row = {
        "ID": store.next_status_id,
        "ENTITY_ID": entity_id,
        "STATUS_ID": status_id,
        "NAME": str(fields.get("NAME") or status_id),
        "NAME_INIT": "",
        "SORT": int(fields.get("SORT") or 10),
        "SYSTEM": str(fields.get("SYSTEM") or "N"),
        "CATEGORY_ID": category_id,
        "COLOR": str(fields.get("COLOR") or _COLORS.get(semantics, "#39A8EF")),
        "SEMANTICS": semantics,
    }
    store.next_status_id += 1
    store.statuses.append(row)
    return row


def status_by_id(store: CrmStore, status_id: Any) -> dict[str, Any] | None:
    """A stage row by its numeric ``ID`` (what crm.status.update/delete take)."""
    return next((s for s in store.statuses if str(s["ID"]) == str(status_id)), None)


def update_status(row: dict[str, Any], fields: dict[str, Any]) -> None:
    """``NAME``, ``SORT`` and ``COLOR`` can change; the code and semantics cannot."""
    for name in ("NAME", "COLOR"):
        if fields.get(name) not in (None, ""):
            row[name] = str(fields[name])
    if str(fields.get("SORT") or "").isdigit():
        row["SORT"] = int(fields["SORT"])


def _type_of_reference(entity_id: str) -> int:
    if entity_id.startswith("DYNAMIC_"):
        return int(entity_id.split("_")[1])
    return DEAL


def _category_of_reference(store: CrmStore, entity_id: str) -> int | None:
    if entity_id == "DEAL_STAGE":
        return 0
    if entity_id.startswith(("DEAL_STAGE_", "DYNAMIC_")):
        return int(entity_id.rsplit("_", 1)[1])
    return None


def add_category(
    store: CrmStore, entity_type_id: int, *, name: str, sort: int = 500, is_default: bool = False
) -> dict[str, Any]:
    category_id = 0 if entity_type_id == DEAL and is_default else store.next_category_id
    if category_id:
        store.next_category_id += 1
    category = {
        "id": category_id,
        "name": name,
        "sort": sort,
        "entityTypeId": entity_type_id,
        "isDefault": "Y" if is_default else "N",
        "originId": "",
        "originatorId": "",
    }
    store.categories[category_id] = category
    defaults = DEAL_DEFAULT_STAGES if entity_type_id == DEAL else SPA_DEFAULT_STAGES
    reference = stage_entity_id(entity_type_id, category_id)
    for index, (code, title, semantics) in enumerate(defaults):
        fields: dict[str, Any] = {"ENTITY_ID": reference, "STATUS_ID": code, "NAME": title}
        fields |= {"SORT": (index + 1) * 10, "SEMANTICS": semantics or "", "SYSTEM": "Y"}
        add_status(store, fields)
    return category


def categories_of(store: CrmStore, entity_type_id: int) -> list[dict[str, Any]]:
    found = [c for c in store.categories.values() if c["entityTypeId"] == entity_type_id]
    return sorted(found, key=lambda c: (c["sort"], c["id"]))


def default_category(store: CrmStore, entity_type_id: int) -> int:
    for category in categories_of(store, entity_type_id):
        if category["isDefault"] == "Y":
            return int(category["id"])
    return 0


def stages_of(store: CrmStore, entity_type_id: int, category_id: int) -> list[dict[str, Any]]:
    reference = stage_entity_id(entity_type_id, category_id)
    rows = [s for s in store.statuses if s["ENTITY_ID"] == reference]
    return sorted(rows, key=lambda s: (s["SORT"], s["ID"]))


def find_stage(
    store: CrmStore, entity_type_id: int, category_id: int, stage_id: str
) -> dict[str, Any] | None:
    for stage in stages_of(store, entity_type_id, category_id):
        if stage["STATUS_ID"] == stage_id:
            return stage
    return None


def first_stage(store: CrmStore, entity_type_id: int, category_id: int) -> str:
    stages = stages_of(store, entity_type_id, category_id)
    return str(stages[0]["STATUS_ID"]) if stages else ""


def semantic_id(stage: dict[str, Any] | None) -> str:
    """``P`` in progress, ``S`` success, ``F`` failure."""
    if stage is None or not stage["SEMANTICS"]:
        return "P"
    return str(stage["SEMANTICS"])


def category_of_stage(store: CrmStore, entity_type_id: int, stage_id: str) -> int | None:
    for stage in store.statuses:
        if (
            stage["STATUS_ID"] == stage_id
            and _type_of_reference(stage["ENTITY_ID"]) == entity_type_id
        ):
            category = stage["CATEGORY_ID"]
            return int(category) if category is not None else None
    return None
