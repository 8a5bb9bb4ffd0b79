"""Duplicated, dropped (then reconciled) and reordered events converge to the same state
with no duplicate notification, task or SMS (RELIABILITY.md R1, R11, R13, R15)."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from app.core.db import unit_of_work
from app.worker.scheduler import arm_reconciliation
from tests.e2e.harness import BUYER_ID, SALES_ID, live_stack
from tests.e2e.procurement_steps import Journey
from tests.e2e.test_procurement import find_everything, sms_log

pytestmark = pytest.mark.e2e


@pytest.fixture
async def journey(database_url: str) -> AsyncIterator[Journey]:
    async with live_stack(database_url) as stack:
        yield await Journey.start(stack)


async def walk_to_won(journey: Journey) -> None:
    await journey.create_deal()
    await journey.move_deal("SEARCH")
    await find_everything(journey)
    await journey.move_deal("PROPOSAL")
    await journey.move_deal("BUYOUT")
    await journey.move_card("BOUGHT")
    await journey.move_card("AT_WAREHOUSE")
    await journey.move_card("SHIPPED", extra={journey.values["card_eta_field"]: "2030-06-20"})
    await journey.move_deal("RECEIVED")
    await journey.move_deal("WON")


async def outcome(journey: Journey) -> dict[str, Any]:
    return {
        "deal_stage": (await journey.deal())["STAGE_ID"],
        "card_stage": (await journey.card())["stageId"],
        "buyer_notifications": len(await journey.notifications(BUYER_ID)),
        "sales_notifications": len(await journey.notifications(SALES_ID)),
        "buyer_tasks": len(await journey.tasks(BUYER_ID)),
        "sms": len(sms_log(journey.stack)),
        "lines": [(line.status, line.supplier) for line in await journey.lines()],
    }


EXPECTED_WON = {
    "deal_stage": None,
    "card_stage": None,
    "buyer_notifications": 1,
    "sales_notifications": 1,
    "buyer_tasks": 2,
    "sms": 2,
    "lines": [("found", "Guangzhou Auto Parts")] * 2,
}


def expected(journey: Journey) -> dict[str, Any]:
    return EXPECTED_WON | {
        "deal_stage": journey.deal_stage("WON"),
        "card_stage": journey.card_stage("DONE"),
    }


async def reconcile(journey: Journey) -> None:
    async with unit_of_work(journey.stack.context.sessions) as session:
        await arm_reconciliation(session)
    await journey.stack.settle()


class TestEventFaults:
    async def test_clean_delivery_reaches_the_expected_state(self, journey: Journey) -> None:
        await walk_to_won(journey)
        assert await outcome(journey) == expected(journey)

    async def test_every_event_delivered_twice_changes_nothing(self, journey: Journey) -> None:
        await journey.stack.ctl(
            "PATCH", "/config", json={"event_duplicate_rate": 1.0, "random_seed": 7}
        )
        await walk_to_won(journey)
        assert await outcome(journey) == expected(journey)

    async def test_reordered_and_delayed_events_converge(self, journey: Journey) -> None:
        await journey.stack.ctl(
            "PATCH",
            "/config",
            json={"event_reorder": True, "event_duplicate_rate": 0.5, "random_seed": 11},
        )
        await walk_to_won(journey)
        await reconcile(journey)
        assert await outcome(journey) == expected(journey)

    async def test_dropped_events_are_repaired_by_reconciliation(self, journey: Journey) -> None:
        await journey.create_deal()
        await journey.stack.ctl("PATCH", "/config", json={"event_drop_rate": 1.0})
        await journey.move_deal("SEARCH")
        link = await journey.link()
        assert link is None or link.card_id is None  # the event was lost: no card yet
        await journey.stack.ctl("PATCH", "/config", json={"event_drop_rate": 0.0})
        await reconcile(journey)
        link = await journey.link()
        assert link is not None and link.card_id
        assert len(await journey.tasks(BUYER_ID)) == 1
        await reconcile(journey)  # a second pass finds nothing new to do
        assert len(await journey.tasks(BUYER_ID)) == 1
        assert len(await journey.notifications(BUYER_ID)) == 1

    async def test_own_writes_echo_without_further_writes(self, journey: Journey) -> None:
        await journey.create_deal()
        await journey.move_deal("SEARCH")
        await journey.stack.ctl("DELETE", "/requests")
        await journey.stack.act(
            "crm.deal.update", {"id": journey.deal_id, "fields": {"TITLE": "Фары для Audi A6"}}
        )
        await journey.stack.settle()
        requests = (await journey.stack.ctl("GET", "/requests"))["requests"]
        writes = [
            r
            for r in requests
            if r["method"] != "batch"
            or any(not m.endswith((".get", ".list")) for m in r.get("batch_commands") or [])
        ]
        assert writes == []  # a user edit with no workflow meaning: reads only, no write
