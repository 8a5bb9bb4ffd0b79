"""``tasks.task.add/get/update/list`` (scope ``task``, §13): camelCase string values, the
``{"task": …}`` / ``{"tasks": […]}`` wrappers, and ``ufCrmTask`` only when selected."""

from typing import Any

from sandbox.calls import Call, method, to_int
from sandbox.envelope import iso
from sandbox.errors import RestError
from sandbox.fields import to_camel

_HIDDEN_UNLESS_SELECTED = ("ufCrmTask",)
_EDITABLE = {
    "TITLE": "title",
    "DESCRIPTION": "description",
    "RESPONSIBLE_ID": "responsibleId",
    "DEADLINE": "deadline",
    "STATUS": "status",
    "XML_ID": "xmlId",
}
_TASK_FILTERS = {"XML_ID": "xmlId", "RESPONSIBLE_ID": "responsibleId", "ID": "id"}
# The documented texts (tasks-task-get.md, tasks-task-update.md "Possible Error Codes").
_NO_TASK_ID = (
    "CTaskItem All parameters in the constructor must have real class type (internal error)"
)
_BAD_SELECT = (
    "Invalid value {} to match with parameter {select}. Should be value of type array."
    " (internal error)"
)
_NO_FIELDS = "Could not find value for parameter {fields} (internal error)"
_NO_RESPONSIBLE = 'The user specified in the "Responsible" field was not found<br>'


def _not_allowed() -> RestError:
    """A task that is not there or not the user's (tasks-task-get.md, code "0")."""
    return RestError("0", "Action on the task is not allowed (internal error)", status=400)


def task_out(task: dict[str, Any], select: Any) -> dict[str, Any]:
    """Default: every field but the system UFs; ``select``: those named (``*`` = the default)."""
    if not isinstance(select, list) or not select:
        return {k: v for k, v in task.items() if k not in _HIDDEN_UNLESS_SELECTED}
    wanted = {to_camel(str(name)) if str(name).isupper() else str(name) for name in select}
    if "*" in wanted:
        wanted |= {k for k in task if k not in _HIDDEN_UNLESS_SELECTED}
    return {k: v for k, v in task.items() if k in wanted | {"id"}}


def _find(call: Call) -> dict[str, Any]:
    raw = call.param("taskId")
    if raw in (None, ""):
        raise RestError("100", _NO_TASK_ID, status=400)
    task_id = to_int(raw)
    if task_id is None:
        raise RestError("0", "wrong task id", status=400)
    task = next((t for t in call.portal.tasks if t["id"] == str(task_id)), None)
    if task is None:
        raise _not_allowed()
    return task


@method("tasks.task.add")
def task_add(call: Call) -> dict[str, Any]:
    fields = call.dict_param("fields")
    if not fields.get("TITLE"):
        raise RestError("ERROR_CORE", "Task title is required", status=400)
    if not fields.get("RESPONSIBLE_ID"):
        raise RestError("ERROR_CORE", "Responsible user is required", status=400)
    task_id = call.portal.next_id("task")
    now = iso(call.now(), call.offset)
    task = {
        "id": str(task_id),
        "title": str(fields["TITLE"]),
        "description": str(fields.get("DESCRIPTION") or ""),
        "responsibleId": str(fields["RESPONSIBLE_ID"]),
        "createdBy": str(fields.get("CREATED_BY") or call.caller.user_id),
        "deadline": fields.get("DEADLINE"),
        "status": "2",
        "ufCrmTask": list(fields.get("UF_CRM_TASK") or []),
        "xmlId": str(fields.get("XML_ID") or ""),
        "createdDate": now,
        "changedDate": now,
    }
    call.portal.tasks.append(task)
    call.emit("ONTASKADD", {"ID": task_id})
    return {"task": task_out(task, None)}


@method("tasks.task.get")
def task_get(call: Call) -> dict[str, Any]:
    select = call.param("select")
    if select is not None and not isinstance(select, list):
        raise RestError("100", _BAD_SELECT, status=400)
    return {"task": task_out(_find(call), select)}


@method("tasks.task.update")
def task_update(call: Call) -> dict[str, Any]:
    task = _find(call)
    fields = call.dict_param("fields")
    if not fields:
        raise RestError("100", _NO_FIELDS, status=400)
    responsible = fields.get("RESPONSIBLE_ID")
    if responsible not in (None, "") and to_int(responsible) not in call.portal.users:
        raise RestError("ERROR_CORE", _NO_RESPONSIBLE, status=400)
    for name, value in fields.items():
        key = _EDITABLE.get(str(name).upper())
        if key is not None:
            task[key] = None if value is None else str(value)
    if "UF_CRM_TASK" in {str(n).upper() for n in fields}:
        task["ufCrmTask"] = list(fields.get("UF_CRM_TASK") or [])
    task["changedDate"] = iso(call.now(), call.offset)
    call.emit("ONTASKUPDATE", {"ID": int(task["id"])})
    return {"task": task_out(task, None)}


@method("tasks.task.list")
def task_list(call: Call) -> dict[str, Any]:
    """Tasks filtered by exact ``XML_ID`` / ``RESPONSIBLE_ID`` / ``ID`` (``=`` prefix allowed)."""
    wanted = {
        _TASK_FILTERS[key.lstrip("=").upper()]: str(value)
        for key, value in call.dict_param("filter").items()
        if key.lstrip("=").upper() in _TASK_FILTERS
    }
    found = [t for t in call.portal.tasks if all(t.get(k) == v for k, v in wanted.items())]
    return {"tasks": [task_out(t, call.param("select")) for t in found[:50]]}
