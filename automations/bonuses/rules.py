"""A won deal's manager bonus, from its product rows (pure: no I/O, no clock).

Per row, first match wins: service rows (excluded unless the settings include them) earn
nothing; a product or a catalog section in a fixed group earns a fixed amount per unit;
otherwise the row total after discounts (Bitrix24's ``price`` × quantity, the pricing
package's arithmetic) times the product's percent, else its section's, else the default.
Each row's bonus is rounded half-up to whole kopecks; the bonus is the sum of the rows,
so the breakdown always adds up to the amount.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from automations.pricing import ProductRow, row_total
from automations.pricing.money import round_money

HUNDRED = Decimal(100)


class Basis(StrEnum):
    PRODUCT_PERCENT = "product_percent"
    SECTION_PERCENT = "section_percent"
    DEFAULT_PERCENT = "default_percent"
    PRODUCT_FIXED = "product_fixed"
    SECTION_FIXED = "section_fixed"
    SERVICE = "service"


@dataclass(frozen=True)
class BonusRules:
    """Percents are of the row total; fixed amounts are roubles per unit."""

    default_percent: Decimal = Decimal(0)
    product_percent: Mapping[int, Decimal] = field(default_factory=dict)
    section_percent: Mapping[int, Decimal] = field(default_factory=dict)
    product_fixed: Mapping[int, Decimal] = field(default_factory=dict)
    section_fixed: Mapping[int, Decimal] = field(default_factory=dict)
    include_services: bool = False


@dataclass(frozen=True)
class BonusRow:
    """A deal row as the bonus sees it: the pricing row plus its catalog facts."""

    row: ProductRow
    section_id: int | None = None
    is_service: bool = False


@dataclass(frozen=True)
class BonusLine:
    product_id: int
    name: str
    row_total_kopecks: int
    basis: Basis
    rate: Decimal  # percent, or roubles per unit for a fixed basis
    amount_kopecks: int

    def as_json(self) -> dict[str, object]:
        return {
            "product_id": self.product_id,
            "name": self.name,
            "row_total_kopecks": self.row_total_kopecks,
            "basis": self.basis.value,
            "rate": str(self.rate),
            "amount_kopecks": self.amount_kopecks,
        }


@dataclass(frozen=True)
class Bonus:
    amount_kopecks: int
    lines: tuple[BonusLine, ...]

    def breakdown(self) -> list[dict[str, object]]:
        return [line.as_json() for line in self.lines]


def kopecks(amount: Decimal) -> int:
    """Whole kopecks of an amount, rounded half-up."""
    return int(round_money(amount) * HUNDRED)


def compute_bonus(rows: Sequence[BonusRow], rules: BonusRules) -> Bonus:
    lines = tuple(_line(row, rules) for row in rows)
    return Bonus(sum(line.amount_kopecks for line in lines), lines)


def _line(item: BonusRow, rules: BonusRules) -> BonusLine:
    total = row_total(item.row)
    basis, rate = _basis(item, rules)
    if basis is Basis.SERVICE:
        amount = Decimal(0)
    elif basis in (Basis.PRODUCT_FIXED, Basis.SECTION_FIXED):
        amount = rate * item.row.quantity
    else:
        amount = total * rate / HUNDRED
    return BonusLine(
        product_id=item.row.product_id,
        name=item.row.name,
        row_total_kopecks=kopecks(total),
        basis=basis,
        rate=rate,
        amount_kopecks=kopecks(amount),
    )


def _basis(item: BonusRow, rules: BonusRules) -> tuple[Basis, Decimal]:
    product, section = item.row.product_id, item.section_id
    if item.is_service and not rules.include_services:
        return Basis.SERVICE, Decimal(0)
    if product in rules.product_fixed:
        return Basis.PRODUCT_FIXED, rules.product_fixed[product]
    if section is not None and section in rules.section_fixed:
        return Basis.SECTION_FIXED, rules.section_fixed[section]
    if product in rules.product_percent:
        return Basis.PRODUCT_PERCENT, rules.product_percent[product]
    if section is not None and section in rules.section_percent:
        return Basis.SECTION_PERCENT, rules.section_percent[section]
    return Basis.DEFAULT_PERCENT, rules.default_percent
