"""Pages for people (Russian, server-rendered, no external assets): portal index, deal list,
deal and procurement cards with stage buttons and a rows editor, the app's tab in an iframe
opened by the REAL placement POST, notifications and tasks per user, and a browser install.

App frames talk to the page in the real BX24.js parent-frame protocol
(``<command>:<params>:<callback id>:<APP_SID>`` strings: ``setInstallFinish``,
``resizeWindow``, ``reloadData``), read by static/portal.js. Every page carries a CSP that
lets only the origins of its own app frames be framed and POSTed to. User actions go
through ``acting.act`` like the control API's ``act``: events carry the acting user's
tokens; row edits fire no event."""

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from sandbox import lifecycle
from sandbox.acting import UiAction, act
from sandbox.crm_store import CONTACT, DEAL, owner_type_code
from sandbox.encoding import parse_pairs
from sandbox.errors import RestError
from sandbox.events import EventBus
from sandbox.stages import stages_of
from sandbox.state import Portal, Sandbox

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
STATIC_DIR = Path(__file__).parent / "static"
STATIC_FILES = {"portal.js": "text/javascript", "portal.css": "text/css"}
# An origin goes into the CSP header only when nothing in it can end or add a directive.
PLAIN_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?")


def _state(request: Request, code: str) -> tuple[Sandbox, EventBus, Portal]:
    sandbox: Sandbox = request.app.state.sandbox
    portal = sandbox.find_portal(code)
    if portal is None:
        raise HTTPException(status_code=404, detail="portal not found")
    return sandbox, request.app.state.bus, portal


def _acting_user(request: Request, portal: Portal) -> int:
    chosen = request.query_params.get("as", "")
    return int(chosen) if chosen.isdigit() and int(chosen) in portal.users else portal.admin_id


def _frame(sandbox: Sandbox, portal: Portal, frame: lifecycle.Frame) -> dict[str, Any]:
    """The placement POST plus what the page needs to trust the frame's messages: its origin
    and APP_SID, and the real portal's iframe name ``DOMAIN|PROTOCOL|APP_SID`` (BX24.js)."""
    request = lifecycle.frame_request(sandbox, portal, frame)
    url = urlsplit(request["url"])
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    app_sid = query.get("APP_SID", "")
    name = f"{query.get('DOMAIN', '')}|{query.get('PROTOCOL', '0')}|{app_sid}"
    return request | {
        "origin": f"{url.scheme}://{url.netloc}",
        "app_sid": app_sid,
        "frame_name": name,
    }


def _tabs(
    sandbox: Sandbox, portal: Portal, placement: str, entity_id: int, user_id: int
) -> list[dict[str, Any]]:
    """Widgets are shown only once the app is installed (§9.1)."""
    if not portal.app.installed:
        return []
    options = lifecycle.tab_options(placement, entity_id)
    return [
        {"title": b["title"] or "Приложение", "index": i}
        | _frame(sandbox, portal, lifecycle.Frame(b["handler"], placement, user_id, options))
        for i, b in enumerate(p for p in portal.placements if p["placement"] == placement)
    ]


def content_security_policy(frame_origins: list[str]) -> str:
    """Own scripts and styles only; app frames may come from (and their placement forms may
    POST to) exactly the origins of the frames this page opens."""
    origins = " ".join(sorted({o for o in frame_origins if PLAIN_ORIGIN.fullmatch(o)}))
    frame_src = origins or "'none'"
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            f"frame-src {frame_src}",
            f"form-action 'self' {origins}".rstrip(),
            "frame-ancestors 'self'",
        )
    )


def _render(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, context)
    origins = [str(tab["origin"]) for tab in context.get("tabs", [])]
    response.headers["Content-Security-Policy"] = content_security_policy(origins)
    return response


