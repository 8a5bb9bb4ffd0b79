"""Kopecks as the portal shows and stores money, and back."""

from decimal import Decimal, InvalidOperation
from typing import Any

from automations.pricing.money import from_kopecks


def as_field(kopecks: int) -> str:
    """The value written to a money-like field: roubles with two decimals."""
    return f"{from_kopecks(kopecks):.2f}"


def as_rubles(kopecks: int) -> str:
    """For people: ``12 345,50 ₽``."""
    whole = f"{from_kopecks(kopecks):,.2f}".replace(",", " ").replace(".", ",")
    return f"{whole} ₽"


def field_kopecks(value: Any) -> int | None:
    """A field value (``1500.00``, ``1500|RUB``, empty) in kopecks; None when unreadable."""
    text = str(value if value is not None else "").split("|", 1)[0].strip()
    if not text:
        return 0
    try:
        amount = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    return int(amount * 100) if amount.is_finite() and amount * 100 % 1 == 0 else None
