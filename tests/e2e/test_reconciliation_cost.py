"""Reconciliation stays incremental (REST_FACTS: Bitrix24 blocks an app that scans the CRM
on a timer): over 10,000 deals, half of them in an active stage, of which 10 changed since
the last cycle, one cycle costs at most 3 REST requests and re-arms the 10 changed deals
plus one page of active deals — never all of them."""

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.db import unit_of_work
from app.core.models import Job
from app.core.portal_settings import load_portal_settings, update_portal_settings
from automations.reconciliation.handler import ACTIVE_PAGE, reconcile_portal
from connectors.bitrix24.encoding import batch_command
from tests.e2e.harness import Stack, live_stack

pytestmark = pytest.mark.e2e
DEALS, CHANGED = 10_000, 10


async def create_deals(stack: Stack, stages: list[str]) -> None:
    """Through the portal's own webhook, limits off for the set-up, events dropped."""
    await stack.ctl("PATCH", "/config", json={"event_drop_rate": 1.0, "limits_enabled": False})
    webhook = str(stack.portal["webhook_url"])
    for start in range(0, DEALS, 50):
        commands = {
            f"d{i}": batch_command(
                "crm.deal.add", {"fields": {"TITLE": f"Deal {i}", "STAGE_ID": stages[i % 2]}}
            )
            for i in range(start, start + 50)
        }
        answer = await stack.control.post(f"{webhook}batch", json={"halt": 0, "cmd": commands})
        answer.raise_for_status()
    await stack.ctl("PATCH", "/config", json={"limits_enabled": True})


async def sync_jobs(stack: Stack) -> int:
    async with stack.context.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(Job).where(Job.kind == "sync_deal")
        )
    return int(count or 0)


async def deal_stages(stack: Stack) -> dict[str, Any]:
    async with stack.context.sessions() as session:
        values = await load_portal_settings(session, stack.member_id)
    return dict(values["deal_stages"])


class TestReconciliationCost:
    async def test_ten_changed_deals_of_ten_thousand_cost_at_most_three_requests(
        self, database_url: str
    ) -> None:
        async with live_stack(database_url, reconcile_overlap_seconds=1) as stack:
            await stack.install()
            await stack.provision()
            stages = await deal_stages(stack)
            await create_deals(stack, [stages["NEW"], stages["SEARCH"]])
            await asyncio.sleep(2.1)
            async with unit_of_work(stack.context.sessions) as session:
                now = datetime.now(UTC).isoformat()
                await update_portal_settings(session, stack.member_id, {"reconcile_watermark": now})
            await asyncio.sleep(1.1)
            changed = list(range(101, 101 + CHANGED * 37, 37))
            for deal_id in changed:
                await stack.act("crm.deal.update", {"id": deal_id, "fields": {"TITLE": "edited"}})
            before = await sync_jobs(stack)
            await stack.ctl("DELETE", "/requests")
            job = Job(member_id=stack.member_id, kind="reconcile", coalesce_key="r", payload={})
            await reconcile_portal(stack.deps, job)
            requests = (await stack.ctl("GET", "/requests"))["requests"]
            assert len(requests) <= 3, [r["method"] for r in requests]
            armed = await sync_jobs(stack) - before
            assert CHANGED <= armed <= CHANGED + ACTIVE_PAGE