@router.get("/_sandbox-static/{name}")
async def static_file(name: str) -> FileResponse:
    """portal.js and portal.css; the CSP allows no inline script or style."""
    if name not in STATIC_FILES:
        raise HTTPException(status_code=404, detail="not found")
    return FileResponse(STATIC_DIR / name, media_type=STATIC_FILES[name])


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    sandbox: Sandbox = request.app.state.sandbox
    return _render(request, "index.html", {"portals": list(sandbox.portals.values())})


@router.get("/p/{code}/", response_class=HTMLResponse)
async def deal_list(request: Request, code: str) -> HTMLResponse:
    _, _, portal = _state(request, code)
    user_id = _acting_user(request, portal)
    deals = sorted(portal.crm.table(DEAL).values(), key=lambda d: d["ID"])
    spa = {t: sorted(portal.crm.table(t).values(), key=lambda i: i["ID"]) for t in portal.crm.types}
    context = {
        "portal": portal,
        "user_id": user_id,
        "deals": deals,
        "types": portal.crm.types,
        "spa": spa,
    }
    return _render(request, "deals.html", context)


def _card_context(
    request: Request, code: str, entity_type_id: int, entity_id: int
) -> dict[str, Any]:
    """The card's data (stage, rows, …) without its app frames: also what reloadData re-reads."""
    _, _, portal = _state(request, code)
    record = portal.crm.find(entity_type_id, entity_id)
    if record is None:
        raise HTTPException(status_code=404, detail="not found")
    user_id = _acting_user(request, portal)
    contact = portal.crm.find(CONTACT, int(record.get("CONTACT_ID") or 0))
    return {
        "portal": portal,
        "user_id": user_id,
        "record": record,
        "entity_type_id": entity_type_id,
        "kind": "Сделка" if entity_type_id == DEAL else portal.crm.types[entity_type_id]["title"],
        "contact": contact,
        "stages": stages_of(portal.crm, entity_type_id, int(record.get("CATEGORY_ID") or 0)),
        "rows": portal.crm.rows_of(owner_type_code(entity_type_id), entity_id),
        "products": sorted(portal.crm.products.values(), key=lambda p: p["ID"]),
        "error": request.query_params.get("error", ""),
        "data_url": f"/p/{code}/card/{entity_type_id}/{entity_id}/data?as={user_id}",
    }


def _card_page(request: Request, code: str, entity_type_id: int, entity_id: int) -> HTMLResponse:
    context = _card_context(request, code, entity_type_id, entity_id)
    placement = (
        "CRM_DEAL_DETAIL_TAB"
        if entity_type_id == DEAL
        else f"CRM_DYNAMIC_{entity_type_id}_DETAIL_TAB"
    )
    sandbox: Sandbox = request.app.state.sandbox
    tabs = _tabs(sandbox, context["portal"], placement, entity_id, context["user_id"])
    return _render(request, "card.html", context | {"tabs": tabs})


@router.get("/p/{code}/deal/{entity_id}", response_class=HTMLResponse)
async def deal_card(request: Request, code: str, entity_id: int) -> HTMLResponse:
    return _card_page(request, code, DEAL, entity_id)


@router.get("/p/{code}/item/{entity_type_id}/{entity_id}", response_class=HTMLResponse)
async def item_card(
    request: Request, code: str, entity_type_id: int, entity_id: int
) -> HTMLResponse:
    if entity_type_id == DEAL:
        return RedirectResponse(f"/p/{code}/deal/{entity_id}", status_code=303)  # type: ignore[return-value]
    return _card_page(request, code, entity_type_id, entity_id)


@router.get("/p/{code}/card/{entity_type_id}/{entity_id}/data", response_class=HTMLResponse)
async def card_data(
    request: Request, code: str, entity_type_id: int, entity_id: int
) -> HTMLResponse:
    """The card's data fragment that portal.js swaps in on ``reloadData``."""
    context = _card_context(request, code, entity_type_id, entity_id)
    return _render(request, "_card_data.html", context)


