"""HTTP routes for automations: the robot handler, the action webhooks and their URLs."""

from typing import Any

from fastapi import APIRouter, Request

from app.core.errors import BadRequest, NotFound
from app.core.http_deps import AdminDep, ContextDep
from app.core.models.base import utc_now
from app.core.portal_store import find_active_portal
from app.core.uow import in_transaction
from webhooks.bitrix24.actions import accept_action, action_urls, read_action_request
from webhooks.bitrix24.body import read_form
from webhooks.bitrix24.form import FormError
from webhooks.bitrix24.robots import accept_robot, read_robot_call

router = APIRouter(tags=["bitrix24 automations"])
SECRET_HEADER = "X-Action-Secret"  # noqa: S105  (a header name, not a secret)


@router.post("/b24/robots")
async def receive_robot_call(request: Request, context: ContextDep) -> dict[str, Any]:
    """A robot of this app runs in a deal's automation (form-encoded, REST_FACTS §12)."""
    form = await read_form(request)
    try:
        call = read_robot_call(form)
    except FormError as exc:
        raise BadRequest(str(exc)) from exc
    return await in_transaction(context, lambda session: accept_robot(session, call))


async def receive_action(action: str, request: Request, context: ContextDep) -> dict[str, Any]:
    """Bitrix24's "webhook" automation rule: query parameters, or the same as form fields."""
    fields = {key: value for key, value in request.query_params.items()}
    if request.method == "POST" and "form-urlencoded" in request.headers.get("content-type", ""):
        body = await read_form(request)
        fields |= {key: value for key, value in body.items() if isinstance(value, str)}
    if request.headers.get(SECRET_HEADER):  # a caller that can set headers keeps it off the URL
        fields["secret"] = request.headers[SECRET_HEADER]
    try:
        action_request = read_action_request(action, fields)
    except FormError as exc:
        raise BadRequest(str(exc)) from exc
    now = utc_now()
    return await in_transaction(
        context, lambda session: accept_action(session, action_request, now=now)
    )


for _method in ("GET", "POST"):  # one route per method: each its own OpenAPI operation id
    router.add_api_route(
        "/b24/actions/{action}",
        receive_action,
        methods=[_method],
        operation_id=f"receive_action_{_method.lower()}",
    )


@router.get("/admin/portals/{member_id}/action-urls")
async def list_action_urls(member_id: str, context: ContextDep, _: AdminDep) -> dict[str, Any]:
    """The copy-paste URLs (with the portal's secret) for the "webhook" automation rule."""
    portal = await in_transaction(context, lambda session: find_active_portal(session, member_id))
    if portal is None:
        raise NotFound(f"no active portal {member_id[:64]}")
    return {
        "member_id": portal.member_id,
        "method": "POST",
        "urls": action_urls(context.settings.app_base_url, portal),
    }
