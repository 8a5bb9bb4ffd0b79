"""OAuth 2.0 tokens per portal: the token-store port and the single-flight refresher.

Rules (settings/oauth/index.md, auto-renewal.md, REST_FACTS §6; RELIABILITY DR7):

* refresh only after ``expired_token``, never ahead of time ("the app may be
  blocked by automation");
* one refresh per portal even when many calls fail at once: an in-process
  lock plus the store's ``refresh_lock`` (the app implements it with
  ``SELECT ... FOR UPDATE`` or an advisory lock), and a re-read of the stored
  pair, which another caller may already have replaced;
* ``GET {oauth_url}/oauth/token/?grant_type=refresh_token&...`` only to the
  configured OAuth server; ``client_secret`` goes nowhere else;
* every refresh returns a new refresh token: persist the pair through the
  store before using it; trust ``client_endpoint`` and ``member_id`` from the
  OAuth server's answer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from connectors.bitrix24.auth import AuthSnapshot
from connectors.bitrix24.envelope import find_error
from connectors.bitrix24.errors import AuthError, ProtocolError
from connectors.bitrix24.hosts import require_allowed_url
from connectors.bitrix24.redaction import install_log_redaction
from connectors.bitrix24.transport import HttpTransport

REFRESH_METHOD = "oauth.token"


@dataclass(frozen=True, slots=True)
class OAuthTokens:
    """One portal's token pair and endpoint (tokens hidden from repr)."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    client_endpoint: str
    member_id: str
    expires_at: float | None = None


class TokenStore(Protocol):
    """Where the app keeps tokens (its database); implemented by the app."""

    async def load(self, member_id: str) -> OAuthTokens:
        """The stored pair; raises when the portal is unknown."""
        ...

    async def save(self, member_id: str, tokens: OAuthTokens) -> None:
        """Persist a refreshed pair atomically (replacing the old one)."""
        ...

    async def endpoint_moved(self, member_id: str, client_endpoint: str) -> None:
        """The portal moved to a new domain (302); store the new endpoint."""
        ...

    def refresh_lock(self, member_id: str) -> AbstractAsyncContextManager[None]:
        """Held around a refresh so processes refresh one at a time."""
        ...


class InMemoryTokenStore:
    """A token store for one process (tests, scripts)."""

    def __init__(self, tokens: Mapping[str, OAuthTokens] | None = None) -> None:
        self.tokens: dict[str, OAuthTokens] = dict(tokens or {})
        self.saves = 0
        self._locks: dict[str, asyncio.Lock] = {}

    async def load(self, member_id: str) -> OAuthTokens:
        try:
            return self.tokens[member_id]
        except KeyError:
            raise AuthError("no tokens stored for this portal", code="NO_AUTH_FOUND") from None

    async def save(self, member_id: str, tokens: OAuthTokens) -> None:
        self.tokens[member_id] = tokens
        self.saves += 1

    async def endpoint_moved(self, member_id: str, client_endpoint: str) -> None:
        self.tokens[member_id] = replace(self.tokens[member_id], client_endpoint=client_endpoint)

    @contextlib.asynccontextmanager
    async def refresh_lock(self, member_id: str) -> AsyncIterator[None]:
        async with self._locks.setdefault(member_id, asyncio.Lock()):
            yield


@dataclass(frozen=True, slots=True)
class OAuthApp:
    """The local application's keys and its authorization server."""

    client_id: str
    client_secret: str = field(repr=False)
    oauth_url: str = "https://oauth.bitrix.info"


