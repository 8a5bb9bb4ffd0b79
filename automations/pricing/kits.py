"""Kits: a catalog product sold as a set of components at a discount (PRODUCT §3.6).

Bitrix24 has no REST method to define a set's composition (REST_FACTS §11.4), so the app keeps
`KitDefinition`s itself and expands a kit row in a deal into its components.

The kit price, precisely. A kit's list price is Σ component `price_brutto × quantity per kit`.
Its price after discount is the list price minus the kit discount: a money discount is taken per
kit as is; a percent discount (0-100) is `list price × rate / 100` rounded half-up to kopecks,
the way Bitrix24 rounds `discountSum`, and never more than the list price. Should the list price
hold fractions of a kopeck (fractional quantities per kit), the price after discount is floored
to the kopeck. The kit total for a row of q kits is `price after discount × q`, floored to the
kopeck (exact for whole q).

Expansion replaces each kit row, in place, with its components (quantity per kit × q), at the
kit row's `sort`, and re-prices them with money discounts so they add up to exactly what the kit
row cost (see `discount_distribution`); all other rows are returned untouched. The kit row's own
price is ignored (the definition is the source of truth for the kit price), but a discount the
row carries in the deal is the manager's and applies on top of the kit's own: a percent
discount takes `kit price × rate / 100` (half-up to kopecks) off each kit, a money discount its
amount (tax-exclusive, as Bitrix24 keeps `discountSum`, so × the tax factor), never more than
the kit price.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from automations.pricing import refusals
from automations.pricing.discount_distribution import find_rows_problem, reprice_to_total
from automations.pricing.money import (
    MAX_QUANTITY_DECIMALS,
    floor_money,
    quantity_decimals,
    round_money,
)
from automations.pricing.refusals import Refusal
from automations.pricing.row_prices import Discount, MoneyDiscount, PercentDiscount, tax_factor
from automations.pricing.rows import DiscountType, Measure, ProductRow

HUNDRED = Decimal(100)
NO_DISCOUNT = MoneyDiscount(Decimal(0))


@dataclass(frozen=True, slots=True, kw_only=True)
class KitComponent:
    product_id: int
    name: str
    quantity: Decimal
    price_brutto: Decimal
    tax_rate: Decimal | None = None
    tax_included: bool = False
    measure: Measure | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class KitDefinition:
    product_id: int
    components: tuple[KitComponent, ...]
    discount: Discount = NO_DISCOUNT


@dataclass(frozen=True, slots=True)
class ExpansionResult:
    rows: tuple[ProductRow, ...]
    expanded_kit_ids: tuple[int, ...]
    undefined_bundle_ids: tuple[int, ...]


def kit_list_price(kit: KitDefinition) -> Decimal:
    return sum((c.price_brutto * c.quantity for c in kit.components), Decimal(0))


def kit_discount(kit: KitDefinition) -> Decimal:
    """The kit discount in money, per kit."""
    if isinstance(kit.discount, MoneyDiscount):
        return kit.discount.amount
    list_price = kit_list_price(kit)
    return min(round_money(list_price * kit.discount.rate / HUNDRED), list_price)


def kit_price(kit: KitDefinition) -> Decimal:
    """The price of one kit after its discount; see the module docstring."""
    return floor_money(kit_list_price(kit) - kit_discount(kit))


def kit_total(kit: KitDefinition, kit_quantity: Decimal) -> Decimal:
    return floor_money(kit_price(kit) * kit_quantity)


def kit_row_total(kit: KitDefinition, row: ProductRow) -> Decimal:
    """What a kit row costs: the kit price less the row's own discount, times its quantity."""
    price = kit_price(kit)
    return floor_money((price - _row_discount(row, price)) * row.quantity)


def _row_discount(row: ProductRow, price: Decimal) -> Decimal:
    if row.discount_type is DiscountType.PERCENT:
        return min(round_money(price * row.discount_rate / HUNDRED), price)
    return min(round_money(row.discount_sum * tax_factor(row.tax_rate)), price)


def find_kit_problem(kit: KitDefinition) -> Refusal | None:
    """What makes a definition unusable, worded for the admin who loads it."""
    if not kit.components:
        return refusals.invalid_kit(kit.product_id, "нет состава", "it has no components")
    for component in kit.components:
        decimals = quantity_decimals(component.quantity)
        if decimals is None or component.quantity <= 0 or decimals > MAX_QUANTITY_DECIMALS:
            return refusals.invalid_kit(
                kit.product_id,
                f"количество товара {component.product_id} некорректно",
                f"component {component.product_id} has an invalid quantity",
            )
        if not component.price_brutto.is_finite() or component.price_brutto < 0:
            return refusals.invalid_kit(
                kit.product_id,
                f"цена товара {component.product_id} некорректна",
                f"component {component.product_id} has an invalid price",
            )
    return _find_discount_problem(kit)


def expand_kits(
    rows: Sequence[ProductRow], kits: Mapping[int, KitDefinition]
) -> ExpansionResult | Refusal:
    """Every row whose product is a defined kit replaced by the kit's re-priced components."""
    expanded: list[ProductRow] = []
    for row in rows:
        kit = kits.get(row.product_id)
        components = (row,) if kit is None else expand_kit_row(row, kit)
        if isinstance(components, Refusal):
            return components
        expanded.extend(components)
    return ExpansionResult(
        rows=tuple(expanded),
        expanded_kit_ids=tuple(row.product_id for row in rows if row.product_id in kits),
        undefined_bundle_ids=tuple(
            row.product_id for row in rows if row.is_bundle and row.product_id not in kits
        ),
    )


def expand_kit_row(row: ProductRow, kit: KitDefinition) -> tuple[ProductRow, ...] | Refusal:
    """The kit row's components, costing exactly `kit_row_total(kit, row)` together."""
    problem = find_kit_problem(kit) or find_rows_problem([row])
    if problem is not None:
        return problem
    components = [_component_row(component, row) for component in kit.components]
    problem = find_rows_problem(components)
    if problem is not None:
        return problem
    return reprice_to_total(components, kit_row_total(kit, row))


def _component_row(component: KitComponent, kit_row: ProductRow) -> ProductRow:
    return ProductRow(
        product_id=component.product_id,
        name=component.name,
        price_brutto=component.price_brutto,
        price=component.price_brutto,
        quantity=component.quantity * kit_row.quantity,
        tax_rate=component.tax_rate,
        tax_included=component.tax_included,
        measure=component.measure,
        sort=kit_row.sort,
    )


def _find_discount_problem(kit: KitDefinition) -> Refusal | None:
    discount = kit.discount
    amount = discount.amount if isinstance(discount, MoneyDiscount) else discount.rate
    if not amount.is_finite() or amount < 0:
        return refusals.invalid_kit(kit.product_id, "скидка отрицательна", "negative discount")
    if isinstance(discount, PercentDiscount) and discount.rate > HUNDRED:
        return refusals.invalid_kit(kit.product_id, "скидка больше 100 %", "discount above 100 %")
    if kit_discount(kit) > kit_list_price(kit):
        return refusals.invalid_kit(
            kit.product_id,
            f"скидка {kit_discount(kit)} больше цены комплекта {kit_list_price(kit)}",
            f"the discount {kit_discount(kit)} exceeds the kit price {kit_list_price(kit)}",
        )
    return None
