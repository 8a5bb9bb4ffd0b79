"""The tab's HTTP routes: the placement POSTs and the JSON API its script calls."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import HTMLResponse

from app.core.errors import AppError, NotFound
from app.core.http_deps import ContextDep
from app.core.uow import in_transaction
from app.web.frame.i18n import t
from app.web.frame.placement import authenticate_visit
from app.web.frame.requests import read_json_object, verify_view_token
from app.web.frame.view_token import ViewClaims
from app.web.tab import service
from app.web.tab.access import PRODUCT_ACTIONS, require_actions
from app.web.tab.entry import parse_discount
from app.web.tab.jobs import job_state
from app.web.tab.proposal_api import proposal_state, queue_proposal
from app.web.tab.render import line_json, render_tab, render_tab_error
from app.worker.actions import ACTIONS, QueuedAction, queue_action
from webhooks.bitrix24.body import read_form

router = APIRouter(tags=["search tab"])


async def _open(request: Request, context: ContextDep, kind: str) -> HTMLResponse:
    try:
        form = await read_form(request)
        visit = await authenticate_visit(context, form, dict(request.query_params), kind)
    except AppError as exc:
        return render_tab_error(
            exc.status_code, exc.detail, (request.query_params.get("LANG") or "ru")[:2]
        )
    claims = service.new_claims(
        visit.portal, user_id=visit.user_id, kind=kind, entity_id=visit.entity_id, lang=visit.lang
    )
    page = await in_transaction(
        context, lambda session: service.open_tab(session, context.settings, visit.portal, claims)
    )
    return render_tab(page, app_sid=visit.app_sid)


@router.post("/b24/tab/deal", response_class=HTMLResponse)
async def open_deal_tab(request: Request, context: ContextDep) -> HTMLResponse:
    """The «Поиск» tab in the sales deal card (placement CRM_DEAL_DETAIL_TAB)."""
    return await _open(request, context, "deal")


@router.post("/b24/tab/card", response_class=HTMLResponse)
async def open_card_tab(request: Request, context: ContextDep) -> HTMLResponse:
    """The «Поиск» tab in the procurement card (placement CRM_DYNAMIC_{id}_DETAIL_TAB)."""
    return await _open(request, context, "card")


def view_claims(context: ContextDep, x_view_token: Annotated[str, Header()] = "") -> ViewClaims:
    return verify_view_token(context.settings, x_view_token, page="tab")


ClaimsDep = Annotated[ViewClaims, Depends(view_claims)]


def _lines_json(result: dict[str, Any]) -> dict[str, Any]:
    access = result["access"]
    clicks = result.get("clicks", {})
    return {
        "lines": [line_json(line, clicks.get(line.line_id or 0, 0)) for line in result["lines"]],
        "found": result["found"],
        "active": result["active"],
        "editable": access.editable,
        "hint": access.hint,
        "deal_stage": access.deal_stage,
        "deal_stage_title": access.deal_stage_title,
    }


@router.get("/tab/api/lines")
async def get_lines(context: ContextDep, claims: ClaimsDep) -> dict[str, Any]:
    """The lines of the tab's card with the search progress, what the tab may do with them
    and the deal stage the app last recorded (the page compares it to see a move)."""
    return _lines_json(
        await in_transaction(context, lambda session: service.list_lines(session, claims))
    )


@router.patch("/tab/api/lines/{line_id}")
async def patch_line(
    line_id: int, request: Request, context: ContextDep, claims: ClaimsDep
) -> dict[str, Any]:
    """Save a buyer's entry for one line (card tab only). Stage moves follow in the worker:
    ``sync_job_id`` is that job — the page follows it, then re-reads the lines and sees
    whether the deal's stage moved (it cannot be known when this answer is sent)."""
    changes = await read_json_object(request)
    result = await in_transaction(
        context, lambda session: service.save_entry(session, claims, line_id, changes)
    )
    return {
        "line": line_json(result["line"]),
        "found": result["found"],
        "active": result["active"],
        "sync_job_id": result["sync_job_id"],
    }


@router.post("/tab/api/actions/{name}")
async def run_action(
    name: str, request: Request, context: ContextDep, claims: ClaimsDep
) -> dict[str, Any]:
    """Queue an action for the tab's deal: the product actions (deal tab only) or the search
    re-check. ``job_id`` is the queued job, which the page follows to its outcome."""
    if name not in ACTIONS:
        raise NotFound(t("unknown_action", claims.lang).format(name=name[:40]))
    if name in PRODUCT_ACTIONS:
        require_actions(claims.entity_kind, claims.lang)
    params = await read_json_object(request)
    if name == "apply_discount":
        params = parse_discount(params, claims.lang)
    queued = await in_transaction(
        context, lambda session: _queue_action(session, claims, name, params)
    )
    return {"message": queued.message, "job_id": queued.job_id}


async def _queue_action(
    session: Any, claims: ViewClaims, name: str, params: dict[str, Any]
) -> QueuedAction:
    deal_id = await service.deal_of(session, claims)
    return await queue_action(session, claims.member_id, deal_id, name, params, lang=claims.lang)


@router.get("/tab/api/jobs/{job_id}")
async def get_job(job_id: int, context: ContextDep, claims: ClaimsDep) -> dict[str, Any]:
    """Where a job this tab follows stands: ``running``, then ``done`` / ``refused`` /
    ``failed`` with the outcome's text (actions); only jobs of this portal and deal."""
    return await in_transaction(context, lambda session: job_state(session, claims, job_id))


@router.post("/tab/api/proposal")
async def request_proposal(
    request: Request, context: ContextDep, claims: ClaimsDep
) -> dict[str, Any]:
    """Queue the deal's proposal (``{"template": "new"|"regular"}``); answers the job to follow."""
    body = await read_json_object(request)
    return await in_transaction(context, lambda session: queue_proposal(session, claims, body))


@router.get("/tab/api/proposal")
async def follow_proposal(job_id: int, context: ContextDep, claims: ClaimsDep) -> dict[str, Any]:
    """The queued proposal job's status and the deal's latest proposal version."""
    base_url = context.settings.app_base_url
    return await in_transaction(
        context, lambda session: proposal_state(session, claims, job_id, base_url)
    )
