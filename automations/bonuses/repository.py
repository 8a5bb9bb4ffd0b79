"""Queries of the bonus and money ledger. Append-only; never commits (the caller's unit of
work does). Inserts yield to a concurrent writer of the same idempotency key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import effects
from app.core.models import BonusAccrual, BonusDirtyDeal, BonusReversal, Effect
from app.core.models.base import utc_now
from app.core.upsert import insert_for
from automations.bonuses.ledger_rules import Accrue, ActiveAccrual, Annul, DealLedger, Entry


@dataclass(frozen=True)
class Recorded:
    """The ledger rows an entry plan produced (new or found from an earlier run)."""

    accruals: tuple[BonusAccrual, ...]
    reversals: tuple[BonusReversal, ...]


async def deal_ledger(session: AsyncSession, member_id: str, deal_id: int) -> DealLedger:
    accruals = list(
        await session.scalars(
            select(BonusAccrual)
            .where(BonusAccrual.member_id == member_id, BonusAccrual.deal_id == deal_id)
            .order_by(BonusAccrual.sequence)
        )
    )
    reversed_ids = await _reversed_ids(session, [a.id for a in accruals if a.id is not None])
    active = [a for a in accruals if a.id not in reversed_ids]
    last = active[-1] if active else None
    return DealLedger(
        wins=max((a.sequence for a in accruals), default=0),
        active=ActiveAccrual(int(last.id or 0), last.sequence, last.amount_kopecks)
        if last
        else None,
    )


async def _reversed_ids(session: AsyncSession, accrual_ids: Sequence[int]) -> set[int]:
    if not accrual_ids:
        return set()
    rows = await session.scalars(
        select(BonusReversal.accrual_id).where(BonusReversal.accrual_id.in_(accrual_ids))
    )
    return set(rows)


async def record_entries(
    session: AsyncSession, member_id: str, entries: Sequence[Entry]
) -> Recorded:
    accruals, reversals = [], []
    for entry in entries:
        if isinstance(entry, Annul):
            reversals.append(await _reverse(session, member_id, entry))
        else:
            accruals.append(await _accrue(session, member_id, entry))
    return Recorded(tuple(accruals), tuple(reversals))


async def _accrue(session: AsyncSession, member_id: str, entry: Accrue) -> BonusAccrual:
    values = {
        "member_id": member_id,
        "idempotency_key": entry.key,
        "deal_id": entry.deal_id,
        "sequence": entry.sequence,
        "manager_id": entry.manager_id,
        "office": entry.office,
        "amount_kopecks": entry.bonus.amount_kopecks,
        "breakdown": entry.bonus.breakdown(),
        "created_at": utc_now(),
    }
    await session.execute(insert_for(session, BonusAccrual).values(values).on_conflict_do_nothing())
    found: BonusAccrual | None = await session.scalar(
        select(BonusAccrual).where(
            BonusAccrual.member_id == member_id, BonusAccrual.idempotency_key == entry.key
        )
    )
    assert found is not None
    return found


async def _reverse(session: AsyncSession, member_id: str, entry: Annul) -> BonusReversal:
    values = {
        "member_id": member_id,
        "accrual_id": entry.accrual_id,
        "amount_kopecks": entry.amount_kopecks,
        "reason": entry.reason,
        "created_at": utc_now(),
    }
    await session.execute(
        insert_for(session, BonusReversal).values(values).on_conflict_do_nothing()
    )
    found: BonusReversal | None = await session.scalar(
        select(BonusReversal).where(BonusReversal.accrual_id == entry.accrual_id)
    )
    assert found is not None
    return found


async def active_bonus_total(session: AsyncSession, member_id: str) -> int:
    """Σ accruals not reversed, in kopecks."""
    reversed_ = select(BonusReversal.accrual_id).where(BonusReversal.member_id == member_id)
    total = await session.scalar(
        select(func.coalesce(func.sum(BonusAccrual.amount_kopecks), 0)).where(
            BonusAccrual.member_id == member_id, BonusAccrual.id.not_in(reversed_)
        )
    )
    return int(total or 0)


def accrual_item_key(accrual_id: int) -> str:
    return f"bonus:accrual:{accrual_id}"


def reversal_item_key(reversal_id: int) -> str:
    return f"bonus:reversal:{reversal_id}"


async def active_deal_bonus(session: AsyncSession, member_id: str, deal_id: int) -> int:
    ledger = await deal_ledger(session, member_id, deal_id)
    return ledger.active.amount_kopecks if ledger.active else 0


async def deal_entries_unwritten(session: AsyncSession, member_id: str, deal_id: int) -> bool:
    """Whether an accrual or reversal of the deal still waits for the registry writer."""
    accruals = list(
        await session.scalars(
            select(BonusAccrual.id).where(
                BonusAccrual.member_id == member_id, BonusAccrual.deal_id == deal_id
            )
        )
    )
    reversals = list(
        await session.scalars(
            select(BonusReversal.id).where(BonusReversal.accrual_id.in_(accruals))
        )
    )
    keys = [accrual_item_key(i) for i in accruals] + [reversal_item_key(i) for i in reversals]
    done = await effects.statuses(session, member_id, keys)
    return any(key not in done or done[key].status != effects.DONE for key in keys)


@dataclass(frozen=True)
class Unwritten:
    """Ledger entries whose registry writes are not all done yet (oldest first)."""

    accruals: tuple[BonusAccrual, ...]
    reversals: tuple[BonusReversal, ...]
    more: bool


def not_done(member_id: str, prefix: str, id_column: Any) -> Any:
    key = literal(prefix) + cast(id_column, String)
    return ~exists(
        select(Effect.key).where(
            Effect.member_id == member_id, Effect.status == effects.DONE, Effect.key == key
        )
    )


async def unwritten_entries(session: AsyncSession, member_id: str, limit: int) -> Unwritten:
    accruals = list(
        await session.scalars(
            select(BonusAccrual)
            .where(
                BonusAccrual.member_id == member_id,
                not_done(member_id, "bonus:accrual:", BonusAccrual.id),
            )
            .order_by(BonusAccrual.id)
            .limit(limit + 1)
        )
    )
    reversals = list(
        await session.scalars(
            select(BonusReversal)
            .where(
                BonusReversal.member_id == member_id,
                not_done(member_id, "bonus:reversal:", BonusReversal.id),
            )
            .order_by(BonusReversal.id)
            .limit(limit + 1)
        )
    )
    more = len(accruals) > limit or len(reversals) > limit
    return Unwritten(tuple(accruals[:limit]), tuple(reversals[:limit]), more)


async def deals_of_accruals(session: AsyncSession, accrual_ids: Sequence[int]) -> dict[int, int]:
    if not accrual_ids:
        return {}
    rows = await session.execute(
        select(BonusAccrual.id, BonusAccrual.deal_id).where(BonusAccrual.id.in_(accrual_ids))
    )
    return {int(i): int(d) for i, d in rows.all()}


async def mark_dirty(session: AsyncSession, member_id: str, deal_ids: Sequence[int]) -> None:
    """Mark deals for the bonus scan; a deal marked again keeps one row, its time renewed."""
    if not deal_ids:
        return
    now = utc_now()
    rows = [{"member_id": member_id, "deal_id": d, "marked_at": now} for d in set(deal_ids)]
    statement = insert_for(session, BonusDirtyDeal).values(rows)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["member_id", "deal_id"], set_={"marked_at": now}
        )
    )


async def dirty_deals(
    session: AsyncSession, member_id: str, limit: int
) -> list[tuple[int, datetime]]:
    """The marked deals, oldest mark first, with the time of their mark."""
    rows = await session.execute(
        select(BonusDirtyDeal.deal_id, BonusDirtyDeal.marked_at)
        .where(BonusDirtyDeal.member_id == member_id)
        .order_by(BonusDirtyDeal.marked_at, BonusDirtyDeal.deal_id)
        .limit(limit)
    )
    return [(int(deal_id), marked_at) for deal_id, marked_at in rows.all()]


async def clear_dirty(
    session: AsyncSession, member_id: str, handled: Mapping[int, datetime]
) -> None:
    """Clear the marks a scan handled; a deal marked again since (a newer time) stays."""
    for deal_id, marked_at in handled.items():
        await session.execute(
            delete(BonusDirtyDeal).where(
                BonusDirtyDeal.member_id == member_id,
                BonusDirtyDeal.deal_id == deal_id,
                BonusDirtyDeal.marked_at <= marked_at,
            )
        )
