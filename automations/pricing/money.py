"""Exact money and quantity arithmetic: kopecks, half-up rounding, quantity steps.

Bitrix24 keeps money with 2 decimals and quantities with up to 4 (REST_FACTS §11), so every
amount here is a `Decimal` and every exact comparison is done in kopecks as a `Fraction`.
"""

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction

KOPECK = Decimal("0.01")
MAX_QUANTITY_DECIMALS = 4


def round_money(amount: Decimal) -> Decimal:
    """Round to kopecks half-up, as Bitrix24 rounds back-computed fields (REST_FACTS §11.3)."""
    return amount.quantize(KOPECK, rounding=ROUND_HALF_UP)


def floor_money(amount: Decimal) -> Decimal:
    return amount.quantize(KOPECK, rounding=ROUND_FLOOR)


def in_kopecks(amount: Decimal) -> Fraction:
    """The exact amount in kopecks; a fraction when the amount is not whole kopecks."""
    return Fraction(amount) * 100


def is_whole_kopecks(amount: Decimal) -> bool:
    return in_kopecks(amount).denominator == 1


def from_kopecks(kopecks: int) -> Decimal:
    return Decimal(kopecks).scaleb(-2)


def quantity_decimals(quantity: Decimal) -> int | None:
    """Decimals a quantity really uses (3.000 uses 0); None for NaN or infinity."""
    if not quantity.is_finite():
        return None
    exponent = quantity.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # finite decimals always have an int exponent
    return max(0, -exponent)
