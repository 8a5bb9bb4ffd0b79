"""The FastAPI application factory and its lifespan (worker and scheduler in-process)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from app.core.config import Settings, get_settings
from app.core.context import AppContext
from app.core.errors import install_error_handlers
from app.core.logs import configure_logging, secrets
from app.web import install_page
from app.web.api import admin, health
from app.web.api.docs import mount_docs
from app.web.frame.render import STATIC_URL, static_files
from app.web.proposals import routes as proposal_routes
from app.web.reports import routes as report_routes
from app.web.settings_page import exchange_nodes as settings_exchange
from app.web.settings_page import routes as settings_routes
from app.web.tab import routes as tab_routes
from app.worker.background import start_background, stop_background
from webhooks.bitrix24 import automation_routes
from webhooks.bitrix24.routes import answer_event, is_event_request
from webhooks.exchange import routes as exchange_routes


class BridgeApp(FastAPI):
    """FastAPI, with Bitrix24's event route (the hot path) answered before its middleware
    stack; see ``webhooks.bitrix24.routes``."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if is_event_request(scope):
            await answer_event(self.state.context, scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    secrets.add(
        settings.b24_client_secret.get_secret_value(),
        settings.admin_token.get_secret_value(),
        settings.sms_http_key.get_secret_value(),
        settings.secret_key.get_secret_value(),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        context = AppContext.build(settings)
        app.state.context = context
        background = start_background(context) if settings.run_worker else None
        try:
            yield
        finally:
            if background is not None:
                await asyncio.shield(stop_background(background))
            await context.close()

    app = BridgeApp(
        title="b24bridge", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None
    )
    install_error_handlers(app)
    app.include_router(health.router)
    mount_docs(app)
    app.include_router(admin.router)
    app.include_router(install_page.router)
    app.include_router(automation_routes.router)
    app.include_router(tab_routes.router)
    app.include_router(settings_routes.router)
    app.include_router(settings_exchange.router)
    app.include_router(proposal_routes.router)
    app.include_router(exchange_routes.router)
    app.include_router(report_routes.router)
    app.mount(STATIC_URL, static_files(), name="static")
    return app
