"""A deal's product row as pricing sees it, and the row and deal totals Bitrix24 computes.

Before the discount a row is described by `price_brutto`: the unit price the customer is quoted,
including tax. It is the representation in which kit prices and money discounts are whole
kopecks with no tax rounding in between. After the discount the row is described by `price`,
which is exactly Bitrix24's `price` field (after discount, including tax, REST_FACTS §11.2) and
the only number the row total depends on; `discount_sum` and `discount_rate` are for display.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum

from automations.pricing.money import round_money
from automations.pricing.row_prices import tax_factor


class DiscountType(IntEnum):
    """Bitrix24 `discountTypeId` values."""

    MONEY = 1
    PERCENT = 2


@dataclass(frozen=True, slots=True)
class Measure:
    code: int
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductRow:
    product_id: int
    name: str
    price_brutto: Decimal
    price: Decimal
    quantity: Decimal
    tax_rate: Decimal | None = None
    tax_included: bool = False
    discount_type: DiscountType = DiscountType.PERCENT
    discount_sum: Decimal = Decimal(0)
    discount_rate: Decimal = Decimal(0)
    measure: Measure | None = None
    sort: int = 0
    is_bundle: bool = False

    @property
    def price_netto(self) -> Decimal:
        """Before discount, without tax, rounded as Bitrix24 stores it (REST_FACTS §11.3)."""
        return round_money(self.price_brutto / tax_factor(self.tax_rate))


def row_total(row: ProductRow) -> Decimal:
    """`price × quantity`, exact: with a fractional quantity it may hold fractions of a kopeck."""
    return row.price * row.quantity


def deal_total(rows: Sequence[ProductRow]) -> Decimal:
    """The deal amount (OPPORTUNITY): the exact sum of row totals, rounded half-up to kopecks."""
    return round_money(sum((row_total(row) for row in rows), Decimal(0)))
