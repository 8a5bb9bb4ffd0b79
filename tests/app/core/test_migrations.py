"""The schema comes only from Alembic: migrations round-trip and match the models."""

import asyncio
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import app.core.models  # noqa: F401
from app.core.db import create_engine
from app.core.migrations import downgrade, is_at_head, upgrade
from tests.app_process import app_env, run_app_async


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

    async def test_processes_starting_together_upgrade_once(self, database_url: str) -> None:
        """Four processes of a fresh PostgreSQL deployment migrate at the same moment (Alembic
        runs one command per process, so these are real processes)."""
        if not database_url.startswith("postgresql"):
            pytest.skip("one SQLite file is one process's database (README, Operations)")
        await downgrade(database_url, "base")
        results = await asyncio.gather(*(migrate_process(database_url) for _ in range(4)))
        assert [code for code, _ in results] == [0] * 4, results
        engine = create_engine(database_url)
        try:
            assert await is_at_head(engine, database_url)
        finally:
            await engine.dispose()


async def migrate_process(database_url: str) -> tuple[int, str]:
    env = app_env({"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"})
    code, out, err = await run_app_async("migrate", env=env)
    return code, (out + err)[-500:]
