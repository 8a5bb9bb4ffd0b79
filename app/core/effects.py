"""Idempotency records of external side effects (RELIABILITY.md DR3).

An effect is recorded as ``started`` before the call and ``done`` after it. A key found
``done`` is never performed again; one found ``started`` had an unknown outcome (a crash
mid-call) and is resolved by the caller: looked up, safely repeated, or surfaced.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.models import Effect
from app.core.models.base import utc_now
from app.core.upsert import insert_for

STARTED, DONE, UNKNOWN = "started", "done", "unknown"


async def statuses(session: AsyncSession, member_id: str, keys: Iterable[str]) -> dict[str, Effect]:
    wanted = list(keys)
    if not wanted:
        return {}
    rows = await session.scalars(
        select(Effect).where(Effect.member_id == member_id, Effect.key.in_(wanted))
    )
    return {row.key: row for row in rows}


async def start(session: AsyncSession, member_id: str, effects: Iterable[tuple[str, str]]) -> None:
    for key, kind in effects:
        await session.execute(
            insert_for(session, Effect)
            .values(
                member_id=member_id,
                key=key,
                kind=kind,
                status=STARTED,
                result={},
                created_at=utc_now(),
                updated_at=utc_now(),
            )
            .on_conflict_do_nothing(index_elements=["member_id", "key"])
        )


async def finish(
    session: AsyncSession,
    member_id: str,
    key: str,
    *,
    status: str = DONE,
    result: dict[str, Any] | None = None,
) -> None:
    await session.execute(
        update(Effect)
        .where(Effect.member_id == member_id, Effect.key == key)
        .values(status=status, result=result or {}, updated_at=utc_now())
    )


async def forget(session: AsyncSession, member_id: str, keys: Iterable[str]) -> None:
    """Drop ``started`` records of effects that certainly failed, so a retry performs them."""
    await session.execute(
        delete(Effect).where(
            Effect.member_id == member_id, Effect.key.in_(list(keys)), Effect.status == STARTED
        )
    )
