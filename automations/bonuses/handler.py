"""The bonus mark and scan: load → decide → record.

Trigger: every deal event (its notices, ``automations.deal_notices``), and the
``bonus_deal`` job that reconciliation and a refund arm. Both only mark the deal
(``mark_for_scan``); the portal's ``bonus_scan`` job (due
``BONUS_BATCH_DELAY_SECONDS`` after the first mark) re-reads all marked deals, 16 per
``batch``, computes each bonus (``rules``), decides accrual or annulment against our
ledger (``ledger_rules``) and appends the entries in one unit of work; the registry items
and the deal fields are written by the ``bonus_registry`` job, which it arms. A manual
change of «Бонус менеджера» is reverted in the same scan (``protection``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import portal_store, queue
from app.core.db import unit_of_work
from app.core.models import Job
from app.core.portal_settings import load_portal_settings
from automations.bonuses import money_repository, repository
from automations.bonuses.deal_reads import DealRead, read_deals
from automations.bonuses.ledger_rules import DealNow, plan_entries
from automations.bonuses.protection import REVERTED, guard_bonus_field
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
SCAN_LIMIT = 800
WON_SEMANTIC = "S"


async def bonus_deal(deps: Deps, job: Job) -> str:
    """Mark the deal for the portal's ``bonus_scan`` (no REST call here): a reconciliation's
    or a refund's trigger; a deal event marks it through the deal's notices."""
    delay = deps.settings.bonus_batch_delay_seconds
    async with unit_of_work(deps.sessions) as session:
        marked = await mark_for_scan(session, job.member_id, int(job.payload["deal_id"]), delay)
    return "marked for the bonus scan" if marked else "bonuses not enabled"


async def mark_for_scan(
    session: AsyncSession, member_id: str, deal_id: int, delay_seconds: float
) -> bool:
    """Mark the deal and arm the portal's ``bonus_scan``, when bonuses are on."""
    if not bonuses_enabled(await load_portal_settings(session, member_id)):
        return False
    await repository.mark_dirty(session, member_id, [deal_id])
    await queue.arm_bonus_scan(session, member_id, delay_seconds=delay_seconds)
    return True


async def scan_deals(deps: Deps, job: Job) -> str:
    """Read every marked deal (16 per batch), append the ledger entries their state calls
    for in one unit of work, guard their «Бонус менеджера», clear the marks handled."""
    async with deps.sessions() as session:
        portal = await portal_store.find_active_portal(session, job.member_id)
        values = await load_portal_settings(session, job.member_id)
        marked = await repository.dirty_deals(session, job.member_id, SCAN_LIMIT + 1)
    if portal is None:
        return "portal not active"
    if not bonuses_enabled(values):
        return "bonuses not enabled"
    try:
        rules = bonus_rules(values)
    except BonusSettingsError as exc:
        raise queue.PermanentJobError(str(exc)) from exc
    batch = dict(marked[:SCAN_LIMIT])
    reads = await read_deals(
        deps.rest.for_portal(portal),
        sorted(batch),
        with_sections=bool(rules.section_percent or rules.section_fixed),
    )
    entries = await _record(deps, job.member_id, values, rules, reads)
    guarded = [await guard_bonus_field(deps, portal, values, r) for r in reads.values() if r.deal]
    async with unit_of_work(deps.sessions) as session:
        await repository.clear_dirty(session, job.member_id, batch)
        if len(marked) > SCAN_LIMIT:
            await queue.arm_bonus_scan(session, job.member_id, delay_seconds=0)
    reverted = sum(1 for note in guarded if note == REVERTED)
    return f"{len(reads)} deal(s) read, {entries} ledger entr(y/ies), {reverted} field(s) reverted"


async def _record(
    deps: Deps,
    member_id: str,
    values: dict[str, Any],
    rules: BonusRules,
    reads: dict[int, DealRead],
) -> int:
    count = 0
    async with unit_of_work(deps.sessions) as session:
        for deal_id, read in reads.items():
            if read.deal is None:
                continue  # deleted: its ledger stays as it is
            paid = await money_repository.deal_payments(session, member_id, deal_id)
            now = deal_now(read, values, rules, fully_refunded=paid.fully_refunded)
            ledger = await repository.deal_ledger(session, member_id, deal_id)
            entries = plan_entries(ledger, now)
            await repository.record_entries(session, member_id, entries)
            count += len(entries)
        if count:
            delay = deps.settings.bonus_batch_delay_seconds
            await queue.arm_bonus_registry(session, member_id, delay_seconds=delay)
    return count


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
