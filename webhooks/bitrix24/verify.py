"""Prove a callback comes from the portal it names: its stored ``application_token``.

Bitrix24 signs nothing; the application token, compared in constant time against the
one stored for that ``member_id``, is the only proof (REST_FACTS §8.4).
"""

import hashlib
import hmac

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import Forbidden, PayloadTooLarge, Unauthorized
from app.logs import get_logger
from app.models import Portal
from app.repositories.portals import find_active_portal
from webhooks.bitrix24.form import MAX_BODY_BYTES

security_log = get_logger("b24bridge.security")


def tokens_match(expected: str, given: str) -> bool:
    if not expected:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def fingerprint(value: str) -> str:
    """A short, non-reversible tag for a rejected token in the security log."""
    return hashlib.sha256(value.encode()).hexdigest()[:8]


async def verify_sender(session: AsyncSession, member_id: str, token: str, *, route: str) -> Portal:
    portal = await find_active_portal(session, member_id)
    if portal is None:
        security_log.warning("rejected: unknown portal", route=route, member_id=member_id[:64])
        raise Unauthorized("unknown or uninstalled portal")
    if not tokens_match(portal.application_token, token):
        security_log.warning(
            "rejected: application token mismatch",
            route=route,
            member_id=member_id,
            token_fingerprint=fingerprint(token),
        )
        raise Forbidden("application token does not match this portal")
    return portal


async def read_body(request: Request) -> bytes:
    """The request body, refused past the size cap without reading it all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"body is larger than {MAX_BODY_BYTES} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise PayloadTooLarge(f"body is larger than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
