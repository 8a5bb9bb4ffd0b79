"""Spread an absolute (money) discount over a deal's rows, exact to the kopeck.

Rule. The deal should cost `deal_total(rows) − discount`. That target is shared among the rows
in proportion to their current totals by the largest-remainder method, in whole kopecks, and
each row is re-priced to its share as a per-row money discount (`discountTypeId = 1`). Every
re-priced row total is then a whole number of kopecks, so the deal total is exact however
Bitrix24 rounds (per row or on the sum).

Re-pricing a row. With quantity q = m steps of 10^-k (k = the decimals q uses, at most 4) and a
share of t kopecks, a single price p (in kopecks) is exact only when m divides t·10^k. Otherwise
the row is split in two: `t·10^k mod m` steps at p + 1 kopeck and the rest at p = ⌊t·10^k / m⌋.
The pieces keep the row's own quantity precision (an integer quantity splits into integers,
0.333 into thousandths), and such a split always exists, so no quantity is ever refused for
being "unsplittable". A row whose share equals its total is returned untouched.

What is refused (as a `Refusal` value): a negative discount, one not in whole kopecks, one larger
than the deal total, rows with a negative price or quantity or with more than 4 quantity
decimals, and one narrow case: a row whose total has fractions of a kopeck (e.g. 10.01 × 0.5)
can only drop to the kopeck below it, so when the discount is smaller than the fractions the
rows carry, the target is unreachable without raising some price.

No per-unit price ever rises: pieces cost at most the row's old price when that price is whole
kopecks (a legacy 3-decimal price may be exceeded by less than a kopeck on the +1 piece).
"""

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from math import floor

from automations.pricing import refusals
from automations.pricing.money import (
    MAX_QUANTITY_DECIMALS,
    from_kopecks,
    in_kopecks,
    is_whole_kopecks,
    quantity_decimals,
)
from automations.pricing.refusals import Refusal
from automations.pricing.row_prices import money_discount_rate, money_discount_sum
from automations.pricing.rows import DiscountType, ProductRow, deal_total, row_total


def distribute_money_discount(
    rows: Sequence[ProductRow], discount: Decimal
) -> tuple[ProductRow, ...] | Refusal:
    """The rows re-priced so the deal costs exactly `deal_total(rows) − discount`."""
    refusal = _find_discount_problem(discount) or find_rows_problem(rows)
    if refusal is not None:
        return refusal
    total = deal_total(rows)
    if discount > total:
        return refusals.discount_exceeds_total(discount, total)
    if discount == 0:
        return tuple(rows)
    return reprice_to_total(rows, total - discount)


def reprice_to_total(
    rows: Sequence[ProductRow], total: Decimal
) -> tuple[ProductRow, ...] | Refusal:
    """The rows re-priced so their totals add up to exactly `total`.

    `total` must be whole kopecks and not negative (a programming error otherwise: ValueError).
    """
    if total < 0 or not is_whole_kopecks(total):
        raise ValueError(f"a target total must be whole, non-negative kopecks, not {total}")
    totals = [in_kopecks(row_total(row)) for row in rows]
    if in_kopecks(total) == sum(totals):
        return tuple(rows)
    caps = [floor(row_kopecks) for row_kopecks in totals]
    if in_kopecks(total) > sum(caps):
        return refusals.discount_too_small_for_fractions(total, from_kopecks(sum(caps)))
    shares = allocate_kopecks(totals, caps, int(in_kopecks(total)))
    return tuple(
        piece
        for row, row_kopecks, share in zip(rows, totals, shares, strict=True)
        for piece in ((row,) if share == row_kopecks else reprice_row(row, share))
    )


def allocate_kopecks(weights: Sequence[Fraction], caps: Sequence[int], target: int) -> list[int]:
    """Whole-kopeck shares of `target` proportional to `weights`, each ≤ its cap (largest remainder).

    Needs `target ≤ sum(caps)`. Ties go to the earlier row, so the result is deterministic.
    """
    weight_sum = sum(weights, Fraction(0))
    if weight_sum == 0:
        return [0] * len(weights)
    ideals = [target * weight / weight_sum for weight in weights]
    shares = [min(floor(ideal), cap) for ideal, cap in zip(ideals, caps, strict=True)]
    by_remainder = sorted(range(len(shares)), key=lambda i: (shares[i] - ideals[i], i))
    missing = target - sum(shares)
    while missing > 0:
        for i in by_remainder:
            if missing > 0 and shares[i] < caps[i]:
                shares[i] += 1
                missing -= 1
    return shares


def reprice_row(row: ProductRow, kopecks: int) -> tuple[ProductRow, ...]:
    """The row at a total of exactly `kopecks`: one piece, or two split at the row's precision."""
    decimals = quantity_decimals(row.quantity) or 0
    steps = int(row.quantity.scaleb(decimals))
    price, dearer_steps = divmod(kopecks * 10**decimals, steps)
    if dearer_steps == 0:
        return (_priced(row, price, row.quantity),)
    return (
        _priced(row, price, Decimal(steps - dearer_steps).scaleb(-decimals)),
        _priced(row, price + 1, Decimal(dearer_steps).scaleb(-decimals)),
    )


def find_rows_problem(rows: Sequence[ProductRow]) -> Refusal | None:
    for row in rows:
        refusal = _find_row_problem(row)
        if refusal is not None:
            return refusal
    return None


def _find_row_problem(row: ProductRow) -> Refusal | None:
    decimals = quantity_decimals(row.quantity)
    if decimals is None or row.quantity < 0:
        return refusals.invalid_row(row.product_id, "количество некорректно", "invalid quantity")
    if decimals > MAX_QUANTITY_DECIMALS:
        return refusals.quantity_too_precise(row.product_id, row.quantity)
    if not (row.price.is_finite() and row.price_brutto.is_finite()) or row.price < 0:
        return refusals.invalid_row(row.product_id, "цена некорректна", "invalid price")
    return None


def _find_discount_problem(discount: Decimal) -> Refusal | None:
    if not discount.is_finite() or discount < 0:
        return refusals.negative_discount(discount)
    if not is_whole_kopecks(discount):
        return refusals.discount_not_in_kopecks(discount)
    return None


def _priced(row: ProductRow, price_kopecks: int, quantity: Decimal) -> ProductRow:
    price = from_kopecks(price_kopecks)
    discount_sum = money_discount_sum(row.price_brutto, price, row.tax_rate)
    return replace(
        row,
        price=price,
        quantity=quantity,
        discount_type=DiscountType.MONEY,
        discount_sum=discount_sum,
        discount_rate=money_discount_rate(row.price_brutto, discount_sum, row.tax_rate),
    )
