from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automations.bonuses.rules import Basis, BonusRow, BonusRules, compute_bonus
from automations.bonuses.settings import BonusSettingsError, bonus_rules
from automations.pricing import ProductRow, deal_total
from tests.automations.pricing.sample_rows import a_row
from tests.automations.pricing.strategies import deals

D = Decimal


def discounted(price: str, discounted_price: str, quantity: str, product_id: int) -> ProductRow:
    return ProductRow(
        product_id=product_id,
        name=f"Product {product_id}",
        price_brutto=D(price),
        price=D(discounted_price),
        quantity=D(quantity),
    )


class TestBonusRules:
    def test_percent_of_the_row_total_after_discount(self) -> None:
        rows = [BonusRow(discounted("1000.00", "900.00", "2", product_id=1))]
        bonus = compute_bonus(rows, BonusRules(product_percent={1: D("5")}))
        assert bonus.amount_kopecks == 9000  # 1800.00 × 5 %
        assert bonus.lines[0].basis is Basis.PRODUCT_PERCENT
        assert bonus.lines[0].row_total_kopecks == 180000

    def test_product_percent_beats_section_percent_beats_default(self) -> None:
        rows = [
            BonusRow(a_row("100.00", product_id=1), section_id=7),
            BonusRow(a_row("100.00", product_id=2), section_id=7),
            BonusRow(a_row("100.00", product_id=3), section_id=8),
        ]
        rules = BonusRules(
            default_percent=D("1"), product_percent={1: D("10")}, section_percent={7: D("3")}
        )
        bonus = compute_bonus(rows, rules)
        assert [line.amount_kopecks for line in bonus.lines] == [1000, 300, 100]
        assert [line.basis for line in bonus.lines] == [
            Basis.PRODUCT_PERCENT,
            Basis.SECTION_PERCENT,
            Basis.DEFAULT_PERCENT,
        ]
        assert bonus.amount_kopecks == 1400

    def test_fixed_amount_per_unit_for_a_group(self) -> None:
        rows = [BonusRow(a_row("5000.00", "3", product_id=4), section_id=9)]
        rules = BonusRules(product_percent={4: D("10")}, section_fixed={9: D("250.50")})
        bonus = compute_bonus(rows, rules)
        assert bonus.amount_kopecks == 75150
        assert bonus.lines[0].basis is Basis.SECTION_FIXED

    def test_service_rows_are_excluded_unless_included(self) -> None:
        rows = [BonusRow(a_row("700.00", product_id=5), is_service=True)]
        assert compute_bonus(rows, BonusRules(default_percent=D("10"))).amount_kopecks == 0
        included = BonusRules(default_percent=D("10"), include_services=True)
        assert compute_bonus(rows, included).amount_kopecks == 7000

    def test_each_row_rounds_half_up_to_kopecks(self) -> None:
        rows = [BonusRow(a_row("0.10", product_id=1)), BonusRow(a_row("0.10", product_id=2))]
        bonus = compute_bonus(rows, BonusRules(default_percent=D("5")))  # 0.005 each
        assert [line.amount_kopecks for line in bonus.lines] == [1, 1]
        assert bonus.amount_kopecks == 2


class TestSettings:
    def test_reads_tables_of_the_settings(self) -> None:
        rules = bonus_rules(
            {"bonus_rules": {"default_percent": "2,5", "section_percent": {"7": "3"}}}
        )
        assert rules.default_percent == D("2.5")
        assert rules.section_percent == {7: D("3")}

    @pytest.mark.parametrize(
        "raw",
        [
            {"default_percent": "-1"},
            {"default_percent": "101"},
            {"default_percent": "abc"},
            {"product_percent": {"x": "1"}},
            {"product_fixed": {"3": "NaN"}},
        ],
    )
    def test_refuses_malformed_entries_in_russian(self, raw: dict[str, object]) -> None:
        with pytest.raises(BonusSettingsError, match=r"нужн|не ID"):
            bonus_rules({"bonus_rules": raw})


PERCENTS = st.integers(0, 10_000).map(lambda hundredths: D(hundredths).scaleb(-2))


@st.composite
def rules_for(draw: st.DrawFn, product_ids: list[int]) -> BonusRules:
    ids = st.sampled_from(product_ids)
    return BonusRules(
        default_percent=draw(PERCENTS),
        product_percent=draw(st.dictionaries(ids, PERCENTS, max_size=3)),
        section_percent=draw(st.dictionaries(st.integers(1, 3), PERCENTS, max_size=2)),
        product_fixed=draw(
            st.dictionaries(ids, st.integers(0, 100_000).map(lambda k: D(k).scaleb(-2)), max_size=2)
        ),
        include_services=draw(st.booleans()),
    )


@st.composite
def bonus_cases(draw: st.DrawFn) -> tuple[list[BonusRow], BonusRules]:
    rows = draw(deals())
    sections = [draw(st.none() | st.integers(1, 3)) for _ in rows]
    services = [draw(st.booleans()) for _ in rows]
    items = [
        BonusRow(row, section_id=section, is_service=service)
        for row, section, service in zip(rows, sections, services, strict=True)
    ]
    return items, draw(rules_for([row.product_id for row in rows]))


def expected_line(item: BonusRow, rules: BonusRules) -> int:
    """The rule restated on exact fractions, independently of the implementation."""
    row = item.row
    if item.is_service and not rules.include_services:
        return 0
    if row.product_id in rules.product_fixed:
        exact = Fraction(rules.product_fixed[row.product_id]) * Fraction(row.quantity)
    else:
        percent = rules.product_percent.get(
            row.product_id,
            rules.section_percent.get(item.section_id or -1, rules.default_percent),
        )
        exact = Fraction(row.price) * Fraction(row.quantity) * Fraction(percent) / 100
    return int((D(exact.numerator) / D(exact.denominator) * 100).quantize(D(1), ROUND_HALF_UP))


class TestBonusProperties:
    @given(bonus_cases())
    def test_every_row_matches_the_rule_and_the_lines_add_up(
        self, case: tuple[list[BonusRow], BonusRules]
    ) -> None:
        items, rules = case
        bonus = compute_bonus(items, rules)
        assert [line.amount_kopecks for line in bonus.lines] == [
            expected_line(item, rules) for item in items
        ]
        assert bonus.amount_kopecks == sum(line.amount_kopecks for line in bonus.lines)
        assert all(line.amount_kopecks >= 0 for line in bonus.lines)

    @given(deals(), PERCENTS)
    def test_one_percent_for_all_is_that_percent_of_the_deal_within_a_kopeck_per_row(
        self, rows: list[ProductRow], percent: Decimal
    ) -> None:
        bonus = compute_bonus([BonusRow(row) for row in rows], BonusRules(default_percent=percent))
        exact = deal_total(rows) * percent  # kopecks × 100
        assert abs(bonus.amount_kopecks - exact) <= len(rows) + 1
