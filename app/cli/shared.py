"""What every command shares: settings read once, one clear line instead of a traceback,
the database checked and migrated before use, and a context for the command's work."""

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy import text

from app.core import portal_store
from app.core.config import Settings
from app.core.context import AppContext
from app.core.db import create_engine
from app.core.logs import configure_logging
from app.core.migrations import is_at_head, upgrade
from app.core.models import Portal
from connectors.bitrix24 import AuthError, Bitrix24Error, HostNotAllowedError, TransportError

T = TypeVar("T")
MemberId = typer.Option(..., "--member-id", help="The portal's member_id.")


def fail(message: str) -> NoReturn:
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
    """Logging on, the database reachable, its schema at the newest migration (upgraded only
    when behind: a command on a current database runs no migration)."""
    configure_logging(settings.log_level, json=settings.log_json)
    check_database(settings)
    asyncio.run(_upgrade_if_behind(settings.database_url))


async def _upgrade_if_behind(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        current = await is_at_head(engine, database_url)
    finally:
        await engine.dispose()
    if not current:
        await upgrade(database_url)


def run_with_context(
    work: Callable[[AppContext], Coroutine[Any, Any, T]], settings: Settings | None = None
) -> T:
    """Run ``work`` with a context closed afterwards; without ``settings`` (already
    prepared by the caller) they are read and the database prepared first."""
    if settings is None:
        settings = load_settings()
        prepare(settings)

    async def main() -> T:
        context = AppContext.build(settings)
        try:
            return await work(context)
        finally:
            await context.close()

    try:
        return asyncio.run(main())
    except Bitrix24Error as exc:
        fail(portal_problem(exc))


def portal_problem(exc: Bitrix24Error) -> str:
    """One line: what the portal (or the way to it) refused, and the setting to look at."""
    if isinstance(exc, HostNotAllowedError):
        return (
            f"{exc} — add the portal's host to B24_ALLOWED_DOMAINS"
            " (for the demo: run the command in its folder while it runs)"
        )
    if isinstance(exc, AuthError):
        return f"{exc} ({exc.code}) — check B24_CLIENT_ID, B24_CLIENT_SECRET and B24_OAUTH_URL"
    if isinstance(exc, TransportError):
        return f"{exc} — the portal cannot be reached; is it running, is its address right?"
    return f"the portal refused: {exc} ({exc.code or type(exc).__name__})"


async def active_portal(context: AppContext, member_id: str) -> Portal:
    async with context.sessions() as session:
        portal = await portal_store.find_active_portal(session, member_id)
    if portal is None:
        fail(f"no active portal with member_id {member_id!r}")
    return portal
