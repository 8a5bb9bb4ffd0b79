"""FastAPI dependencies shared by every route: the process context, settings, a session,
and the operator check (``ADMIN_TOKEN`` as a bearer token; none configured closes them)."""

import hmac
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.context import AppContext
from app.core.errors import Unauthorized


def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


async def context_dependency(request: Request) -> AppContext:
    """Async on purpose: FastAPI runs a plain ``def`` dependency in a thread, a hop per request."""
    return get_context(request)


ContextDep = Annotated[AppContext, Depends(context_dependency)]


async def get_settings_dep(context: ContextDep) -> Settings:
    return context.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def get_session(context: ContextDep) -> AsyncIterator[AsyncSession]:
    """A unit of work per request, committed by the route's own ``session.commit()``."""
    async with context.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def require_admin(
    settings: SettingsDep, authorization: Annotated[str, Header()] = ""
) -> None:
    expected = settings.admin_token.get_secret_value()
    given = authorization.removeprefix("Bearer ").strip()
    if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        raise Unauthorized("admin token required (Authorization: Bearer …)")


AdminDep = Annotated[None, Depends(require_admin)]
