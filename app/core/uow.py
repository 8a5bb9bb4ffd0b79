"""Run one unit of work for a request; a database outage becomes a 503, never a 500."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.context import AppContext
from app.core.db import unit_of_work
from app.core.errors import ServiceUnavailable
from app.core.logs import get_logger

T = TypeVar("T")
log = get_logger("b24bridge.db")


async def in_transaction(context: AppContext, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Commit ``work`` before returning, so nothing is acknowledged that is not stored."""
    try:
        async with unit_of_work(context.sessions) as session:
            return await work(session)
    except (SQLAlchemyError, OSError, ConnectionError) as exc:
        log.error("database unavailable", error=type(exc).__name__)
        raise ServiceUnavailable("database unavailable; nothing was stored, please retry") from exc
