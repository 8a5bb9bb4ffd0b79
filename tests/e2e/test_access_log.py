"""No secret in uvicorn's access log (issue 11 #12): the action-webhook secret travels in the
query string, as the "Webhook" automation rule sends it, and the request line is logged."""

import logging
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from app.core.models import Portal
from tests.e2e.harness import Stack, live_stack

pytestmark = pytest.mark.e2e


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with live_stack(database_url, log_level="DEBUG") as stack:
        await stack.install()
        yield stack


async def action_secret(stack: Stack) -> str:
    async with stack.context.sessions() as session:
        return (await session.scalars(select(Portal))).one().action_secret


class TestAccessLog:
    async def test_the_action_secret_in_the_url_is_masked_in_the_access_log(
        self, stack: Stack, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO, logger="uvicorn.access")
        secret = await action_secret(stack)
        params = {"member_id": stack.member_id, "deal_id": "1", "secret": secret}
        response = await stack.http.get("/b24/actions/recheck_search", params=params)
        assert response.status_code == 200
        wrong = {**params, "secret": "a-wrong-secret-nobody-knows"}
        assert (
            await stack.http.get("/b24/actions/recheck_search", params=wrong)
        ).status_code == 403
        lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
        assert any(
            "/b24/actions/recheck_search?" in line and "secret=***" in line for line in lines
        )
        assert not [line for line in lines if secret in line or "a-wrong-secret" in line]
