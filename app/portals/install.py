"""Install and re-install of a portal (PRODUCT §3.1): prove the tokens, then register.

The portal is registered only after its tokens are proven: DOMAIN must be a real
Bitrix24 cloud domain or a configured host (no SSRF), and one refresh at the configured
OAuth server must answer with the same ``member_id``. A portal already registered
can only be re-installed with its own application token. Registration arms the
``bind_portal`` job (events, placements, robots).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from secrets import token_urlsafe
from typing import Any

from app.core import portal_store, queue
from app.core.context import AppContext
from app.core.errors import BadRequest, Forbidden, Unauthorized
from app.core.logs import get_logger, secrets
from app.core.portal_store import PortalRegistration
from app.core.security import tokens_match
from app.core.uow import in_transaction
from app.portals.clients import portal_clients
from connectors.bitrix24 import Bitrix24Error, OAuthTokens, is_allowed_url

log = get_logger("b24bridge.install")


@dataclass(frozen=True)
class InstallRequest:
    member_id: str
    domain: str
    client_endpoint: str
    access_token: str
    refresh_token: str
    expires_in: int
    application_token: str
    language: str


async def install(context: AppContext, request: InstallRequest) -> None:
    secrets.add(request.access_token, request.refresh_token, request.application_token)
    if not is_allowed_url(request.client_endpoint, context.settings.b24_allowed_domains):
        raise BadRequest(
            "the portal domain is not a Bitrix24 domain nor an allowed host",
            reason="domain_not_allowed",
            params={"domain": request.domain[:255]},
        )
    await in_transaction(context, lambda session: _check_reinstall(session, request))
    confirmed = await _confirmed_tokens(context, request)
    await in_transaction(context, lambda session: _register(session, request, confirmed))
    log.info("portal installed", member_id=request.member_id)


async def _check_reinstall(session: Any, request: InstallRequest) -> None:
    existing = await portal_store.find_active_portal(session, request.member_id)
    if existing is not None and not tokens_match(
        existing.application_token, request.application_token
    ):
        raise Forbidden(
            "this portal is installed already; the application token does not match",
            reason="reinstall_token_mismatch",
        )


async def _confirmed_tokens(context: AppContext, request: InstallRequest) -> OAuthTokens:
    """One refresh at the configured OAuth server: its answer — not the request — says which
    portal (``member_id``, ``client_endpoint``) the tokens belong to (DR7), so nobody can
    register another portal's ``member_id`` against their own tokens."""
    client = portal_clients(context).for_user_token(
        member_id=request.member_id,
        endpoint=request.client_endpoint,
        access_token=request.access_token,
        refresh_token=request.refresh_token,
    )
    try:
        fresh = await client.refresh_tokens()
    except Bitrix24Error as exc:
        error_code = exc.code or type(exc).__name__
        log.warning(
            "install refused: tokens not accepted",
            member_id=request.member_id,
            error_code=error_code,
            oauth_url=context.settings.b24_oauth_url,
        )
        raise Unauthorized(
            f"the OAuth server did not accept the install tokens ({error_code})",
            reason="tokens_refused",
            params={"error_code": error_code, "oauth_url": context.settings.b24_oauth_url},
        ) from exc
    finally:
        await client.aclose()
    secrets.add(fresh.access_token, fresh.refresh_token)
    if fresh.member_id != request.member_id:
        log.warning("install refused: member_id mismatch", member_id=request.member_id)
        raise Forbidden("the install tokens belong to another portal", reason="foreign_tokens")
    if not is_allowed_url(fresh.client_endpoint, context.settings.b24_allowed_domains):
        raise BadRequest(
            "the portal's endpoint is not a Bitrix24 domain nor an allowed host",
            reason="domain_not_allowed",
            params={"domain": fresh.client_endpoint[:255]},
        )
    return fresh


async def _register(session: Any, request: InstallRequest, tokens: OAuthTokens) -> None:
    expires = tokens.expires_at or datetime.now(UTC).timestamp() + request.expires_in
    registration = PortalRegistration(
        member_id=request.member_id,
        domain=request.domain,
        client_endpoint=tokens.client_endpoint,
        application_token=request.application_token,
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        language=request.language,
        access_expires_at=datetime.fromtimestamp(expires, UTC),
    )
    await portal_store.register_portal(session, registration, action_secret=token_urlsafe(24))
    await queue.arm_portal_binding(session, request.member_id)
