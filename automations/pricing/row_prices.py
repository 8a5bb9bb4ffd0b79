"""Bitrix24 product-row price arithmetic (REST_FACTS §11.3, derived from the four DOC examples).

Per unit, `price` is after discount and including tax whatever `taxIncluded` says; the discount
(`discountSum`) is taken from the tax-exclusive price:

    price_exclusive = price_netto − discount_sum
    discount_sum    = price_netto × discount_rate / 100        (percent discount)
    price           = price_exclusive × (1 + tax_rate / 100)
    price_brutto    = price_netto × (1 + tax_rate / 100)

`prices_from_netto` runs these forwards, exactly. `prices_as_stored` reproduces what the API
keeps after you send `price`: it back-computes the other fields and rounds each to 2 dp.
"""

from dataclasses import dataclass
from decimal import Decimal

from automations.pricing.money import round_money

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class MoneyDiscount:
    """An absolute discount: per unit on a row (tax-exclusive), per kit in a kit definition."""

    amount: Decimal


@dataclass(frozen=True, slots=True)
class PercentDiscount:
    rate: Decimal


Discount = MoneyDiscount | PercentDiscount


@dataclass(frozen=True, slots=True)
class RowPrices:
    """The per-unit price fields of one product row, snake_case of the Bitrix24 names."""

    price: Decimal
    price_exclusive: Decimal
    price_netto: Decimal
    price_brutto: Decimal
    discount_sum: Decimal
    discount_rate: Decimal


def tax_factor(tax_rate: Decimal | None) -> Decimal:
    return Decimal(1) if tax_rate is None else 1 + tax_rate / HUNDRED


def prices_from_netto(
    price_netto: Decimal, discount: Discount, tax_rate: Decimal | None
) -> RowPrices:
    """The fields from the price before discount and tax, unrounded (DOC example C keeps 3 dp)."""
    if isinstance(discount, PercentDiscount):
        discount_sum = price_netto * discount.rate / HUNDRED
    else:
        discount_sum = discount.amount
    price_exclusive = price_netto - discount_sum
    factor = tax_factor(tax_rate)
    return RowPrices(
        price=price_exclusive * factor,
        price_exclusive=price_exclusive,
        price_netto=price_netto,
        price_brutto=price_netto * factor,
        discount_sum=discount_sum,
        discount_rate=_rate_of(discount, price_netto),
    )


def prices_as_stored(price: Decimal, discount: Discount, tax_rate: Decimal | None) -> RowPrices:
    """What Bitrix24 stores after receiving `price` with this discount (DOC examples A-D).

    A 100 % percent discount cannot be back-computed (the API demands `discountSum` then), so it
    raises ValueError; send a MoneyDiscount instead.
    """
    factor = tax_factor(tax_rate)
    price_exclusive = round_money(price / factor)
    if isinstance(discount, PercentDiscount):
        if discount.rate >= HUNDRED:
            raise ValueError("a 100 % discount needs discount_sum: use MoneyDiscount")
        price_netto = round_money(price_exclusive / (1 - discount.rate / HUNDRED))
        discount_sum = price_netto - price_exclusive
    else:
        price_netto = price_exclusive + discount.amount
        discount_sum = discount.amount
    return RowPrices(
        price=price,
        price_exclusive=price_exclusive,
        price_netto=price_netto,
        price_brutto=round_money(price_netto * factor),
        discount_sum=discount_sum,
        discount_rate=_rate_of(discount, price_netto),
    )


def brutto_from_netto(price_netto: Decimal, tax_rate: Decimal | None) -> Decimal:
    """A catalog price kept without tax, as the 2 dp tax-inclusive price Bitrix24 stores."""
    return round_money(price_netto * tax_factor(tax_rate))


def money_discount_sum(price_brutto: Decimal, price: Decimal, tax_rate: Decimal | None) -> Decimal:
    """The per-unit `discountSum` to send with `price` for a row listed at `price_brutto`.

    Bitrix24 stores price_exclusive = round(price / factor) and price_netto = price_exclusive +
    discount_sum, so this choice makes the stored netto equal round(price_brutto / factor).
    """
    factor = tax_factor(tax_rate)
    return round_money(price_brutto / factor) - round_money(price / factor)


def money_discount_rate(
    price_brutto: Decimal, discount_sum: Decimal, tax_rate: Decimal | None
) -> Decimal:
    """The percent shown with a money discount (whether Bitrix24 fills it is UNCONFIRMED)."""
    price_netto = round_money(price_brutto / tax_factor(tax_rate))
    return _rate_of(MoneyDiscount(discount_sum), price_netto)


def _rate_of(discount: Discount, price_netto: Decimal) -> Decimal:
    if isinstance(discount, PercentDiscount):
        return discount.rate
    if price_netto == 0:
        return Decimal(0)
    return round_money(discount.amount / price_netto * HUNDRED)
