"""Authenticate a placement POST (the tab in a Bitrix24 card, or the app's main page).

Three proofs, all server-side (RELIABILITY.md S5): the ``APPLICATION_TOKEN`` matches the
stored one of that ``member_id`` (constant time); the user's ``AUTH_ID`` is accepted by
``user.current`` at the *stored* client endpoint (never the request's ``DOMAIN``); the
placement code and entity id make sense for this app. The main page (``PLACEMENT=DEFAULT``,
REST_FACTS §9.3) has no entity; it also asks ``user.admin`` with the same user token.
"""

import json
from dataclasses import dataclass
from typing import Any

from app.core.context import AppContext
from app.core.errors import BadRequest, Unauthorized
from app.core.logs import get_logger, secrets
from app.core.models import Portal
from app.core.portal_settings import load_portal_settings
from app.core.uow import in_transaction
from app.portals.clients import portal_clients
from connectors.bitrix24 import Bitrix24Error, Priority
from webhooks.bitrix24.form import text_at
from webhooks.bitrix24.verify import verify_sender

log = get_logger("b24bridge.tab")


@dataclass(frozen=True)
class PlacementVisit:
    portal: Portal
    user_id: int
    entity_kind: str
    entity_id: int
    lang: str
    app_sid: str
    is_admin: bool = False  # asked only for the main page (``authenticate_app_page``)


APP_PAGE_PLACEMENT = "DEFAULT"


def _entity_id(form: dict[str, Any]) -> int:
    try:
        options = json.loads(text_at(form, "PLACEMENT_OPTIONS") or "{}")
        value = str(options.get("ID", "")) if isinstance(options, dict) else ""
    except ValueError as exc:
        raise BadRequest("PLACEMENT_OPTIONS is not valid JSON") from exc
    if not value.isdigit() or int(value) <= 0:
        raise BadRequest("PLACEMENT_OPTIONS has no entity ID")
    return int(value)


async def _expected_placement(context: AppContext, member_id: str, kind: str) -> str:
    if kind == "deal":
        return "CRM_DEAL_DETAIL_TAB"
    async with context.sessions() as session:
        values = await load_portal_settings(session, member_id)
    return f"CRM_DYNAMIC_{values.get('card_entity_type_id', 0)}_DETAIL_TAB"


async def _ask_as_user(context: AppContext, portal: Portal, auth_id: str, method: str) -> Any:
    client = portal_clients(context).for_user_token(
        member_id=portal.member_id, endpoint=portal.client_endpoint, access_token=auth_id
    )
    try:
        return await client.call(method, priority=Priority.INTERACTIVE)
    except Bitrix24Error as exc:
        log.warning(
            "frame refused: AUTH_ID not accepted by the portal",
            member_id=portal.member_id,
            method=method,
            code=exc.code,
        )
        raise Unauthorized(
            "the portal did not accept this user's session; reopen the page"
        ) from exc
    finally:
        await client.aclose()


async def _current_user(context: AppContext, portal: Portal, auth_id: str) -> int:
    user = await _ask_as_user(context, portal, auth_id, "user.current")
    user_id = str((user or {}).get("ID", "")) if isinstance(user, dict) else ""
    if not user_id.isdigit():
        raise Unauthorized("the portal did not name the current user")
    return int(user_id)


async def _verified_frame(context: AppContext, form: dict[str, Any]) -> tuple[Portal, str]:
    """The stored portal that sent this frame POST, and the user's ``AUTH_ID``."""
    member_id, token = text_at(form, "member_id") or "", text_at(form, "APPLICATION_TOKEN") or ""
    auth_id = text_at(form, "AUTH_ID") or ""
    if not member_id or not token or not auth_id:
        raise Unauthorized(
            "the page must be opened inside Bitrix24 (missing member_id, APPLICATION_TOKEN or AUTH_ID)"
        )
    secrets.add(auth_id, text_at(form, "REFRESH_ID"), token)
    portal = await in_transaction(
        context, lambda session: verify_sender(session, member_id, token, route="tab")
    )
    return portal, auth_id


def _lang(query: dict[str, str], portal: Portal) -> str:
    return (query.get("LANG") or portal.language or "ru")[:2]


async def authenticate_visit(
    context: AppContext, form: dict[str, Any], query: dict[str, str], kind: str
) -> PlacementVisit:
    portal, auth_id = await _verified_frame(context, form)
    placement = text_at(form, "PLACEMENT") or ""
    if placement != await _expected_placement(context, portal.member_id, kind):
        raise BadRequest(f"placement {placement[:60]!r} is not this tab")
    entity_id = _entity_id(form)
    user_id = await _current_user(context, portal, auth_id)
    lang = _lang(query, portal)
    return PlacementVisit(portal, user_id, kind, entity_id, lang, query.get("APP_SID", "")[:64])


async def authenticate_app_page(
    context: AppContext, form: dict[str, Any], query: dict[str, str], kind: str
) -> PlacementVisit:
    """The app's main page: ``PLACEMENT=DEFAULT``, no entity; ``is_admin`` from ``user.admin``."""
    portal, auth_id = await _verified_frame(context, form)
    placement = text_at(form, "PLACEMENT") or ""
    if placement != APP_PAGE_PLACEMENT:
        raise BadRequest(f"placement {placement[:60]!r} is not the app's main page")
    user_id = await _current_user(context, portal, auth_id)
    is_admin = await _ask_as_user(context, portal, auth_id, "user.admin") is True
    return PlacementVisit(
        portal,
        user_id,
        kind,
        0,
        _lang(query, portal),
        query.get("APP_SID", "")[:64],
        is_admin=is_admin,
    )
