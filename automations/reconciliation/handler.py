"""Re-read recently modified deals and deals in active stages; arm their sync queue.

Incremental by construction (Bitrix24 blocks an app that scans the CRM on a timer for "high
load", REST_FACTS): one ``>=DATE_MODIFY`` cursor read from the last watermark, and one page
of deals in active stages per cycle, walked by an ID cursor that wraps around — product-row
edits fire no event, so every active deal is re-read in turn, 50 per cycle, never all at once.
A cycle costs a request or two whatever the portal's size.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.core import portal_store, queue
from app.core.db import unit_of_work
from app.core.models import Job
from app.core.portal_settings import load_portal_settings, update_portal_settings
from automations.bonuses.settings import bonuses_enabled
from automations.ports import Deps
from automations.reconciliation.offline import drain_offline_events
from connectors.bitrix24 import Bitrix24Client

ACTIVE_SEMANTICS = ("SEARCH", "FOUND", "PROPOSAL", "BUYOUT", "BOUGHT", "IN_TRANSIT", "RECEIVED")


ACTIVE_PAGE = 50  # one list page: the active deals re-read per cycle


async def _active_page(
    client: Bitrix24Client, stages: list[str], after_id: int
) -> tuple[set[int], int]:
    """The next page of deals in ``stages`` after ``after_id`` (one request) and the cursor
    for the next cycle (0 = start again from the lowest ID)."""
    params = {
        "filter": {"@STAGE_ID": stages, ">ID": after_id},
        "order": {"ID": "ASC"},
        "select": ["ID"],
        "start": -1,
    }
    rows = await client.call("crm.deal.list", params)
    found = {int(row["ID"]) for row in rows or []}
    return found, (max(found) if len(found) >= ACTIVE_PAGE else 0)


async def _deal_ids(client: Bitrix24Client, filter_: dict[str, Any]) -> set[int]:
    found: set[int] = set()
    async for deal in client.iterate(
        "crm.deal.list", {"filter": filter_, "select": ["ID"]}, fast=True
    ):
        found.add(int(deal["ID"]))
    return found


async def reconcile_portal(deps: Deps, job: Job) -> str:
    async with deps.sessions() as session:
        portal = await portal_store.find_active_portal(session, job.member_id)
        values = await load_portal_settings(session, job.member_id)
    if portal is None:
        return "portal not active"
    started = datetime.now(UTC)
    overlap = timedelta(seconds=deps.settings.reconcile_overlap_seconds)
    watermark = values.get("reconcile_watermark")
    since = (
        datetime.fromisoformat(watermark) - overlap if watermark else started - timedelta(days=1)
    )
    client = deps.rest.for_portal(portal)
    offline = 0
    if deps.settings.b24_offline_events and portal.auth_mode != "webhook":
        offline = await drain_offline_events(deps, portal, client)
    deal_ids = await _deal_ids(client, {">=DATE_MODIFY": since.isoformat()})
    active = [s for s in (values.get("deal_stages", {}).get(n) for n in ACTIVE_SEMANTICS) if s]
    cursor = int(values.get("reconcile_active_cursor") or 0)
    if active:
        page, cursor = await _active_page(client, active, cursor)
        deal_ids |= page
    async with unit_of_work(deps.sessions) as session:
        for deal_id in sorted(deal_ids):
            await queue.arm_deal_sync(session, job.member_id, deal_id)
            if bonuses_enabled(values):
                await queue.arm_bonus_deal(session, job.member_id, deal_id)
        await update_portal_settings(
            session,
            job.member_id,
            {"reconcile_watermark": started.isoformat(), "reconcile_active_cursor": cursor},
        )
    return f"{len(deal_ids)} deal(s) re-armed, {offline} offline event(s) taken"
