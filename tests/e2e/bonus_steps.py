"""Steps of the bonus journey on the live stack: the rules, the registry items, the ledger."""

from typing import Any

from sqlalchemy import select

from app.core.db import unit_of_work
from app.core.models import BonusAccrual, BonusReversal
from app.core.portal_settings import update_portal_settings
from tests.e2e.procurement_steps import Journey

# section 1 (parts) earns 5 %, the bumper (product 2) 10 %; delivery is a service: nothing
RULES = {"default_percent": "0", "section_percent": {"1": "5"}, "product_percent": {"2": "10"}}
BONUS_FIELD = "UF_CRM_B24B_BONUS"


async def set_rules(journey: Journey, rules: dict[str, Any] | None = None) -> None:
    async with unit_of_work(journey.stack.context.sessions) as session:
        await update_portal_settings(
            session,
            journey.stack.member_id,
            {"bonus_rules": rules or RULES, "manager_offices": {"2": "Краснодар"}},
        )


async def accrual_items(journey: Journey) -> list[dict[str, Any]]:
    listed = await journey.stack.act(
        "crm.item.list",
        {"entityTypeId": journey.values["accrual_entity_type_id"], "filter": {}, "select": ["*"]},
    )
    return list(listed["items"])


def amount_of(item: dict[str, Any], journey: Journey) -> str:
    return str(item[journey.values["accrual_fields"]["amount"]])


async def ledger(journey: Journey) -> tuple[list[BonusAccrual], list[BonusReversal]]:
    async with journey.stack.context.sessions() as session:
        accruals = list(await session.scalars(select(BonusAccrual).order_by(BonusAccrual.id)))
        reversals = list(await session.scalars(select(BonusReversal)))
    return accruals, reversals


async def edit_bonus_field(journey: Journey, value: str, user_id: int) -> None:
    await journey.stack.act(
        "crm.deal.update", {"id": journey.deal_id, "fields": {BONUS_FIELD: value}}, user_id=user_id
    )
    await journey.stack.settle()