def _card_url(code: str, entity_type_id: int, entity_id: int, user_id: int, error: str = "") -> str:
    base = (
        f"/p/{code}/deal/{entity_id}"
        if entity_type_id == DEAL
        else f"/p/{code}/item/{entity_type_id}/{entity_id}"
    )
    suffix = f"&error={error}" if error else ""
    return f"{base}?as={user_id}{suffix}"


@router.post("/p/{code}/card/{entity_type_id}/{entity_id}/stage")
async def move_stage(
    request: Request, code: str, entity_type_id: int, entity_id: int
) -> RedirectResponse:
    sandbox, bus, portal = _state(request, code)
    user_id = _acting_user(request, portal)
    form = await request.form()
    params = {
        "entityTypeId": entity_type_id,
        "id": entity_id,
        "fields": {"stageId": str(form.get("stage_id", ""))},
    }
    error = _try_act(sandbox, bus, portal, UiAction(user_id, "crm.item.update", params))
    return RedirectResponse(
        _card_url(code, entity_type_id, entity_id, user_id, error), status_code=303
    )


def _edited_rows(form_pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    rows = parse_pairs(form_pairs).get("rows", [])
    rows = list(rows.values()) if isinstance(rows, dict) else rows
    kept = []
    for row in rows:
        if (
            not isinstance(row, dict)
            or row.get("DELETE")
            or not (row.get("PRODUCT_NAME") or row.get("PRODUCT_ID"))
        ):
            continue
        kept.append({k: v for k, v in row.items() if v != "" and k != "DELETE"})
    return kept


@router.post("/p/{code}/card/{entity_type_id}/{entity_id}/rows")
async def save_rows(
    request: Request, code: str, entity_type_id: int, entity_id: int
) -> RedirectResponse:
    """The editor saves through the same ``set`` as REST: every row gets a new ID, no event."""
    sandbox, bus, portal = _state(request, code)
    user_id = _acting_user(request, portal)
    form = await request.form()
    rows = _edited_rows([(k, v) for k, v in form.multi_items() if isinstance(v, str)])
    if entity_type_id == DEAL:
        method, params = "crm.deal.productrows.set", {"id": entity_id, "rows": rows}
    else:
        method = "crm.item.productrow.set"
        params = {
            "ownerType": owner_type_code(entity_type_id),
            "ownerId": entity_id,
            "productRows": rows,
        }
    error = _try_act(sandbox, bus, portal, UiAction(user_id, method, params))
    return RedirectResponse(
        _card_url(code, entity_type_id, entity_id, user_id, error), status_code=303
    )


def _try_act(sandbox: Sandbox, bus: EventBus, portal: Portal, action: UiAction) -> str:
    try:
        act(sandbox, bus, portal, action)
    except RestError as exc:
        return exc.description or exc.code
    return ""


@router.get("/p/{code}/people", response_class=HTMLResponse)
async def people(request: Request, code: str) -> HTMLResponse:
    _, _, portal = _state(request, code)
    user_id = _acting_user(request, portal)
    context = {
        "portal": portal,
        "user_id": user_id,
        "notifications": [n for n in portal.notifications if n["user_id"] == user_id],
        "tasks": [t for t in portal.tasks if t["responsibleId"] == str(user_id)],
    }
    return _render(request, "people.html", context)


@router.get("/p/{code}/install", response_class=HTMLResponse)
async def install_page(request: Request, code: str, url: str) -> HTMLResponse:
    """The admin's first open: the install URL in a frame, finished by its postMessage."""
    sandbox, _, portal = _state(request, code)
    frame = _frame(sandbox, portal, lifecycle.Frame(url, "DEFAULT", portal.admin_id))
    portal.app.install_url = url
    tabs = [{"title": "Установка приложения", "index": 0} | frame]
    return _render(
        request, "install.html", {"portal": portal, "user_id": portal.admin_id, "tabs": tabs}
    )
