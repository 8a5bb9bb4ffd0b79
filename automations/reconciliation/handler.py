"""Re-read recently modified deals and deals in active stages; arm their sync queue."""

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
    active = [values.get("deal_stages", {}).get(s) for s in ACTIVE_SEMANTICS]
    if any(active):
        deal_ids |= await _deal_ids(client, {"@STAGE_ID": [s for s in active if s]})
    async with unit_of_work(deps.sessions) as session:
        for deal_id in sorted(deal_ids):
            await queue.arm_deal_sync(session, job.member_id, deal_id)
            if bonuses_enabled(values):
                await queue.arm_bonus_deal(session, job.member_id, deal_id)
        await update_portal_settings(
            session, job.member_id, {"reconcile_watermark": started.isoformat()}
        )
    return f"{len(deal_ids)} deal(s) re-armed, {offline} offline event(s) taken"
