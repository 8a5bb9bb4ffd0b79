"""Deal changes for the outbox (the ``exchange_deal`` job), armed by every deal sync.

Trigger: a deal event arms ``sync_deal``; its notices (``automations.deal_notices``) arm
``exchange_deal`` for that deal when the portal has a node receiving changes (direction
out or both). Rule: the
deal's stage, sum and rows are compared with the snapshot last seen (the rows the gateway
itself wrote count as seen, so its own writes echo as nothing). Effect: one outbox entry per
recipient — the nodes that sent this order, or, for a deal made in Bitrix24, the nodes of
its funnel — written in the same transaction as the new snapshot. One read batch per run.
"""

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import effects, portal_store, queue
from app.core.db import unit_of_work
from app.core.models import ExchangeDocument, ExchangeNode, ExchangeOrder, Job
from app.core.models.base import utc_now
from app.core.upsert import insert_for
from automations.exchange import nodes, notify, outbox
from automations.exchange.kit_rows import Line, outgoing
from automations.exchange.rules import (
    ORIGINATOR,
    number_text,
    properties_of_deal,
    property_map,
)
from automations.kit_catalog.repository import load_kits
from automations.ports import Deps
from automations.pricing import KitDefinition
from connectors.bitrix24 import Priority
from connectors.crm.schemas import DealRecord, as_int, parse_rows


async def arm_if_subscribed(session: AsyncSession, member_id: str, deal_id: int) -> None:
    """Arm the exchange's look at the deal when a node receives the portal's changes."""
    if await nodes.subscribers(session, member_id):
        await queue.arm_exchange_deal(session, member_id, deal_id)


def snapshot_of(deal: DealRecord, raw_rows: Any) -> dict[str, Any]:
    rows = parse_rows(raw_rows)
    mapping = property_map({})
    return {
        "properties": properties_of_deal(deal.fields, mapping),
        "stage": deal.stage_id,
        "opportunity": number_text(deal.opportunity),
        "rows": [[r.name, number_text(r.price), number_text(r.quantity)] for r in rows],
        "row_products": [r.product_id for r in rows],  # to convert kits per node, not compared
        "category_id": deal.category_id,
        "currency": str(deal.fields.get("CURRENCY_ID") or ""),
        "my_company_id": as_int(deal.fields.get("MYCOMPANY_ID")),
    }


