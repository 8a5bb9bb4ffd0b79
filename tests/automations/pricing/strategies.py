"""Hypothesis strategies for product rows, quantities and discounts."""

from decimal import Decimal

from hypothesis import strategies as st

from automations.pricing import ProductRow

TAX_RATES = st.sampled_from([None, Decimal(0), Decimal(10), Decimal(20)])


def money(max_kopecks: int) -> st.SearchStrategy[Decimal]:
    return st.integers(0, max_kopecks).map(lambda kopecks: Decimal(kopecks).scaleb(-2))


@st.composite
def quantities(draw: st.DrawFn, *, whole: bool = False, max_decimals: int = 4) -> Decimal:
    decimals = 0 if whole else draw(st.integers(0, max_decimals))
    steps = draw(st.integers(1, 500 * 10**decimals))
    return Decimal(steps).scaleb(-decimals)


@st.composite
def product_rows(draw: st.DrawFn, product_id: int, *, whole: bool = False) -> ProductRow:
    price_brutto = draw(money(5_000_000))
    existing_discount = draw(money(int(price_brutto * 100)))
    return ProductRow(
        product_id=product_id,
        name=f"Product {product_id}",
        price_brutto=price_brutto,
        price=price_brutto - existing_discount,
        quantity=draw(quantities(whole=whole)),
        tax_rate=draw(TAX_RATES),
        tax_included=draw(st.booleans()),
        sort=10 * product_id,
    )


@st.composite
def deals(draw: st.DrawFn, *, whole: bool = False) -> list[ProductRow]:
    """Rows with distinct product ids (1, 2, …) so pieces can be traced back to their row."""
    count = draw(st.integers(1, 8))
    return [draw(product_rows(product_id, whole=whole)) for product_id in range(1, count + 1)]
