"""Scopes (permissions) of REST methods and events, and the check every call passes.

A method belongs to one scope (``api-reference/scopes/permissions.md``; the ``Scope:`` line
of each method's page): ``crm.*`` → ``crm``, ``tasks.task.*`` → ``task``, ``user.get`` →
``user`` (or its cut-down ``user_brief``/``user_basic``), while ``app.info``, ``server.time``,
``scope``, ``methods``, ``user.admin``, ``profile`` and the ``event.*`` family are ``basic``
and always allowed. ``userfieldconfig.*`` also needs the scope of its ``moduleId``. A token
outside its scopes answers ``403 insufficient_scope`` (REST_FACTS §2).
"""

from collections.abc import Collection, Mapping
from typing import Any

from sandbox.errors import RestError

BASIC = "basic"
# Every scope a portal knows (permissions.md), the answer of ``scope`` with ``full=true``.
ALL_SCOPES = (
    "ai_admin",
    "biconnector",
    "bizproc",
    "booking",
    "calendar",
    "call",
    "cashbox",
    "catalog",
    "crm",
    "documentgenerator",
    "delivery",
    "department",
    "disk",
    "entity",
    "im",
    "imbot",
    "imopenlines",
    "landing",
    "lists",
    "log",
    "mailservice",
    "messageservice",
    "pay_system",
    "placement",
    "pull",
    "sale",
    "sonet_group",
    "task",
    "telephony",
    "timeman",
    "user",
    "user_brief",
    "user_basic",
    "user.userfield",
    "userfieldconfig",
    "userconsent",
    "vote",
)
_EXACT: Mapping[str, str] = {
    "app.info": BASIC,
    "batch": BASIC,
    "events": BASIC,
    "feature.get": BASIC,
    "methods": BASIC,
    "profile": BASIC,
    "scope": BASIC,
    "server.time": BASIC,
    "user.admin": BASIC,
}
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("crm.", "crm"),
    ("userfieldconfig.", "userfieldconfig"),
    ("placement.", "placement"),
    ("bizproc.", "bizproc"),
    ("im.", "im"),
    ("tasks.", "task"),
    ("task.", "task"),
    ("user.userfield.", "user.userfield"),
    ("user.", "user"),
    ("catalog.", "catalog"),
    ("messageservice.", "messageservice"),
    ("event.", BASIC),
)
# A cut-down scope that also grants the methods of the named one (permissions.md, "user").
_ALTERNATIVES: Mapping[str, tuple[str, ...]] = {"user": ("user", "user_brief", "user_basic")}
_EVENT_PREFIXES: tuple[tuple[str, str], ...] = (
    ("ONCRM", "crm"),
    ("ONTASK", "task"),
    ("ONUSER", "user"),
    ("ONIM", "im"),
)


def scope_of(method: str) -> str:
    """The scope a method belongs to; ``KeyError`` for a name no family claims."""
    if method in _EXACT:
        return _EXACT[method]
    for prefix, scope in _PREFIXES:
        if method.startswith(prefix):
            return scope
    raise KeyError(method)


def event_scope(event: str) -> str:
    """``ONCRMDEALUPDATE`` → ``crm``; application events (``ONAPP*``, ``ONOFFLINEEVENT``) are basic."""
    for prefix, scope in _EVENT_PREFIXES:
        if event.upper().startswith(prefix):
            return scope
    return BASIC


def parse_scope(text: str | Collection[str]) -> tuple[str, ...]:
    """``"crm, task"`` or ``"crm task"`` or a list → ``("crm", "task")`` (both separators occur, §7)."""
    items = text.replace(",", " ").split() if isinstance(text, str) else [str(t) for t in text]
    return tuple(dict.fromkeys(item.strip().lower() for item in items if item.strip()))


def grants(scopes: Collection[str] | None, scope: str) -> bool:
    """``None`` = a person acting in the UI: no token, nothing to check."""
    if scopes is None or scope == BASIC:
        return True
    return any(option in scopes for option in _ALTERNATIVES.get(scope, (scope,)))


def _needed(method: str, params: Mapping[str, Any]) -> list[str]:
    needed = [scope_of(method)]
    if method.startswith("userfieldconfig."):
        module = next((v for k, v in params.items() if k.lower() == "moduleid"), "crm")
        needed.append(str(module or "crm").lower())
    return needed


def _param(params: Mapping[str, Any], name: str) -> str:
    return str(next((v for k, v in params.items() if k.lower() == name.lower()), "") or "")


def check_scope(scopes: Collection[str] | None, method: str, params: Mapping[str, Any]) -> None:
    for scope in _needed(method, params):
        if not grants(scopes, scope):
            raise RestError("insufficient_scope")
    # A CRM widget also needs the crm scope; without it the placement does not exist (§9.1).
    crm_widget = _param(params, "PLACEMENT").upper().startswith("CRM_")
    if method == "placement.bind" and crm_widget and not grants(scopes, "crm"):
        raise RestError("ERROR_PLACEMENT_NOT_FOUND", "Placement not found", status=400)