def changed_parts(before: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What differs; a stage first seen after our own create is a baseline, not a change."""
    parts = [name for name in ("opportunity", "rows") if before.get(name) != now[name]]
    if before.get("properties") not in (None, now["properties"]):
        parts.append("properties")
    if before.get("stage") not in (None, now["stage"]):
        parts.insert(0, "stage")
    return parts


async def record_deal_change(deps: Deps, job: Job) -> str:
    deal_id = int(job.payload["deal_id"])
    async with deps.sessions() as session:
        portal = await portal_store.find_active_portal(session, job.member_id)
    if portal is None:
        return "portal not active"
    client = deps.rest.for_portal(portal)
    commands = {
        "deal": ("crm.deal.get", {"id": deal_id}),
        "rows": ("crm.deal.productrows.get", {"id": deal_id}),
    }
    outcomes = await client.batch(commands, priority=Priority.BULK)
    if not outcomes["deal"].ok:
        return f"deal {deal_id}: not readable ({outcomes['deal'].error})"
    deal = DealRecord.parse(outcomes["deal"].value)
    now = snapshot_of(deal, outcomes["rows"].unwrap())
    ours = deal.fields.get("ORIGINATOR_ID") == ORIGINATOR
    async with unit_of_work(deps.sessions) as session:
        note, sms = await _record(session, job.member_id, deal_id, now, ours=ours)
    return note + await notify.send_due(deps, job.member_id, sms)


async def _record(
    session: AsyncSession, member_id: str, deal_id: int, now: dict[str, Any], *, ours: bool
) -> tuple[str, notify.SmsDue | None]:
    order = await _find_order(session, member_id, deal_id)
    if order is None and ours:  # our create, its record not committed yet: it sets the snapshot
        return f"deal {deal_id}: made by the gateway, not recorded yet", None
    order = order or await _new_order(session, member_id, deal_id)
    before = dict(order.snapshot)
    parts = changed_parts(before, now)
    entered = "stage" in parts or before.get("stage") is None  # the first stage counts too
    now["stage_entries"] = int(before.get("stage_entries", 0)) + int(entered)
    order.snapshot, order.updated_at = now, utc_now()
    sms = await notify.plan(session, order, deal_id, now)
    if sms is not None and entered:
        await effects.start(session, member_id, [(sms.key, notify.KIND)])
    if not parts:
        return f"deal {deal_id}: no change", sms
    return await _enqueue(session, member_id, order, parts, before=before, now=now), sms


async def _enqueue(
    session: AsyncSession,
    member_id: str,
    order: ExchangeOrder,
    parts: list[str],
    *,
    before: dict[str, Any],
    now: dict[str, Any],
) -> str:
    deal_id = order.deal_id or 0
    recipients = await _recipients(session, member_id, order, now)
    event = "deal.changed" if before or order.origin_node_id else "deal.created"
    kits = await load_kits(session, member_id) if any(n.kits for n, _ in recipients) else {}
    for node, external_id in recipients:
        state = {k: v for k, v in now.items() if k not in ("stage_entries", "row_products")}
        state["rows"] = _rows_for(node, now, kits)
        change = {"event": event, "changed": parts, "external_id": external_id, **state}
        outbox.enqueue(session, [node], deal_id, change)
        if node.push_url:
            await queue.arm_exchange_push(session, member_id, node.id or 0)
    return f"deal {deal_id}: {', '.join(parts)} → {len(recipients)} node(s)"


def _rows_for(
    node: ExchangeNode, now: dict[str, Any], kits: dict[int, KitDefinition]
) -> list[list[str]]:
    """The deal's rows as this node keeps kits (``kit_rows``)."""
    rows, products = now["rows"], now.get("row_products") or [None] * len(now["rows"])
    if not node.kits or not kits:
        return list(rows)
    lines = [Line(product, name, Decimal(price), Decimal(quantity))
             for (name, price, quantity), product in zip(rows, products, strict=True)]  # fmt: skip
    return [[ln.name, number_text(ln.price), number_text(ln.quantity)]
            for ln in outgoing(lines, kits, node.kits)]  # fmt: skip


async def _find_order(session: AsyncSession, member_id: str, deal_id: int) -> ExchangeOrder | None:
    found: ExchangeOrder | None = await session.scalar(
        select(ExchangeOrder).where(
            ExchangeOrder.member_id == member_id, ExchangeOrder.deal_id == deal_id
        )
    )
    return found


async def _new_order(session: AsyncSession, member_id: str, deal_id: int) -> ExchangeOrder:
    key = f"deal:{deal_id}"  # a deal made in Bitrix24: its own order row keeps the snapshot
    await session.execute(
        insert_for(session, ExchangeOrder)
        .values(
            member_id=member_id,
            dedupe_key=key,
            origin_node_id=0,
            deal_id=deal_id,
            applied_hash="",
            snapshot={},
            created_at=utc_now(),
            updated_at=utc_now(),
        )
        .on_conflict_do_nothing(index_elements=["member_id", "dedupe_key"])
    )
    order: ExchangeOrder | None = await session.scalar(
        select(ExchangeOrder).where(
            ExchangeOrder.member_id == member_id, ExchangeOrder.dedupe_key == key
        )
    )
    assert order is not None
    return order


async def _recipients(
    session: AsyncSession, member_id: str, order: ExchangeOrder, now: dict[str, Any]
) -> list[tuple[ExchangeNode, str]]:
    subscribed = {node.id: node for node in await nodes.subscribers(session, member_id)}
    if order.origin_node_id:
        documents = await session.scalars(
            select(ExchangeDocument).where(ExchangeDocument.order_id == order.id)
        )
        return [
            (subscribed[d.node_id], d.external_id) for d in documents if d.node_id in subscribed
        ]
    return [
        (node, f"b24-deal-{order.deal_id}")
        for node in subscribed.values()
        if node.deal_category_id in (None, now["category_id"])
        and node.company_id in (None, now.get("my_company_id"))
    ]
