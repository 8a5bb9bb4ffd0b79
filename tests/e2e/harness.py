"""A live stack for end-to-end tests: the sandbox portal and the app, both real uvicorn
servers on free loopback ports inside the test's event loop, talking real HTTP.

The app's worker is driven by the test (``settle``) so every assertion sees a quiet
system; everything else — event delivery, install, REST calls — is the real thing.
"""

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from app.core.config import Settings
from app.core.context import AppContext
from app.portals.provisioning import provision_portal
from app.web.main import create_app
from app.worker.deps import job_deps
from app.worker.registry import HANDLERS
from app.worker.runner import Worker
from automations.ports import Deps
from sandbox.app import create_app as create_sandbox
from sandbox.settings import SandboxSettings
from tests.ports import free_port

__all__ = ["free_port"]  # the tests take their ports from here

BUYER_ID = 3
SALES_ID = 2


@asynccontextmanager
async def serve(app: FastAPI, port: int) -> AsyncIterator[None]:
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        await task


@dataclass
class Stack:
    app: FastAPI
    app_url: str
    sandbox_url: str
    control: httpx.AsyncClient
    http: httpx.AsyncClient
    portal: dict[str, Any]
    worker: Worker

    @property
    def context(self) -> AppContext:
        context: AppContext = self.app.state.context
        return context

    @property
    def deps(self) -> Deps:
        """What job handlers are handed, as the worker builds it."""
        return job_deps(self.context)

    @property
    def member_id(self) -> str:
        return str(self.portal["member_id"])

    def process_env(self, **extra: str) -> dict[str, str]:
        """The environment of a separate app process (CLI, worker) on this stack's database
        and sandbox portal."""
        settings = self.context.settings
        return {
            **os.environ,
            "DATABASE_URL": settings.database_url,
            "APP_BASE_URL": settings.app_base_url,
            "B24_ALLOWED_DOMAINS": ",".join(settings.b24_allowed_domains),
            "B24_OAUTH_URL": settings.b24_oauth_url,
            "B24_CLIENT_ID": settings.b24_client_id,
            "B24_CLIENT_SECRET": settings.b24_client_secret.get_secret_value(),
            "SECRET_KEY": settings.secret_key.get_secret_value(),
            "LOG_LEVEL": "WARNING",
            **extra,
        }

    async def ctl(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.control.request(method, f"/_sandbox/portals/demo{path}", **kwargs)
        response.raise_for_status()
        return response.json()

    async def act(
        self,
        method: str,
        params: dict[str, Any],
        *,
        user_id: int = SALES_ID,
        as_automation: bool = False,
    ) -> Any:
        body = {
            "user_id": user_id,
            "method": method,
            "params": params,
            "as_automation": as_automation,
        }
        return (await self.ctl("POST", "/act", json=body))["result"]

    async def settle(self, rounds: int = 20) -> None:
        """Deliver queued events and run the worker until both are quiet."""
        for _ in range(rounds):
            delivered = (await self.ctl("POST", "/events/flush")).get("delivered", 0)
            await self.worker.run_until_idle()
            again = (await self.ctl("POST", "/events/flush")).get("delivered", 0)
            if not delivered and not again:
                return
        raise AssertionError("the system did not settle")

    async def install(self) -> None:
        result = await self.ctl(
            "POST",
            "/install",
            json={
                "install_url": f"{self.app_url}/b24/install",
                "handler_url": f"{self.app_url}/b24/app",
                "user_id": 1,
                "finish": "auto",
            },
        )
        assert result["installed"], result
        await self.worker.run_until_idle()

    async def provision(self) -> None:
        await provision_portal(self.context, self.member_id, buyer_ids=[BUYER_ID])
        await self.worker.run_until_idle()


@asynccontextmanager
async def live_stack(database_url: str, **overrides: Any) -> AsyncIterator[Stack]:
    """The stack on free ports; an override may be a function of the sandbox's URL."""
    sandbox_port, app_port = free_port(), free_port()
    sandbox_url, app_url = f"http://127.0.0.1:{sandbox_port}", f"http://127.0.0.1:{app_port}"
    sandbox_settings = SandboxSettings(base_url=sandbox_url)
    defaults: dict[str, Any] = {
        "database_url": database_url,
        "app_base_url": app_url,
        "b24_allowed_domains": [f"127.0.0.1:{sandbox_port}"],
        "b24_oauth_url": sandbox_url,
        "b24_client_id": sandbox_settings.client_id,
        "b24_client_secret": sandbox_settings.client_secret,
        "run_worker": False,
        # the worker is driven step by step (``settle``): event syncs are due at once;
        # tests/e2e/test_coalescing.py runs the quiet period and maximum delay for real
        "sync_quiet_seconds": 0,
        "sync_max_delay_seconds": 0,
    }
    overrides = {
        name: value(sandbox_url) if callable(value) else value for name, value in overrides.items()
    }
    settings = Settings(**(defaults | overrides))
    app = create_app(settings)
    async with (
        serve(create_sandbox(sandbox_settings), sandbox_port),
        serve(app, app_port),
        httpx.AsyncClient(base_url=sandbox_url, timeout=30) as control,
        httpx.AsyncClient(base_url=app_url, timeout=30) as http,
    ):
        portal = (await control.get("/_sandbox/portals/demo")).json()
        worker = Worker(job_deps(app.state.context), dict(HANDLERS), poll_seconds=0.05)
        yield Stack(
            app=app,
            app_url=app_url,
            sandbox_url=sandbox_url,
            control=control,
            http=http,
            portal=portal,
            worker=worker,
        )
