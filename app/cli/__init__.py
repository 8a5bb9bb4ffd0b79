"""The ``b24bridge`` command line: serve, worker, migrate, demo."""

import asyncio
import sys
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from sqlalchemy import text

from app.cli.products import products_cli
from app.core.config import Settings
from app.core.db import create_engine
from app.core.logs import configure_logging
from app.core.migrations import upgrade

cli = typer.Typer(help="b24bridge — Bitrix24 sales ↔ procurement bridge.", no_args_is_help=True)
cli.add_typer(products_cli, name="products")


def fail(message: str) -> None:
    """Stop with one clear line on stderr, no traceback."""
    typer.echo(f"b24bridge: {message}", err=True)
    raise typer.Exit(code=2)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "configuration"
        fail(f"invalid {variable}: {first['msg']}")
        raise  # unreachable: fail() exits


async def _check_database(settings: Settings) -> None:
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


def check_database(settings: Settings) -> None:
    try:
        asyncio.run(_check_database(settings))
    except Exception as exc:  # start-up boundary: any driver error means "cannot connect"
        fail(f"DATABASE_URL: cannot connect to the database ({type(exc).__name__}: {exc})")


def prepare(settings: Settings) -> None:
    configure_logging(settings.log_level, json=settings.log_json)
    check_database(settings)
    asyncio.run(upgrade(settings.database_url))


def register_webhook_portal(settings: Settings) -> str | None:
    """Webhook mode: register the B24_WEBHOOK_URL portal; its member_id, or None when unset."""
    from app.core.context import AppContext
    from app.portals.webhook_mode import WebhookModeError
    from app.portals.webhook_mode import register_webhook_portal as register

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
        raise  # unreachable: fail() exits


@cli.command()
def migrate() -> None:
    """Upgrade the database to the newest migration."""
    settings = load_settings()
    prepare(settings)
    typer.echo("database migrated to head")


@cli.command()
def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the web app (and the in-process worker unless RUN_WORKER=false)."""
    settings = load_settings()
    prepare(settings)
    register_webhook_portal(settings)
    from app.web.main import create_app

    uvicorn.run(create_app(settings), host=host, port=port, log_config=None)


@cli.command()
def worker() -> None:
    """Run a worker process: claims inbox jobs and runs the scheduler's periodic jobs."""
    from app.core.context import AppContext
    from app.worker.background import run_worker_process

    settings = load_settings()
    prepare(settings)
    register_webhook_portal(settings)

    async def main() -> None:
        context = AppContext.build(settings)
        try:
            await run_worker_process(context)
        finally:
            await context.close()

    asyncio.run(main())


@cli.command("register-webhook")
def register_webhook() -> None:
    """Register the single portal of B24_WEBHOOK_URL (incoming-webhook mode)."""
    settings = load_settings()
    prepare(settings)
    member_id = register_webhook_portal(settings)
    if member_id is None:
        fail("B24_WEBHOOK_URL is not set")
    typer.echo(f"webhook portal registered: member_id={member_id}")


@cli.command()
def demo(
    port: int = 8000,
    sandbox_port: int = 8001,
    check: bool = typer.Option(
        False, "--check", envvar="DEMO_CHECK", help="verify, print the URLs, exit"
    ),
) -> None:
    """Start the sandbox portal and the app on the embedded defaults, install the app."""
    from app.cli.demo import run_demo

    settings = load_settings()
    prepare(settings)
    run_demo(settings, port=port, sandbox_port=sandbox_port, check=check)


@cli.command()
def provision(
    member_id: str = typer.Option(..., help="the portal's member_id"),
    deal_category: int = typer.Option(
        0, help="deal funnel (category) id for the workflow's stages"
    ),
    buyer: Annotated[
        list[int] | None, typer.Option(help="buyer user id (repeat for round-robin)")
    ] = None,
) -> None:
    """Create (or find) the «Закупка» smart process, its stages and ETA field, and the deal stages."""
    from app.core.context import AppContext
    from app.portals.provisioning import provision_portal

    settings = load_settings()
    prepare(settings)

    async def run() -> None:
        context = AppContext.build(settings)
        try:
            report = await provision_portal(
                context, member_id, deal_category_id=deal_category, buyer_ids=buyer or None
            )
        finally:
            await context.close()
        created = ", ".join(report.created) or "nothing — everything existed already"
        typer.echo(f"provisioned: created {created}")

    asyncio.run(run())


def main() -> None:
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)
