"""Steps of the bonus journey on the live stack: the rules, the registry items, the ledger."""

import io
import time
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from app.core.db import unit_of_work
from app.core.models import BonusAccrual, BonusReversal
from app.core.portal_settings import update_portal_settings
from app.web.frame.view_token import ViewClaims, issue
from app.web.settings_page.service import ADMIN_ROLE, SETTINGS_KIND
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


ACCOUNTS = [
    {"code": "KRD-CASH", "kind": "cash_desk", "office": "Краснодар", "title": "Касса Краснодар"},
    {"code": "KRD-TERM", "kind": "terminal", "office": "Краснодар", "title": "Терминал"},
    {"code": "ANNA-CARD", "kind": "card", "office": "Краснодар", "title": "Карта Анны"},
]


async def set_accounts(journey: Journey) -> None:
    async with unit_of_work(journey.stack.context.sessions) as session:
        await update_portal_settings(
            session,
            journey.stack.member_id,
            {"money_accounts": ACCOUNTS, "manager_offices": {"2": "Краснодар"}},
        )


async def robot(journey: Journey, code: str, **properties: str) -> dict[str, str]:
    """Run a money robot on the journey's deal; the workflow's answer (return values)."""
    stack = journey.stack
    body = {
        "document_id": ["crm", "CCrmDocumentDeal", f"DEAL_{journey.deal_id}"],
        "properties": properties,
    }
    result = await stack.ctl("POST", f"/robots/b24bridge_{code}/run", json=body)
    assert result["status_code"] == 200, result
    await stack.settle()
    replies = (await stack.ctl("GET", "/workflow-replies"))["replies"]
    mine = [r for r in replies if r["event_token"] == result["event_token"]]
    assert len(mine) == 1
    return dict(mine[0]["return_values"])


async def operation_items(journey: Journey) -> list[dict[str, Any]]:
    listed = await journey.stack.act(
        "crm.item.list",
        {"entityTypeId": journey.values["operation_entity_type_id"], "filter": {}, "select": ["*"]},
    )
    return list(listed["items"])


async def export_xlsx(journey: Journey) -> Any:
    """The report of this month as the settings page's administrator downloads it."""
    stack = journey.stack
    month = time.strftime("%Y-%m", time.gmtime())
    claims = ViewClaims(
        member_id=stack.member_id,
        user_id=1,
        entity_kind=SETTINGS_KIND,
        entity_id=0,
        role=ADMIN_ROLE,
        expires_at=int(time.time()) + 600,
    )
    secret = stack.context.settings.secret_key.get_secret_value()
    response = await stack.http.get(
        "/reports/api/export.xlsx",
        params={"month_from": month, "month_to": month},
        headers={"X-View-Token": issue(claims, secret)},
    )
    assert response.status_code == 200, response.text
    return load_workbook(io.BytesIO(response.content))
