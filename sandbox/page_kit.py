"""What every page for people shares: the templates, the CSP that frames only the page's own
app frames, the acting user (``?as=``), the placement POST of an app frame (REST_FACTS §9.3)
with the real portal's iframe name, and acting in the UI through ``acting.act``."""

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from sandbox import bbcode, lifecycle
from sandbox.acting import UiAction, act
from sandbox.crm_store import DEAL
from sandbox.errors import RestError
from sandbox.events import EventBus
from sandbox.state import Portal, Sandbox

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def when(moment: str) -> str:
    """``2026-01-15T12:00:00+03:00`` → ``15.01.2026 12:00`` (the portal's own offset)."""
    try:
        return datetime.fromisoformat(str(moment)).strftime("%d.%m.%Y %H:%M")
    except ValueError:
        return str(moment)


templates.env.filters["bbcode"] = bbcode.render
templates.env.filters["when"] = when
# An origin goes into the CSP header only when nothing in it can end or add a directive.
PLAIN_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?")


def state(request: Request, code: str) -> tuple[Sandbox, EventBus, Portal]:
    sandbox: Sandbox = request.app.state.sandbox
    portal = sandbox.find_portal(code)
    if portal is None:
        raise HTTPException(status_code=404, detail="portal not found")
    return sandbox, request.app.state.bus, portal


def acting_user(request: Request, portal: Portal) -> int:
    chosen = request.query_params.get("as", "")
    return int(chosen) if chosen.isdigit() and int(chosen) in portal.users else portal.admin_id


def frame(sandbox: Sandbox, portal: Portal, app_frame: lifecycle.Frame) -> dict[str, Any]:
    """The placement POST plus what the page needs to trust the frame's messages: its origin
    and APP_SID, and the real portal's iframe name ``DOMAIN|PROTOCOL|APP_SID`` (BX24.js)."""
    request = lifecycle.frame_request(sandbox, portal, app_frame)
    url = urlsplit(request["url"])
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    app_sid = query.get("APP_SID", "")
    name = f"{query.get('DOMAIN', '')}|{query.get('PROTOCOL', '0')}|{app_sid}"
    return request | {
        "origin": f"{url.scheme}://{url.netloc}",
        "app_sid": app_sid,
        "frame_name": name,
    }


def tabs(
    sandbox: Sandbox, portal: Portal, placement: str, entity_id: int, user_id: int
) -> list[dict[str, Any]]:
    """Widgets are shown only once the app is installed (§9.1)."""
    if not portal.app.installed:
        return []
    options = lifecycle.tab_options(placement, entity_id)
    return [
        {"title": b["title"] or "Приложение", "index": i}
        | frame(sandbox, portal, lifecycle.Frame(b["handler"], placement, user_id, options))
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


def render(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, context)
    origins = [str(tab["origin"]) for tab in context.get("tabs", [])]
    response.headers["Content-Security-Policy"] = content_security_policy(origins)
    return response


def card_url(code: str, entity_type_id: int, entity_id: int, user_id: int, error: str = "") -> str:
    base = (
        f"/p/{code}/deal/{entity_id}"
        if entity_type_id == DEAL
        else f"/p/{code}/item/{entity_type_id}/{entity_id}"
    )
    suffix = f"&error={quote(error)}" if error else ""
    return f"{base}?as={user_id}{suffix}"


def try_act(sandbox: Sandbox, bus: EventBus, portal: Portal, action: UiAction) -> str:
    """Run the person's action; the portal's error text, or "" when it worked."""
    try:
        act(sandbox, bus, portal, action)
    except RestError as exc:
        return exc.description or exc.code
    return ""
