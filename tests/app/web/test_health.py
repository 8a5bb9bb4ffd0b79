"""Liveness, readiness and the OpenAPI docs."""

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
