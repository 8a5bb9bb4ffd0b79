"""The install URL: the admin's first open (UI app) or ONAPPINSTALL (API-only app).

The portal is registered only after its tokens are proven: DOMAIN must be a real
Bitrix24 cloud domain or a configured host (no SSRF), and one refresh at the configured
OAuth server must answer with the same ``member_id``. A portal already registered
can only be re-installed with its own application token.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.context import AppContext
from app.errors import BadRequest, Forbidden, Unauthorized
from app.logs import get_logger, secrets
from app.portal_clients import portal_clients
from app.repositories import jobs, portals
from app.repositories.portals import PortalRegistration
from app.uow import in_transaction
from connectors.bitrix24 import Bitrix24Error, OAuthTokens, is_allowed_url
from webhooks.bitrix24.form import text_at
from webhooks.bitrix24.verify import tokens_match

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


def read_install(form: dict[str, Any], query: dict[str, str]) -> InstallRequest:
    if (text_at(form, "event") or "").upper() == "ONAPPINSTALL":
        return _from_app_event(form)
    domain = query.get("DOMAIN", "")
    scheme = "https" if query.get("PROTOCOL", "1") == "1" else "http"
    fields = {
        name: text_at(form, name) or ""
        for name in ("AUTH_ID", "REFRESH_ID", "APPLICATION_TOKEN", "member_id")
    }
    missing = [name for name, value in fields.items() if not value] + ([] if domain else ["DOMAIN"])
    if missing:
        raise BadRequest(f"missing install field(s): {', '.join(missing)}")
    return InstallRequest(
        member_id=fields["member_id"],
        domain=domain,
        client_endpoint=f"{scheme}://{domain}/rest/",
        access_token=fields["AUTH_ID"],
        refresh_token=fields["REFRESH_ID"],
        expires_in=_int(text_at(form, "AUTH_EXPIRES")),
        application_token=fields["APPLICATION_TOKEN"],
        language=(query.get("LANG") or "ru")[:2],
    )


def _from_app_event(form: dict[str, Any]) -> InstallRequest:
    names = (
        "member_id",
        "domain",
        "client_endpoint",
        "access_token",
        "refresh_token",
        "application_token",
    )
    values = {name: text_at(form, "auth", name) or "" for name in names}
    missing = [f"auth[{name}]" for name, value in values.items() if not value]
    if missing:
        raise BadRequest(f"missing install field(s): {', '.join(missing)}")
    return InstallRequest(
        **values,
        expires_in=_int(text_at(form, "auth", "expires_in")),
        language=(text_at(form, "data", "LANGUAGE_ID") or "ru")[:2],
    )


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 3600


async def install(context: AppContext, request: InstallRequest) -> None:
    secrets.add(request.access_token, request.refresh_token, request.application_token)
    if not is_allowed_url(request.client_endpoint, context.settings.b24_allowed_domains):
        raise BadRequest("the portal domain is not a Bitrix24 domain nor an allowed host")
    await in_transaction(context, lambda session: _check_reinstall(session, request))
    confirmed = await _confirmed_tokens(context, request)
    await in_transaction(context, lambda session: _register(session, request, confirmed))
    log.info("portal installed", member_id=request.member_id)


async def _check_reinstall(session: Any, request: InstallRequest) -> None:
    existing = await portals.find_active_portal(session, request.member_id)
    if existing is not None and not tokens_match(
        existing.application_token, request.application_token
    ):
        raise Forbidden("this portal is installed already; the application token does not match")


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
        log.warning(
            "install refused: tokens not accepted", member_id=request.member_id, code=exc.code
        )
        raise Unauthorized("the OAuth server did not accept the install tokens") from exc
    finally:
        await client.aclose()
    secrets.add(fresh.access_token, fresh.refresh_token)
    if fresh.member_id != request.member_id:
        log.warning("install refused: member_id mismatch", member_id=request.member_id)
        raise Forbidden("the install tokens belong to another portal")
    if not is_allowed_url(fresh.client_endpoint, context.settings.b24_allowed_domains):
        raise BadRequest("the portal's endpoint is not a Bitrix24 domain nor an allowed host")
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
    from secrets import token_urlsafe

    await portals.register_portal(session, registration, action_secret=token_urlsafe(24))
    await jobs.arm_job(session, request.member_id, "bind_portal", f"{request.member_id}:bind", {})
