"""How numbers and dates read in a Russian document: ``1 234,56``, ``1,5``, ``02.12.2026``."""

from datetime import date
from decimal import Decimal

from automations.pricing.money import round_money

NBSP = "\u00a0"


def money(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    text = f"{round_money(amount):,.2f}"
    return text.replace(",", NBSP).replace(".", ",")


def quantity(amount: Decimal) -> str:
    text = f"{amount.normalize():f}"
    return text.replace(".", ",")


def rate(amount: Decimal | None) -> str:
    """A rate with at least two decimals, as banks quote it: ``92,10``, ``12,4567``."""
    if amount is None:
        return ""
    normal = amount.normalize()
    shown = normal if -int(normal.as_tuple().exponent) >= 2 else normal.quantize(Decimal("0.01"))
    return f"{shown:f}".replace(".", ",")


def day(value: date | str) -> str:
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    try:
        return date.fromisoformat(value[:10]).strftime("%d.%m.%Y")
    except ValueError:
        return value
