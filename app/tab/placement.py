"""Authenticate a placement POST (the tab opening inside a Bitrix24 card).

Three proofs, all server-side (RELIABILITY.md S5): the ``APPLICATION_TOKEN`` matches the
stored one of that ``member_id`` (constant time); the user's ``AUTH_ID`` is accepted by
``user.current`` at the *stored* client endpoint (never the request's ``DOMAIN``); the
placement code and entity id make sense for this app.
"""

import json
from dataclasses import dataclass
from typing import Any

from app.context import AppContext
from app.errors import BadRequest, Unauthorized
from app.logs import get_logger, secrets
from app.models import Portal
from app.portal_clients import portal_clients
from app.repositories.settings import load_portal_settings
from app.uow import in_transaction
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


async def _current_user(context: AppContext, portal: Portal, auth_id: str) -> int:
    client = portal_clients(context).for_user_token(
        member_id=portal.member_id, endpoint=portal.client_endpoint, access_token=auth_id
    )
    try:
        user = await client.call("user.current", priority=Priority.INTERACTIVE)
    except Bitrix24Error as exc:
        log.warning(
            "tab refused: AUTH_ID not accepted by the portal",
            member_id=portal.member_id,
            code=exc.code,
        )
        raise Unauthorized(
            "the portal did not accept this user's session; reopen the card"
        ) from exc
    finally:
        await client.aclose()
    user_id = str((user or {}).get("ID", ""))
    if not user_id.isdigit():
        raise Unauthorized("the portal did not name the current user")
    return int(user_id)


async def authenticate_visit(
    context: AppContext, form: dict[str, Any], query: dict[str, str], kind: str
) -> PlacementVisit:
    member_id, token = text_at(form, "member_id") or "", text_at(form, "APPLICATION_TOKEN") or ""
    auth_id = text_at(form, "AUTH_ID") or ""
    if not member_id or not token or not auth_id:
        raise Unauthorized(
            "the tab must be opened from a Bitrix24 card (missing member_id, APPLICATION_TOKEN or AUTH_ID)"
        )
    secrets.add(auth_id, text_at(form, "REFRESH_ID"), token)
    portal = await in_transaction(
        context, lambda session: verify_sender(session, member_id, token, route="tab")
    )
    placement = text_at(form, "PLACEMENT") or ""
    if placement != await _expected_placement(context, member_id, kind):
        raise BadRequest(f"placement {placement[:60]!r} is not this tab")
    entity_id = _entity_id(form)
    user_id = await _current_user(context, portal, auth_id)
    lang = (query.get("LANG") or portal.language or "ru")[:2]
    return PlacementVisit(portal, user_id, kind, entity_id, lang, query.get("APP_SID", "")[:64])
