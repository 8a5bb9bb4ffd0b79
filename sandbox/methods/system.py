"""The ``basic`` methods about the portal and the caller: ``server.time``, ``scope``,
``methods`` and ``events`` (``api-reference/common/system/*``, ``events/events.md``)."""

from typing import Any

from sandbox import event_catalog
from sandbox.calls import METHODS, Call, method
from sandbox.envelope import iso
from sandbox.scopes import ALL_SCOPES, BASIC, grants, scope_of


def _flag(value: Any) -> bool:
    return str(value).lower() in ("1", "true", "y")


def caller_scopes(call: Call) -> tuple[str, ...]:
    """The token's or webhook's scopes; a person in the UI has the app's."""
    scopes = call.caller.scopes
    return call.portal.app.scope if scopes is None else scopes


@method("server.time")
def server_time(call: Call) -> str:
    return iso(call.now(), call.offset)


@method("scope")
def scope(call: Call) -> list[str]:
    """Without parameters: what this app or webhook may use; ``full=true``: every scope."""
    if _flag(call.param("full")):
        return list(ALL_SCOPES)
    return list(caller_scopes(call))


@method("methods")
def methods(call: Call) -> list[str]:
    """``scope=X``: the methods of X (empty: the common ones); ``full``: all; else what the
    caller may call."""
    names = sorted(METHODS)
    wanted = call.param("scope")
    if wanted is not None:
        chosen = str(wanted).lower() or BASIC
        return [n for n in names if scope_of(n) == chosen]
    if _flag(call.param("full")):
        return names
    return [n for n in names if grants(call.caller.scopes, scope_of(n))]


@method("events", app_only=True)
def events(call: Call) -> list[str]:
    """``SCOPE=X``: the events of X; ``FULL``: all; else those of the app's scopes."""
    spa_types = list(call.store.types)
    wanted = call.param("SCOPE")
    if wanted not in (None, ""):
        return event_catalog.of_scope(spa_types, str(wanted).lower())
    if _flag(call.param("FULL")):
        return event_catalog.catalog(spa_types)
    return event_catalog.available(spa_types, call.caller.scopes)
