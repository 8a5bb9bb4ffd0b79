from decimal import Decimal

import pytest

from automations.pricing import (
    DiscountType,
    ProductRow,
    Refusal,
    RefusalCode,
    deal_total,
    distribute_money_discount,
    reprice_to_total,
    row_total,
)
from tests.automations.pricing.sample_rows import a_row

D = Decimal


def distributed(rows: list[ProductRow], discount: str) -> tuple[ProductRow, ...]:
    result = distribute_money_discount(rows, D(discount))
    assert not isinstance(result, Refusal), result
    return result


def refusal(rows: list[ProductRow], discount: str) -> Refusal:
    result = distribute_money_discount(rows, D(discount))
    assert isinstance(result, Refusal)
    return result


class TestMoneyDiscount:
    def test_spreads_discount_in_proportion_to_row_totals(self) -> None:
        rows = [a_row("300.00", product_id=1), a_row("100.00", product_id=2)]

        result = distributed(rows, "40.00")

        assert [r.price for r in result] == [D("270.00"), D("90.00")]
        assert deal_total(result) == D("360.00")

    def test_gives_leftover_kopecks_to_largest_remainders(self) -> None:
        rows = [a_row("100.00", product_id=n) for n in (1, 2, 3)]

        result = distributed(rows, "1.00")

        # Each row should cost 99.666…: on a tie the earlier rows get the leftover kopecks.
        assert [r.price for r in result] == [D("99.67"), D("99.67"), D("99.66")]

    def test_keeps_one_row_when_per_unit_price_is_exact(self) -> None:
        result = distributed([a_row("100.00", "4")], "10.00")

        assert len(result) == 1
        assert result[0].price == D("97.50")
        assert result[0].quantity == D("4")

    def test_splits_row_when_per_unit_discount_cannot_be_exact(self) -> None:
        result = distributed([a_row("100.00", "3")], "1.00")

        assert [(r.quantity, r.price) for r in result] == [
            (D("1"), D("99.66")),
            (D("2"), D("99.67")),
        ]
        assert sum(row_total(r) for r in result) == D("299.00")

    def test_marks_rows_as_money_discounts_on_the_tax_exclusive_price(self) -> None:
        result = distributed([a_row("120.00", tax_rate="20", tax_included=True)], "12.00")

        assert result[0].price == D("108.00")
        assert result[0].discount_type is DiscountType.MONEY
        assert result[0].discount_sum == D("10.00")
        assert result[0].discount_rate == D("10.00")
        assert result[0].tax_included is True

    def test_splits_fractional_quantity_at_its_own_precision(self) -> None:
        result = distributed([a_row("100.00", "0.333")], "0.01")

        assert [(r.quantity, r.price) for r in result] == [
            (D("0.001"), D("99.96")),
            (D("0.332"), D("99.97")),
        ]
        assert sum(row_total(r) for r in result) == D("33.29")

    def test_leaves_rows_without_a_share_untouched(self) -> None:
        rows = [a_row("1000.00", product_id=1), a_row("0.01", product_id=2)]

        result = distributed(rows, "1.00")

        assert result[1] is rows[1]
        assert result[0].price == D("999.00")

    def test_zero_discount_changes_nothing(self) -> None:
        rows = [a_row("10.01", "0.5")]

        assert distributed(rows, "0") == tuple(rows)

    def test_discount_equal_to_total_makes_every_price_zero(self) -> None:
        result = distributed([a_row("10.00", "3"), a_row("5.55", "0.5", product_id=2)], "32.78")

        assert {r.price for r in result} == {D("0.00")}

    def test_refuses_discount_larger_than_the_total(self) -> None:
        refused = refusal([a_row("100.00")], "100.01")

        assert refused.code is RefusalCode.DISCOUNT_EXCEEDS_TOTAL
        assert "больше суммы сделки 100.00" in refused.message_ru
        assert "exceeds the deal total 100.00" in refused.message_en

    @pytest.mark.parametrize("discount", ["-1.00", "0.001", "NaN"])
    def test_refuses_discounts_that_are_not_whole_positive_kopecks(self, discount: str) -> None:
        assert refusal([a_row("100.00")], discount).code in {
            RefusalCode.NEGATIVE_DISCOUNT,
            RefusalCode.DISCOUNT_NOT_IN_KOPECKS,
        }

    def test_refuses_quantities_bitrix_cannot_store(self) -> None:
        assert (
            refusal([a_row("100.00", "0.33333")], "1.00").code is RefusalCode.QUANTITY_TOO_PRECISE
        )

    def test_refuses_negative_prices_in_the_input(self) -> None:
        assert refusal([a_row("-1.00")], "0.00").code is RefusalCode.INVALID_ROW

    def test_refuses_a_kopeck_too_small_for_the_fractions_rows_carry(self) -> None:
        # Three rows of 0.335: the deal shows 1.01, the rows can drop to 0.99 at most
        # without raising a price, so 1.00 is unreachable.
        rows = [a_row("0.67", "0.5", product_id=n) for n in (1, 2, 3)]

        refused = refusal(rows, "0.01")

        assert refused.code is RefusalCode.DISCOUNT_TOO_SMALL_FOR_FRACTIONS
        assert distribute_money_discount(rows, D("0.02")) == reprice_to_total(rows, D("0.99"))


class TestRepriceToTotal:
    def test_refuses_to_work_on_a_target_in_fractions_of_a_kopeck(self) -> None:
        with pytest.raises(ValueError, match="whole"):
            reprice_to_total([a_row("1.00")], D("0.005"))
