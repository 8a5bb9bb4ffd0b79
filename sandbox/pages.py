"""Pages for people (Russian, server-rendered, no external assets): portal index, deal list
with stage names and «Новая сделка», deal and procurement cards (stage buttons, user fields
such as the ETA, a rows editor, the feed with the app's SMS log), the app's tab in an iframe
opened by the REAL placement POST, the app's own page from the portal's menu
(``PLACEMENT=DEFAULT``), notifications with their BB-code links, tasks, and a browser install.
The portal's own links (``/crm/deal/details/{id}/``, ``/crm/type/{type}/details/{id}/``) lead
to the cards.

App frames talk to the page in the real BX24.js parent-frame protocol
(``<command>:<params>:<callback id>:<APP_SID>`` strings: ``setInstallFinish``,
``resizeWindow``, ``reloadData``), read by static/portal.js. Every page carries a CSP that
lets only the origins of its own app frames be framed and POSTed to. The forms are in
``page_forms``."""

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from sandbox import card_view, lifecycle
from sandbox.crm_store import CONTACT, DEAL, owner_type_code
from sandbox.page_kit import acting_user, frame, render, state, tabs
from sandbox.stages import stages_of
from sandbox.state import Sandbox

router = APIRouter(include_in_schema=False)
STATIC_DIR = Path(__file__).parent / "static"
STATIC_FILES = {"portal.js": "text/javascript", "portal.css": "text/css"}


@router.get("/_sandbox-static/{name}")
async def static_file(name: str) -> FileResponse:
    """portal.js and portal.css; the CSP allows no inline script or style."""
    if name not in STATIC_FILES:
        raise HTTPException(status_code=404, detail="not found")
    return FileResponse(STATIC_DIR / name, media_type=STATIC_FILES[name])


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    sandbox: Sandbox = request.app.state.sandbox
    return render(request, "index.html", {"portals": list(sandbox.portals.values())})


@router.get("/p/{code}/", response_class=HTMLResponse)
async def deal_list(request: Request, code: str) -> HTMLResponse:
    _, _, portal = state(request, code)
    deals = sorted(portal.crm.table(DEAL).values(), key=lambda d: d["ID"])
    spa = {t: sorted(portal.crm.table(t).values(), key=lambda i: i["ID"]) for t in portal.crm.types}
    stage_names = {
        (t, r["ID"]): card_view.stage_name(portal, t, r)
        for t, records in [(DEAL, deals), *spa.items()]
        for r in records
    }
    context = {
        "portal": portal,
        "user_id": acting_user(request, portal),
        "deals": deals,
        "types": portal.crm.types,
        "spa": spa,
        "stage_names": stage_names,
        "contacts": sorted(portal.crm.table(CONTACT).values(), key=lambda c: c["ID"]),
        "error": request.query_params.get("error", ""),
    }
    return render(request, "deals.html", context)


