"""``placement.bind/get/unbind/list`` (§9.1). Several argument errors come with HTTP 200."""

import re
from typing import Any

from sandbox.calls import Call, method
from sandbox.errors import RestError
from sandbox.methods.events_api import check_handler_url

_TABS = re.compile(
    r"^(CRM_(DEAL|LEAD|CONTACT|COMPANY|QUOTE|SMART_INVOICE|ORDER)_DETAIL_TAB"
    r"|CRM_DYNAMIC_\d+_(DETAIL_TAB|DETAIL_ACTIVITY|DETAIL_TOOLBAR|LIST_MENU|LIST_TOOLBAR)"
    r"|CRM_(DEAL|LEAD)_(LIST_MENU|DETAIL_TOOLBAR|DETAIL_ACTIVITY)|DEFAULT|REST_APP_URI|PAGE_BACKGROUND_WORKER)$"
)


def placement_out(binding: dict[str, Any]) -> dict[str, Any]:
    return {
        "placement": binding["placement"],
        "userId": 0,
        "handler": binding["handler"],
        "options": binding["options"],
        "title": binding["title"],
        "description": binding["description"],
        "langAll": binding["lang_all"],
    }


@method("placement.bind", app_only=True, admin_only=True)
def placement_bind(call: Call) -> bool:
    placement = str(call.param("PLACEMENT") or "").upper()
    handler = str(call.param("HANDLER") or "")
    if not placement:
        extra = {"argument": "PLACEMENT"}
        raise RestError(
            "ERROR_ARGUMENT", "Argument 'PLACEMENT' is null or empty", status=200, extra=extra
        )
    if not handler:
        raise RestError("EMPTY_ERROR_HANDLER_URL", "Handler URL is empty", status=200)
    if not _TABS.match(placement):
        raise RestError("ERROR_PLACEMENT_NOT_FOUND", "Placement not found", status=400)
    check_handler_url(call, handler)
    deduplicates = call.portal.config.placement_bind_deduplicates
    if deduplicates and any(
        b["placement"] == placement and b["handler"] == handler for b in call.portal.placements
    ):
        raise RestError("ERROR_CORE", "Handler already binded", status=400)
    call.portal.placements.append(
        {
            "placement": placement,
            "handler": handler,
            "title": str(call.param("TITLE") or ""),
            "description": str(call.param("DESCRIPTION") or ""),
            "lang_all": call.param("LANG_ALL") or {},
            "options": call.param("OPTIONS") or {},
        }
    )
    return True


@method("placement.get", app_only=True)
def placement_get(call: Call) -> list[dict[str, Any]]:
    return [placement_out(b) for b in call.portal.placements]


@method("placement.unbind", app_only=True, admin_only=True)
def placement_unbind(call: Call) -> dict[str, int]:
    placement = str(call.param("PLACEMENT") or "").upper()
    handler = call.param("HANDLER")
    before = len(call.portal.placements)
    call.portal.placements[:] = [
        b
        for b in call.portal.placements
        if not (b["placement"] == placement and (not handler or b["handler"] == handler))
    ]
    return {"count": before - len(call.portal.placements)}


@method("placement.list")
def placement_list(call: Call) -> list[str]:
    spa_tabs = [f"CRM_DYNAMIC_{t}_DETAIL_TAB" for t in sorted(call.store.types)]
    return ["CRM_DEAL_DETAIL_TAB", "CRM_CONTACT_DETAIL_TAB", *spa_tabs]
