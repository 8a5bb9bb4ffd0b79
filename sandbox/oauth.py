"""The authorization server (§6): ``/oauth/token/`` refreshes tokens, rotating the refresh
token every time; a reused/old refresh token answers ``invalid_grant`` when the portal's
``reject_reused_refresh_tokens`` switch is on (UNCONFIRMED behaviour, §17.1). Its answers
name the authorization server in ``domain`` (``oauth_domain``), never the portal."""

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from sandbox.auth_blocks import issue_tokens
from sandbox.state import Sandbox


def _error(code: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": code, "error_description": description}, status_code=status)


def token_response(sandbox: Sandbox, portal_code: str, user_id: int) -> dict[str, Any]:
    portal = sandbox.portals[portal_code]
    pair = issue_tokens(sandbox, portal, user_id)
    return {
        "access_token": pair.access_token,
        "client_endpoint": portal.client_endpoint,
        "domain": sandbox.settings.oauth_domain,
        "expires": pair.expires,
        "expires_in": pair.expires_in,
        "member_id": portal.member_id,
        "refresh_token": pair.refresh_token,
        "scope": pair.scope_text,
        "server_endpoint": sandbox.settings.server_endpoint,
        "status": "L",
        "user_id": user_id,
    }


async def _fields(request: Request) -> dict[str, str]:
    fields = dict(request.query_params)
    if request.method == "POST":
        form = await request.form()
        fields |= {k: v for k, v in form.items() if isinstance(v, str)}
    return fields


def _refresh(sandbox: Sandbox, token: str) -> JSONResponse:
    record = sandbox.tokens.find_refresh(token)
    portal = sandbox.find_portal(record.portal) if record else None
    if record is None or portal is None:
        return _error("invalid_grant", "Invalid refresh token")
    if record.used and portal.config.reject_reused_refresh_tokens:
        return _error("invalid_grant", "Refresh token has already been used")
    record.used = True
    return JSONResponse(token_response(sandbox, record.portal, record.user_id))


async def token_endpoint(request: Request) -> JSONResponse:
    sandbox: Sandbox = request.app.state.sandbox
    fields = await _fields(request)
    settings = sandbox.settings
    if (
        fields.get("client_id") != settings.client_id
        or fields.get("client_secret") != settings.client_secret
    ):
        return _error("invalid_client", "Invalid client credentials", status=401)
    grant = fields.get("grant_type")
    if grant == "refresh_token":
        return _refresh(sandbox, fields.get("refresh_token", ""))
    if grant == "authorization_code":
        return _error("invalid_grant", "Authorization codes are not issued by the sandbox")
    return _error("invalid_request", "Unsupported grant_type")
