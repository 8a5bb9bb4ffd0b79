from decimal import Decimal

import pytest

from automations.pricing import MoneyDiscount, PercentDiscount, prices_as_stored, prices_from_netto
from automations.pricing.row_prices import brutto_from_netto, money_discount_sum

D = Decimal


class TestPricesAsStored:
    """The four DOC examples of REST_FACTS §11.3, back-computed from the `price` sent."""

    def test_example_a_tax_included_twenty_percent(self) -> None:
        prices = prices_as_stored(D("80000"), PercentDiscount(D("20")), D("20"))

        assert prices.price_exclusive == D("66666.67")
        assert prices.price_netto == D("83333.34")
        assert prices.price_brutto == D("100000.01")
        assert prices.discount_sum == D("16666.67")

    def test_example_b_ten_percent_tax_and_discount(self) -> None:
        prices = prices_as_stored(D("90000"), PercentDiscount(D("10")), D("10"))

        assert prices.price_exclusive == D("81818.18")
        assert prices.price_netto == D("90909.09")
        assert prices.price_brutto == D("100000.00")
        assert prices.discount_sum == D("9090.91")

    def test_example_c_tax_not_included_still_in_price(self) -> None:
        prices = prices_as_stored(D("22175.328"), PercentDiscount(D("40")), D("12"))

        assert prices.price_exclusive == D("19799.40")
        assert prices.price_netto == D("32999.00")
        assert prices.price_brutto == D("36958.88")
        assert prices.discount_sum == D("13199.60")

    def test_example_d_without_tax(self) -> None:
        prices = prices_as_stored(D("899.1"), PercentDiscount(D("10")), None)

        assert prices.price_exclusive == D("899.10")
        assert prices.price_netto == D("999.00")
        assert prices.price_brutto == D("999.00")
        assert prices.discount_sum == D("99.90")

    def test_money_discount_adds_discount_sum_to_the_exclusive_price(self) -> None:
        prices = prices_as_stored(D("96.00"), MoneyDiscount(D("20.00")), D("20"))

        assert prices.price_exclusive == D("80.00")
        assert prices.price_netto == D("100.00")
        assert prices.price_brutto == D("120.00")
        assert prices.discount_rate == D("20.00")

    def test_full_percent_discount_cannot_be_back_computed(self) -> None:
        with pytest.raises(ValueError, match="discount_sum"):
            prices_as_stored(D("0"), PercentDiscount(D("100")), None)


class TestPricesFromNetto:
    def test_example_c_forwards_keeps_three_decimals(self) -> None:
        prices = prices_from_netto(D("32999"), PercentDiscount(D("40")), D("12"))

        assert prices.discount_sum == D("13199.6")
        assert prices.price_exclusive == D("19799.4")
        assert prices.price == D("22175.328")
        assert prices.price_brutto == D("36958.88")

    def test_example_d_forwards(self) -> None:
        prices = prices_from_netto(D("999"), PercentDiscount(D("10")), None)

        assert prices.discount_sum == D("99.9")
        assert prices.price == prices.price_exclusive == D("899.1")
        assert prices.price_brutto == D("999")

    def test_examples_a_and_b_forwards_land_within_a_kopeck_of_the_price_sent(self) -> None:
        a = prices_from_netto(D("83333.34"), PercentDiscount(D("20")), D("20"))
        b = prices_from_netto(D("90909.09"), PercentDiscount(D("10")), D("10"))

        assert abs(a.price - D("80000")) < D("0.01")
        assert abs(b.price - D("90000")) < D("0.01")

    def test_money_discount_comes_off_before_tax(self) -> None:
        prices = prices_from_netto(D("100"), MoneyDiscount(D("10")), D("20"))

        assert prices.price == D("108")
        assert prices.discount_rate == D("10.00")


class TestMoneyDiscountSum:
    def test_is_the_tax_exclusive_difference_bitrix_will_add_back(self) -> None:
        discount_sum = money_discount_sum(D("120.00"), D("99.97"), D("20"))
        stored = prices_as_stored(D("99.97"), MoneyDiscount(discount_sum), D("20"))

        assert discount_sum == D("16.69")
        assert stored.price_netto == D("100.00")
        assert stored.price_brutto == D("120.00")

    def test_catalog_netto_price_becomes_the_stored_brutto(self) -> None:
        assert brutto_from_netto(D("83.33"), D("20")) == D("100.00")
        assert brutto_from_netto(D("10"), None) == D("10.00")
