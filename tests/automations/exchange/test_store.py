"""The exchange tables on a real database: intake stores a document once and links nodes'
copies of one order, the outbox is never offered again after an ack, the archive is pruned
by age — SQLite always, PostgreSQL when configured."""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.db import create_engine, create_session_factory, unit_of_work
from app.core.models import ExchangeFeed, ExchangeOrder, Job
from app.core.models.base import utc_now
from automations.exchange import intake, nodes, outbox
from automations.exchange.archive import prune_archive

ORDER = {"external_id": "e1", "number": "1", "date": "2026-12-01", "site_number": "S-1",
         "rows": [{"code": "p", "name": "Фара", "price": "1", "quantity": "1"}]}  # fmt: skip


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


async def node(session: AsyncSession, name: str) -> nodes.ExchangeNode:
    credentials = await nodes.add_node(session, nodes.NodeSpec("m1", name, "rpc", "both"))
    return await nodes.get_node(session, credentials.node_id)


async def accept(session: AsyncSession, sender: nodes.ExchangeNode, raw: dict) -> intake.Received:
    feed = await intake.open_feed(session, sender, door="rpc", operation="t", body=b"{}")
    return await intake.accept_order(session, sender, feed, raw)


class TestIntake:
    async def test_a_document_is_stored_once_and_copies_join_one_order(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        async with unit_of_work(sessions) as session:
            first, second = await node(session, "a"), await node(session, "b")
            assert (await accept(session, first, ORDER)).state == "accepted"
            assert (await accept(session, first, ORDER)).state == "unchanged"
            copy = ORDER | {"external_id": "other", "number": "77"}
            assert (await accept(session, second, copy)).state == "accepted"
            orders = await session.scalar(select(func.count()).select_from(ExchangeOrder))
            jobs = await session.scalar(select(func.count()).select_from(Job))
        assert orders == 1 and jobs == 1  # one order, one coalesced job


class TestOutboxAndArchive:
    async def test_an_acknowledged_change_is_never_offered_again(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        async with unit_of_work(sessions) as session:
            receiver = await node(session, "a")
            outbox.enqueue(session, [receiver], 5, {"stage": "NEW"})
            outbox.enqueue(session, [receiver], 5, {"stage": "WON"})
            await session.flush()
            offered = await outbox.pending(session, receiver.id or 0)
            assert [e.change["stage"] for e in offered] == ["NEW", "WON"]
            assert await outbox.acknowledge(session, receiver.id or 0, offered[0].id or 0) == 1
            left = await outbox.pending(session, receiver.id or 0)
        assert [e.change["stage"] for e in left] == ["WON"]

    async def test_feeds_older_than_the_retention_are_pruned(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        async with unit_of_work(sessions) as session:
            sender = await node(session, "a")
            old = await intake.open_feed(session, sender, door="rpc", operation="t", body=b"1")
            await intake.open_feed(session, sender, door="rpc", operation="t", body=b"2")
            moved = update(ExchangeFeed).where(ExchangeFeed.id == old.id)
            await session.execute(moved.values(created_at=utc_now() - timedelta(days=31)))
        async with unit_of_work(sessions) as session:
            assert await prune_archive(30)(session) == 1
            left = list(await session.scalars(select(ExchangeFeed.body)))
        assert left == [b"2"]
