"""Fresh, migrated databases for tests: a SQLite file always, PostgreSQL when TEST_DATABASE_URL is set.

Each test gets its own database copied from a template migrated once per session, so
parallel or repeated runs never see each other's rows.
"""

import os
import shutil
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.core.migrations import upgrade


def postgres_base_url() -> str | None:
    raw = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not raw:
        return None
    url = make_url(raw)
    return url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def _asyncpg_dsn(sqlalchemy_url: str) -> str:
    return (
        make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)
    )


class SqliteDatabases:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.template = root / "template.db"

    async def prepare(self) -> None:
        await upgrade(self.url_for(self.template))

    def url_for(self, path: Path) -> str:
        return f"sqlite+aiosqlite:///{path}"

    async def create(self) -> str:
        path = self.root / f"test-{uuid.uuid4().hex}.db"
        shutil.copyfile(self.template, path)
        return self.url_for(path)

    async def drop(self, url: str) -> None:
        Path(make_url(url).database or "").unlink(missing_ok=True)


class PostgresDatabases:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.prefix = f"b24t_{uuid.uuid4().hex[:10]}"
        self.template = f"{self.prefix}_tpl"

    async def _admin(self, sql: str) -> None:
        connection = await asyncpg.connect(_asyncpg_dsn(self.base_url))
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    def url_for(self, name: str) -> str:
        return make_url(self.base_url).set(database=name).render_as_string(hide_password=False)

    async def prepare(self) -> None:
        await self._admin(f'CREATE DATABASE "{self.template}"')
        await upgrade(self.url_for(self.template))

    async def create(self) -> str:
        name = f"{self.prefix}_{uuid.uuid4().hex[:12]}"
        await self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return self.url_for(name)

    async def drop(self, url: str) -> None:
        name = make_url(url).database
        await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def close(self) -> None:
        await self._admin(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')


@asynccontextmanager
async def scratch_engine(
    databases: SqliteDatabases | PostgresDatabases,
) -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh migrated database of ``databases``; both gone after the block."""
    url = await databases.create()
    engine = create_async_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()
        await databases.drop(url)
