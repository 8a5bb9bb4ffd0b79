"""An in-process app client on a fresh database, with helpers to register portals."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from app.core.config import Settings
from app.core.context import AppContext
from app.core.db import unit_of_work
from app.core.portal_store import PortalRegistration, register_portal
from app.web.main import create_app

MEMBER_ID = "a223c6b3710f85df22e9377d6c4f7553"
APP_TOKEN = "51856fefc120afa4b628cc82d3935cce"


@dataclass
class AppHarness:
    app: FastAPI
    http: httpx.AsyncClient

    @property
    def context(self) -> AppContext:
        context: AppContext = self.app.state.context
        return context

    async def register(self, member_id: str = MEMBER_ID, token: str = APP_TOKEN) -> None:
        registration = PortalRegistration(
            member_id=member_id,
            domain="some-domain.bitrix24.com",
            client_endpoint="https://some-domain.bitrix24.com/rest/",
            application_token=token,
            access_token="access-token-value-1",
            refresh_token="refresh-token-value-1",
        )
        async with unit_of_work(self.context.sessions) as session:
            await register_portal(session, registration, action_secret="action-secret-value")

    async def count(self, model: type) -> int:
        async with self.context.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)

    async def post_form(self, path: str, fields: dict[str, str]) -> httpx.Response:
        return await self.http.post(
            path,
            content=urlencode(fields),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )


@asynccontextmanager
async def app_harness(database_url: str, **overrides: object) -> AsyncIterator[AppHarness]:
    immediate = {"sync_quiet_seconds": 0, "sync_max_delay_seconds": 0}  # due at once
    settings = Settings(database_url=database_url, run_worker=False, **(immediate | overrides))
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://app") as http,
    ):
        yield AppHarness(app=app, http=http)


def deal_event(
    deal_id: int = 759,
    *,
    event: str = "ONCRMDEALUPDATE",
    ts: str = "1736405807",
    member_id: str = MEMBER_ID,
    token: str = APP_TOKEN,
) -> dict[str, str]:
    return {
        "event": event,
        "event_handler_id": "201",
        "data[FIELDS][ID]": str(deal_id),
        "ts": ts,
        "auth[access_token]": "s6p6eclrvim6da22ft9ch94ekreb52lv",
        "auth[expires_in]": "3600",
        "auth[scope]": "crm",
        "auth[domain]": "some-domain.bitrix24.com",
        "auth[server_endpoint]": "https://oauth.bitrix.info/rest/",
        "auth[status]": "L",
        "auth[client_endpoint]": "https://some-domain.bitrix24.com/rest/",
        "auth[member_id]": member_id,
        "auth[application_token]": token,
    }


async def register_portal_in(
    database_url: str, member_id: str = MEMBER_ID, token: str = APP_TOKEN
) -> None:
    """Register a portal directly in a migrated database (for a separately started app process)."""
    from app.core.db import create_engine, create_session_factory

    engine = create_engine(database_url)
    registration = PortalRegistration(
        member_id=member_id,
        domain="some-domain.bitrix24.com",
        client_endpoint="https://some-domain.bitrix24.com/rest/",
        application_token=token,
    )
    async with unit_of_work(create_session_factory(engine)) as session:
        await register_portal(session, registration, action_secret="action-secret-value")
    await engine.dispose()
