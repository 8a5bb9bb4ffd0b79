"""The bonus and money ledger (PRODUCT §3.9): append-only, the source of truth the portal's
registries «Начисления» and «Операции с деньгами» are written from. A row is never
updated or deleted; an annulment is a reversal row, a correction a new operation."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.models.base import json_field, timestamp_field


class BonusAccrual(SQLModel, table=True):
    """The bonus of the ``sequence``-th win of a deal, with its per-row breakdown."""

    __tablename__ = "bonus_accruals"
    __table_args__ = (
        UniqueConstraint("member_id", "deal_id", "sequence"),
        UniqueConstraint("member_id", "idempotency_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(max_length=64, index=True)
    idempotency_key: str = Field(max_length=128)
    deal_id: int
    sequence: int
    manager_id: int
    office: str = Field(default="", max_length=64)
    amount_kopecks: int = Field(sa_column=Column(BigInteger, nullable=False))
    breakdown: list[dict[str, Any]] = json_field()
    created_at: datetime = timestamp_field(index=True)


class BonusReversal(SQLModel, table=True):
    """The annulment of one accrual: the same amount, taken back, once."""

    __tablename__ = "bonus_reversals"

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(max_length=64, index=True)
    accrual_id: int = Field(
        sa_column=Column(Integer, ForeignKey("bonus_accruals.id"), nullable=False, unique=True)
    )
    amount_kopecks: int = Field(sa_column=Column(BigInteger, nullable=False))
    reason: str = Field(max_length=32)
    created_at: datetime = timestamp_field(index=True)


class MoneyOperation(SQLModel, table=True):
    """A payment, change, refund, cash collection or manager operation (salary, bonus, fine).

    ``amount_kopecks`` is the amount as entered (positive); ``balance_delta_kopecks`` its
    signed effect on the account's balance and ``paid_delta_kopecks`` on the deal's
    «Оплачено»; a balance is the sum of its deltas."""

    __tablename__ = "money_operations"
    __table_args__ = (UniqueConstraint("member_id", "idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(max_length=64, index=True)
    idempotency_key: str = Field(max_length=128)
    kind: str = Field(max_length=16)
    deal_id: int | None = Field(default=None, index=True)
    account_code: str = Field(default="", max_length=64)
    manager_id: int | None = None
    amount_kopecks: int = Field(sa_column=Column(BigInteger, nullable=False))
    balance_delta_kopecks: int = Field(sa_column=Column(BigInteger, nullable=False))
    paid_delta_kopecks: int = Field(sa_column=Column(BigInteger, nullable=False))
    comment: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = timestamp_field(index=True)


class BonusDirtyDeal(SQLModel, table=True):
    """A deal whose bonus must be looked at again (a work list, not the ledger): a deal
    event marks it, the portal's ``bonus_scan`` job reads such deals many per ``batch`` and
    clears the marks it has handled."""

    __tablename__ = "bonus_dirty_deals"

    member_id: str = Field(primary_key=True, max_length=64)
    deal_id: int = Field(primary_key=True)
    marked_at: datetime = timestamp_field()
