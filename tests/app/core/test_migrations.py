"""The schema comes only from Alembic: migrations round-trip and match the models."""

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import app.core.models  # noqa: F401
from app.core.db import create_engine
from app.core.migrations import downgrade, is_at_head, upgrade


def _schema_diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


class TestMigrations:
    async def test_upgrade_downgrade_upgrade_round_trips(self, database_url: str) -> None:
        await downgrade(database_url, "base")
        engine = create_engine(database_url)
        try:
            assert not await is_at_head(engine, database_url)
            await upgrade(database_url)
            assert await is_at_head(engine, database_url)
        finally:
            await engine.dispose()

    async def test_models_and_migrations_do_not_drift(self, database_url: str) -> None:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as connection:
                diff = await connection.run_sync(_schema_diff)
        finally:
            await engine.dispose()
        assert diff == []
