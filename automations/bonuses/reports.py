"""Accruals and money operations per manager / office / month, and balances per account
(PRODUCT §3.9 reports): read from the ledger, summed exactly in kopecks. The settings
page shows it; ``app/web/reports`` exports it as XLSX for accounting."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.core.models import BonusAccrual, BonusReversal, MoneyOperation
from automations.bonuses import money_repository
from automations.bonuses.settings import manager_office, money_accounts

_MONTH = re.compile(r"^(20[0-9]{2})-(0[1-9]|1[0-2])$")
MAX_MONTHS = 36
MANAGER_COLUMNS = ("accrued", "annulled", "salary", "bonus", "fine")
OFFICE_COLUMNS = ("payment", "change", "refund", "collection")


class PeriodError(ValueError):
    """A malformed report period; Russian, then English."""


@dataclass(frozen=True)
class Period:
    first: date  # the first day of the first month
    end: date  # the first day after the last month

    def bounds(self) -> tuple[datetime, datetime]:
        return (
            datetime(self.first.year, self.first.month, 1, tzinfo=UTC),
            datetime(self.end.year, self.end.month, 1, tzinfo=UTC),
        )


def _month(text: str, name: str) -> date:
    match = _MONTH.match(text.strip())
    if match is None:
        raise PeriodError(
            f"Поле «{name}»: «{text[:20]}» — нужен месяц в виде ГГГГ-ММ, например 2026-12. / "
            f"'{name}' must be a month as YYYY-MM."
        )
    return date(int(match.group(1)), int(match.group(2)), 1)


def parse_period(month_from: str, month_to: str) -> Period:
    first, last = _month(month_from, "С месяца"), _month(month_to, "По месяц")
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months < 1 or months > MAX_MONTHS:
        raise PeriodError(
            f"Период: с {month_from} по {month_to} — нужно от 1 до {MAX_MONTHS} месяцев, "
            "и начало не позже конца. / The period must be 1 to 36 months, start before end."
        )
    end = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    return Period(first, end)


@dataclass
class Row:
    month: str
    key: tuple[str, ...]
    sums: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass(frozen=True)
class Balance:
    code: str
    title: str
    kind: str
    office: str
    balance_kopecks: int


@dataclass(frozen=True)
class Report:
    period: Period
    managers: list[Row]  # key: (manager id, office)
    offices: list[Row]  # key: (office,)
    balances: list[Balance]

    def as_json(self) -> dict[str, Any]:
        def rows(items: list[Row], names: tuple[str, ...], columns: tuple[str, ...]) -> list[Any]:
            return [
                {"month": r.month, **dict(zip(names, r.key, strict=True))}
                | {c: r.sums.get(c, 0) for c in columns}
                for r in items
            ]

        return {
            "managers": rows(self.managers, ("manager_id", "office"), MANAGER_COLUMNS),
            "offices": rows(self.offices, ("office",), OFFICE_COLUMNS),
            "balances": [b.__dict__ for b in self.balances],
        }


def _month_of(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def _add(table: dict[tuple[str, tuple[str, ...]], Row], month: str, key: tuple[str, ...]) -> Row:
    return table.setdefault((month, key), Row(month, key))


async def build_report(
    session: AsyncSession, member_id: str, values: Mapping[str, Any], period: Period
) -> Report:
    start, end = period.bounds()
    accounts = money_accounts(values)
    managers: dict[tuple[str, tuple[str, ...]], Row] = {}
    offices: dict[tuple[str, tuple[str, ...]], Row] = {}
    accruals = await session.scalars(
        select(BonusAccrual).where(
            col(BonusAccrual.member_id) == member_id,
            col(BonusAccrual.created_at) >= start,
            col(BonusAccrual.created_at) < end,
        )
    )
    for accrual in accruals:
        row = _add(
            managers, _month_of(accrual.created_at), (str(accrual.manager_id), accrual.office)
        )
        row.sums["accrued"] += accrual.amount_kopecks
    reversals = await session.execute(
        select(BonusReversal, BonusAccrual)
        .join(BonusAccrual, col(BonusAccrual.id) == col(BonusReversal.accrual_id))
        .where(
            col(BonusReversal.member_id) == member_id,
            col(BonusReversal.created_at) >= start,
            col(BonusReversal.created_at) < end,
        )
    )
    for reversal, accrual in reversals.all():
        key = (str(accrual.manager_id), accrual.office)
        _add(managers, _month_of(reversal.created_at), key).sums["annulled"] += (
            reversal.amount_kopecks
        )
    operations = await session.scalars(
        select(MoneyOperation).where(
            col(MoneyOperation.member_id) == member_id,
            col(MoneyOperation.created_at) >= start,
            col(MoneyOperation.created_at) < end,
        )
    )
    for operation in operations:
        month, account = _month_of(operation.created_at), accounts.get(operation.account_code)
        if operation.kind in MANAGER_COLUMNS:
            office = (
                account.office if account else manager_office(values, operation.manager_id or 0)
            )
            key = (str(operation.manager_id or ""), office)
            _add(managers, month, key).sums[operation.kind] += operation.amount_kopecks
        else:
            office = account.office if account else ""
            _add(offices, month, (office,)).sums[operation.kind] += operation.amount_kopecks
    balances = await money_repository.balances(session, member_id)
    listed = [
        Balance(a.code, a.title, a.kind, a.office, balances.get(a.code, 0))
        for a in accounts.values()
    ]
    listed += [
        Balance(code, code, "", "", total)
        for code, total in balances.items()
        if code not in accounts
    ]
    return Report(
        period,
        sorted(managers.values(), key=lambda r: (r.month, r.key)),
        sorted(offices.values(), key=lambda r: (r.month, r.key)),
        sorted(listed, key=lambda b: (b.office, b.code)),
    )
