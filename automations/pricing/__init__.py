"""Exact pricing rules for deal product rows: pure functions, no I/O, no clock.

Owns the Bitrix24 per-unit price arithmetic (`row_prices`, REST_FACTS §11.3), the row and deal
totals (`rows`), spreading a money discount over rows exactly to the kopeck with row splits where
a per-unit price cannot be exact (`discount_distribution`), and expanding kit rows into their
discounted components (`kits`). Rules return a `Refusal` value, in Russian and English, when
they will not act. Handlers load rows through the connector, call these, and write `price`,
`quantity`, `discount_type`, `discount_sum` back.
"""

from automations.pricing.discount_distribution import (
    distribute_money_discount,
    reprice_to_total,
)
from automations.pricing.kits import (
    ExpansionResult,
    KitComponent,
    KitDefinition,
    expand_kits,
    find_kit_problem,
    kit_price,
    kit_total,
)
from automations.pricing.refusals import Refusal, RefusalCode
from automations.pricing.row_prices import (
    MoneyDiscount,
    PercentDiscount,
    RowPrices,
    prices_as_stored,
    prices_from_netto,
)
from automations.pricing.rows import DiscountType, Measure, ProductRow, deal_total, row_total

__all__ = [
    "DiscountType",
    "ExpansionResult",
    "KitComponent",
    "KitDefinition",
    "Measure",
    "MoneyDiscount",
    "PercentDiscount",
    "ProductRow",
    "Refusal",
    "RefusalCode",
    "RowPrices",
    "deal_total",
    "distribute_money_discount",
    "expand_kits",
    "find_kit_problem",
    "kit_price",
    "kit_total",
    "prices_as_stored",
    "prices_from_netto",
    "reprice_to_total",
    "row_total",
]
