"""Rows written as one JSON document read back exactly as the ORM would have written them:
timestamps to the microsecond with their zone, nested and non-ASCII JSON, empty and null
values, on each configured database."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.db import create_engine, create_session_factory, unit_of_work
from app.core.models import InboxEvent, Job
from app.core.row_documents import ROWS, render_rows, rows_source
from app.core.upsert import insert_for

NAMES = ("member_id", "dedupe_key", "source", "name", "entity_id", "payload", "job_id")
NAMES += ("received_at",)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


def inbox_row(index: int, **changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "member_id": "portal-1",
        "dedupe_key": f"key-{index}",
        "source": "event",
        "name": "ONCRMDEALUPDATE",
        "entity_id": str(index),
        "payload": {"data": {"FIELDS": {"ID": str(index)}}, "title": "Фары «Audi» & 100%"},
        "job_id": index,
        "received_at": datetime(2026, 12, 2, 20, 1, 15, 71170 + index, tzinfo=UTC),
    }
    return row | changes


async def write(engine: AsyncEngine, rows: list[dict[str, object]]) -> set[str]:
    table = InboxEvent.__table__
    async with unit_of_work(create_session_factory(engine)) as session:
        statement = (
            insert_for(session, table)
            .from_select(NAMES, rows_source(engine.dialect, table, NAMES))
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(table.c.dedupe_key)
        )
        document = render_rows(engine.dialect, table, rows)
        return set((await session.execute(statement, {ROWS: document})).scalars().all())


async def read(engine: AsyncEngine) -> list[InboxEvent]:
    async with create_session_factory(engine)() as session:
        return list((await session.scalars(select(InboxEvent).order_by(InboxEvent.id))).all())


def aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class TestRowDocuments:
    async def test_rows_read_back_as_written(self, engine: AsyncEngine) -> None:
        rows = [inbox_row(1), inbox_row(2, entity_id="", payload={}, job_id=None)]
        assert await write(engine, rows) == {"key-1", "key-2"}
        stored = await read(engine)
        for row, event in zip(rows, stored, strict=True):
            assert aware(event.received_at) == row["received_at"]
            got = {name: getattr(event, name) for name in NAMES if name != "received_at"}
            assert got == {name: row[name] for name in NAMES if name != "received_at"}

    async def test_a_timestamp_in_another_zone_is_the_same_instant(
        self, engine: AsyncEngine
    ) -> None:
        moscow = timezone(timedelta(hours=3))
        at = datetime(2026, 12, 2, 23, 0, 0, 5, tzinfo=moscow)
        await write(engine, [inbox_row(1, received_at=at.astimezone(UTC))])
        assert aware((await read(engine))[0].received_at) == at

    async def test_a_conflicting_row_is_skipped_and_not_returned(self, engine: AsyncEngine) -> None:
        await write(engine, [inbox_row(1)])
        assert await write(engine, [inbox_row(1), inbox_row(2)]) == {"key-2"}
        assert [event.dedupe_key for event in await read(engine)] == ["key-1", "key-2"]

    async def test_column_defaults_apply_to_columns_left_out(self, engine: AsyncEngine) -> None:
        table, names = Job.__table__, ("member_id", "kind", "coalesce_key", "payload")
        names += ("run_after", "created_at", "updated_at")
        now = datetime.now(UTC)
        row = {"member_id": "p", "kind": "sync_deal", "coalesce_key": "p:deal:1"}
        row |= {"payload": {"deal_id": 1}, "run_after": now, "created_at": now}
        row |= {"updated_at": now}
        async with unit_of_work(create_session_factory(engine)) as session:
            statement = insert_for(session, table).from_select(
                names, rows_source(engine.dialect, table, names)
            )
            await session.execute(statement, {ROWS: render_rows(engine.dialect, table, [row])})
        async with create_session_factory(engine)() as session:
            job = (await session.scalars(select(Job))).one()
        assert (job.status, job.dirty, job.attempts, job.locked_by) == ("pending", False, 0, "")
        assert aware(job.run_after) == now and job.payload == {"deal_id": 1}
