"""Offline events (RELIABILITY.md R14): get with clear=0 → process → clear; a crash before
the clear re-reads the same reserved batch, each message is applied once, clear once."""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import update

from app.core.db import unit_of_work
from app.core.models import Job
from app.core.models.base import utc_now
from app.core.portal_settings import load_portal_settings
from app.worker.scheduler import arm_reconciliation
from tests.e2e.harness import BUYER_ID, live_stack
from tests.e2e.procurement_steps import Journey

pytestmark = pytest.mark.e2e


@pytest.fixture
async def journey(database_url: str) -> AsyncIterator[Journey]:
    async with live_stack(database_url, b24_offline_events=True) as stack:
        yield await Journey.start(stack)


async def reconcile(journey: Journey) -> None:
    async with unit_of_work(journey.stack.context.sessions) as session:
        await arm_reconciliation(session)
        await session.execute(update(Job).values(run_after=utc_now() - timedelta(seconds=1)))
    await journey.stack.settle()


class TestOfflineEvents:
    async def test_a_crash_before_clear_rereads_the_same_batch_and_applies_it_once(
        self, journey: Journey
    ) -> None:
        stack = journey.stack
        offline = [b for b in (await stack.ctl("GET", "/events/bound"))["bindings"] if b["offline"]]
        assert {b["event"].upper() for b in offline} >= {
            "ONCRMDEALUPDATE",
            "ONCRMDYNAMICITEMUPDATE",
        }
        await journey.create_deal()
        await stack.ctl("PATCH", "/config", json={"event_drop_rate": 1.0})  # online delivery lost
        await journey.move_deal("SEARCH")
        await stack.ctl(
            "POST",
            "/outage",
            json={
                "error": "INTERNAL_SERVER_ERROR",
                "seconds": 600,
                "methods": ["event.offline.clear"],
            },
        )
        await reconcile(journey)  # reserved, processed, but the clear fails: the "crash"
        async with stack.context.sessions() as session:
            reserved = (await load_portal_settings(session, stack.member_id))["offline_process_id"]
        assert reserved
        assert (await journey.link()).card_id  # type: ignore[union-attr]

        await stack.ctl("POST", "/outage", json={"seconds": 0})
        await stack.ctl("DELETE", "/requests")
        await reconcile(journey)
        methods = [r["method"] for r in (await stack.ctl("GET", "/requests"))["requests"]]
        # the reserved batch is read again first and cleared once; later batches are our own echoes
        assert methods[:2] == ["event.offline.get", "event.offline.clear"]
        async with stack.context.sessions() as session:
            assert not (await load_portal_settings(session, stack.member_id))["offline_process_id"]
        assert len(await journey.tasks(BUYER_ID)) == 1
        items = await stack.act(
            "crm.item.list", {"entityTypeId": journey.values["card_entity_type_id"]}
        )
        assert len(items["items"]) == 1
