"""Procurement sync: load → decide → act → record, for one sales deal.

Trigger: a ``sync_deal`` job (a deal event, a card event routed to its deal, the tab,
reconciliation). Rule: ``rules.plan_sync``. Effects: one batched read and one batched
write to the portal, SMS through the SMS connector, then our link table, lines, stages
and reminders. Idempotency: every effect's key goes into ``effects`` as ``started``
before the write and ``done`` after it; a key found ``done`` is skipped, one found
``started`` (a crash mid-write) is looked up (card), safely repeated (moves,
notifications with a TAG) or surfaced as an unknown outcome (task, SMS) — never blindly
repeated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.core import effects, portal_store, queue
from app.core.db import unit_of_work
from app.core.metrics import UNKNOWN_OUTCOME_EFFECTS
from app.core.models import Job, Portal
from app.core.portal_settings import load_portal_settings
from automations.kit_catalog import repository as kits
from automations.ports import Deps
from automations.procurement import repository
from automations.procurement.draft import SyncInput
from automations.procurement.effects import (
    CreateCard,
    CreateTask,
    Effect,
    MoveCard,
    MoveDeal,
    Notify,
    Plan,
    SendSms,
    SetCardRows,
)
from automations.procurement.model import Line, ProcurementSettings
from automations.procurement.portal_writes import PortalContext, op_id
from automations.procurement.record import record_plan, remember_card
from automations.procurement.rules import plan_sync
from automations.procurement.snapshots import card_snapshot, deal_snapshot, pick_buyer
from automations.procurement.writes_batch import WriteBatch
from automations.product_actions.kit_expansion import expand_kits_in_deal
from automations.product_actions.money_discount import apply_field_discount
from connectors.crm.gateway import CardRef, CrmGateway, DealBundle

PORTAL_EFFECTS = (CreateCard, MoveDeal, MoveCard, SetCardRows, Notify, CreateTask, SendSms)
REPEATABLE = (MoveDeal, MoveCard, SetCardRows, Notify)
BUNDLE_TYPE = 2


class PortalWriteFailed(Exception):
    """Some commands of the write batch failed; the job retries, done effects are skipped."""


@dataclass
class Loaded:
    portal: Portal
    values: dict[str, Any]
    link: Any
    lines: tuple[Line, ...]


@dataclass
class Pending:
    todo: list[Effect] = field(default_factory=list)
    card_id: int | None = None


async def load_local(deps: Deps, member_id: str, deal_id: int) -> Loaded | None:
    async with deps.sessions() as session:
        portal = await portal_store.find_active_portal(session, member_id)
        if portal is None:
            return None
        values = await load_portal_settings(session, member_id)
        link = await repository.find_link(session, member_id, deal_id)
        rows = await repository.list_lines(session, member_id, link.id) if link and link.id else []
    return Loaded(portal, values, link, tuple(repository.to_line(row) for row in rows))


def portal_context(loaded: Loaded, card_id: int | None) -> PortalContext:
    values = loaded.values
    origin = loaded.portal.client_endpoint.removesuffix("/").removesuffix("/rest")
    return PortalContext(
        lang=loaded.portal.language,
        deal_stages=values["deal_stages"],
        card_stages=values["card_stages"],
        card_entity_type_id=int(values["card_entity_type_id"]),
        card_category_id=int(values["card_category_id"]),
        card_id=card_id,
        deal_url=origin + "/crm/deal/details/{deal_id}/",
    )


async def sync_deal(deps: Deps, job: Job) -> str:
    deal_id = int(job.payload["deal_id"])
    loaded = await load_local(deps, job.member_id, deal_id)
    if loaded is None:
        return "portal not active"
    provisioned = bool(loaded.values.get("deal_stages") and loaded.values.get("card_stages"))
    gateway = CrmGateway(deps.rest.for_portal(loaded.portal))
    card_id = loaded.link.card_id if loaded.link else None
    card_ref = (
        CardRef(int(loaded.values["card_entity_type_id"]), card_id)
        if provisioned and card_id
        else None
    )
    bundle = await gateway.read_deal_bundle(deal_id, card_ref)
    if bundle.deal is not None and await rewrite_products(deps, loaded, bundle):
        bundle = await gateway.read_deal_bundle(deal_id, card_ref)
    if bundle.deal is None:
        return "deal not found"
    if not provisioned:
        return "rows checked; procurement stage map not provisioned"
    deal = deal_snapshot(bundle, loaded.values)
    state = SyncInput(
        deal=deal,
        card=card_snapshot(bundle.card, loaded.values),
        link=repository.link_state(deal_id, loaded.link),
        lines=loaded.lines,
        settings=ProcurementSettings(
            buyer_id=pick_buyer(loaded.values, deal_id, deal.responsible_id)
        ),
    )
    plan = plan_sync(state, datetime.now(UTC))
    if not plan:
        return "no change"
    return await execute_plan(deps, loaded, gateway, plan, deal_id)


async def rewrite_products(deps: Deps, loaded: Loaded, bundle: DealBundle) -> bool:
    """Kit rows are expanded and a deal-field discount applied before the rules see the rows;
    both cost nothing when the deal has neither (the rows are already read)."""
    assert bundle.deal is not None
    portal, deal_id, changed = loaded.portal, bundle.deal.id, False  # changed: re-read the rows
    async with deps.sessions() as session:
        kit_ids = set(await kits.load_kits(session, portal.member_id))
    if any(row.type == BUNDLE_TYPE or row.product_id in kit_ids for row in bundle.rows):
        await expand_kits_in_deal(deps, portal, deal_id)
        changed = True
    field = str(loaded.values.get("discount_field") or "")
    if field and str(bundle.deal.fields.get(field) or "").strip() not in ("", "0", "0.00"):
        await apply_field_discount(deps, portal, deal_id)
        changed = True
    return changed


async def execute_plan(
    deps: Deps, loaded: Loaded, gateway: CrmGateway, plan: Plan, deal_id: int
) -> str:
    member_id = loaded.portal.member_id
    pending = await _pending_effects(deps, loaded, gateway, plan)
    async with unit_of_work(deps.sessions) as session:
        await effects.start(session, member_id, [(e.key, type(e).__name__) for e in pending.todo])
    batch = WriteBatch(portal_context(loaded, pending.card_id), deal_id, deps.sms)
    result = await batch.run(gateway, pending.todo)
    async with unit_of_work(deps.sessions) as session:
        card_id = result.card_id or pending.card_id
        link = await remember_card(session, member_id, deal_id, card_id)
        for key, value in result.done.items():
            await effects.finish(session, member_id, key, result=value)
        await effects.forget(session, member_id, result.failed)
        if not result.failed:
            await record_plan(session, link, plan)
    if result.failed:
        raise PortalWriteFailed(
            f"{len(result.failed)} write(s) failed: {result.describe_failures()}"
        )
    return f"{len(pending.todo)} effect(s) performed"


async def _pending_effects(deps: Deps, loaded: Loaded, gateway: CrmGateway, plan: Plan) -> Pending:
    member_id = loaded.portal.member_id
    portal_effects = [e for e in plan.effects if isinstance(e, PORTAL_EFFECTS)]
    async with deps.sessions() as session:
        known = await effects.statuses(session, member_id, [e.key for e in portal_effects])
    pending = Pending(card_id=loaded.link.card_id if loaded.link else None)
    for effect in portal_effects:
        record = known.get(effect.key)
        if isinstance(effect, CreateCard) and record is not None:
            pending.card_id = pending.card_id or await _resolve_card(
                deps, loaded, gateway, effect, record
            )
            if pending.card_id is None:
                pending.todo.append(effect)
        elif record is None or (
            record.status == effects.STARTED and await _redo(deps, loaded, gateway, effect)
        ):
            pending.todo.append(effect)
    return pending


async def _redo(deps: Deps, loaded: Loaded, gateway: CrmGateway, effect: Effect) -> bool:
    """An effect left ``started`` by a crash: should it be performed (again)?"""
    member_id = loaded.portal.member_id
    if isinstance(effect, REPEATABLE):
        return True
    if isinstance(effect, SendSms) and deps.sms.deduplicates:
        return True  # the provider drops a repeat with the same idempotency key
    if isinstance(effect, CreateTask):
        task_id = await gateway.find_task_by_xml_id(op_id(effect.key))
        async with unit_of_work(deps.sessions) as session:
            if task_id is None:
                await effects.forget(session, member_id, [effect.key])
            else:
                await effects.finish(session, member_id, effect.key, result={"task_id": task_id})
        return task_id is None
    await _mark_unknown(deps, member_id, effect)
    return False


async def _resolve_card(
    deps: Deps, loaded: Loaded, gateway: CrmGateway, effect: CreateCard, record: Any
) -> int | None:
    """A card effect already recorded: take its id, or look it up by our op id (DR3)."""
    if record.status == effects.DONE and record.result.get("card_id"):
        return int(record.result["card_id"])
    found = await gateway.find_item_by_xml_id(
        int(loaded.values["card_entity_type_id"]), op_id(effect.key)
    )
    if found is None:
        async with unit_of_work(deps.sessions) as session:
            await effects.forget(session, loaded.portal.member_id, [effect.key])
        return None
    async with unit_of_work(deps.sessions) as session:
        await effects.finish(
            session, loaded.portal.member_id, effect.key, result={"card_id": found.id}
        )
    return found.id


async def _mark_unknown(deps: Deps, member_id: str, effect: Effect) -> None:
    UNKNOWN_OUTCOME_EFFECTS.labels(kind=type(effect).__name__).inc()
    async with unit_of_work(deps.sessions) as session:
        await effects.finish(session, member_id, effect.key, status=effects.UNKNOWN)


async def sync_item(deps: Deps, job: Job) -> str:
    """A procurement card changed: re-sync its deal (one job per deal serialises the two cards)."""
    item_id = int(job.payload["item_id"])
    async with unit_of_work(deps.sessions) as session:
        values = await load_portal_settings(session, job.member_id)
        if int(job.payload.get("entity_type_id", 0)) != int(
            values.get("card_entity_type_id") or -1
        ):
            return "not a procurement card"
        link = await repository.find_link_by_card(session, job.member_id, item_id)
        if link is None:
            return "card not linked"
        await queue.arm_deal_sync(session, job.member_id, link.deal_id)
    return f"deal {link.deal_id} re-armed"
