"""The local app's install URL: a page the portal opens in a frame (or ``ONAPPINSTALL``
for an API-only app). The request is read at the edge, the portal registered by
``app.portals.install``, and the page calls ``installFinish`` — or, opened by a person,
says in the portal's language what failed and what to do."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.core.errors import AppError
from app.core.http_deps import ContextDep
from app.portals.install import install
from app.web.frame.render import render_install_error, render_install_finish
from connectors.bitrix24 import is_allowed_url
from webhooks.bitrix24.body import read_form
from webhooks.bitrix24.install_form import read_install

router = APIRouter(prefix="/b24", tags=["bitrix24 callbacks"])


@router.post("/install", response_class=HTMLResponse)
async def receive_install(request: Request, context: ContextDep) -> HTMLResponse:
    """The local app's install URL (admin's first open, or ONAPPINSTALL for API-only apps)."""
    form = await read_form(request)
    install_request = read_install(form, dict(request.query_params))
    origin = install_request.client_endpoint.removesuffix("/").removesuffix("/rest")
    try:
        await install(context, install_request)
    except AppError as refused:
        if "text/html" not in request.headers.get("accept", ""):
            raise  # an API-only app's ONAPPINSTALL, a script: the JSON error
        allowed = is_allowed_url(
            install_request.client_endpoint, context.settings.b24_allowed_domains
        )
        return render_install_error(
            refused, install_request.language, portal_origin=origin if allowed else None
        )
    return render_install_finish(
        install_request.language,
        portal_origin=origin,
        app_sid=request.query_params.get("APP_SID", ""),
    )
