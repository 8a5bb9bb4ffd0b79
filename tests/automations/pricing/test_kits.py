from decimal import Decimal

from automations.pricing import (
    DiscountType,
    ExpansionResult,
    KitComponent,
    KitDefinition,
    MoneyDiscount,
    PercentDiscount,
    ProductRow,
    Refusal,
    RefusalCode,
    deal_total,
    expand_kits,
    find_kit_problem,
    kit_price,
    kit_total,
    row_total,
)
from automations.pricing.row_prices import Discount
from tests.automations.pricing.sample_rows import a_row

D = Decimal
KIT_ID = 900
THOUSAND_OFF = MoneyDiscount(D("1000.00"))
NO_KIT_DISCOUNT = MoneyDiscount(D("0"))


def a_component(product_id: int, price: str, quantity: str = "1") -> KitComponent:
    return KitComponent(
        product_id=product_id,
        name=f"Part {product_id}",
        quantity=D(quantity),
        price_brutto=D(price),
        tax_rate=D("20"),
        tax_included=True,
    )


def headlight_kit(discount: Discount = THOUSAND_OFF) -> KitDefinition:
    return KitDefinition(
        product_id=KIT_ID,
        components=(a_component(11, "12000.00", "2"), a_component(12, "3500.00", "2")),
        discount=discount,
    )


def expanded(rows: list[ProductRow], *kits: KitDefinition) -> ExpansionResult:
    result = expand_kits(rows, {kit.product_id: kit for kit in kits})
    assert not isinstance(result, Refusal), result
    return result


class TestKitPrice:
    def test_is_the_components_list_price_less_the_money_discount(self) -> None:
        assert kit_price(headlight_kit()) == D("30000.00")

    def test_rounds_a_percent_discount_half_up_to_kopecks(self) -> None:
        kit = KitDefinition(
            product_id=KIT_ID,
            components=(a_component(11, "999.99"),),
            discount=PercentDiscount(D("10")),
        )

        assert kit_price(kit) == D("899.99")  # 99.999 of discount rounds to 100.00

    def test_floors_a_list_price_in_fractions_of_a_kopeck(self) -> None:
        kit = KitDefinition(product_id=KIT_ID, components=(a_component(11, "10.01", "0.5"),))

        assert kit_price(kit) == D("5.00")

    def test_total_is_the_price_times_the_kit_quantity(self) -> None:
        assert kit_total(headlight_kit(), D("3")) == D("90000.00")


