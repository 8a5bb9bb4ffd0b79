"""Liveness, readiness and the OpenAPI docs."""

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from app.core.config import Settings
from app.core.migrations import downgrade
from app.web.main import create_app


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=database_url, run_worker=False))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://app") as http,
    ):
        yield http


class TestHealth:
    async def test_healthz_answers_while_the_process_lives(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    async def test_readyz_is_ready_on_a_migrated_database(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/readyz")
        assert response.status_code == 200, response.text

    async def test_readyz_refuses_an_unmigrated_database(
        self, client: httpx.AsyncClient, database_url: str
    ) -> None:
        await downgrade(database_url, "base")
        response = await client.get("/readyz")
        assert response.status_code == 503
        assert "not migrated" in response.json()["reason"]

    async def test_openapi_docs_are_served(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/docs")).status_code == 200
        assert (await client.get("/openapi.json")).json()["info"]["title"] == "b24bridge"


class TestOfflineDocs:
    """Issue 11 #18: the docs page needs nothing from the Internet; operation ids are unique."""

    async def test_the_docs_page_loads_its_assets_from_the_app(
        self, client: httpx.AsyncClient
    ) -> None:
        page = (await client.get("/docs")).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert sources and all(source.startswith("/docs/assets/") for source in sources), sources
        for source in sources:
            assert (await client.get(source)).status_code == 200, source

    async def test_every_operation_id_is_unique(self, client: httpx.AsyncClient) -> None:
        schema = (await client.get("/openapi.json")).json()
        ids = [op["operationId"] for path in schema["paths"].values() for op in path.values()]
        assert len(ids) == len(set(ids))
