"""Money discount on a deal, spread over its rows exactly to the kopeck.

Trigger: the ``apply_discount`` action (``params["amount"]``, from the tab's button or a robot
parameter) and the deal sync (``apply_field_discount``: the deal field named by the portal
setting ``discount_field``). Rule: ``automations.pricing.distribute_money_discount``; a
refusal is answered in the portal's language and writes nothing. Effect: rows re-priced in
place (``crm.item.productrow.update`` in one batch, ids kept) or, when a row had to split,
one ``crm.item.productrow.set``.
Idempotency: the rows a discount produced are fingerprinted and recorded in ``effects``
(``discount:{deal}:{fingerprint}``, started before the write, done after); a run that finds
the deal's rows already equal to a recorded result of the same amount — a retried job, an
echo of our own write — does nothing. The field trigger also records the last amount applied
(``discount_field:{deal}``), so only a new, different value is applied, and only its
difference. Outcome: done (applied, or already applied) or refused (not a number, no deal,
a pricing refusal such as a discount above the deal total) — a refusal writes nothing.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from app.core import effects
from app.core.db import unit_of_work
from app.core.models import Portal
from app.core.outcome import Outcome
from app.core.portal_settings import load_portal_settings
from automations.ports import Deps
from automations.pricing import ProductRow, Refusal, distribute_money_discount
from automations.product_actions.deal_access import rows_gateway
from automations.product_actions.messages import deal_not_found, refused, say
from automations.product_actions.row_mapping import to_product_row
from automations.product_actions.row_writes import plan_row_writes
from connectors.bitrix24 import Call
from connectors.crm.product_rows import DealRows, ProductRowsGateway, deal_field

FIELD_KEY = "discount_field:{deal_id}"


@dataclass(frozen=True, slots=True)
class DiscountWrite:
    key: str
    calls: list[Call]
    amount: Decimal


def parse_amount(raw: Any) -> Decimal | None:
    """A decimal from a button or robot parameter ("1 500,50" too); None when not a number."""
    # a money user field reads back as "1500|RUB"
    text = str(raw if raw is not None else "").split("|")[0]
    text = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def rows_fingerprint(rows: Sequence[ProductRow]) -> str:
    """What the portal echoes back of the rows: product, price, quantity (normalised decimals)."""
    text = "|".join(f"{r.product_id}:{r.price.normalize()}:{r.quantity.normalize()}" for r in rows)
    return hashlib.sha256(text.encode()).hexdigest()[:40]


async def apply_discount_action(
    deps: Deps, portal: Portal, deal_id: int, params: dict[str, Any]
) -> Outcome:
    """The ``apply_discount`` action: ``params["amount"]`` off the deal total."""
    amount = parse_amount(params.get("amount"))
    if amount is None:
        return Outcome.refused(
            say(
                portal.language,
                "Сумма скидки не указана или не число — укажите, например, 1500 или 1500,50.",
                "The discount amount is missing or not a number — give e.g. 1500 or 1500.50.",
            )
        )
    gateway = rows_gateway(deps, portal)
    deal = await gateway.read_deal(deal_id)
    if not deal.found:
        return deal_not_found(portal.language)
    return await apply_to_deal(deps, portal, gateway, deal, amount)


async def apply_field_discount(deps: Deps, portal: Portal, deal_id: int) -> str:
    """Apply the deal field's discount when it is non-zero and differs from the last one applied."""
    async with deps.sessions() as session:
        field = str(
            (await load_portal_settings(session, portal.member_id)).get("discount_field") or ""
        )
    if not field:
        return "no discount field configured"
    gateway = rows_gateway(deps, portal, interactive=False)
    deal = await gateway.read_deal(deal_id)
    wanted = parse_amount(deal_field(deal.fields, field)) if deal.found else None
    last = await _last_field_amount(deps, portal.member_id, deal_id)
    if not wanted or wanted == last:
        return "no new discount"
    outcome = await apply_to_deal(deps, portal, gateway, deal, wanted - last)
    if outcome.is_done:
        await _remember_field_amount(deps, portal.member_id, deal_id, wanted)
    return outcome.message


async def apply_to_deal(
    deps: Deps,
    portal: Portal,
    gateway: ProductRowsGateway,
    deal: DealRows,
    amount: Decimal,
) -> Outcome:
    """Done when the deal now carries the discount; refused (nothing written) otherwise."""
    rows = [to_product_row(stored.row) for stored in deal.rows]
    key = f"discount:{deal.deal_id}:{rows_fingerprint(rows)}"
    if await _already_applied(deps, portal.member_id, key, amount):
        return Outcome.done(
            say(
                portal.language,
                f"Скидка {amount} уже применена.",
                f"The discount {amount} is already applied.",
            )
        )
    result = distribute_money_discount(rows, amount)
    if isinstance(result, Refusal):
        return refused(portal.language, result)
    write = DiscountWrite(
        key=f"discount:{deal.deal_id}:{rows_fingerprint(result)}",
        calls=plan_row_writes(deal.deal_id, deal.rows, result),
        amount=amount,
    )
    await _write(deps, portal.member_id, gateway, write)
    return Outcome.done(
        say(portal.language, f"Скидка {amount} применена.", f"Discount {amount} applied.")
    )


async def _write(
    deps: Deps, member_id: str, gateway: ProductRowsGateway, write: DiscountWrite
) -> None:
    async with unit_of_work(deps.sessions) as session:
        await effects.start(session, member_id, [(write.key, "money_discount")])
    if len(write.calls) == 1:
        await gateway.send(write.calls[0])
    elif write.calls:
        for outcome in await gateway.send_together(write.calls):
            outcome.unwrap()
    async with unit_of_work(deps.sessions) as session:
        await effects.finish(session, member_id, write.key, result={"amount": str(write.amount)})


async def _already_applied(deps: Deps, member_id: str, key: str, amount: Decimal) -> bool:
    async with deps.sessions() as session:
        found = (await effects.statuses(session, member_id, [key])).get(key)
    return (
        found is not None
        and found.status == effects.DONE
        and found.result.get("amount") == str(amount)
    )


async def _last_field_amount(deps: Deps, member_id: str, deal_id: int) -> Decimal:
    key = FIELD_KEY.format(deal_id=deal_id)
    async with deps.sessions() as session:
        found = (await effects.statuses(session, member_id, [key])).get(key)
    return Decimal(str(found.result.get("amount", "0"))) if found is not None else Decimal(0)


async def _remember_field_amount(deps: Deps, member_id: str, deal_id: int, amount: Decimal) -> None:
    key = FIELD_KEY.format(deal_id=deal_id)
    async with unit_of_work(deps.sessions) as session:
        await effects.start(session, member_id, [(key, "discount_field")])
        await effects.finish(session, member_id, key, result={"amount": str(amount)})
