"""The outbox of deal changes per node: written in the transaction that notices a change,
read from a cursor (its ids), acknowledged up to a cursor; an acknowledged entry is never
offered again."""

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.models import ExchangeNode, ExchangeOutbox
from app.core.models.base import utc_now

MAX_PULL = 500


def enqueue(
    session: AsyncSession, nodes: list[ExchangeNode], deal_id: int, change: dict[str, Any]
) -> None:
    for node in nodes:
        session.add(
            ExchangeOutbox(
                member_id=node.member_id, node_id=node.id or 0, deal_id=deal_id, change=change
            )
        )


async def pending(
    session: AsyncSession, node_id: int, *, after: int = 0, limit: int = 100
) -> list[ExchangeOutbox]:
    """Unacknowledged entries after the cursor, oldest first; they are marked offered."""
    rows = list(
        await session.scalars(
            select(ExchangeOutbox)
            .where(
                ExchangeOutbox.node_id == node_id,
                ExchangeOutbox.id > after,
                ExchangeOutbox.acked_at.is_(None),
            )
            .order_by(ExchangeOutbox.id)
            .limit(min(max(limit, 1), MAX_PULL))
        )
    )
    now = utc_now()
    for row in rows:
        row.offered_at = row.offered_at or now
    return rows


async def acknowledge(session: AsyncSession, node_id: int, up_to: int) -> int:
    result = await session.execute(
        update(ExchangeOutbox)
        .where(
            ExchangeOutbox.node_id == node_id,
            ExchangeOutbox.id <= up_to,
            ExchangeOutbox.acked_at.is_(None),
        )
        .values(acked_at=utc_now())
    )
    return int(result.rowcount or 0)


def as_change(entry: ExchangeOutbox) -> dict[str, Any]:
    return {"cursor": entry.id, "deal_id": entry.deal_id, **entry.change}


async def unacknowledged(session: AsyncSession, node_id: int) -> int:
    """How many changes wait for the node (shown on the settings page)."""
    count = await session.scalar(
        select(func.count())
        .select_from(ExchangeOutbox)
        .where(ExchangeOutbox.node_id == node_id, ExchangeOutbox.acked_at.is_(None))
    )
    return int(count or 0)
