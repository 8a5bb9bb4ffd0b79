"""HTTP routes of the Bitrix24 callbacks."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.api.deps import ContextDep
from app.errors import BadRequest
from app.tab.render import render_install_finish
from webhooks.bitrix24.envelope import read_envelope
from webhooks.bitrix24.form import FormError, parse_form
from webhooks.bitrix24.install import install, read_install
from webhooks.bitrix24.intake import event_intake
from webhooks.bitrix24.verify import read_body

router = APIRouter(prefix="/b24", tags=["bitrix24 callbacks"])


async def read_form(request: Request) -> dict[str, Any]:
    body = await read_body(request)
    try:
        return parse_form(body)
    except FormError as exc:
        raise BadRequest(str(exc)) from exc


@router.post("/events")
async def receive_event(request: Request, context: ContextDep) -> dict[str, Any]:
    """CRM and app events from Bitrix24 (form-encoded, PHP bracket keys)."""
    form = await read_form(request)
    try:
        envelope = read_envelope(form)
    except FormError as exc:
        raise BadRequest(str(exc)) from exc
    return await event_intake(context).submit(envelope)


@router.post("/install", response_class=HTMLResponse)
async def receive_install(request: Request, context: ContextDep) -> HTMLResponse:
    """The local app's install URL (admin's first open, or ONAPPINSTALL for API-only apps)."""
    form = await read_form(request)
    install_request = read_install(form, dict(request.query_params))
    await install(context, install_request)
    origin = install_request.client_endpoint.removesuffix("/").removesuffix("/rest")
    return render_install_finish(
        install_request.language,
        portal_origin=origin,
        app_sid=request.query_params.get("APP_SID", ""),
    )
