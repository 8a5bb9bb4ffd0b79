from decimal import Decimal
from fractions import Fraction
from itertools import groupby
from math import ceil, floor

from hypothesis import assume, given
from hypothesis import strategies as st

from automations.pricing import (
    DiscountType,
    MoneyDiscount,
    ProductRow,
    Refusal,
    RefusalCode,
    deal_total,
    distribute_money_discount,
    prices_as_stored,
    row_total,
)
from automations.pricing.discount_distribution import allocate_kopecks
from automations.pricing.money import quantity_decimals
from tests.automations.pricing.strategies import deals

Pieces = list[tuple[ProductRow, list[ProductRow]]]


@st.composite
def deals_with_discount(
    draw: st.DrawFn, *, whole: bool = False
) -> tuple[list[ProductRow], Decimal]:
    rows = draw(deals(whole=whole))
    total_kopecks = int(deal_total(rows) * 100)
    discount = draw(st.integers(0, total_kopecks))
    return rows, Decimal(discount).scaleb(-2)


def pieces_by_row(rows: list[ProductRow], result: tuple[ProductRow, ...]) -> Pieces:
    grouped = [list(group) for _, group in groupby(result, key=lambda piece: piece.product_id)]
    return list(zip(rows, grouped, strict=True))


def accepted(case: tuple[list[ProductRow], Decimal]) -> Pieces:
    """Each row with its pieces, discarding the rare refused example."""
    rows, discount = case
    result = distribute_money_discount(rows, discount)
    assume(not isinstance(result, Refusal))
    assert not isinstance(result, Refusal)
    return pieces_by_row(rows, result)


def kopecks(amount: Decimal) -> Fraction:
    return Fraction(amount) * 100


class TestMoneyDiscountProperties:
    @given(deals_with_discount())
    def test_totals_are_exact_or_the_refusal_is_the_fractions_one(
        self, case: tuple[list[ProductRow], Decimal]
    ) -> None:
        rows, discount = case
        result = distribute_money_discount(rows, discount)
        target = deal_total(rows) - discount
        if isinstance(result, Refusal):
            assert result.code is RefusalCode.DISCOUNT_TOO_SMALL_FOR_FRACTIONS
            assert sum(floor(kopecks(row_total(row))) for row in rows) < kopecks(target)
            return
        if discount == 0:
            assert result == tuple(rows)
            return
        assert sum((row_total(piece) for piece in result), Decimal(0)) == target
        assert deal_total(result) == target

    @given(deals_with_discount(whole=True))
    def test_whole_quantities_are_never_refused(
        self, case: tuple[list[ProductRow], Decimal]
    ) -> None:
        rows, discount = case
        result = distribute_money_discount(rows, discount)

        assert not isinstance(result, Refusal)
        assert sum(row_total(piece) for piece in result) == deal_total(rows) - discount

    @given(deals_with_discount())
    def test_no_price_is_negative_or_raised(self, case: tuple[list[ProductRow], Decimal]) -> None:
        for row, pieces in accepted(case):
            assert all(Decimal(0) <= piece.price <= row.price for piece in pieces)
            assert all(piece.discount_sum >= 0 for piece in pieces)

    @given(deals_with_discount())
    def test_rows_are_split_only_when_no_single_price_is_exact(
        self, case: tuple[list[ProductRow], Decimal]
    ) -> None:
        for row, pieces in accepted(case):
            assert len(pieces) in (1, 2)
            assert sum(piece.quantity for piece in pieces) == row.quantity
            if len(pieces) == 2:
                cheap, dear = pieces
                single_price = kopecks(row_total(cheap) + row_total(dear)) / Fraction(row.quantity)
                assert single_price.denominator != 1
                assert dear.price - cheap.price == Decimal("0.01")
                assert max(quantity_decimals(p.quantity) or 0 for p in pieces) <= (
                    quantity_decimals(row.quantity) or 0
                )

    @given(deals_with_discount())
    def test_order_ids_and_row_details_are_preserved(
        self, case: tuple[list[ProductRow], Decimal]
    ) -> None:
        for row, pieces in accepted(case):
            for piece in pieces:
                assert (piece.product_id, piece.name, piece.sort) == (
                    row.product_id,
                    row.name,
                    row.sort,
                )
                assert (piece.tax_rate, piece.tax_included) == (row.tax_rate, row.tax_included)
                assert piece.price_brutto == row.price_brutto

    @given(deals_with_discount(whole=True))
    def test_shares_are_proportional_to_within_a_kopeck(
        self, case: tuple[list[ProductRow], Decimal]
    ) -> None:
        rows, discount = case
        result = distribute_money_discount(rows, discount)
        assert not isinstance(result, Refusal)
        before = kopecks(sum((row_total(row) for row in rows), Decimal(0)))
        assume(before > 0)
        after = before - kopecks(discount)
        for row, pieces in pieces_by_row(rows, result):
            ideal = after * kopecks(row_total(row)) / before
            share = sum((row_total(piece) for piece in pieces), Decimal(0))
            assert abs(kopecks(share) - ideal) < 1

    @given(deals_with_discount())
    def test_discounted_rows_show_a_money_discount_bitrix_reads_back_to_the_list_price(
        self, case: tuple[list[ProductRow], Decimal]
    ) -> None:
        for row, pieces in accepted(case):
            changed = [piece for piece in pieces if piece is not row]
            for piece in changed:
                stored = prices_as_stored(
                    piece.price, MoneyDiscount(piece.discount_sum), row.tax_rate
                )
                assert piece.discount_type is DiscountType.MONEY
                assert stored.price_netto == row.price_netto

    @given(deals(), st.integers(1, 10_000_000))
    def test_discount_above_the_total_is_refused_in_both_languages(
        self, rows: list[ProductRow], excess_kopecks: int
    ) -> None:
        discount = deal_total(rows) + Decimal(excess_kopecks).scaleb(-2)

        result = distribute_money_discount(rows, discount)

        assert isinstance(result, Refusal)
        assert result.code is RefusalCode.DISCOUNT_EXCEEDS_TOTAL
        assert str(discount) in result.message_ru
        assert str(discount) in result.message_en


class TestAllocateKopecksProperties:
    @given(st.lists(st.integers(0, 10**9), min_size=1, max_size=10), st.data())
    def test_shares_round_ideal_shares_by_largest_remainder(
        self, weights: list[int], data: st.DataObject
    ) -> None:
        assume(sum(weights) > 0)
        target = data.draw(st.integers(0, sum(weights)))
        ideals = [Fraction(target * weight, sum(weights)) for weight in weights]

        shares = allocate_kopecks([Fraction(w) for w in weights], weights, target)

        assert sum(shares) == target
        assert all(floor(i) <= share <= ceil(i) for share, i in zip(shares, ideals, strict=True))
        rounded_up = [i - floor(i) for share, i in zip(shares, ideals, strict=True) if share > i]
        rounded_down = [i - floor(i) for share, i in zip(shares, ideals, strict=True) if share < i]
        if rounded_up and rounded_down:
            assert min(rounded_up) >= max(rounded_down)
