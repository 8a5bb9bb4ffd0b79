"""Building product rows for tests: an undiscounted row with readable defaults."""

from decimal import Decimal

from automations.pricing import ProductRow


def a_row(
    price: str,
    quantity: str = "1",
    *,
    product_id: int = 1,
    tax_rate: str | None = None,
    tax_included: bool = False,
) -> ProductRow:
    return ProductRow(
        product_id=product_id,
        name=f"Product {product_id}",
        price_brutto=Decimal(price),
        price=Decimal(price),
        quantity=Decimal(quantity),
        tax_rate=None if tax_rate is None else Decimal(tax_rate),
        tax_included=tax_included,
    )
