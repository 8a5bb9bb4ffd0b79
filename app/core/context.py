"""The process-wide objects a running app shares: settings, engine, session factory."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.db import create_engine, create_session_factory

T = TypeVar("T")


@dataclass
class AppContext:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    services: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, settings: Settings) -> "AppContext":
        engine = create_engine(settings.database_url)
        return cls(settings=settings, engine=engine, sessions=create_session_factory(engine))

    def service(self, name: str, build: Callable[[], T]) -> T:
        """The process-wide ``name`` service, built on first use (closed by ``close``)."""
        if name not in self.services:
            self.services[name] = build()
        return cast(T, self.services[name])

    async def close(self) -> None:
        for service in self.services.values():
            closer = getattr(service, "aclose", None)
            if closer is not None:
                await closer()
        await self.engine.dispose()
