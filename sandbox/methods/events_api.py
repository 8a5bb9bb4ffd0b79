"""``event.bind/get/unbind`` and the offline queue ``event.offline.get/clear/error/list``
(§8.1, §8.6). ``auth_connector`` reaches a handler as ``call.connector`` (taken off the
parameters with ``auth``): it names the binding's source and the queue a reader sees."""

from typing import Any
from urllib.parse import urlsplit

from sandbox import event_catalog, offline
from sandbox.calls import Call, method, to_int
from sandbox.envelope import Page
from sandbox.errors import RestError
from sandbox.listing import paginate
from sandbox.scopes import event_scope, grants

_LOOPBACK = ("127.", "localhost", "[::1]", "0.0.0.0")  # noqa: S104 - a host name to refuse, not a bind


def check_handler_url(call: Call, url: str) -> None:
    """Bitrix24 refuses handlers without a public domain; loopback is a per-portal switch."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RestError("ERROR_UNSUPPORTED_PROTOCOL", "Unsupported handler protocol", status=400)
    if (
        not call.portal.config.allow_loopback_handlers
        and parts.hostname
        and parts.hostname.startswith(_LOOPBACK)
    ):
        raise RestError("ERROR_WRONG_HANDLER_URL", "Wrong handler URL", status=400)


def _binding_params(call: Call) -> tuple[str, str, bool]:
    event = str(call.param("event") or "").upper()
    handler = str(call.param("handler") or "")
    offline_type = str(call.param("event_type") or "online").lower() == "offline"
    return event, handler, offline_type


@method("event.bind", app_only=True)
def event_bind(call: Call) -> bool:
    event, handler, offline_type = _binding_params(call)
    if not event_catalog.is_known(event) or not grants(call.caller.scopes, event_scope(event)):
        raise RestError("ERROR_EVENT_NOT_FOUND", "Event not found", status=400)
    user = call.portal.users[call.caller.user_id]
    if offline_type and not user.admin:
        raise RestError("ACCESS_DENIED", "Access denied! Offline events need an administrator")
    if not offline_type:
        check_handler_url(call, handler)
    connector = call.connector if offline_type else ""
    for binding in call.portal.bindings:
        if (binding["event"], binding["handler"], binding["offline"]) == (
            event,
            handler,
            int(offline_type),
        ) and binding["auth_connector"] == connector:
            raise RestError("ERROR_HANDLER_ALREADY_EXIST", "Handler already exists!", status=400)
    call.portal.bindings.append(
        {
            "id": call.portal.next_binding_id,
            "event": event,
            "handler": "" if offline_type else handler,
            "auth_type": to_int(call.param("auth_type"), 0) or 0,
            "offline": int(offline_type),
            "auth_connector": connector,
            "options": call.param("options") or {},
        }
    )
    call.portal.next_binding_id += 1
    return True


@method("event.get", app_only=True)
def event_get(call: Call) -> list[dict[str, Any]]:
    return [
        {
            "event": b["event"],
            "handler": b["handler"],
            "auth_type": str(b["auth_type"]),
            "offline": b["offline"],
        }
        for b in call.portal.bindings
    ]


@method("event.unbind", app_only=True)
def event_unbind(call: Call) -> dict[str, int]:
    event, handler, offline_type = _binding_params(call)
    auth_type = call.param("auth_type")

    def matches(binding: dict[str, Any]) -> bool:
        return (
            (not event or binding["event"] == event)
            and (not handler or binding["handler"] == handler)
            and (call.param("event_type") is None or binding["offline"] == int(offline_type))
            and (auth_type in (None, "") or binding["auth_type"] == to_int(auth_type))
        )

    before = len(call.portal.bindings)
    call.portal.bindings[:] = [b for b in call.portal.bindings if not matches(b)]
    return {"count": before - len(call.portal.bindings)}


@method("event.offline.get", app_only=True, admin_only=True)
def offline_get(call: Call) -> dict[str, Any]:
    clear = str(call.param("clear", "1")) not in ("0", "N", "false", "False")
    limit = to_int(call.param("limit"), 50) or 50
    process_id, items = offline.take(
        call.portal,
        limit=limit,
        clear=clear,
        process_id=call.param("process_id") or None,
        connector=call.connector,
        errors=str(call.param("error", "0")) in ("1", "Y", "true", "True"),
    )
    return {"process_id": process_id, "events": [offline.out(i, call.offset) for i in items]}


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [] if value in (None, "") else [str(value)]


@method("event.offline.clear", app_only=True, admin_only=True)
def offline_clear(call: Call) -> bool:
    process_id = call.param("process_id")
    if not process_id:
        raise RestError("ERROR_ARGUMENT", "process_id is required", status=400)
    offline.clear(
        call.portal,
        process_id=str(process_id),
        ids=_as_list(call.param("id")),
        message_ids=_as_list(call.param("message_id")),
    )
    return True


@method("event.offline.error", app_only=True, admin_only=True)
def offline_error(call: Call) -> bool:
    process_id = call.param("process_id")
    if not process_id:
        raise RestError("ERROR_ARGUMENT", "process_id is required", status=400)
    message_ids = _as_list(call.param("message_id"))
    offline.mark_failed(call.portal, process_id=str(process_id), message_ids=message_ids)
    return True


@method("event.offline.list", app_only=True, admin_only=True)
def offline_list(call: Call) -> Page:
    items = sorted(offline.of_source(call.portal, call.connector), key=lambda i: i["ID"])
    page = paginate(items, call.param("start"))
    return Page(
        [offline.out(i, call.offset, with_process=True) for i in page.result], page.total, page.next
    )