def _card_context(
    request: Request, code: str, entity_type_id: int, entity_id: int
) -> dict[str, Any]:
    """The card's data (stage, fields, rows, feed) without its app frames: also what
    reloadData re-reads."""
    _, _, portal = state(request, code)
    record = portal.crm.find(entity_type_id, entity_id)
    if record is None:
        raise HTTPException(status_code=404, detail="not found")
    user_id = acting_user(request, portal)
    contact = portal.crm.find(CONTACT, int(record.get("CONTACT_ID") or 0))
    return {
        "portal": portal,
        "user_id": user_id,
        "record": record,
        "entity_type_id": entity_type_id,
        "kind": "Сделка" if entity_type_id == DEAL else portal.crm.types[entity_type_id]["title"],
        "contact": contact,
        "stages": stages_of(portal.crm, entity_type_id, int(record.get("CATEGORY_ID") or 0)),
        "user_fields": card_view.user_fields(portal, entity_type_id, record),
        "feed": card_view.feed(portal, entity_type_id, entity_id),
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
    shown = tabs(sandbox, context["portal"], placement, entity_id, context["user_id"])
    return render(request, "card.html", context | {"tabs": shown})


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


def _portal_code(request: Request, code: str) -> str:
    """The portal's own links carry its address, which a domain change may have moved."""
    sandbox: Sandbox = request.app.state.sandbox
    portal = sandbox.find_portal(code) or sandbox.portal_at(code) or sandbox.moved_from(code)
    if portal is None:
        raise HTTPException(status_code=404, detail="portal not found")
    return portal.code


def _as_query(request: Request) -> str:
    chosen = request.query_params.get("as", "")
    return f"?as={chosen}" if chosen.isdigit() else ""


@router.get("/p/{code}/crm/deal/details/{entity_id}/")
async def deal_link(request: Request, code: str, entity_id: int) -> RedirectResponse:
    """``https://{portal}/crm/deal/details/{id}/`` — the deal card's address on a portal."""
    target = f"/p/{_portal_code(request, code)}/deal/{entity_id}{_as_query(request)}"
    return RedirectResponse(target, status_code=303)


@router.get("/p/{code}/crm/type/{entity_type_id}/details/{entity_id}/")
async def item_link(
    request: Request, code: str, entity_type_id: int, entity_id: int
) -> RedirectResponse:
    """``https://{portal}/crm/type/{entityTypeId}/details/{id}/`` — a smart-process card."""
    portal_code = _portal_code(request, code)
    target = f"/p/{portal_code}/item/{entity_type_id}/{entity_id}{_as_query(request)}"
    return RedirectResponse(target, status_code=303)


@router.get("/p/{code}/card/{entity_type_id}/{entity_id}/data", response_class=HTMLResponse)
async def card_data(
    request: Request, code: str, entity_type_id: int, entity_id: int
) -> HTMLResponse:
    """The card's data fragment that portal.js swaps in on ``reloadData``."""
    context = _card_context(request, code, entity_type_id, entity_id)
    return render(request, "_card_data.html", context)


@router.get("/p/{code}/people", response_class=HTMLResponse)
async def people(request: Request, code: str) -> HTMLResponse:
    _, _, portal = state(request, code)
    user_id = acting_user(request, portal)
    context = {
        "portal": portal,
        "user_id": user_id,
        "notifications": [n for n in portal.notifications if n["user_id"] == user_id],
        "tasks": [t for t in portal.tasks if t["responsibleId"] == str(user_id)],
    }
    return render(request, "people.html", context)


@router.get("/p/{code}/app", response_class=HTMLResponse)
async def app_page(request: Request, code: str) -> HTMLResponse:
    """The portal's menu item of the app: its handler path in a frame, ``PLACEMENT=DEFAULT``
    (§9.3), as the acting user — the app's settings page."""
    sandbox, _, portal = state(request, code)
    user_id = acting_user(request, portal)
    shown: list[dict[str, Any]] = []
    if portal.app.installed and portal.app.handler_url:
        app_frame = lifecycle.Frame(portal.app.handler_url, "DEFAULT", user_id)
        shown = [{"title": "Главная страница", "index": 0} | frame(sandbox, portal, app_frame)]
    return render(request, "app.html", {"portal": portal, "user_id": user_id, "tabs": shown})


@router.get("/p/{code}/install", response_class=HTMLResponse)
async def install_page(request: Request, code: str, url: str) -> HTMLResponse:
    """The admin's first open: the install URL in a frame, finished by its postMessage."""
    sandbox, _, portal = state(request, code)
    install_frame = frame(sandbox, portal, lifecycle.Frame(url, "DEFAULT", portal.admin_id))
    portal.app.install_url = url
    shown = [{"title": "Установка приложения", "index": 0} | install_frame]
    return render(
        request, "install.html", {"portal": portal, "user_id": portal.admin_id, "tabs": shown}
    )
