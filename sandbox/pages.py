"""Pages for people (Russian, server-rendered, no external assets): portal index, deal list,
deal and procurement cards with stage buttons and a rows editor, the app's tab in an iframe
opened by the REAL placement POST, notifications and tasks per user, and a browser install.

Frames talk to the page with ``postMessage`` (see templates/base.html):
``{"b24sandbox": "installFinish"}``, ``{"b24sandbox": "resizeWindow", "height": 600}``,
``{"b24sandbox": "reloadData"}``. User actions go through ``acting.act`` like the control
API's ``act``: events carry the acting user's tokens; row edits fire no event."""

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
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


def _state(request: Request, code: str) -> tuple[Sandbox, EventBus, Portal]:
    sandbox: Sandbox = request.app.state.sandbox
    portal = sandbox.find_portal(code)
    if portal is None:
        raise HTTPException(status_code=404, detail="portal not found")
    return sandbox, request.app.state.bus, portal


def _acting_user(request: Request, portal: Portal) -> int:
    chosen = request.query_params.get("as", "")
    return int(chosen) if chosen.isdigit() and int(chosen) in portal.users else portal.admin_id


def _tabs(
    sandbox: Sandbox, portal: Portal, placement: str, entity_id: int, user_id: int
) -> list[dict[str, Any]]:
    """Widgets are shown only once the app is installed (§9.1)."""
    if not portal.app.installed:
        return []
    options = lifecycle.tab_options(placement, entity_id)
    return [
        {"title": b["title"] or "Приложение", "index": i}
        | lifecycle.frame_request(
            sandbox, portal, lifecycle.Frame(b["handler"], placement, user_id, options)
        )
        for i, b in enumerate(p for p in portal.placements if p["placement"] == placement)
    ]


def _render(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context)


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
    sandbox, _, portal = _state(request, code)
    record = portal.crm.find(entity_type_id, entity_id)
    if record is None:
        raise HTTPException(status_code=404, detail="not found")
    user_id = _acting_user(request, portal)
    placement = (
        "CRM_DEAL_DETAIL_TAB"
        if entity_type_id == DEAL
        else f"CRM_DYNAMIC_{entity_type_id}_DETAIL_TAB"
    )
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
        "tabs": _tabs(sandbox, portal, placement, entity_id, user_id),
        "error": request.query_params.get("error", ""),
    }


@router.get("/p/{code}/deal/{entity_id}", response_class=HTMLResponse)
async def deal_card(request: Request, code: str, entity_id: int) -> HTMLResponse:
    return _render(request, "card.html", _card_context(request, code, DEAL, entity_id))


@router.get("/p/{code}/item/{entity_type_id}/{entity_id}", response_class=HTMLResponse)
async def item_card(
    request: Request, code: str, entity_type_id: int, entity_id: int
) -> HTMLResponse:
    if entity_type_id == DEAL:
        return RedirectResponse(f"/p/{code}/deal/{entity_id}", status_code=303)  # type: ignore[return-value]
    return _render(request, "card.html", _card_context(request, code, entity_type_id, entity_id))


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
    frame = lifecycle.frame_request(
        sandbox, portal, lifecycle.Frame(url, "DEFAULT", portal.admin_id)
    )
    portal.app.install_url = url
    tabs = [{"title": "Установка приложения", "index": 0} | frame]
    return _render(
        request, "install.html", {"portal": portal, "user_id": portal.admin_id, "tabs": tabs}
    )
