"""The ``bonus_deal`` job: load → decide → record, for one deal.

Trigger: every deal event (armed beside the procurement sync), reconciliation. It re-reads
the deal, computes its bonus (``rules``), decides accrual or annulment against our ledger
(``ledger_rules``) and appends the entries in one unit of work; the registry items and the
deal field are written by the portal's ``bonus_registry`` job, which it arms. A manual
change of «Бонус менеджера» is reverted here, in the same sync (``protection``).
"""

from __future__ import annotations

from typing import Any

from app.core import portal_store, queue
from app.core.db import unit_of_work
from app.core.models import Job
from app.core.portal_settings import load_portal_settings
from automations.bonuses import money_repository, repository
from automations.bonuses.deal_reads import DealRead, read_deal
from automations.bonuses.ledger_rules import DealNow, plan_entries
from automations.bonuses.protection import guard_bonus_field
from automations.bonuses.rules import BonusRow, BonusRules, compute_bonus
from automations.bonuses.settings import (
    BonusSettingsError,
    bonus_rules,
    bonuses_enabled,
    manager_office,
    service_product_ids,
)
from automations.ports import Deps
from automations.pricing import ProductRow

SERVICE_TYPE = 7
WON_SEMANTIC = "S"


async def bonus_deal(deps: Deps, job: Job) -> str:
    deal_id = int(job.payload["deal_id"])
    async with deps.sessions() as session:
        portal = await portal_store.find_active_portal(session, job.member_id)
        values = await load_portal_settings(session, job.member_id)
    if portal is None:
        return "portal not active"
    if not bonuses_enabled(values):
        return "bonuses not enabled"
    try:
        rules = bonus_rules(values)
    except BonusSettingsError as exc:
        raise queue.PermanentJobError(str(exc)) from exc
    client = deps.rest.for_portal(portal)
    read = await read_deal(
        client, deal_id, with_sections=bool(rules.section_percent or rules.section_fixed)
    )
    if read.deal is None:
        return "deal not found"
    async with unit_of_work(deps.sessions) as session:
        paid = await money_repository.deal_payments(session, job.member_id, deal_id)
        now = deal_now(read, values, rules, fully_refunded=paid.fully_refunded)
        entries = plan_entries(await repository.deal_ledger(session, job.member_id, deal_id), now)
        await repository.record_entries(session, job.member_id, entries)
        if entries:
            delay = deps.settings.bonus_registry_delay_seconds
            await queue.arm_bonus_registry(session, job.member_id, delay_seconds=delay)
    guarded = await guard_bonus_field(deps, portal, values, read)
    return f"{len(entries)} ledger entr(y/ies); {guarded}"


def deal_now(
    read: DealRead, values: dict[str, Any], rules: BonusRules, *, fully_refunded: bool
) -> DealNow:
    assert read.deal is not None
    deal = read.deal
    won_stage = str((values.get("deal_stages") or {}).get("WON") or "")
    won = str(deal.fields.get("STAGE_SEMANTIC_ID") or "") == WON_SEMANTIC or (
        bool(won_stage) and deal.stage_id == won_stage
    )
    return DealNow(
        deal_id=deal.id,
        won=won,
        fully_refunded=fully_refunded,
        manager_id=deal.assigned_by_id,
        office=manager_office(values, deal.assigned_by_id),
        bonus=compute_bonus(bonus_rows(read, values), rules),
    )


def bonus_rows(read: DealRead, values: dict[str, Any]) -> list[BonusRow]:
    services = service_product_ids(values)
    sections = read.sections or {}
    return [
        BonusRow(
            ProductRow(
                product_id=row.product_id or 0,
                name=row.name,
                price_brutto=row.price_netto,
                price=row.price,
                quantity=row.quantity,
            ),
            section_id=sections.get(row.product_id or 0),
            is_service=row.type == SERVICE_TYPE or (row.product_id or 0) in services,
        )
        for row in read.rows
    ]
