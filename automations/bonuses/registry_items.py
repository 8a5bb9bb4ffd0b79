"""The registry items of ledger entries, as ``crm.item.add`` calls: an accrual in
«Начисления» (stage «Начислено», its breakdown per row), an operation in «Операции с
деньгами»; each carries its op id in ``xmlId`` for the lookup before a repeated create."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from app.core.models import BonusAccrual, MoneyOperation
from automations.bonuses import money_repository, repository
from automations.bonuses.money_rules import KIND_TITLES
from automations.bonuses.money_text import as_field, as_rubles
from connectors.bitrix24 import Call


def op_id(key: str) -> str:
    return "b24b-" + hashlib.sha256(key.encode()).hexdigest()[:32]


def basis_text(breakdown: Sequence[dict[str, Any]]) -> str:
    parts = []
    for line in breakdown:
        rate = f"{line['rate']} ₽/шт" if "fixed" in str(line["basis"]) else f"{line['rate']} %"
        parts.append(
            f"{line['name']}: {as_rubles(int(line['row_total_kopecks']))} → {rate}"
            f" = {as_rubles(int(line['amount_kopecks']))}"
        )
    return "; ".join(parts)


def accrual_item(values: dict[str, Any], accrual: BonusAccrual) -> Call:
    fields = values["accrual_fields"]
    return (
        "crm.item.add",
        {
            "entityTypeId": int(values["accrual_entity_type_id"]),
            "fields": {
                "title": f"Бонус по сделке №{accrual.deal_id}",
                "assignedById": accrual.manager_id,
                "stageId": values["accrual_stages"]["DONE"],
                "xmlId": op_id(repository.accrual_item_key(int(accrual.id or 0))),
                fields["deal"]: accrual.deal_id,
                fields["amount"]: as_field(accrual.amount_kopecks),
                fields["basis"]: basis_text(accrual.breakdown),
                fields["office"]: accrual.office,
            },
        },
    )


def operation_item(values: dict[str, Any], operation: MoneyOperation) -> Call:
    fields = values["operation_fields"]
    title = f"{KIND_TITLES[operation.kind]} {as_rubles(operation.amount_kopecks)}"
    if operation.deal_id:
        title += f" · сделка №{operation.deal_id}"
    return (
        "crm.item.add",
        {
            "entityTypeId": int(values["operation_entity_type_id"]),
            "fields": {
                "title": title,
                "stageId": values["operation_stages"]["DONE"],
                "xmlId": op_id(money_repository.operation_item_key(int(operation.id or 0))),
                fields["kind"]: KIND_TITLES[operation.kind],
                fields["amount"]: as_field(operation.amount_kopecks),
                fields["deal"]: operation.deal_id or 0,
                fields["account"]: operation.account_code,
                fields["manager"]: operation.manager_id or 0,
                fields["comment"]: operation.comment,
            },
        },
    )
