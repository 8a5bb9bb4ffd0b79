"""Shared fixtures: a fresh migrated database per test, on SQLite and (when configured) PostgreSQL."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium
from tests.databases import PostgresDatabases, SqliteDatabases, postgres_base_url

DATABASE_KINDS = ["sqlite"] + (["postgresql"] if postgres_base_url() else [])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``make test``) the browser tests run one after another in one
    process: several Chromiums at once on a small machine make their steps time out."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def sqlite_databases(tmp_path_factory: pytest.TempPathFactory) -> SqliteDatabases:
    databases = SqliteDatabases(Path(tmp_path_factory.mktemp("sqlite")))
    asyncio.run(databases.prepare())
    return databases


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases | None]:
    base_url = postgres_base_url()
    if base_url is None:
        yield None
        return
    databases = PostgresDatabases(base_url)
    asyncio.run(databases.prepare())
    yield databases
    asyncio.run(databases.close())


@pytest.fixture(params=DATABASE_KINDS)
async def database_url(
    request: pytest.FixtureRequest,
    sqlite_databases: SqliteDatabases,
    postgres_databases: PostgresDatabases | None,
) -> AsyncIterator[str]:
    """A fresh database migrated to head; the test runs once per configured database kind."""
    databases = sqlite_databases if request.param == "sqlite" else postgres_databases
    assert databases is not None
    url = await databases.create()
    yield url
    await databases.drop(url)


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """A headless Chromium (``tests.browser``) for the test."""
    async with chromium() as launched:
        yield launched
