"""What a REST method handler receives (``Call``) and the registry of handlers.

A handler is a plain function ``(Call) -> result``; it returns a ``Page`` for list
methods, raises ``RestError`` for Bitrix errors, and records events with ``emit``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.crm_store import CrmStore
from sandbox.errors import RestError
from sandbox.scopes import check_scope
from sandbox.state import Portal, Sandbox


@dataclass(frozen=True)
class Caller:
    """Who calls: the user, whether in app context (OAuth/UI), whether as automation, and the
    scopes of the token or webhook (``None`` for a person in the UI: nothing to check)."""

    user_id: int
    app_context: bool
    identity: str = "app"
    automation: bool = False
    scopes: tuple[str, ...] | None = None


@dataclass(frozen=True)
class PendingEvent:
    """``connector``: the ``auth_connector`` of the call that caused it (§8.6)."""

    name: str
    data: dict[str, Any]
    user_id: int | None
    entity_key: str
    connector: str = ""


@dataclass
class Call:
    sandbox: Sandbox
    portal: Portal
    caller: Caller
    params: dict[str, Any]
    events: list[PendingEvent] = field(default_factory=list)
    connector: str = ""

    @property
    def store(self) -> CrmStore:
        return self.portal.crm

    @property
    def offset(self) -> int:
        return self.sandbox.settings.timezone_offset_hours

    def now(self) -> datetime:
        return self.sandbox.now()

    def param(self, name: str, default: Any = None) -> Any:
        """Parameter names are case-insensitive in REST v2 (``id``/``ID``, ``fields``/``FIELDS``)."""
        for key in (name, name.lower(), name.upper()):
            if key in self.params:
                return self.params[key]
        lowered = name.lower()
        for key, value in self.params.items():
            if key.lower() == lowered:
                return value
        return default

    def dict_param(self, name: str) -> dict[str, Any]:
        value = self.param(name)
        return value if isinstance(value, dict) else {}

    def emit(self, name: str, fields: dict[str, Any], *, entity_key: str = "") -> None:
        user_id = None if self.caller.automation else self.caller.user_id
        data = {"FIELDS": fields}
        key = entity_key or f"{name}:{fields.get('ID')}"
        self.events.append(
            PendingEvent(name, data, user_id=user_id, entity_key=key, connector=self.connector)
        )


Handler = Callable[[Call], Any]


@dataclass(frozen=True)
class MethodSpec:
    name: str
    handler: Handler
    app_only: bool = False
    admin_only: bool = False


METHODS: dict[str, MethodSpec] = {}


def method(
    name: str, *, app_only: bool = False, admin_only: bool = False
) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name] = MethodSpec(name, handler, app_only=app_only, admin_only=admin_only)
        return handler

    return register


def no_app_context(name: str) -> RestError:
    """How a method refuses a webhook: robots and ``app.info`` answer ``ACCESS_DENIED``
    (their pages' error tables), the rest ``403 WRONG_AUTH_TYPE`` (placement.bind's table)."""
    if name.startswith("bizproc.robot."):
        return RestError("ACCESS_DENIED", "Application context required", status=400)
    if name == "app.info":
        return RestError("ACCESS_DENIED", "Access denied! Application context required", status=400)
    return RestError("WRONG_AUTH_TYPE", "Application context required")


def run_method(call: Call, name: str) -> Any:
    """Dispatch one method like Bitrix24: the method must exist, be in the caller's scopes
    (§2 ``insufficient_scope``), then app context and admin rights (§1)."""
    spec = METHODS.get(name)
    if spec is None:
        raise RestError("ERROR_METHOD_NOT_FOUND", f"Method '{name}' not found")
    check_scope(call.caller.scopes, name, call.params)
    if spec.app_only and not call.caller.app_context:
        raise no_app_context(name)
    user = call.portal.users.get(call.caller.user_id)
    if spec.admin_only and (user is None or not user.admin):
        raise RestError("ACCESS_DENIED", "Access denied! Admin permissions required")
    return spec.handler(call)


def to_int(value: Any, default: int | None = None) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default
