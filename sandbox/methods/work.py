"""People-facing side effects: ``im.notify.system.add``, ``crm.timeline.comment.add``,
``crm.activity.todo.add`` (§13); tasks are in ``tasks``."""

import base64
import binascii
from typing import Any

from sandbox.calls import Call, method, to_int
from sandbox.envelope import iso
from sandbox.errors import RestError, legacy_error, required


@method("im.notify.system.add")
def notify(call: Call) -> int:
    user_id = to_int(call.param("USER_ID"))
    message = str(call.param("MESSAGE") or "").strip()
    if not user_id:
        raise RestError("USER_ID_EMPTY", "Recipient ID not specified", status=400)
    if not message:
        raise RestError("MESSAGE_EMPTY", "Message text is empty", status=400)
    tag = call.param("TAG")
    if tag:
        kept = [n for n in call.portal.notifications if n["tag"] != tag or n["user_id"] != user_id]
        call.portal.notifications[:] = kept
    notification = {
        "id": call.portal.next_id("notification"),
        "user_id": user_id,
        "message": message,
        "tag": tag,
        "sub_tag": call.param("SUB_TAG"),
        "attach": call.param("ATTACH"),
        "from_user_id": call.caller.user_id,
        "at": iso(call.now(), call.offset),
    }
    call.portal.notifications.append(notification)
    return int(notification["id"])


@method("crm.timeline.comment.add")
def timeline_comment_add(call: Call) -> int:
    fields = call.params.get("fields")
    if not isinstance(fields, dict):
        raise legacy_error("Parameter 'fields' must be array.")
    if not fields.get("ENTITY_ID") or not fields.get("ENTITY_TYPE") or not fields.get("COMMENT"):
        raise legacy_error("ENTITY_ID, ENTITY_TYPE and COMMENT are required.")
    comment_id = call.portal.next_id("timeline")
    call.portal.timeline.append(
        {
            "id": comment_id,
            "entity_type": str(fields["ENTITY_TYPE"]).lower(),
            "entity_id": to_int(fields["ENTITY_ID"]),
            "comment": str(fields["COMMENT"]),
            "files": _attached_files(fields.get("FILES")),
            "author_id": call.caller.user_id,
            "at": iso(call.now(), call.offset),
        }
    )
    call.emit("ONCRMTIMELINECOMMENTADD", {"ID": comment_id})
    return comment_id


def _attached_files(files: Any) -> list[dict[str, str]]:
    """``FILES`` as ``[["name.pdf", "<base64>"], …]``; the content is kept as sent (base64)."""
    if files in (None, "", []):
        return []
    pairs = list(files.values()) if isinstance(files, dict) else files
    attached = []
    for pair in pairs if isinstance(pairs, list) else [pairs]:
        items = list(pair.values()) if isinstance(pair, dict) else pair
        if not isinstance(items, list) or len(items) != 2:
            raise legacy_error("FILES must be a list of [name, base64 content] pairs.")
        try:
            base64.b64decode(str(items[1]), validate=True)
        except binascii.Error as exc:
            raise legacy_error("FILES content must be base64.") from exc
        attached.append({"name": str(items[0]), "content": str(items[1])})
    return attached


@method("crm.activity.todo.add")
def todo_add(call: Call) -> dict[str, Any]:
    owner_type = to_int(call.param("ownerTypeId"))
    owner_id = to_int(call.param("ownerId"))
    if not owner_type or not owner_id:
        raise required("ownerTypeId/ownerId")
    if not call.param("deadline"):
        raise required("deadline")
    if call.store.find(owner_type, owner_id) is None:
        raise RestError("OWNER_NOT_FOUND", "Owner was not found", status=400)
    activity_id = call.portal.next_id("activity")
    call.portal.activities.append(
        {
            "id": activity_id,
            "owner_type_id": owner_type,
            "owner_id": owner_id,
            "title": call.param("title"),
            "description": call.param("description"),
            "deadline": call.param("deadline"),
            "responsible_id": to_int(call.param("responsibleId"), call.caller.user_id),
            "at": iso(call.now(), call.offset),
        }
    )
    call.emit("ONCRMACTIVITYADD", {"ID": activity_id})
    return {"id": activity_id}
