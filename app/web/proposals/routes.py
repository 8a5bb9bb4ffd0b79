"""Public routes: ``/s/{code}`` redirects to a supplier's page, counting the click."""

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.core.http_deps import ContextDep
from app.core.uow import in_transaction
from automations.proposals.link_rules import TargetRefused
from automations.proposals.messages import message
from automations.proposals.short_links import follow_short_link

router = APIRouter(tags=["proposals"])
PUBLIC_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def not_found_page(text: str) -> HTMLResponse:
    body = (
        '<!doctype html><html lang="ru"><head><meta charset="utf-8">'
        "<title>Ссылка не найдена</title></head>"
        f"<body><h1>Ссылка не найдена</h1><p>{escape(text)}</p></body></html>"
    )
    return HTMLResponse(body, status_code=404, headers=PUBLIC_HEADERS)


@router.get("/s/{code}", response_model=None)
async def follow(code: str, context: ContextDep) -> Response:
    """302 to the link's target, one click counted per request; an unknown code is a 404."""
    base_url = context.settings.app_base_url
    try:
        target = await in_transaction(
            context, lambda session: follow_short_link(session, base_url, code)
        )
    except TargetRefused:
        target = None
    if target is None:
        return not_found_page(message("ru", "link_unknown"))
    return RedirectResponse(target, status_code=302, headers=PUBLIC_HEADERS)
