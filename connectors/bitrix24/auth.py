"""How a request is authenticated: incoming webhook or OAuth tokens.

An ``Authenticator`` hands out a snapshot (endpoint + token) per request,
refreshes after ``expired_token`` when it can, and follows a portal that
moved to a new domain. The webhook flavour lives here; OAuth in ``oauth``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from connectors.bitrix24.errors import AuthError
from connectors.bitrix24.hosts import safe_host

logger = logging.getLogger("connectors.bitrix24")


@dataclass(frozen=True, slots=True)
class AuthSnapshot:
    """Endpoint and token one request uses (the token never appears in repr)."""

    endpoint: str
    token: str | None = field(default=None, repr=False)

    def body(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The JSON body: params plus ``auth`` for OAuth (never ``?auth=`` in the URL)."""
        return {**params, "auth": self.token} if self.token else dict(params)

    def url(self, method: str) -> str:
        return self.endpoint + method


class Authenticator(Protocol):
    """Credentials of one portal."""

    @property
    def portal_key(self) -> str:
        """The rate-budget key of the portal."""
        ...

    async def snapshot(self) -> AuthSnapshot:
        """Current endpoint and token."""
        ...

    async def refresh(self, stale: AuthSnapshot) -> None:
        """Replace an expired token (once per portal, however many callers ask)."""
        ...

    async def moved(self, new_endpoint: str) -> None:
        """The portal answered 302 to ``new_endpoint`` (already allow-listed)."""
        ...

    def secrets(self) -> tuple[str, ...]:
        """Values that must never be logged."""
        ...


def portal_key_of(url: str) -> str:
    """``host[:port]`` of an endpoint: the default rate-budget key of a webhook."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return host if parts.port is None else f"{host}:{parts.port}"


class WebhookAuth:
    """Incoming webhook: ``https://{portal}/rest/{user_id}/{code}/``; the code is the secret."""

    def __init__(self, url: str, *, portal_key: str | None = None) -> None:
        self._endpoint = url if url.endswith("/") else url + "/"
        self._code = _webhook_code(self._endpoint)
        self._portal_key = portal_key or portal_key_of(self._endpoint)

    @property
    def portal_key(self) -> str:
        return self._portal_key

    async def snapshot(self) -> AuthSnapshot:
        return AuthSnapshot(endpoint=self._endpoint)

    async def refresh(self, stale: AuthSnapshot) -> None:
        raise AuthError("a webhook cannot be refreshed", code="expired_token")

    async def moved(self, new_endpoint: str) -> None:
        logger.warning(
            "portal moved from %s to %s", safe_host(self._endpoint), safe_host(new_endpoint)
        )
        self._endpoint = new_endpoint

    def secrets(self) -> tuple[str, ...]:
        return (self._code,) if self._code else ()


def _webhook_code(endpoint: str) -> str:
    segments = [s for s in urlsplit(endpoint).path.split("/") if s]
    if len(segments) >= 3 and segments[-3] == "rest" and segments[-2].isdigit():
        return segments[-1]
    return ""