class TestKitExpansion:
    def test_replaces_the_kit_row_with_components_times_kit_quantity_in_place(self) -> None:
        before, after = a_row("100.00", product_id=1), a_row("50.00", product_id=2)
        kit_row = a_row("99999.00", "2", product_id=KIT_ID)

        five_percent_off = headlight_kit(MoneyDiscount(D("1550.00")))

        result = expanded([before, kit_row, after], five_percent_off)

        assert result.rows[0] is before
        assert result.rows[-1] is after
        assert [(r.product_id, r.quantity, r.price) for r in result.rows[1:-1]] == [
            (11, D(4), D("11400.00")),
            (12, D(4), D("3325.00")),
        ]
        assert result.expanded_kit_ids == (KIT_ID,)

    def test_deal_total_equals_the_kit_price_after_discount_exactly(self) -> None:
        result = expanded([a_row("1.00", "2", product_id=KIT_ID)], headlight_kit())

        assert sum(row_total(r) for r in result.rows) == D("60000.00")
        assert deal_total(result.rows) == kit_total(headlight_kit(), D(2))

    def test_components_carry_a_money_discount_and_the_kit_rows_sort(self) -> None:
        kit_row = ProductRow(
            product_id=KIT_ID,
            name="Headlight kit",
            price_brutto=D("1"),
            price=D("1"),
            quantity=D("1"),
            sort=30,
        )

        result = expanded([kit_row], headlight_kit())

        assert {r.sort for r in result.rows} == {30}
        assert {r.discount_type for r in result.rows} == {DiscountType.MONEY}
        assert all(r.price < r.price_brutto for r in result.rows)

    def test_splits_a_component_when_the_kit_discount_cannot_be_spread_exactly(self) -> None:
        kit = KitDefinition(
            product_id=KIT_ID,
            components=(a_component(11, "100.00", "3"),),
            discount=MoneyDiscount(D("1.00")),
        )

        result = expanded([a_row("1.00", product_id=KIT_ID)], kit)

        assert [(r.quantity, r.price) for r in result.rows] == [
            (D("1"), D("99.66")),
            (D("2"), D("99.67")),
        ]

    def test_kit_without_discount_gives_components_at_list_price(self) -> None:
        kit = headlight_kit(MoneyDiscount(D("0")))

        result = expanded([a_row("1.00", product_id=KIT_ID)], kit)

        assert [r.price for r in result.rows] == [D("12000.00"), D("3500.00")]
        assert {r.discount_type for r in result.rows} == {DiscountType.PERCENT}

    def test_reports_bundle_rows_that_have_no_definition(self) -> None:
        bundle = ProductRow(
            product_id=77,
            name="Unknown set",
            price_brutto=D("5"),
            price=D("5"),
            quantity=D("1"),
            is_bundle=True,
        )

        result = expanded([bundle], headlight_kit())

        assert result.rows == (bundle,)
        assert result.undefined_bundle_ids == (77,)
        assert result.expanded_kit_ids == ()

    def test_refuses_a_kit_whose_discount_exceeds_its_price(self) -> None:
        kit = headlight_kit(MoneyDiscount(D("31000.01")))

        result = expand_kits([a_row("1.00", product_id=KIT_ID)], {KIT_ID: kit})

        assert isinstance(result, Refusal)
        assert result.code is RefusalCode.INVALID_KIT
        assert "больше цены комплекта 31000.00" in result.message_ru
        assert "exceeds the kit price 31000.00" in result.message_en

    def test_refuses_component_quantities_bitrix_cannot_store(self) -> None:
        kit = KitDefinition(product_id=KIT_ID, components=(a_component(11, "10.00", "0.25"),))

        result = expand_kits([a_row("1.00", "0.333", product_id=KIT_ID)], {KIT_ID: kit})

        assert isinstance(result, Refusal)
        assert result.code is RefusalCode.QUANTITY_TOO_PRECISE

    def test_refuses_a_kit_with_no_components(self) -> None:
        kit = KitDefinition(product_id=KIT_ID, components=())

        problem = find_kit_problem(kit)

        assert problem is not None
        assert problem.code is RefusalCode.INVALID_KIT
        assert "no components" in problem.message_en

    def test_refuses_a_percent_discount_above_one_hundred(self) -> None:
        problem = find_kit_problem(headlight_kit(PercentDiscount(D("100.01"))))

        assert problem is not None
        assert problem.code is RefusalCode.INVALID_KIT

    def test_full_percent_discount_on_a_fractional_list_price_makes_the_kit_free(self) -> None:
        kit = KitDefinition(
            product_id=KIT_ID,
            components=(a_component(11, "10.01", "0.5"),),
            discount=PercentDiscount(D("100")),
        )

        result = expanded([a_row("1.00", product_id=KIT_ID)], kit)

        assert [(r.quantity, r.price) for r in result.rows] == [(D("0.5"), D("0.00"))]


def discounted_kit_row(
    price: str, *, rate: str = "0", money: str = "0", quantity: str = "1"
) -> ProductRow:
    """A kit row as the manager left it in the deal, with a discount of its own."""
    percent = money == "0"
    brutto = D(price)
    after = brutto - (brutto * D(rate) / 100 if percent else D(money))
    return ProductRow(
        product_id=KIT_ID,
        name="Kit",
        price_brutto=brutto,
        price=after,
        quantity=D(quantity),
        discount_type=DiscountType.PERCENT if percent else DiscountType.MONEY,
        discount_rate=D(rate),
        discount_sum=D(money) if not percent else brutto * D(rate) / 100,
        is_bundle=True,
    )


class TestKitRowDiscount:
    """Issue 11, defect 2: a kit row's own discount survives the expansion."""

    def kit_at(self, price: str, discount: Discount = NO_KIT_DISCOUNT) -> KitDefinition:
        component = KitComponent(product_id=11, name="Part", quantity=D(1), price_brutto=D(price))
        return KitDefinition(product_id=KIT_ID, components=(component,), discount=discount)

    def test_a_percent_discount_on_the_kit_row_is_kept(self) -> None:
        row = discounted_kit_row("45000.00", rate="10")
        result = expanded([row], self.kit_at("45000.00"))
        assert deal_total(result.rows) == deal_total([row]) == D("40500.00")

    def test_a_money_discount_on_the_kit_row_is_kept(self) -> None:
        row = discounted_kit_row("45000.00", money="4500.00", quantity="2")
        result = expanded([row], self.kit_at("45000.00"))
        assert deal_total(result.rows) == deal_total([row]) == D("81000.00")

    def test_the_row_discount_applies_on_top_of_the_kits_own(self) -> None:
        kit = self.kit_at("50000.00", PercentDiscount(D("10")))  # the kit itself costs 45,000
        result = expanded([discounted_kit_row("45000.00", rate="10")], kit)
        assert deal_total(result.rows) == D("40500.00")

    def test_a_row_discount_never_takes_more_than_the_definitions_kit_price(self) -> None:
        row = discounted_kit_row("150.00", money="120.00")  # the definition says 100.00
        result = expanded([row], self.kit_at("100.00"))
        assert deal_total(result.rows) == D("0.00")
