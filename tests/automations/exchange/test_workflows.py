"""Workflow requests on a real database: a repeated key is one request armed once; a report
that arrives before the start job recorded the workflow id waits and settles the request
when the id is recorded, with one outbox entry for the requesting node — never two."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.db import create_engine, create_session_factory, unit_of_work
from app.core.models import ExchangeOutbox, Job
from automations.exchange import nodes, workflows


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


START = workflows.StartRequest("k-1", template_id=1, parameters={"a": 1}, deal_id=7)


async def rpc_node(session: AsyncSession) -> nodes.ExchangeNode:
    credentials = await nodes.add_node(session, nodes.NodeSpec("m1", "erp", "rpc", "both"))
    return await nodes.get_node(session, credentials.node_id)


async def count(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


class TestRequests:
    async def test_a_repeated_key_is_the_same_request_armed_once(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        async with unit_of_work(sessions) as session:
            node = await rpc_node(session)
            first = await workflows.store_request(session, node, START)
            again = await workflows.store_request(session, node, START)
            assert first.id == again.id
            assert await count(session, Job) == 1


class TestEarlyReport:
    async def test_a_report_before_the_workflow_id_settles_the_request_later_once(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        report = workflows.Report("wf-1", 7, "finished", {"ok": "Y"}, "готово")
        async with unit_of_work(sessions) as session:
            node = await rpc_node(session)
            request = await workflows.store_request(session, node, START)
            assert await workflows.record_report(session, "m1", report) is False
            request.workflow_id, request.status = "wf-1", workflows.STARTED
            assert await workflows.settle(session, request) is True
            assert await workflows.settle(session, request) is False  # settled once
            assert await workflows.record_report(session, "m1", report) is False  # a repeat
            assert (request.status, request.values) == ("finished", {"ok": "Y"})
            entries = list(await session.scalars(select(ExchangeOutbox)))
        assert len(entries) == 1 and entries[0].change["event"] == "workflow.result"
