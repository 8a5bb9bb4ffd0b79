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
