"""Robots (``bizproc.robot.add/list/delete/update``) and workflow replies
(``bizproc.event.send``, single use per token) — §12."""

import re
from typing import Any

from sandbox.calls import Call, method
from sandbox.envelope import iso
from sandbox.errors import RestError
from sandbox.methods.events_api import check_handler_url

_CODE = re.compile(r"^[a-zA-Z0-9._-]+$")


def _invalid(text: str) -> RestError:
    return RestError("ERROR_ACTIVITY_VALIDATION_FAILURE", text, status=400)


@method("bizproc.robot.add", app_only=True, admin_only=True)
def robot_add(call: Call) -> bool:
    code = str(call.param("CODE") or "")
    handler = str(call.param("HANDLER") or "")
    name = call.param("NAME")
    if not code or not _CODE.match(code) or not name:
        raise _invalid("Empty or invalid activity code or name")
    if not handler:
        raise RestError("ERROR_WRONG_HANDLER_URL", "Wrong handler URL", status=400)
    check_handler_url(call, handler)
    if code in call.portal.robots:
        raise RestError(
            "ERROR_ACTIVITY_ALREADY_INSTALLED", "Activity already installed", status=400
        )
    call.portal.robots[code] = {
        "CODE": code,
        "HANDLER": handler,
        "NAME": name,
        "DESCRIPTION": call.param("DESCRIPTION"),
        "AUTH_USER_ID": call.param("AUTH_USER_ID"),
        "USE_SUBSCRIPTION": str(call.param("USE_SUBSCRIPTION") or ""),
        "PROPERTIES": call.param("PROPERTIES") or {},
        "RETURN_PROPERTIES": call.param("RETURN_PROPERTIES") or {},
        "DOCUMENT_TYPE": call.param("DOCUMENT_TYPE"),
        "FILTER": call.param("FILTER"),
    }
    return True


@method("bizproc.robot.update", app_only=True, admin_only=True)
def robot_update(call: Call) -> bool:
    robot = call.portal.robots.get(str(call.param("CODE") or ""))
    if robot is None:
        raise RestError("ERROR_ACTIVITY_NOT_FOUND", "Activity not found", status=400)
    robot.update({str(k).upper(): v for k, v in call.dict_param("FIELDS").items()})
    return True


@method("bizproc.robot.list", app_only=True, admin_only=True)
def robot_list(call: Call) -> list[str]:
    return list(call.portal.robots)


@method("bizproc.robot.delete", app_only=True, admin_only=True)
def robot_delete(call: Call) -> bool:
    if call.portal.robots.pop(str(call.param("CODE") or ""), None) is None:
        raise RestError("ERROR_ACTIVITY_NOT_FOUND", "Activity not found", status=400)
    return True


@method("bizproc.event.send")
def event_send(call: Call) -> bool:
    """The token is single use (UNCONFIRMED, §17.8): reuse answers 403 ACCESS_DENIED. The
    token belongs to the app, so a webhook gets the same answer (the docs show OAuth only;
    the ``webhook_event_send`` switch lets webhooks through)."""
    token = str(call.param("EVENT_TOKEN") or "")
    run = call.portal.robot_tokens.get(token)
    from_webhook = not call.caller.app_context and not call.portal.config.webhook_event_send
    if run is None or run["used"] or from_webhook:
        raise RestError("ACCESS_DENIED", "Access denied!", status=403)
    run["used"] = True
    reply: dict[str, Any] = {
        "event_token": token,
        "robot_code": run["code"],
        "document_id": run["document_id"],
        "return_values": call.param("RETURN_VALUES") or {},
        "log_message": call.param("LOG_MESSAGE"),
        "user_id": call.caller.user_id,
        "at": iso(call.now(), call.offset),
    }
    call.portal.workflow_replies.append(reply)
    return True


@method("bizproc.activity.log")
def activity_log(call: Call) -> bool:
    token = str(call.param("EVENT_TOKEN") or "")
    if token not in call.portal.robot_tokens:
        raise RestError("ACCESS_DENIED", "Access denied!", status=403)
    call.portal.robot_tokens[token].setdefault("log", []).append(call.param("LOG_MESSAGE"))
    return True


_DOCUMENT_TYPES = {"CCrmDocumentDeal": ("DEAL", 2)}


@method("bizproc.workflow.start", admin_only=True)
def workflow_start(call: Call) -> str:
    """Errors as api-reference/bizproc/bizproc-workflow-start.md lists them; only deal
    documents exist here. The workflow runs until the test ends it (control API
    ``POST /workflows/{id}/finish``, which calls the template's robot the way Bitrix24 does)."""
    template_id = call.param("TEMPLATE_ID")
    if not template_id:
        raise RestError("ERROR_WRONG_WORKFLOW_ID", "Empty TEMPLATE_ID", status=400)
    template = call.portal.workflow_templates.get(_int(template_id))
    if template is None:
        raise RestError("ERROR_WRONG_WORKFLOW_ID", "Template not found", status=400)
    document = call.param("DOCUMENT_ID")
    if not isinstance(document, list) or len(document) != 3:
        raise RestError("", "Wrong DOCUMENT_ID!", status=400)
    module, entity, element = (str(part) for part in document)
    kind = _DOCUMENT_TYPES.get(entity)
    if module != "crm" or kind is None or not element.startswith(f"{kind[0]}_"):
        raise RestError("", "Incorrect document type!", status=400)
    if template["DOCUMENT_TYPE"][1] != entity:
        raise RestError("", "Template type and DOCUMENT_ID mismatch!", status=400)
    if call.store.find(kind[1], _int(element.removeprefix(f"{kind[0]}_"))) is None:
        raise RestError("", "Wrong DOCUMENT_ID!", status=400)
    workflow_id = f"{call.portal.rng.getrandbits(56):014x}.{call.portal.rng.randrange(10**8):08d}"
    call.portal.workflows[workflow_id] = {
        "ID": workflow_id, "TEMPLATE_ID": template["ID"], "DOCUMENT_ID": [module, entity, element],
        "PARAMETERS": call.param("PARAMETERS") or {}, "STARTED_BY": call.caller.user_id,
        "STARTED": iso(call.now(), call.offset), "finished": False,
    }  # fmt: skip
    return workflow_id


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