class OAuthAuth:
    """OAuth credentials of one portal (``member_id``), refreshed on demand."""

    def __init__(
        self,
        member_id: str,
        store: TokenStore,
        app: OAuthApp,
        transport: HttpTransport,
        *,
        allowed_hosts: Collection[str] = (),
    ) -> None:
        self._member_id = member_id
        self._store = store
        self._app = app
        self._transport = transport
        self._allowed_hosts = tuple(allowed_hosts)
        self._tokens: OAuthTokens | None = None
        self._lock = asyncio.Lock()
        install_log_redaction(app.client_secret)

    @property
    def portal_key(self) -> str:
        return f"member:{self._member_id}"

    async def snapshot(self) -> AuthSnapshot:
        tokens = await self._current()
        return AuthSnapshot(endpoint=_with_slash(tokens.client_endpoint), token=tokens.access_token)

    async def refresh(self, stale: AuthSnapshot) -> None:
        async with self._lock:
            if self._tokens is not None and self._tokens.access_token != stale.token:
                return  # another caller in this process refreshed already
            async with self._store.refresh_lock(self._member_id):
                stored = await self._store.load(self._member_id)
                if stored.access_token != stale.token:
                    self._remember(stored)  # another process refreshed already
                    return
                fresh = await self._request_refresh(stored)
                await self._store.save(self._member_id, fresh)
                self._remember(fresh)

    async def refresh_now(self) -> OAuthTokens:
        """One refresh whatever the expiry — only for an install, where the OAuth server's
        answer (its ``member_id`` and ``client_endpoint``) is the one trusted proof of which
        portal the tokens belong to (RELIABILITY.md DR7). Never used ahead of calls."""
        async with self._lock, self._store.refresh_lock(self._member_id):
            fresh = await self._request_refresh(await self._current())
            await self._store.save(self._member_id, fresh)
            self._remember(fresh)
            return fresh

    async def moved(self, new_endpoint: str) -> None:
        await self._store.endpoint_moved(self._member_id, new_endpoint)
        tokens = await self._current()
        self._tokens = replace(tokens, client_endpoint=new_endpoint)

    def secrets(self) -> tuple[str, ...]:
        if self._tokens is None:
            return (self._app.client_secret,)
        return (self._app.client_secret, self._tokens.access_token, self._tokens.refresh_token)

    async def _current(self) -> OAuthTokens:
        if self._tokens is None:
            self._remember(await self._store.load(self._member_id))
        assert self._tokens is not None
        return self._tokens

    def _remember(self, tokens: OAuthTokens) -> None:
        install_log_redaction(tokens.access_token, tokens.refresh_token)
        self._tokens = tokens

    async def _request_refresh(self, stored: OAuthTokens) -> OAuthTokens:
        url = self._app.oauth_url.rstrip("/") + "/oauth/token/"
        require_allowed_url(url, self._allowed_hosts, oauth_server=True, method=REFRESH_METHOD)
        answer = await self._transport.get(
            url,
            {
                "grant_type": "refresh_token",
                "client_id": self._app.client_id,
                "client_secret": self._app.client_secret,
                "refresh_token": stored.refresh_token,
            },
            method=REFRESH_METHOD,
        )
        error = find_error(answer.payload, method=REFRESH_METHOD, http_status=answer.status)
        if error is not None:
            raise AuthError(
                error.description,
                method=REFRESH_METHOD,
                code=error.code,
                http_status=error.http_status,
            )
        return _tokens_from_answer(answer.payload, stored)


def _tokens_from_answer(payload: Any, stored: OAuthTokens) -> OAuthTokens:
    if not isinstance(payload, Mapping) or not payload.get("access_token"):
        raise ProtocolError("the OAuth server answered without tokens", method=REFRESH_METHOD)
    expires = payload.get("expires")
    return OAuthTokens(
        access_token=str(payload["access_token"]),
        refresh_token=str(payload.get("refresh_token") or stored.refresh_token),
        client_endpoint=str(payload.get("client_endpoint") or stored.client_endpoint),
        member_id=str(payload.get("member_id") or stored.member_id),
        expires_at=float(expires) if isinstance(expires, int | float) else None,
    )


def _with_slash(endpoint: str) -> str:
    return endpoint if endpoint.endswith("/") else endpoint + "/"
