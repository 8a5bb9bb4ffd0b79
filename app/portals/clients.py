"""One Bitrix24 client per portal, wired to our token store, shared budget and metrics.

Every REST call of the app comes from here. The limiter's state lives where
``LIMITER_BACKEND`` says: in this process, in PostgreSQL (``rate_budgets``) or in
Redis, so several processes share one budget per portal.
"""

from typing import Any

from redis.asyncio import Redis

from app.core.context import AppContext
from app.core.metrics import LIMITER_WAIT, REST_CALLS, REST_SECONDS
from app.core.models import Portal
from app.portals.tokens import DatabaseTokenStore
from connectors.bitrix24 import (
    Bitrix24Client,
    BudgetStore,
    InMemoryBudgetStore,
    InMemoryTokenStore,
    OAuthTokens,
    PostgresBudgetStore,
    RedisBudgetStore,
)


class PrometheusObserver:
    def request_finished(self, method: str, status: str, seconds: float) -> None:
        REST_CALLS.labels(method=method, status=status).inc()
        REST_SECONDS.labels(method=method).observe(seconds)

    def limiter_waited(self, portal_key: str, seconds: float) -> None:
        LIMITER_WAIT.observe(seconds)


def build_budget_store(context: AppContext) -> BudgetStore:
    backend = context.settings.limiter_backend
    if backend == "postgres":
        return PostgresBudgetStore(context.engine)
    if backend == "redis":
        return RedisBudgetStore(Redis.from_url(context.settings.redis_url))
    return InMemoryBudgetStore()


class PortalClients:
    """Creates and caches the per-portal clients of one process."""

    def __init__(self, context: AppContext) -> None:
        self._context = context
        self._tokens = DatabaseTokenStore(context)
        self._budget = build_budget_store(context)
        self._clients: dict[tuple[str, str], Bitrix24Client] = {}
        self._retired: list[Bitrix24Client] = []  # closed at shutdown: a job may still hold one

    def _options(self) -> dict[str, Any]:
        settings = self._context.settings
        return {
            "rate_capacity": settings.b24_rate_capacity,
            "rate_per_second": settings.b24_rate_per_second,
            "allowed_hosts": settings.b24_allowed_domains,
            "limiter_store": self._budget,
            "observer": PrometheusObserver(),
        }

    def for_portal(self, portal: Portal) -> Bitrix24Client:
        """The portal's client; a re-install (new tokens, maybe a new mode) gets a new one."""
        key = (portal.member_id, portal.installed_at.isoformat() if portal.installed_at else "")
        client = self._clients.get(key)
        if client is None:
            for stale in [k for k in self._clients if k[0] == portal.member_id]:
                self._retired.append(self._clients.pop(stale))
            client = self._create(portal)
            self._clients[key] = client
        return client

    def _create(self, portal: Portal) -> Bitrix24Client:
        if portal.auth_mode == "webhook":
            return Bitrix24Client.from_webhook(
                portal.webhook_url, portal_key=f"member:{portal.member_id}", **self._options()
            )
        settings = self._context.settings
        return Bitrix24Client.from_oauth(
            portal.member_id,
            self._tokens,
            client_id=settings.b24_client_id,
            client_secret=settings.b24_client_secret.get_secret_value(),
            oauth_url=settings.b24_oauth_url,
            **self._options(),
        )

    def for_user_token(
        self, *, member_id: str, endpoint: str, access_token: str, refresh_token: str = ""
    ) -> Bitrix24Client:
        """A one-off client with tokens from a request (the tab's AUTH_ID, the install's
        AUTH_ID/REFRESH_ID), kept in memory only; refreshed only when asked to."""
        tokens = OAuthTokens(
            access_token=access_token,
            refresh_token=refresh_token,
            client_endpoint=endpoint,
            member_id=member_id,
        )
        settings = self._context.settings
        return Bitrix24Client.from_oauth(
            member_id,
            InMemoryTokenStore({member_id: tokens}),
            client_id=settings.b24_client_id,
            client_secret=settings.b24_client_secret.get_secret_value() if refresh_token else "",
            oauth_url=settings.b24_oauth_url,
            **self._options(),
        )

    async def aclose(self) -> None:
        for client in [*self._clients.values(), *self._retired]:
            await client.aclose()
        self._clients.clear()
        self._retired.clear()


def portal_clients(context: AppContext) -> PortalClients:
    return context.service("portal_clients", lambda: PortalClients(context))
