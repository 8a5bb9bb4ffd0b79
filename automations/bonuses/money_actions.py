"""The money robots (PRODUCT §3.9): «Добавить оплату/сдачу/возврат» (``add_payment``),
«Инкассация» (``cash_collection``) and «Операция с менеджером» (``manager_operation``).

Each call is one ledger operation, keyed by the robot's ``event_token`` (``request_key``):
a repeated call answers what the first one did and writes nothing. The operations of a
portal are serialised by a lock on its settings row, so a balance check and its write can
never interleave with another's. The registry item and the deal's «Оплачено» are written
by the ``bonus_registry`` job; a refund re-arms the deal's bonus job (a full refund annuls).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import queue
from app.core.db import unit_of_work
from app.core.models import MoneyOperation, Portal, PortalSettings
from app.core.outcome import Outcome
from automations.bonuses import money_repository
from automations.bonuses.money_rules import (
    KIND_TITLES,
    MoneyState,
    OperationRequest,
    Refusal,
    decide,
)
from automations.bonuses.money_text import as_field, as_rubles
from automations.bonuses.settings import money_accounts
from automations.ports import ActionHandler, Deps

REQUEST_KEY = "request_key"


def _user_id(value: Any) -> int | None:
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    return int(digits) if digits and len(digits) <= 18 else None


async def add_payment(deps: Deps, portal: Portal, deal_id: int, params: dict[str, Any]) -> Outcome:
    request = OperationRequest(
        kind=str(params.get("type") or "payment"),
        amount=str(params.get("amount") or ""),
        account_code=str(params.get("account") or "").strip(),
        method=str(params.get("method") or ""),
        deal_id=deal_id,
    )
    if request.kind not in ("payment", "change", "refund"):
        return Outcome.refused(
            f"Поле «Тип»: «{request.kind}» — выберите оплату, сдачу или возврат."
        )
    return await run_operation(deps, portal, request, params)


async def cash_collection(
    deps: Deps, portal: Portal, deal_id: int, params: dict[str, Any]
) -> Outcome:
    request = OperationRequest(
        kind="collection",
        amount=str(params.get("amount") or ""),
        account_code=str(params.get("account") or "").strip(),
        deal_id=deal_id,
    )
    return await run_operation(deps, portal, request, params)


async def manager_operation(
    deps: Deps, portal: Portal, deal_id: int, params: dict[str, Any]
) -> Outcome:
    kind = str(params.get("kind") or "")
    if kind not in ("salary", "bonus", "fine"):
        return Outcome.refused(f"Поле «Вид»: «{kind}» — выберите выплату ЗП, премию или штраф.")
    request = OperationRequest(
        kind=kind,
        amount=str(params.get("amount") or ""),
        account_code=str(params.get("account") or "").strip(),
        deal_id=deal_id,
        manager_id=_user_id(params.get("user")),
        comment=str(params.get("comment") or "")[:1000],
    )
    return await run_operation(deps, portal, request, params)


async def run_operation(
    deps: Deps, portal: Portal, request: OperationRequest, params: dict[str, Any]
) -> Outcome:
    key = str(params.get(REQUEST_KEY) or "")
    if not key:
        return Outcome.refused("Операцию с деньгами можно провести только роботом.")
    member_id = portal.member_id
    async with unit_of_work(deps.sessions) as session:
        values = await _locked_settings(session, member_id)
        done = await money_repository.operation_by_key(session, member_id, f"robot:{key}")
        if done is not None:
            return await _answer(session, done, "")
        accounts = money_accounts(values)
        account = accounts.get(request.account_code)
        state = MoneyState(
            balance_kopecks=await money_repository.account_balance(
                session, member_id, request.account_code
            ),
            paid_kopecks=(
                await money_repository.deal_payments(session, member_id, request.deal_id or 0)
            ).paid_kopecks,
            allow_negative=bool(values.get("money_allow_negative"))
            or bool(account and account.allow_negative),
        )
        planned = decide(request, accounts, state)
        if isinstance(planned, Refusal):
            return Outcome.refused(planned.message)
        operation = await money_repository.record_operation(
            session, member_id, f"robot:{key}", planned
        )
        await queue.arm_bonus_registry(
            session, member_id, delay_seconds=deps.settings.bonus_batch_delay_seconds
        )
        if planned.kind == "refund" and planned.deal_id:
            await queue.arm_bonus_deal(session, member_id, planned.deal_id)
        return await _answer(session, operation, planned.warning)


async def _locked_settings(session: AsyncSession, member_id: str) -> dict[str, Any]:
    row = await session.get(PortalSettings, member_id, with_for_update=True)
    return dict(row.values) if row is not None else {}


async def _answer(session: AsyncSession, operation: MoneyOperation, warning: str) -> Outcome:
    member_id = operation.member_id
    balance = await money_repository.account_balance(session, member_id, operation.account_code)
    paid = (
        await money_repository.deal_payments(session, member_id, operation.deal_id or 0)
    ).paid_kopecks
    text = f"{KIND_TITLES[operation.kind]} {as_rubles(operation.amount_kopecks)} проведена"
    if operation.account_code:
        text += f"; баланс «{operation.account_code}»: {as_rubles(balance)}"
    if operation.paid_delta_kopecks:
        text += f"; оплачено по сделке: {as_rubles(paid)}"
    text += "." + (f" {warning}" if warning else "")
    return Outcome.done(text, {"balance": as_field(balance), "paid": as_field(paid)})


MONEY_ACTIONS: dict[str, ActionHandler] = {
    "add_payment": add_payment,
    "cash_collection": cash_collection,
    "manager_operation": manager_operation,
}
