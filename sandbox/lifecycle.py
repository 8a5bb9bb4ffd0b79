"""The local application's life on a portal (§7, §9.3, §12): the admin's first open of the
install URL, ``installFinish``, ``ONAPPINSTALL``/``ONAPPUPDATE`` for API-only apps, uninstall
with ``ONAPPUNINSTALL``, the placement POST of a tab, and a robot's handler POST."""

import json
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from sandbox.auth_blocks import issue_tokens, tokenless_auth, user_auth
from sandbox.envelope import iso
from sandbox.outbound import Outbound
from sandbox.state import Portal, Sandbox

INSTALL_MARKER = "installFinish"


def ensure_application_token(portal: Portal) -> str:
    """Stable per install; a new one after an uninstall."""
    if not portal.app.application_token:
        portal.app.application_token = secrets.token_hex(16)
    return portal.app.application_token


@dataclass(frozen=True)
class Frame:
    """Which handler the portal opens, for which placement, as which user, with which options."""

    handler: str
    placement: str
    user_id: int
    options: dict[str, Any] = field(default_factory=dict)


def frame_request(sandbox: Sandbox, portal: Portal, frame: Frame) -> dict[str, Any]:
    """What the portal POSTs into an app frame: query DOMAIN/PROTOCOL/LANG/APP_SID, form body
    with the user's fresh tokens and ``PLACEMENT_OPTIONS`` as a JSON string (§9.3)."""
    ensure_application_token(portal)
    pair = issue_tokens(sandbox, portal, frame.user_id)
    protocol = "1" if sandbox.settings.root.startswith("https") else "0"
    query = urlencode(
        {
            "DOMAIN": portal.domain,
            "PROTOCOL": protocol,
            "LANG": "ru",
            "APP_SID": secrets.token_hex(16),
        }
    )
    separator = "&" if "?" in frame.handler else "?"
    form = {
        "AUTH_ID": pair.access_token,
        "AUTH_EXPIRES": str(pair.expires_in),
        "REFRESH_ID": pair.refresh_token,
        "SERVER_ENDPOINT": sandbox.settings.server_endpoint,
        "APPLICATION_TOKEN": portal.app.application_token,
        "APPLICATION_SCOPE": pair.scope_text,
        "member_id": portal.member_id,
        "status": "L",
        "PLACEMENT": frame.placement,
        "PLACEMENT_OPTIONS": json.dumps(frame.options, ensure_ascii=False),
    }
    return {"url": f"{frame.handler}{separator}{query}", "form": form}


def tab_options(placement: str, entity_id: int) -> dict[str, Any]:
    if placement == "DEFAULT":
        return {}
    return {"ID": str(entity_id)}


async def install(
    sandbox: Sandbox, outbound: Outbound, portal: Portal, request: dict[str, Any]
) -> dict[str, Any]:
    """The admin opens the app for the first time: POST to the install URL, then (``finish=auto``)
    installed if the page answered 200 and calls ``installFinish``."""
    url = str(request["install_url"])
    portal.app.install_url = url
    portal.app.handler_url = str(request.get("handler_url") or portal.app.handler_url)
    frame = frame_request(sandbox, portal, Frame(url, "DEFAULT", int(request.get("user_id") or 1)))
    try:
        response = await outbound.post_form(frame["url"], frame["form"])
    except httpx.HTTPError as exc:
        return {"status_code": None, "installed": portal.app.installed, "error": type(exc).__name__}
    if (
        request.get("finish", "auto") == "auto"
        and response.status_code == 200
        and INSTALL_MARKER in response.text
    ):
        portal.app.installed = True
    return {"status_code": response.status_code, "installed": portal.app.installed}


