"""What a person sees of a CRM record on the sandbox's pages: stage names instead of codes,
the card's feed (timeline comments — the app's SMS log among them — and to-dos), and the
record's user fields (the procurement card's ETA) with the label of their form."""

from typing import Any

from sandbox.crm_store import DEAL
from sandbox.fields import to_camel
from sandbox.stages import find_stage
from sandbox.state import Portal


def stage_name(portal: Portal, entity_type_id: int, record: dict[str, Any]) -> str:
    """The stage's name in its funnel; the bare code when the stage is unknown."""
    code = str(record.get("STAGE_ID") or "")
    stage = find_stage(portal.crm, entity_type_id, int(record.get("CATEGORY_ID") or 0), code)
    return str(stage["NAME"]) if stage else code


def _timeline_type(entity_type_id: int) -> str:
    """``ENTITY_TYPE`` of crm.timeline.comment.add: ``deal`` or ``dynamic_{id}`` (§13)."""
    return "deal" if entity_type_id == DEAL else f"dynamic_{entity_type_id}"


def _author(portal: Portal, user_id: Any) -> str:
    user = portal.users.get(int(user_id or 0))
    return user.full_name if user else ""


def feed(portal: Portal, entity_type_id: int, entity_id: int) -> list[dict[str, Any]]:
    """Newest first, as the card's timeline shows it."""
    kind = _timeline_type(entity_type_id)
    comments = [
        {"at": c["at"], "kind": "Комментарий", "text": c["comment"], "author": c["author_id"]}
        for c in portal.timeline
        if c["entity_type"] == kind and c["entity_id"] == entity_id
    ]
    todos = [
        {
            "at": a["at"],
            "kind": "Дело",
            "text": " — ".join(str(p) for p in (a["title"], a["description"]) if p),
            "author": a["responsible_id"],
        }
        for a in portal.activities
        if a["owner_type_id"] == entity_type_id and a["owner_id"] == entity_id
    ]
    entries = sorted(comments + todos, key=lambda e: str(e["at"]), reverse=True)
    return [e | {"author": _author(portal, e["author"])} for e in entries]


def _uf_entity(portal: Portal, entity_type_id: int) -> str:
    if entity_type_id == DEAL:
        return "CRM_DEAL"
    spa = portal.crm.types.get(entity_type_id)
    return f"CRM_{spa['id']}" if spa else ""


def _label(field: dict[str, Any]) -> str:
    label = field.get("editFormLabel")
    if isinstance(label, dict):
        return str(label.get("ru") or label.get("en") or field["fieldName"])
    return str(label or field["fieldName"])


def _shown_value(field: dict[str, Any], record: dict[str, Any]) -> str:
    """A date field shows ``YYYY-MM-DD`` (what ``<input type=date>`` takes)."""
    value = str(record.get(str(field["fieldName"])) or "")
    return value[:10] if field.get("userTypeId") == "date" else value


def user_fields(
    portal: Portal, entity_type_id: int, record: dict[str, Any]
) -> list[dict[str, Any]]:
    """``name`` is the crm.item.* spelling the card's form sends back."""
    entity = _uf_entity(portal, entity_type_id)
    return [
        {
            "name": to_camel(str(field["fieldName"])),
            "label": _label(field),
            "type": str(field.get("userTypeId") or "string"),
            "value": _shown_value(field, record),
        }
        for field in portal.crm.userfields
        if field["entityId"] == entity
    ]
