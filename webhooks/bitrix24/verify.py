"""Prove a callback comes from the portal it names: its stored ``application_token``.

Bitrix24 signs nothing; the application token, compared in constant time against the
one stored for that ``member_id``, is the only proof (REST_FACTS §8.4).
"""

from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Forbidden, Unauthorized
from app.core.logs import get_logger
from app.core.models import Portal
from app.core.portal_store import find_active_portal
from app.core.security import fingerprint, tokens_match

security_log = get_logger("b24bridge.security")


async def verify_sender(session: AsyncSession, member_id: str, token: str, *, route: str) -> Portal:
    portal = await find_active_portal(session, member_id)
    check_sender(portal.application_token if portal else None, member_id, token, route=route)
    return cast(Portal, portal)  # check_sender refused a None


def check_sender(stored: str | None, member_id: str, token: str, *, route: str) -> None:
    """Raise unless ``token`` matches ``stored``, the token read for ``member_id`` (None: the
    portal is unknown or uninstalled)."""
    if stored is None:
        security_log.warning("rejected: unknown portal", route=route, member_id=member_id[:64])
        raise Unauthorized("unknown or uninstalled portal")
    if not tokens_match(stored, token):
        security_log.warning(
            "rejected: application token mismatch",
            route=route,
            member_id=member_id,
            token_fingerprint=fingerprint(token),
        )
        raise Forbidden("application token does not match this portal")
