"""HTML and JSON of the «Поиск» tab: the lines page, its error page and the wire shape of a
line. The framing rules (CSP nonce, ``frame-ancestors`` = the portal) come from
``app.web.frame.render``."""

from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from starlette.responses import HTMLResponse

from app.web.frame.i18n import (
    EDITABLE_STATUSES,
    format_money,
    format_quantity,
    js_strings,
    normalize_lang,
    progress_text,
    status_label,
    t,
)
from app.web.frame.render import NO_FRAMING, image_url, link_url, parse_portal_origin, respond
from app.web.tab.access import DEAL_TAB_BUTTONS
from app.web.tab.entry import input_limits
from app.web.tab.page import ProposalLinks, TabPage
from automations.procurement.model import SEARCH_DATA, Line

KNOWN_ACTIONS = DEAL_TAB_BUTTONS


def _money(value: Decimal | None, currency: str, lang: str) -> str:
    if value is None:
        return ""
    return f"{format_money(value, lang)} {currency}".strip()


def line_view(line: Line, lang: str, clicks: int = 0) -> dict[str, Any]:
    """What one table row shows, already formatted; tab-render.js ``buildRow`` mirrors it.
    ``clicks``: how often clients opened the line's supplier short link in a proposal."""
    search = line.search
    href = link_url(search.supplier_url)
    return {
        "id": line.line_id or 0,
        "position": line.position,
        "cancelled": not line.is_active,
        "name": line.name,
        "quantity": format_quantity(line.quantity, lang),
        "status": line.status.value,
        "status_label": status_label(line.status.value, lang),
        "supplier": search.supplier,
        "supplier_url": search.supplier_url,
        "supplier_href": href,
        "supplier_host": urlsplit(href).hostname if href else "",
        "clicks": t("clicks_value", lang).format(n=clicks) if clicks else "",
        "price": _money(search.unit_price, search.currency, lang),
        "moq": "" if search.moq is None else str(search.moq),
        "lead_time": "" if search.lead_time_days is None else str(search.lead_time_days),
        "photo_src": image_url(search.photo_url),
        "comment": search.comment,
        "replacement_note": search.replacement_note,
    }


def line_json(line: Line, clicks: int = 0) -> dict[str, Any]:
    """The wire shape of a line, as the tab API returns it (decimals as strings)."""
    return {
        "id": line.line_id or 0,
        "position": line.position,
        "name": line.name,
        "quantity": str(line.quantity),
        "status": line.status.value,
        **SEARCH_DATA.dump_python(line.search, mode="json"),
        "clicks": clicks,
    }


def proposal_json(links: ProposalLinks | None) -> dict[str, Any] | None:
    if links is None:
        return None
    return {"version": links.version, "url": links.url, "pdf_url": links.pdf_url}


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
        "lines": [line_json(line, page.clicks.get(line.line_id or 0, 0)) for line in page.lines],
        "proposal": proposal_json(page.proposal),
        "editable": page.editable,
        "hint": page.hint,
        "sync_job_id": page.sync_job_id,
        "deal_stage": page.deal_stage,
        "editable_statuses": list(EDITABLE_STATUSES),
        "field_limits": input_limits(),
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
        "lines": [
            line_view(line, lang, page.clicks.get(line.line_id or 0, 0)) for line in page.lines
        ],
        "proposal": page.proposal,
        "editable": page.editable,
        "hint": page.hint,
        "actions": [name for name in page.actions if name in KNOWN_ACTIONS],
        "config": tab_config(page, app_sid=app_sid),
    }
    return respond("tab/tab.html", context, status=200, ancestors=origin)


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
    return respond("tab/error.html", context, status=status_code, ancestors=ancestors)
