"""The settings page's data: open it, read options, save a validated change, provision.

Every function is scoped by the portal of the view token (S13). The page's view token
carries the administrator check made when the page opened (``user.admin`` with the
visitor's own ``AUTH_ID``) as its ``role``; the token is signed, so it cannot be forged.
"""

import time
from typing import Any

from app.core import portal_store
from app.core.context import AppContext
from app.core.errors import BadRequest, Forbidden, NotFound
from app.core.models import Portal
from app.core.portal_settings import load_portal_settings, update_portal_settings
from app.core.uow import in_transaction
from app.portals.clients import portal_clients
from app.portals.provisioning import provision_portal
from app.web.frame.placement import PlacementVisit
from app.web.frame.view_token import DEFAULT_TTL_SECONDS, ViewClaims
from app.web.settings_page.portal_options import PortalOptions, read_portal_options
from app.web.settings_page.validation import check_keys, requested_category, validated_changes
from app.web.settings_page.words import word

SETTINGS_KIND = "settings"
ADMIN_ROLE = "admin"


def new_claims(visit: PlacementVisit, *, now: float | None = None) -> ViewClaims:
    return ViewClaims(
        member_id=visit.portal.member_id,
        user_id=visit.user_id,
        entity_kind=SETTINGS_KIND,
        entity_id=0,
        expires_at=int(time.time() if now is None else now) + DEFAULT_TTL_SECONDS,
        lang="en" if visit.lang == "en" else "ru",
        role=ADMIN_ROLE if visit.is_admin else "",
    )


def is_admin(claims: ViewClaims) -> bool:
    return claims.entity_kind == SETTINGS_KIND and claims.role == ADMIN_ROLE


def require_admin(claims: ViewClaims) -> None:
    if not is_admin(claims):
        raise Forbidden(word("admin_only", claims.lang))


async def get_portal(context: AppContext, member_id: str) -> Portal:
    async with context.sessions() as session:
        portal = await portal_store.find_active_portal(session, member_id)
    if portal is None:
        raise NotFound("this portal is not installed")
    return portal


async def load_settings(context: AppContext, member_id: str) -> dict[str, Any]:
    async with context.sessions() as session:
        return await load_portal_settings(session, member_id)


async def read_state(
    context: AppContext, portal: Portal, deal_category_id: int | None = None, lang: str = "ru"
) -> tuple[dict[str, Any], PortalOptions]:
    """The stored settings and the portal's options (of ``deal_category_id``, else the stored funnel)."""
    stored = await load_settings(context, portal.member_id)
    wanted = {} if deal_category_id is None else {"deal_category_id": deal_category_id}
    category = requested_category(wanted, stored, lang)
    client = portal_clients(context).for_portal(portal)
    return stored, await read_portal_options(client, category, stored)


async def save_settings(
    context: AppContext, portal: Portal, body: dict[str, Any], lang: str = "ru"
) -> dict[str, Any]:
    """Validate ``body`` against the portal, then store it; raises before writing anything."""
    check_keys(body, lang)  # before any REST call: a typo costs the portal nothing
    stored = await load_settings(context, portal.member_id)
    client = portal_clients(context).for_portal(portal)
    options = await read_portal_options(client, requested_category(body, stored, lang), stored)
    changes = validated_changes(body, options, stored, lang)
    return await in_transaction(
        context, lambda session: update_portal_settings(session, portal.member_id, changes)
    )


async def provision(
    context: AppContext, portal: Portal, body: dict[str, Any], lang: str = "ru"
) -> tuple[str, ...]:
    """Run provisioning for the requested (else stored) deal funnel; what it created."""
    unknown = set(body) - {"deal_category_id"}
    if unknown:
        raise BadRequest(word("provision_rule", lang))
    _stored, options = await read_state(
        context, portal, requested_category(body, {}, lang) if body else None, lang
    )
    category = options.deal_category_id
    if str(category) not in options.values_of("categories"):
        raise BadRequest(word("category_unknown", lang))
    report = await provision_portal(context, portal.member_id, deal_category_id=category)
    return report.created
