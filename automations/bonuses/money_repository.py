"""Queries of the money operations: append-only, never commits (the caller's unit of work
does). Balances and a deal's «Оплачено» are sums over the operations, never stored."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.core.models import MoneyOperation
from app.core.models.base import utc_now
from app.core.upsert import insert_for
from automations.bonuses.money_rules import PlannedOperation
from automations.bonuses.repository import not_done


@dataclass(frozen=True)
class Paid:
    """A deal's «Оплачено» (payments − change − refunds) and its refunds, in kopecks."""

    paid_kopecks: int
    refunded_kopecks: int

    @property
    def fully_refunded(self) -> bool:
        return self.refunded_kopecks > 0 and self.paid_kopecks <= 0


async def deal_payments(session: AsyncSession, member_id: str, deal_id: int) -> Paid:
    refund = case(
        (col(MoneyOperation.kind) == "refund", col(MoneyOperation.amount_kopecks)), else_=0
    )
    row = (
        await session.execute(
            select(
                func.coalesce(func.sum(col(MoneyOperation.paid_delta_kopecks)), 0),
                func.coalesce(func.sum(refund), 0),
            ).where(
                col(MoneyOperation.member_id) == member_id, col(MoneyOperation.deal_id) == deal_id
            )
        )
    ).one()
    return Paid(int(row[0]), int(row[1]))


async def balances(session: AsyncSession, member_id: str) -> dict[str, int]:
    """Every account's balance in kopecks: the sum of its operations' deltas."""
    rows = await session.execute(
        select(
            col(MoneyOperation.account_code), func.sum(col(MoneyOperation.balance_delta_kopecks))
        )
        .where(col(MoneyOperation.member_id) == member_id, col(MoneyOperation.account_code) != "")
        .group_by(col(MoneyOperation.account_code))
    )
    return {code: int(total) for code, total in rows.all()}


def operation_item_key(operation_id: int) -> str:
    return f"bonus:operation:{operation_id}"


async def operation_by_key(
    session: AsyncSession, member_id: str, idempotency_key: str
) -> MoneyOperation | None:
    found: MoneyOperation | None = await session.scalar(
        select(MoneyOperation).where(
            col(MoneyOperation.member_id) == member_id,
            col(MoneyOperation.idempotency_key) == idempotency_key,
        )
    )
    return found


async def account_balance(session: AsyncSession, member_id: str, account_code: str) -> int:
    if not account_code:
        return 0
    total = await session.scalar(
        select(func.coalesce(func.sum(col(MoneyOperation.balance_delta_kopecks)), 0)).where(
            col(MoneyOperation.member_id) == member_id,
            col(MoneyOperation.account_code) == account_code,
        )
    )
    return int(total or 0)


async def record_operation(
    session: AsyncSession, member_id: str, idempotency_key: str, planned: PlannedOperation
) -> MoneyOperation:
    values = {
        "member_id": member_id,
        "idempotency_key": idempotency_key,
        "kind": planned.kind,
        "deal_id": planned.deal_id,
        "account_code": planned.account_code,
        "manager_id": planned.manager_id,
        "amount_kopecks": planned.amount_kopecks,
        "balance_delta_kopecks": planned.balance_delta_kopecks,
        "paid_delta_kopecks": planned.paid_delta_kopecks,
        "comment": planned.comment,
        "created_at": utc_now(),
    }
    await session.execute(
        insert_for(session, MoneyOperation).values(values).on_conflict_do_nothing()
    )
    found = await operation_by_key(session, member_id, idempotency_key)
    assert found is not None
    return found


async def unwritten_operations(
    session: AsyncSession, member_id: str, limit: int
) -> list[MoneyOperation]:
    return list(
        await session.scalars(
            select(MoneyOperation)
            .where(
                col(MoneyOperation.member_id) == member_id,
                not_done(member_id, "bonus:operation:", col(MoneyOperation.id)),
            )
            .order_by(col(MoneyOperation.id))
            .limit(limit)
        )
    )