async def app_event(
    sandbox: Sandbox, outbound: Outbound, portal: Portal, request: dict[str, Any]
) -> dict[str, Any]:
    """API-only path: ONAPPINSTALL / ONAPPUPDATE with full tokens; installed at once."""
    event = str(request.get("event") or "ONAPPINSTALL").upper()
    ensure_application_token(portal)
    pair = issue_tokens(sandbox, portal, int(request.get("user_id") or portal.admin_id))
    data: dict[str, Any] = {"VERSION": "1", "LANGUAGE_ID": "ru"}
    if event == "ONAPPINSTALL":
        data |= {"ACTIVE": "Y", "INSTALLED": "Y"}
        portal.app.installed = True
    else:
        data["PREVIOUS_VERSION"] = "1"
    payload = {
        "event": event,
        "data": data,
        "ts": str(int(sandbox.now().timestamp())),
        "auth": user_auth(sandbox, portal, pair),
    }
    response = await outbound.post_form(str(request["url"]), payload)
    return {"status_code": response.status_code, "installed": portal.app.installed}


async def uninstall(
    sandbox: Sandbox, outbound: Outbound, portal: Portal, *, clean: bool
) -> dict[str, Any]:
    """ONAPPUNINSTALL to its handler (token-less auth), then tokens, bindings, placements and
    robots are gone and the next install gets a new application_token."""
    payload = {
        "event": "ONAPPUNINSTALL",
        "data": {"LANGUAGE_ID": "ru", "CLEAN": "1" if clean else "0"},
        "ts": str(int(sandbox.now().timestamp())),
        "auth": tokenless_auth(sandbox, portal),
    }
    statuses = []
    for binding in [
        b for b in portal.bindings if b["event"] == "ONAPPUNINSTALL" and not b["offline"]
    ]:
        statuses.append(await _send_logged(sandbox, outbound, portal, binding, payload))
    sandbox.tokens.revoke_portal(portal.code)
    portal.bindings.clear()
    portal.placements.clear()
    portal.robots.clear()
    portal.offline.clear()
    portal.app.installed = False
    portal.app.application_token = ""
    return {"installed": False, "delivered": statuses}


async def _send_logged(
    sandbox: Sandbox,
    outbound: Outbound,
    portal: Portal,
    binding: dict[str, Any],
    payload: dict[str, Any],
) -> int | None:
    try:
        status: int | None = (await outbound.post_form(binding["handler"], payload)).status_code
    except httpx.HTTPError:
        status = None
    portal.event_log.append(
        {
            "seq": len(portal.event_log) + 1,
            "event": payload["event"],
            "entity_id": None,
            "url": binding["handler"],
            "status": status,
            "dropped": False,
            "duplicated": False,
            "note": "",
            "automation": True,
            "at": iso(sandbox.now(), sandbox.settings.timezone_offset_hours),
        }
    )
    return status


def _document_type(document_id: list[str]) -> list[str]:
    module, entity, doc = ([*document_id, "", "", ""])[:3]
    kind = doc.rsplit("_", 1)[0] if "_" in doc else doc
    return [module, entity, kind]


async def run_robot(
    sandbox: Sandbox,
    outbound: Outbound,
    portal: Portal,
    *,
    robot: dict[str, Any],
    request: dict[str, Any],
) -> dict[str, Any]:
    """The robot handler POST with a fresh single-use ``event_token`` (§12, keys from the SDK)."""
    token = f"{secrets.token_hex(7)}.{secrets.token_hex(4)}|A{secrets.randbelow(99999)}|{secrets.token_hex(16)}"
    document_id = [
        str(x) for x in request.get("document_id") or ["crm", "CCrmDocumentDeal", "DEAL_1"]
    ]
    user_id = int(robot.get("AUTH_USER_ID") or request.get("user_id") or portal.admin_id)
    portal.robot_tokens[token] = {"code": robot["CODE"], "document_id": document_id, "used": False}
    payload = {
        "workflow_id": request.get("workflow_id") or secrets.token_hex(12),
        "code": robot["CODE"],
        "document_id": document_id,
        "document_type": _document_type(document_id),
        "event_token": token,
        "properties": request.get("properties") or {},
        "use_subscription": "N" if robot.get("USE_SUBSCRIPTION") == "N" else "Y",
        "timeout_duration": "0",
        "ts": str(int(sandbox.now().timestamp())),
        "auth": user_auth(sandbox, portal, issue_tokens(sandbox, portal, user_id)),
    }
    try:
        status: int | None = (await outbound.post_form(robot["HANDLER"], payload)).status_code
    except httpx.HTTPError:
        status = None
    return {"event_token": token, "status_code": status}
