"""Public routes: ``/s/{code}`` redirects to a supplier's page counting the click; ``/p/{code}``
shows a proposal version (``/p/{code}/pdf`` its PDF). Unknown codes are a Russian 404 page."""

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.core.http_deps import ContextDep
from app.core.models import Proposal
from app.core.uow import in_transaction
from automations.proposals.link_rules import TargetRefused, looks_like_code
from automations.proposals.messages import message
from automations.proposals.repository import find_by_code
from automations.proposals.short_links import follow_short_link

router = APIRouter(tags=["proposals"])
PUBLIC_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def not_found_page(text: str) -> HTMLResponse:
    body = (
        '<!doctype html><html lang="ru"><head><meta charset="utf-8">'
        "<title>Не найдено</title></head>"
        f"<body><h1>Не найдено</h1><p>{escape(text)}</p></body></html>"
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


PAGE_HEADERS = PUBLIC_HEADERS | {
    "Content-Security-Policy": "default-src 'none'; img-src http: https: data:; "
    "style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
}


async def _proposal(context: ContextDep, code: str) -> Proposal | None:
    if not looks_like_code(code):
        return None
    return await in_transaction(context, lambda session: find_by_code(session, code))


@router.get("/p/{code}", response_class=HTMLResponse)
async def proposal_page(code: str, context: ContextDep) -> HTMLResponse:
    """The proposal version this link was made for, as HTML with «Скачать PDF»."""
    proposal = await _proposal(context, code)
    if proposal is None:
        return not_found_page(message("ru", "proposal_unknown"))
    return HTMLResponse(proposal.html, headers=PAGE_HEADERS)


@router.get("/p/{code}/pdf", response_model=None)
async def proposal_pdf(code: str, context: ContextDep) -> Response:
    proposal = await _proposal(context, code)
    if proposal is None:
        return not_found_page(message("ru", "proposal_unknown"))
    name = f"KP-{proposal.deal_id}-{proposal.version}.pdf"
    headers = PAGE_HEADERS | {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(proposal.pdf, media_type="application/pdf", headers=headers)
