"""The ``auth`` blocks the portal puts into what it sends (events, robots, lifecycle, §7-§8.3)."""

from typing import Any

from sandbox.state import Portal, Sandbox
from sandbox.tokens import TokenPair


def issue_tokens(sandbox: Sandbox, portal: Portal, user_id: int) -> TokenPair:
    """A pair for the app on this portal, with the scopes its local-app form declares."""
    lifetime = portal.config.token_lifetime_seconds
    return sandbox.tokens.issue(
        portal.code, user_id, now=sandbox.now(), lifetime=lifetime, scope=portal.app.scope
    )


def tokenless_auth(sandbox: Sandbox, portal: Portal) -> dict[str, Any]:
    """What automation-caused events and ONAPPUNINSTALL carry: no tokens at all."""
    return {
        "domain": portal.domain,
        "client_endpoint": portal.client_endpoint,
        "server_endpoint": sandbox.settings.server_endpoint,
        "member_id": portal.member_id,
        "application_token": portal.app.application_token,
    }


def user_auth(sandbox: Sandbox, portal: Portal, tokens: TokenPair) -> dict[str, Any]:
    return {
        "access_token": tokens.access_token,
        "expires": str(tokens.expires),
        "expires_in": str(tokens.expires_in),
        "scope": tokens.scope_text,
        "domain": portal.domain,
        "server_endpoint": sandbox.settings.server_endpoint,
        "status": "L",
        "client_endpoint": portal.client_endpoint,
        "member_id": portal.member_id,
        "user_id": str(tokens.user_id),
        "refresh_token": tokens.refresh_token,
        "application_token": portal.app.application_token,
    }
