"""The process-wide objects a running app shares: settings, engine, session factory."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import create_engine, create_session_factory


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

    async def close(self) -> None:
        for service in self.services.values():
            closer = getattr(service, "aclose", None)
            if closer is not None:
                await closer()
        await self.engine.dispose()
