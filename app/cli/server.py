"""``b24bridge serve | worker | migrate | register-webhook | demo``: run the processes."""

import asyncio
import gc

import typer
import uvicorn
from fastapi import FastAPI

from app.cli.demo import run_demo
from app.cli.shared import fail, load_settings, prepare, run_with_context
from app.core.config import Settings
from app.core.context import AppContext
from app.portals.webhook_mode import WebhookModeError
from app.portals.webhook_mode import register_webhook_portal as register
from app.web.main import create_app
from app.worker.background import run_worker_process


def register_webhook_portal(settings: Settings) -> str | None:
    """Webhook mode: register the B24_WEBHOOK_URL portal; its member_id, or None when unset."""

    async def run() -> str | None:
        context = AppContext.build(settings)
        try:
            portal = await register(context)
        finally:
            await context.close()
        return portal.member_id if portal is not None else None

    try:
        return asyncio.run(run())
    except WebhookModeError as exc:
        fail(str(exc))


def migrate() -> None:
    """Upgrade the database to the newest migration."""
    prepare(load_settings())
    typer.echo("database migrated to head")


def served_app(settings: Settings | None = None) -> FastAPI:
    """The app as ``serve`` runs it: built, then its start-up heap (modules, routes, models)
    frozen, so the cyclic collector's full passes stay short — unfrozen they were the event
    intake's p99 tail (140–470 ms). Only server processes do this: a frozen object that
    later becomes cyclic garbage is never collected."""
    app = create_app(settings or load_settings())
    gc.collect()
    gc.freeze()
    return app


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    processes: int = typer.Option(0, help="web processes on the port (default: WEB_PROCESSES)"),
) -> None:
    """Run the web app (and the in-process worker unless RUN_WORKER=false)."""
    settings = load_settings()
    prepare(settings)
    register_webhook_portal(settings)
    count = processes or settings.web_processes
    if count <= 1:
        uvicorn.run(served_app(settings), host=host, port=port, log_config=None)
        return
    # several processes share the port; each builds the app from the same environment
    uvicorn.run(
        "app.cli.server:served_app",
        factory=True,
        host=host,
        port=port,
        workers=count,
        log_config=None,
    )


def worker() -> None:
    """Run a worker process: claims inbox jobs and runs the scheduler's periodic jobs."""
    settings = load_settings()
    prepare(settings)
    register_webhook_portal(settings)
    run_with_context(run_worker_process, settings)


def register_webhook() -> None:
    """Register the single portal of B24_WEBHOOK_URL (incoming-webhook mode)."""
    settings = load_settings()
    prepare(settings)
    member_id = register_webhook_portal(settings)
    if member_id is None:
        fail("B24_WEBHOOK_URL is not set")
    typer.echo(f"webhook portal registered: member_id={member_id}")


def demo(
    port: int = 8000,
    sandbox_port: int = 8001,
    check: bool = typer.Option(
        False, "--check", envvar="DEMO_CHECK", help="verify, print the URLs, exit"
    ),
) -> None:
    """Start the sandbox portal and the app on the embedded defaults, install the app."""
    settings = load_settings()
    prepare(settings)
    run_demo(settings, port=port, sandbox_port=sandbox_port, check=check)
