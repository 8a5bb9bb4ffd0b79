"""Periodic-run claims and durable reminders."""

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.models import PeriodicRun, Reminder
from app.core.models.base import utc_now
from app.core.upsert import insert_for


async def claim_period(
    session: AsyncSession, job_name: str, period_start: int, claimed_by: str
) -> bool:
    """True for exactly one caller per (job, period), whatever the number of processes."""
    statement = (
        insert_for(session, PeriodicRun)
        .values(
            job_name=job_name,
            period_start=period_start,
            claimed_by=claimed_by,
            claimed_at=utc_now(),
        )
        .on_conflict_do_nothing(index_elements=["job_name", "period_start"])
        .returning(PeriodicRun.job_name)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def schedule_reminder(
    session: AsyncSession,
    member_id: str,
    key: str,
    *,
    kind: str,
    fire_at: datetime,
    payload: dict[str, Any],
) -> None:
    """Create, move or re-arm the reminder ``key`` — also one that fired or was cancelled.

    Every call is a new decision (the payload names it); the firing side skips a decision
    it has already performed, so re-arming a fired reminder never repeats its action.
    """
    statement = insert_for(session, Reminder).values(
        member_id=member_id,
        key=key,
        kind=kind,
        fire_at=fire_at,
        payload=payload,
        status="scheduled",
        updated_at=utc_now(),
    )
    statement = statement.on_conflict_do_update(
        index_elements=["member_id", "key"],
        set_={
            "fire_at": fire_at,
            "payload": payload,
            "status": "scheduled",
            "updated_at": utc_now(),
        },
    )
    await session.execute(statement)


async def cancel_reminder(session: AsyncSession, member_id: str, key: str) -> None:
    await session.execute(
        update(Reminder)
        .where(Reminder.member_id == member_id, Reminder.key == key, Reminder.status == "scheduled")
        .values(status="cancelled", updated_at=utc_now())
    )


async def take_due_reminders(session: AsyncSession, *, limit: int = 100) -> list[Reminder]:
    """Mark due reminders fired and return them — one caller wins each reminder."""
    now = utc_now()
    due = (
        select(Reminder.id)
        .where(Reminder.status == "scheduled", Reminder.fire_at <= now)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    statement = (
        update(Reminder)
        .where(Reminder.id.in_(due.scalar_subquery()))
        .values(status="fired", updated_at=now)
        .returning(Reminder)
    )
    return list((await session.scalars(statement)).all())


async def list_reminders(session: AsyncSession, member_id: str) -> list[Reminder]:
    rows = await session.scalars(select(Reminder).where(Reminder.member_id == member_id))
    return list(rows)
