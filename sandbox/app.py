"""ASGI entry point: ``create_app()`` wires state, the event bus and all routes."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from starlette.routing import Route

import sandbox.methods  # noqa: F401 - registers every REST method
from sandbox import (
    control_access,
    control_app,
    control_clock,
    control_portals,
    page_forms,
    pages,
    rest,
)
from sandbox.clock import Clock, ShiftedClock
from sandbox.events import EventBus
from sandbox.oauth import token_endpoint
from sandbox.outbound import Outbound
from sandbox.seed import create_portal
from sandbox.settings import SandboxSettings
from sandbox.state import Sandbox


def build_state(settings: SandboxSettings, clock: Clock) -> Sandbox:
    state = Sandbox(settings=settings, clock=clock)
    create_portal(state, settings.default_portal, seed=settings.seed)
    return state


def create_app(
    settings: SandboxSettings | None = None,
    *,
    clock: Clock | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The sandbox portal. ``transport`` carries everything the portal sends (events, install,
    placements, robots) — pass an ASGI transport to reach an app in-process."""
    settings = settings or SandboxSettings()
    state = build_state(settings, clock or ShiftedClock())
    outbound = Outbound(transport=transport, timeout=settings.delivery_timeout_seconds)
    bus = EventBus(state, outbound)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await bus.aclose()

    app = FastAPI(title="b24bridge sandbox portal", lifespan=lifespan)
    app.state.sandbox = state
    app.state.bus = bus
    app.state.outbound = outbound
    app.include_router(control_portals.router)
    app.include_router(control_app.router)
    app.include_router(control_access.router)
    app.include_router(control_clock.router)
    app.include_router(pages.router)
    app.include_router(page_forms.router)
    for path in ("/oauth/token/", "/oauth/token"):
        app.router.routes.append(Route(path, token_endpoint, methods=["GET", "POST"]))
    app.router.routes.append(
        Route("/p/{portal}/rest/{path:path}", rest.portal_rest, methods=["GET", "POST"])
    )
    app.router.routes.append(
        Route("/rest/{path:path}", rest.default_portal_rest, methods=["GET", "POST"])
    )
    return app
