"""Liveness and readiness probes."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.core.http_deps import ContextDep
from app.core.migrations import is_at_head

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(context: ContextDep) -> JSONResponse:
    """The database is reachable and migrated to the newest revision."""
    try:
        async with context.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        migrated = await is_at_head(context.engine, context.settings.database_url)
    except (SQLAlchemyError, OSError) as exc:
        return JSONResponse(
            {"status": "unavailable", "reason": f"database unreachable: {type(exc).__name__}"},
            status_code=503,
        )
    if not migrated:
        return JSONResponse(
            {"status": "unavailable", "reason": "database is not migrated to head"},
            status_code=503,
        )
    return JSONResponse({"status": "ready"})
