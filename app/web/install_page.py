"""The local app's install URL: a page the portal opens in a frame (or ``ONAPPINSTALL``
for an API-only app). The request is read at the edge, the portal registered by
``app.portals.install``, and the page calls ``installFinish``."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.core.http_deps import ContextDep
from app.portals.install import install
from app.web.frame.render import render_install_finish
from webhooks.bitrix24.install_form import read_install
from webhooks.bitrix24.routes import read_form

router = APIRouter(prefix="/b24", tags=["bitrix24 callbacks"])


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
