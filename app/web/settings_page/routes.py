"""The settings page's HTTP routes: the app's main page and the JSON API its script calls."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import HTMLResponse

from app.core.errors import AppError, Forbidden, ServiceUnavailable
from app.core.http_deps import ContextDep
from app.web.frame.placement import authenticate_app_page
from app.web.frame.render import parse_portal_origin
from app.web.frame.requests import read_json_object, verify_view_token
from app.web.frame.view_token import ViewClaims, issue
from app.web.settings_page import service
from app.web.settings_page.render import (
    SettingsPage,
    choices_json,
    render_settings,
    render_settings_error,
)
from app.web.settings_page.words import word
from connectors.bitrix24 import Bitrix24Error
from webhooks.bitrix24.body import read_form

router = APIRouter(tags=["settings page"])


@router.post("/b24/app", response_class=HTMLResponse)
async def open_settings(request: Request, context: ContextDep) -> HTMLResponse:
    """The app's main page (handler path, ``PLACEMENT=DEFAULT``): the settings."""
    lang = (request.query_params.get("LANG") or "ru")[:2]
    try:
        form = await read_form(request)
        visit = await authenticate_app_page(
            context, form, dict(request.query_params), service.SETTINGS_KIND
        )
        stored, options = await service.read_state(context, visit.portal)
    except AppError as exc:
        return render_settings_error(exc.status_code, exc.detail, lang)
    except Bitrix24Error as exc:
        return render_settings_error(503, f"the portal did not answer ({exc.code})", lang)
    claims = service.new_claims(visit)
    page = SettingsPage(
        stored=stored,
        options=options,
        lang=visit.lang,
        is_admin=visit.is_admin,
        view_token=issue(claims, context.settings.secret_key.get_secret_value()),
        portal_origin=portal_origin(visit.portal.client_endpoint),
        app_sid=visit.app_sid,
    )
    return render_settings(page)


def portal_origin(client_endpoint: str) -> str:
    return parse_portal_origin(client_endpoint.removesuffix("/").removesuffix("/rest"))


def settings_claims(context: ContextDep, x_view_token: Annotated[str, Header()] = "") -> ViewClaims:
    claims = verify_view_token(context.settings, x_view_token, page="settings page")
    if claims.entity_kind != service.SETTINGS_KIND:
        raise Forbidden("this view token is not for the settings page")
    return claims


ClaimsDep = Annotated[ViewClaims, Depends(settings_claims)]


def _portal_refused(exc: Bitrix24Error, lang: str) -> ServiceUnavailable:
    return ServiceUnavailable(word("portal_refused", lang).format(code=exc.code))


@router.get("/settings/api")
async def get_settings(
    context: ContextDep, claims: ClaimsDep, deal_category_id: int | None = None
) -> dict[str, Any]:
    """The stored settings and the portal's options (of ``deal_category_id`` if given)."""
    portal = await service.get_portal(context, claims.member_id)
    try:
        stored, options = await service.read_state(context, portal, deal_category_id, claims.lang)
    except Bitrix24Error as exc:
        raise _portal_refused(exc, claims.lang) from exc
    return {
        "settings": stored,
        "options": choices_json(options),
        "is_admin": service.is_admin(claims),
    }


@router.put("/settings/api")
async def put_settings(request: Request, context: ContextDep, claims: ClaimsDep) -> dict[str, Any]:
    """Save a validated change (administrators only); 400 with the reason, nothing written."""
    service.require_admin(claims)
    body = await read_json_object(request)
    portal = await service.get_portal(context, claims.member_id)
    try:
        saved = await service.save_settings(context, portal, body, claims.lang)
    except Bitrix24Error as exc:
        raise _portal_refused(exc, claims.lang) from exc
    return {"settings": saved}


@router.post("/settings/api/provision")
async def post_provision(
    request: Request, context: ContextDep, claims: ClaimsDep
) -> dict[str, Any]:
    """Create what is missing (smart process, stages, ETA field) and store the stage map."""
    service.require_admin(claims)
    body = await read_json_object(request, empty_ok=True)
    portal = await service.get_portal(context, claims.member_id)
    try:
        created = await service.provision(context, portal, body, claims.lang)
        stored, options = await service.read_state(context, portal)
    except Bitrix24Error as exc:
        raise _portal_refused(exc, claims.lang) from exc
    message = (
        word("created", claims.lang).format(items=", ".join(created))
        if created
        else word("nothing_created", claims.lang)
    )
    return {
        "created": list(created),
        "message": message,
        "settings": stored,
        "options": choices_json(options),
    }
