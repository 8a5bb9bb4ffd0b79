from decimal import Decimal
from itertools import groupby

from hypothesis import given
from hypothesis import strategies as st

from automations.pricing import (
    KitComponent,
    KitDefinition,
    MoneyDiscount,
    PercentDiscount,
    ProductRow,
    Refusal,
    RefusalCode,
    expand_kits,
    kit_price,
    kit_total,
    row_total,
)
from automations.pricing.kits import kit_list_price
from tests.automations.pricing.strategies import TAX_RATES, deals, money, quantities

KIT_IDS = (901, 902)
FRACTION_REFUSALS = {
    RefusalCode.QUANTITY_TOO_PRECISE,
    RefusalCode.DISCOUNT_TOO_SMALL_FOR_FRACTIONS,
}


@st.composite
def kit_components(draw: st.DrawFn, product_id: int, *, whole: bool) -> KitComponent:
    return KitComponent(
        product_id=product_id,
        name=f"Part {product_id}",
        quantity=draw(quantities(whole=whole, max_decimals=2)),
        price_brutto=draw(money(2_000_000)),
        tax_rate=draw(TAX_RATES),
        tax_included=draw(st.booleans()),
    )


@st.composite
def kits(draw: st.DrawFn, kit_id: int, *, whole: bool = True) -> KitDefinition:
    count = draw(st.integers(1, 6))
    components = tuple(draw(kit_components(kit_id * 10 + n, whole=whole)) for n in range(count))
    list_kopecks = int(sum(c.price_brutto * c.quantity for c in components) * 100)
    discount = draw(
        st.one_of(
            st.integers(0, list_kopecks).map(lambda k: MoneyDiscount(Decimal(k).scaleb(-2))),
            st.integers(0, 10000).map(lambda r: PercentDiscount(Decimal(r).scaleb(-2))),
        )
    )
    return KitDefinition(product_id=kit_id, components=components, discount=discount)


@st.composite
def kit_rows(draw: st.DrawFn, kit_id: int, *, whole: bool = True) -> ProductRow:
    return ProductRow(
        product_id=kit_id,
        name=f"Kit {kit_id}",
        price_brutto=Decimal("1.00"),
        price=Decimal("1.00"),
        quantity=draw(quantities(whole=whole, max_decimals=2)),
        is_bundle=True,
    )


@st.composite
def deals_with_kits(
    draw: st.DrawFn, *, whole: bool = True
) -> tuple[list[ProductRow], dict[int, KitDefinition]]:
    rows = draw(deals())
    for kit_id in KIT_IDS:
        rows.insert(draw(st.integers(0, len(rows))), draw(kit_rows(kit_id, whole=whole)))
    return rows, {kit_id: draw(kits(kit_id, whole=whole)) for kit_id in KIT_IDS}


def is_component_of(row: ProductRow, kit_id: int) -> bool:
    return row.product_id // 10 == kit_id


class TestKitExpansionProperties:
    @given(deals_with_kits())
    def test_each_kit_costs_exactly_its_price_after_discount_times_quantity(
        self, case: tuple[list[ProductRow], dict[int, KitDefinition]]
    ) -> None:
        rows, definitions = case
        result = expand_kits(rows, definitions)

        assert not isinstance(result, Refusal)
        for kit_row in (row for row in rows if row.product_id in definitions):
            kit = definitions[kit_row.product_id]
            parts = [r for r in result.rows if is_component_of(r, kit.product_id)]
            assert sum(row_total(part) for part in parts) == kit_price(kit) * kit_row.quantity
            assert kit_total(kit, kit_row.quantity) == kit_price(kit) * kit_row.quantity
            assert kit_price(kit) <= kit_list_price(kit)

    @given(deals_with_kits(whole=False))
    def test_fractional_kits_cost_their_floored_total_or_are_refused_for_precision(
        self, case: tuple[list[ProductRow], dict[int, KitDefinition]]
    ) -> None:
        rows, definitions = case
        result = expand_kits(rows, definitions)

        if isinstance(result, Refusal):
            assert result.code in FRACTION_REFUSALS
            return
        for kit_row in (row for row in rows if row.product_id in definitions):
            kit = definitions[kit_row.product_id]
            parts = [r for r in result.rows if is_component_of(r, kit.product_id)]
            assert sum(row_total(part) for part in parts) == kit_total(kit, kit_row.quantity)

    @given(deals_with_kits())
    def test_other_rows_are_untouched_and_keep_their_order(
        self, case: tuple[list[ProductRow], dict[int, KitDefinition]]
    ) -> None:
        rows, definitions = case
        result = expand_kits(rows, definitions)

        assert not isinstance(result, Refusal)
        outside = [r for r in rows if r.product_id not in definitions]
        kept = [r for r in result.rows if not any(is_component_of(r, k) for k in KIT_IDS)]
        assert len(kept) == len(outside)
        assert all(a is b for a, b in zip(kept, outside, strict=True))

    @given(deals_with_kits())
    def test_kit_rows_become_their_components_in_place_and_in_definition_order(
        self, case: tuple[list[ProductRow], dict[int, KitDefinition]]
    ) -> None:
        rows, definitions = case
        result = expand_kits(rows, definitions)

        assert not isinstance(result, Refusal)
        expected: list[int] = []
        for row in rows:
            kit = definitions.get(row.product_id)
            expected += [row.product_id] if kit is None else [c.product_id for c in kit.components]
        assert [
            product_id for product_id, _ in groupby(r.product_id for r in result.rows)
        ] == expected
        for kit_row in (row for row in rows if row.product_id in definitions):
            for component in definitions[kit_row.product_id].components:
                pieces = [r for r in result.rows if r.product_id == component.product_id]
                assert sum(p.quantity for p in pieces) == component.quantity * kit_row.quantity
                assert all(Decimal(0) <= p.price <= component.price_brutto for p in pieces)
