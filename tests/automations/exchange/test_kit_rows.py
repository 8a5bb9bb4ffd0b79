"""Kits at the boundary: a kit row exploded into components and components assembled back,
exact to the kopeck (pure, no I/O)."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from automations.exchange.kit_rows import (
    AS_COMPONENTS,
    AS_KIT,
    Line,
    assemble_rows,
    explode_rows,
    incoming,
    outgoing,
)
from automations.pricing import KitComponent, KitDefinition

D = Decimal
KIT = KitDefinition(
    product_id=100,
    components=(
        KitComponent(product_id=1, name="Фара", quantity=D(2), price_brutto=D("1000")),
        KitComponent(product_id=2, name="Лампа", quantity=D(1), price_brutto=D("333.33")),
    ),
)
KITS = {100: KIT}


def total(lines: list[Line]) -> int:
    return sum(line.kopecks for line in lines)


class TestExplode:
    def test_a_kit_row_becomes_its_components_at_the_kit_rows_money(self) -> None:
        lines = explode_rows([Line(100, "Комплект фар", D("2000.00"), D(3))], KITS)
        assert {line.product_id for line in lines} == {1, 2}
        assert sum(ln.quantity for ln in lines if ln.product_id == 1) == D(6)
        assert sum(ln.quantity for ln in lines if ln.product_id == 2) == D(3)
        assert total(lines) == 600000

    def test_other_rows_are_kept_in_place(self) -> None:
        other = Line(None, "Доставка", D("500"), D(1))
        lines = explode_rows([other, Line(100, "Комплект", D("2333.33"), D(1))], KITS)
        assert lines[0] == other and total(lines) == 50000 + 233333

    @given(
        price=st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2),
        quantity=st.integers(min_value=1, max_value=50),
    )
    def test_the_components_cost_exactly_what_the_kit_row_did(
        self, price: Decimal, quantity: int
    ) -> None:
        row = Line(100, "Комплект", price, D(quantity))
        lines = explode_rows([row], KITS)
        assert total(lines) == row.kopecks
        assert all(line.price * 100 == int(line.price * 100) for line in lines)  # whole kopecks


class TestAssemble:
    def test_components_in_the_kits_proportions_become_one_kit_row(self) -> None:
        lines = [Line(None, "Доставка", D(500), D(1)), Line(1, "Фара", D(1000), D(4)),
                 Line(2, "Лампа", D("333.33"), D(2))]  # fmt: skip
        [delivery, kit] = assemble_rows(lines, KITS)
        assert delivery.name == "Доставка"
        assert (kit.product_id, kit.quantity, kit.price) == (100, D(2), D("2333.33"))

    def test_components_out_of_proportion_stay_as_they_are(self) -> None:
        lines = [Line(1, "Фара", D(1000), D(3)), Line(2, "Лампа", D("333.33"), D(2))]
        assert assemble_rows(lines, KITS) == lines

    @given(
        price=st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2),
        quantity=st.integers(min_value=1, max_value=50),
    )
    def test_explode_then_assemble_gives_the_kits_back_at_the_same_money(
        self, price: Decimal, quantity: int
    ) -> None:
        row = Line(100, "Комплект", price, D(quantity))
        back = assemble_rows(explode_rows([row], KITS), KITS)
        assert {line.product_id for line in back} == {100}
        assert sum(line.quantity for line in back) == D(quantity)
        assert total(back) == row.kopecks


class TestModes:
    def test_the_node_setting_picks_the_direction(self) -> None:
        kit_row = [Line(100, "Комплект", D("2333.33"), D(1))]
        assert {ln.product_id for ln in incoming(kit_row, KITS, AS_KIT)} == {1, 2}
        assert {ln.product_id for ln in incoming(kit_row, KITS, AS_COMPONENTS)} == {1, 2}
        assert incoming(kit_row, KITS, "") == kit_row
        components = explode_rows(kit_row, KITS)
        assert [ln.product_id for ln in outgoing(components, KITS, AS_KIT)] == [100]
        assert outgoing(components, KITS, AS_COMPONENTS) == components  # as the portal
        assert outgoing(components, KITS, "") == components
