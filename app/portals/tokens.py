"""The connector's token store over our portal registry.

A refresh is serialised per portal across processes with a PostgreSQL advisory lock
(SQLite deployments are single-process, where the in-process lock suffices), and the
new pair is committed before the connector uses it (RELIABILITY.md DR7).
"""

import asyncio
import contextlib
import zlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from sqlalchemy import text

from app.core import portal_store
from app.core.context import AppContext
from app.core.db import unit_of_work
from app.core.logs import secrets
from connectors.bitrix24.errors import AuthError
from connectors.bitrix24.oauth import OAuthTokens


class DatabaseTokenStore:
    def __init__(self, context: AppContext) -> None:
        self._context = context
        self._locks: dict[str, asyncio.Lock] = {}

    async def load(self, member_id: str) -> OAuthTokens:
        async with self._context.sessions() as session:
            portal = await portal_store.find_active_portal(session, member_id)
        if portal is None or not portal.access_token:
            raise AuthError("no tokens stored for this portal", code="NO_AUTH_FOUND")
        secrets.add(portal.access_token, portal.refresh_token)
        expires = portal.access_expires_at.timestamp() if portal.access_expires_at else None
        return OAuthTokens(
            access_token=portal.access_token,
            refresh_token=portal.refresh_token,
            client_endpoint=portal.client_endpoint,
            member_id=member_id,
            expires_at=expires,
        )

    async def save(self, member_id: str, tokens: OAuthTokens) -> None:
        secrets.add(tokens.access_token, tokens.refresh_token)
        expires = datetime.fromtimestamp(tokens.expires_at, UTC) if tokens.expires_at else None
        async with unit_of_work(self._context.sessions) as session:
            await portal_store.save_tokens(
                session,
                member_id,
                {
                    "access_token": tokens.access_token,
                    "refresh_token": tokens.refresh_token,
                    "access_expires_at": expires,
                    "client_endpoint": tokens.client_endpoint,
                },
            )

    async def endpoint_moved(self, member_id: str, client_endpoint: str) -> None:
        async with unit_of_work(self._context.sessions) as session:
            await portal_store.save_tokens(session, member_id, {"client_endpoint": client_endpoint})

    @contextlib.asynccontextmanager
    async def refresh_lock(self, member_id: str) -> AsyncIterator[None]:
        async with self._locks.setdefault(member_id, asyncio.Lock()):
            if self._context.settings.is_sqlite:
                yield
                return
            key = zlib.crc32(f"b24bridge-refresh:{member_id}".encode())
            async with self._context.engine.connect() as connection:
                await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
                try:
                    yield
                finally:
                    await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
