"""Kit expansion: a kit row in a deal becomes its components × the kit quantity.

Trigger: the deal sync (``expand_kits_in_deal``, called before the procurement rules), the
tab's «Развернуть комплекты» button and robot (the ``expand_kits`` action). Rule:
``automations.pricing.expand_kits`` — components re-priced with money discounts so the kit
rows cost exactly the kit price after its discount; other rows untouched. Effect: ONE
``crm.item.productrow.set`` (a row count change needs ``set``, REST_FACTS §11.1).
Idempotency: an expanded deal has no kit rows left, so a second run reads once and writes
nothing; a deal without kit rows costs one read and no write. Outcome: done (expanded, or
no kit in the deal), or refused (kit rows without a definition, an invalid kit, no deal).
"""

from typing import Any

from app.core.models import Portal
from app.core.outcome import Outcome
from automations.kit_catalog.refresh import kits_for_rows
from automations.ports import Deps
from automations.pricing import ExpansionResult, KitDefinition, Refusal, expand_kits
from automations.product_actions.deal_access import rows_gateway
from automations.product_actions.messages import deal_not_found, refused, say, undefined_bundles
from automations.product_actions.row_mapping import to_product_row
from automations.product_actions.row_writes import plan_row_writes
from connectors.bitrix24 import Call
from connectors.crm.product_rows import DealRows, ProductRowsGateway


def plan_expansion(
    deal: DealRows, kits: dict[int, KitDefinition]
) -> ExpansionResult | Refusal | None:
    """None when the deal has no row of a defined kit."""
    rows = [to_product_row(stored.row) for stored in deal.rows]
    if not any(row.product_id in kits for row in rows):
        return None
    return expand_kits(rows, kits)


def expansion_calls(deal: DealRows, result: ExpansionResult) -> list[Call]:
    return plan_row_writes(deal.deal_id, deal.rows, result.rows)


async def expand_kits_in_deal(deps: Deps, portal: Portal, deal_id: int) -> Outcome:
    """Expand every kit row of the deal; the hook the deal sync runs before procurement."""
    gateway = rows_gateway(deps, portal, interactive=False)
    deal = await gateway.read_deal(deal_id)
    if not deal.found:
        return deal_not_found(portal.language)
    rows = [to_product_row(stored.row) for stored in deal.rows]
    kits = await kits_for_rows(deps, portal, rows) if rows else {}
    outcome = plan_expansion(deal, kits)
    return await _apply(gateway, portal.language, deal, outcome)


async def expand_kits_action(
    deps: Deps, portal: Portal, deal_id: int, params: dict[str, Any]
) -> Outcome:
    """The ``expand_kits`` action (tab button, robot): same as the sync hook."""
    del params  # the action takes no parameters
    return await expand_kits_in_deal(deps, portal, deal_id)


async def _apply(
    gateway: ProductRowsGateway,
    language: str,
    deal: DealRows,
    outcome: ExpansionResult | Refusal | None,
) -> Outcome:
    undefined = tuple(s.row.product_id for s in deal.rows if s.row.is_bundle)
    if outcome is None:
        if undefined:
            return Outcome.refused(undefined_bundles(language, undefined))
        return Outcome.done(say(language, "Комплектов в сделке нет.", "The deal has no kits."))
    if isinstance(outcome, Refusal):
        return refused(language, outcome)
    for call in expansion_calls(deal, outcome):
        await gateway.send(call)
    expanded = ", ".join(str(p) for p in outcome.expanded_kit_ids)
    message = say(language, f"Комплекты развёрнуты: {expanded}.", f"Kits expanded: {expanded}.")
    if outcome.undefined_bundle_ids:
        message += " " + undefined_bundles(language, outcome.undefined_bundle_ids)
    return Outcome.done(message)
