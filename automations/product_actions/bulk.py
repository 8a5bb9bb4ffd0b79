"""Product operations across many deals: kit expansion and a percent price change.

Trigger: the ``b24bridge products expand-kits`` / ``reprice`` commands. Deals go in chunks:
each chunk's reads (``crm.deal.get`` + ``crm.deal.productrows.get`` per deal) and then its
writes go through the connector's ``call_many`` — the batch packer (50 commands a request)
behind the per-portal limiter — so a thousand deals cost about a hundred requests, not
thousands. The per-deal decision is the same as the single-deal actions'; a deal refused
(an invalid kit, say) is counted and left untouched. Idempotency: an expanded deal has no
kit rows left; a price change is NOT idempotent (each run scales again), as asked.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from automations.pricing import DiscountType, KitDefinition, ProductRow, Refusal
from automations.pricing.money import round_money
from automations.pricing.row_prices import money_discount_sum
from automations.product_actions.kit_expansion import expansion_calls, plan_expansion
from automations.product_actions.row_mapping import to_product_row
from automations.product_actions.row_writes import plan_row_writes
from connectors.bitrix24 import Call
from connectors.crm.product_rows import DealRows, ProductRowsGateway

CHUNK_DEALS = 250  # 500 read commands = 10 batch requests in flight at most
HUNDRED = Decimal(100)

Decide = Callable[[DealRows], list[Call] | Refusal]
Progress = Callable[[int], None]


@dataclass
class BulkReport:
    deals: int = 0
    changed: int = 0
    refused: dict[int, str] = field(default_factory=dict)
    missing: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def expansion_decision(kits: dict[int, KitDefinition]) -> Decide:
    def decide(deal: DealRows) -> list[Call] | Refusal:
        outcome = plan_expansion(deal, kits)
        if outcome is None or isinstance(outcome, Refusal):
            return outcome or []
        return expansion_calls(deal, outcome)

    return decide


def reprice_decision(percent: Decimal) -> Decide:
    """Every row's prices scaled by (1 + percent/100), kept in place (row ids stable)."""
    factor = 1 + percent / HUNDRED

    def decide(deal: DealRows) -> list[Call] | Refusal:
        rows = [scaled_row(to_product_row(stored.row), factor) for stored in deal.rows]
        return plan_row_writes(deal.deal_id, deal.rows, rows)

    return decide


def scaled_row(row: ProductRow, factor: Decimal) -> ProductRow:
    price, brutto = round_money(row.price * factor), round_money(row.price_brutto * factor)
    if row.discount_type is DiscountType.PERCENT:
        return replace(row, price=price, price_brutto=brutto)
    return replace(
        row,
        price=price,
        price_brutto=brutto,
        discount_sum=money_discount_sum(brutto, price, row.tax_rate),
    )


async def run_bulk(
    gateway: ProductRowsGateway, deal_ids: Sequence[int], decide: Decide, *, progress: Progress
) -> BulkReport:
    report = BulkReport(deals=len(deal_ids))
    for start in range(0, len(deal_ids), CHUNK_DEALS):
        chunk = deal_ids[start : start + CHUNK_DEALS]
        deals = await gateway.read_deals(chunk)
        await _write_chunk(gateway, [_decided(deal, decide, report) for deal in deals], report)
        progress(len(chunk))
    return report


def _decided(deal: DealRows, decide: Decide, report: BulkReport) -> tuple[int, list[Call]]:
    if not deal.found:
        report.missing.append(deal.deal_id)
        return deal.deal_id, []
    decision = decide(deal)
    if isinstance(decision, Refusal):
        report.refused[deal.deal_id] = decision.message_en
        return deal.deal_id, []
    return deal.deal_id, decision


async def _write_chunk(
    gateway: ProductRowsGateway, planned: list[tuple[int, list[Call]]], report: BulkReport
) -> None:
    owners = [deal_id for deal_id, calls in planned for _ in calls]
    outcomes = await gateway.send_many([call for _, calls in planned for call in calls])
    for deal_id, outcome in zip(owners, outcomes, strict=True):
        if outcome.error is not None:
            report.failed[deal_id] = str(outcome.error)
    report.changed += len({deal_id for deal_id, calls in planned if calls} - set(report.failed))


async def all_deal_ids(gateway: ProductRowsGateway) -> list[int]:
    """Every deal id, walking crm.deal.list by id (fast mode, REST_FACTS §4)."""
    rows: list[Any] = [
        row async for row in gateway.client.iterate("crm.deal.list", {"select": ["ID"]}, fast=True)
    ]
    return sorted(int(row["ID"]) for row in rows)


Runner = Callable[[ProductRowsGateway, Sequence[int], Decide], Awaitable[BulkReport]]
