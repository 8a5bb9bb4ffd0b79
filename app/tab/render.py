"""HTML for the «Поиск» tab: the lines page, the error page and the install page.

Every response carries a CSP with a fresh nonce and no ``unsafe-inline`` (RELIABILITY.md
S9), may be framed only by the portal it was rendered for (S11: ``frame-ancestors``,
never ``X-Frame-Options``, which cannot name a foreign origin), and is never cached.
Values reach the page's script only through one ``|tojson`` config block.
"""

import secrets
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from app.tab.i18n import (
    EDITABLE_STATUSES,
    format_money,
    format_quantity,
    js_strings,
    normalize_lang,
    progress_text,
    status_label,
    t,
)
from app.tab.page import LinePage, TabPage

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
STATIC_URL = "/static"
NO_FRAMING = "'none'"
KNOWN_ACTIONS = ("expand_kits", "apply_discount", "clear_products")

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def static_files() -> StaticFiles:
    """Mount at ``STATIC_URL``: the pages load frame.js, tab.js and tab.css from there."""
    return StaticFiles(directory=STATIC_DIR)


def parse_portal_origin(value: str) -> str:
    """The ``scheme://host[:port]`` of a portal URL (a path such as ``/rest`` is dropped).

    Rebuilt from parsed parts, never echoed, because it goes into a CSP header; anything
    that is not a plain http(s) URL raises ValueError.
    """
    parts = urlsplit(value.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        raise ValueError("portal origin must be an http(s) URL with a host")
    if parts.query or parts.fragment:
        raise ValueError("portal origin must not carry a query or fragment")
    if not all(char.isascii() and (char.isalnum() or char in ".-:") for char in host):
        raise ValueError("portal origin host has forbidden characters")
    port = parts.port  # ValueError on anything but digits, e.g. "443; script-src *"
    netloc = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{netloc}" + (f":{port}" if port is not None else "")


def link_url(value: str) -> str | None:
    """The URL to put in an ``href``, or None when it is not plain http(s) (no javascript:)."""
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return urlunsplit(parts)


def image_url(value: str) -> str | None:
    url = link_url(value)
    return url if url is not None and url.lower().startswith("https://") else None


def content_security_policy(nonce: str, frame_ancestors: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "img-src 'self' https: data:",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors {frame_ancestors}",
        )
    )


def _respond(
    template: str, context: dict[str, Any], *, status: int, ancestors: str
) -> HTMLResponse:
    nonce = secrets.token_urlsafe(18)
    html = _environment.get_template(template).render(**context, nonce=nonce, static=STATIC_URL)
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Content-Security-Policy": content_security_policy(nonce, ancestors),
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


def render_framed(
    template: str, context: dict[str, Any], *, portal_origin: str | None, status: int = 200
) -> HTMLResponse:
    """Any page under ``app/templates`` with the tab's headers (CSP nonce, no caching),
    framed only by ``portal_origin`` — or by nobody when it is None (unauthenticated)."""
    ancestors = parse_portal_origin(portal_origin) if portal_origin else NO_FRAMING
    return _respond(template, context, status=status, ancestors=ancestors)


def _money(value: Decimal | None, currency: str, lang: str) -> str:
    if value is None:
        return ""
    return f"{format_money(value, lang)} {currency}".strip()


def line_view(line: LinePage, lang: str) -> dict[str, Any]:
    """What one table row shows, already formatted; tab-render.js ``rowCells`` mirrors it."""
    href = link_url(line.supplier_url)
    return {
        "id": line.id,
        "position": line.position,
        "cancelled": line.cancelled,
        "name": line.name,
        "quantity": format_quantity(line.quantity, lang),
        "status": line.status,
        "status_label": status_label(line.status, lang),
        "supplier": line.supplier,
        "supplier_url": line.supplier_url,
        "supplier_href": href,
        "supplier_host": urlsplit(href).hostname if href else "",
        "price": _money(line.unit_price, line.currency, lang),
        "moq": "" if line.moq is None else str(line.moq),
        "lead_time": "" if line.lead_time_days is None else str(line.lead_time_days),
        "photo_src": image_url(line.photo_url),
        "comment": line.comment,
        "replacement_note": line.replacement_note,
    }


def line_json(line: LinePage) -> dict[str, Any]:
    """The wire shape of a line, as the tab API returns it (decimals as strings)."""
    return {
        "id": line.id,
        "position": line.position,
        "name": line.name,
        "quantity": str(line.quantity),
        "status": line.status,
        "supplier": line.supplier,
        "supplier_url": line.supplier_url,
        "unit_price": None if line.unit_price is None else str(line.unit_price),
        "currency": line.currency,
        "moq": line.moq,
        "lead_time_days": line.lead_time_days,
        "photo_url": line.photo_url,
        "comment": line.comment,
        "replacement_note": line.replacement_note,
    }


def tab_config(page: TabPage, *, app_sid: str = "") -> dict[str, Any]:
    lang = normalize_lang(page.lang)
    return {
        "view_token": page.view_token,
        "api_base": page.api_base.rstrip("/"),
        "lang": lang,
        "entity_kind": page.entity_kind,
        "entity_id": page.entity_id,
        "deal_id": page.deal_id,
        "card_id": page.card_id,
        "portal_origin": parse_portal_origin(page.portal_origin),
        "app_sid": app_sid,
        "found": page.found,
        "active": page.active,
        "lines": [line_json(line) for line in page.lines],
        "editable_statuses": list(EDITABLE_STATUSES),
        "strings": js_strings(lang),
    }


def render_tab(page: TabPage, *, app_sid: str = "") -> HTMLResponse:
    """The tab page; ``app_sid`` is the placement POST's ``APP_SID`` (query string, §9.3)."""
    lang = normalize_lang(page.lang)
    origin = parse_portal_origin(page.portal_origin)
    context = {
        "lang": lang,
        "t": lambda key: t(key, lang),
        "title": page.title,
        "notice": page.notice,
        "progress": progress_text(page.found, page.active, lang),
        "lines": [line_view(line, lang) for line in page.lines],
        "actions": [name for name in page.actions if name in KNOWN_ACTIONS],
        "config": tab_config(page, app_sid=app_sid),
    }
    return _respond("tab/tab.html", context, status=200, ancestors=origin)


def render_tab_error(
    status_code: int, message: str, lang: str = "ru", *, portal_origin: str | None = None
) -> HTMLResponse:
    """A page with the reason and no data.

    Framed only by a portal the caller has already matched to a stored install; an
    unauthenticated request's ``DOMAIN`` is not trusted, so by default nobody may frame it.
    """
    lang = normalize_lang(lang)
    ancestors = parse_portal_origin(portal_origin) if portal_origin else NO_FRAMING
    context = {"lang": lang, "t": lambda key: t(key, lang), "message": message}
    return _respond("tab/error.html", context, status=status_code, ancestors=ancestors)


def render_install_finish(
    lang: str = "ru", *, portal_origin: str, app_sid: str = ""
) -> HTMLResponse:
    """The install page: calls installFinish through frame.js and says the app is installed."""
    lang = normalize_lang(lang)
    origin = parse_portal_origin(portal_origin)
    context = {
        "lang": lang,
        "t": lambda key: t(key, lang),
        "config": {"portal_origin": origin, "app_sid": app_sid, "lang": lang},
    }
    return _respond("tab/install.html", context, status=200, ancestors=origin)
