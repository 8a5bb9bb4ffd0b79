"""The procurement workflow end to end on the sandbox portal over real HTTP (PRODUCT.md §3.4)."""

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.core.db import unit_of_work
from app.core.models import Reminder
from app.worker.scheduler import fire_due_reminders
from connectors.crm.schemas import owner_type_code
from connectors.sms import LogSmsSender
from tests.e2e.harness import BUYER_ID, SALES_ID, Stack, live_stack
from tests.e2e.procurement_steps import GOODS_ROWS, Journey

pytestmark = pytest.mark.e2e


@pytest.fixture
async def journey(database_url: str) -> AsyncIterator[Journey]:
    async with live_stack(database_url) as stack:
        yield await Journey.start(stack)


def sms_log(stack: Stack) -> list[tuple[str, str, str]]:
    sender = stack.deps.sms
    assert isinstance(sender, LogSmsSender)
    return list(sender.sent)


async def find_everything(journey: Journey) -> None:
    _html, config = await journey.open_tab("card")
    for line in config["lines"]:
        await journey.enter(
            config,
            line["id"],
            {
                "status": "found",
                "supplier": "Guangzhou Auto Parts",
                "unit_price": "310.50",
                "currency": "CNY",
            },
        )
    await journey.stack.settle()


class TestProcurementJourney:
    async def test_search_creates_the_card_lines_task_and_notification(
        self, journey: Journey
    ) -> None:
        await journey.create_deal()
        await journey.move_deal("SEARCH")
        card = await journey.card()
        assert card["stageId"] == journey.card_stage("SEARCH")
        assert card["assignedById"] == BUYER_ID
        lines = await journey.lines()
        assert [line.name for line in lines] == [
            "Фара передняя левая",
            "Бампер передний",
        ]  # no service row
        assert any("Найти товары" in title for title in await journey.tasks(BUYER_ID))
        assert len(await journey.notifications(BUYER_ID)) == 1

    async def test_whole_path_from_new_to_won(self, journey: Journey) -> None:
        stack = journey.stack
        await journey.create_deal()
        await journey.move_deal("SEARCH")
        await find_everything(journey)
        assert (await journey.deal())["STAGE_ID"] == journey.deal_stage("FOUND")
        assert (await journey.card())["stageId"] == journey.card_stage("SEARCH_DONE")
        assert any(
            "Поиск завершён. Пора согласовать список с клиентом" in n
            for n in await journey.notifications(SALES_ID)
        )

        await journey.move_deal("PROPOSAL")
        await journey.move_deal("BUYOUT")
        assert (await journey.card())["stageId"] == journey.card_stage("BUYOUT")
        buyer_tasks = await journey.tasks(BUYER_ID)
        assert len(buyer_tasks) == 2

        await journey.move_card("BOUGHT")
        assert (await journey.deal())["STAGE_ID"] == journey.deal_stage("BOUGHT")

        await journey.move_card("AT_WAREHOUSE")
        assert [s[1] for s in sms_log(stack)] == ["Ваш товар выкуплен и принят на склад"]
        timeline = await stack.ctl(
            "GET", "/timeline", params={"entity_type": "deal", "entity_id": journey.deal_id}
        )
        assert any("выкуплен" in str(entry) for entry in timeline["comments"])

        eta_field = journey.values["card_eta_field"]
        await journey.move_card("SHIPPED", extra={eta_field: "2030-06-20"})
        assert (await journey.deal())["STAGE_ID"] == journey.deal_stage("IN_TRANSIT")
        async with stack.context.sessions() as session:
            reminder = (await session.scalars(select(Reminder))).one()
        assert (
            reminder.fire_at.date().isoformat() == "2030-06-15" and reminder.status == "scheduled"
        )

        await journey.move_deal("RECEIVED")
        await journey.move_deal("WON")
        assert (await journey.card())["stageId"] == journey.card_stage("DONE")
        assert len(sms_log(stack)) == 2
        assert len(await journey.tasks(BUYER_ID)) == 2

    async def test_lost_deal_cancels_the_card(self, journey: Journey) -> None:
        await journey.create_deal()
        await journey.move_deal("SEARCH")
        await journey.move_deal("LOST")
        assert (await journey.card())["stageId"] == journey.card_stage("CANCELLED")

    async def test_new_goods_row_in_found_returns_the_deal_to_search(
        self, journey: Journey
    ) -> None:
        await journey.create_deal()
        await journey.move_deal("SEARCH")
        await find_everything(journey)
        rows = [
            *__import__("tests.e2e.procurement_steps", fromlist=["GOODS_ROWS"]).GOODS_ROWS,
            {"PRODUCT_ID": 3, "PRODUCT_NAME": "Решётка радиатора", "PRICE": 7400, "QUANTITY": 1},
        ]
        await journey.stack.act("crm.deal.productrows.set", {"id": journey.deal_id, "rows": rows})
        await journey.open_tab(
            "deal", user_id=SALES_ID
        )  # product-row edits fire no event; the tab re-reads
        await journey.stack.settle()
        assert (await journey.deal())["STAGE_ID"] == journey.deal_stage("SEARCH")
        assert (await journey.card())["stageId"] == journey.card_stage("SEARCH")
        statuses = [line.status for line in await journey.lines()]
        assert statuses == ["found", "found", "pending"]
        assert any("новый товар" in n for n in await journey.notifications(BUYER_ID))

    async def test_found_lines_survive_row_id_churn(self, journey: Journey) -> None:
        await journey.create_deal()
        await journey.move_deal("SEARCH")
        await find_everything(journey)
        from tests.e2e.procurement_steps import GOODS_ROWS

        await journey.stack.act(
            "crm.deal.productrows.set", {"id": journey.deal_id, "rows": GOODS_ROWS}
        )
        await journey.open_tab("deal", user_id=SALES_ID)
        await journey.stack.settle()
        lines = await journey.lines()
        assert [(line.status, line.supplier) for line in lines] == [
            ("found", "Guangzhou Auto Parts")
        ] * 2
        assert (await journey.deal())["STAGE_ID"] == journey.deal_stage("FOUND")


class TestRestBudget:
    async def test_a_transition_with_50_rows_costs_one_read_and_one_write(
        self, journey: Journey
    ) -> None:
        rows = [
            {"PRODUCT_ID": 1, "PRODUCT_NAME": f"Товар {i}", "PRICE": 100, "QUANTITY": 1}
            for i in range(50)
        ]
        await journey.create_deal(rows)
        stack = journey.stack
        await stack.ctl("DELETE", "/requests")
        await stack.act(
            "crm.deal.update",
            {"id": journey.deal_id, "fields": {"STAGE_ID": journey.deal_stage("SEARCH")}},
        )
        await stack.ctl("POST", "/events/flush")
        await stack.worker.run_once()
        await stack.worker.drain()
        requests = (await stack.ctl("GET", "/requests"))["requests"]
        assert [r["method"] for r in requests] == ["batch", "batch"]
        assert len(await journey.lines()) == 50


class TestEtaReminder:
    async def test_a_near_eta_fires_the_call_task_once_across_schedulers(
        self, journey: Journey
    ) -> None:
        from datetime import UTC, datetime, timedelta

        from app.worker.scheduler import PeriodicJob, fire_due_reminders, run_tick

        await journey.create_deal()
        await journey.move_deal("SEARCH")
        await find_everything(journey)
        await journey.move_deal("BUYOUT")
        await journey.move_card("BOUGHT")
        eta = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
        await journey.move_card("SHIPPED", extra={journey.values["card_eta_field"]: eta})
        tick = PeriodicJob("reminders", 15, fire_due_reminders)
        runs = [(1e9, "worker-a"), (1e9, "worker-b"), (1e9 + 15, "worker-b")]
        fired = [await run_tick(journey.stack.context, tick, owner=o, now=t) for t, o in runs]
        assert fired == [
            True,
            False,
            True,
        ]  # one scheduler per period; the reminder fires in the first
        await journey.stack.settle()
        calls = [t for t in await journey.tasks(SALES_ID) if "Позвонить клиенту" in t]
        assert len(calls) == 1


async def the_reminder(journey: Journey) -> Reminder:
    async with journey.stack.context.sessions() as session:
        return (await session.scalars(select(Reminder))).one()


async def fire_due(journey: Journey) -> int:
    async with unit_of_work(journey.stack.context.sessions) as session:
        fired = await fire_due_reminders(session)
    await journey.stack.settle()
    return fired


async def ship_with_eta(journey: Journey, eta: date | None) -> None:
    field = journey.values["card_eta_field"]
    await journey.move_card("SHIPPED", extra={field: eta.isoformat() if eta else ""})


class TestChangedEta:
    """PRODUCT §3.4 rule 9: changing the ETA reschedules the call; clearing it cancels."""

    async def test_every_eta_change_reschedules_and_a_cleared_eta_cancels(
        self, journey: Journey
    ) -> None:
        today = datetime.now(UTC).date()
        await journey.create_deal()
        await journey.move_deal("SEARCH")
        await find_everything(journey)
        await journey.move_deal("BUYOUT")
        await journey.move_card("BOUGHT")
        await ship_with_eta(journey, today + timedelta(days=30))
        reminder = await the_reminder(journey)
        assert (reminder.status, reminder.fire_at.date()) == ("scheduled", today + timedelta(25))

        await ship_with_eta(journey, today + timedelta(days=4))
        assert (await the_reminder(journey)).status == "scheduled"
        assert await fire_due(journey) == 1  # within the lead days: the task at once
        calls = [t for t in await journey.tasks(SALES_ID) if "Позвонить клиенту" in t]
        assert len(calls) == 1

        await ship_with_eta(journey, today + timedelta(days=20))
        reminder = await the_reminder(journey)
        assert (reminder.status, reminder.fire_at.date()) == ("scheduled", today + timedelta(15))

        await ship_with_eta(journey, None)
        assert (await the_reminder(journey)).status == "cancelled"
        assert await fire_due(journey) == 0


class TestCardRowsFollowTheDeal:
    """Rule 4 on the card: its product rows and sum follow the deal's active goods lines."""

    async def test_a_removal_and_an_addition_reach_the_card_and_the_numbers_stay(
        self, journey: Journey
    ) -> None:
        await journey.create_deal()
        await journey.move_deal("SEARCH")
        front, _bumper, delivery = GOODS_ROWS
        grille = {
            "PRODUCT_ID": 3,
            "PRODUCT_NAME": "Решётка радиатора",
            "PRICE": 7400,
            "QUANTITY": 1,
        }
        await journey.stack.act(
            "crm.deal.productrows.set", {"id": journey.deal_id, "rows": [front, delivery, grille]}
        )
        _html, config = await journey.open_tab("deal", user_id=SALES_ID)  # rows fire no event
        await journey.stack.settle()

        card_rows = await journey.stack.act(
            "crm.item.productrow.list",
            {
                "filter": {
                    "=ownerType": owner_type_code(journey.values["card_entity_type_id"]),
                    "=ownerId": await journey.card_id(),
                }
            },
        )
        names = [r["productName"] for r in card_rows["productRows"]]
        assert names == ["Фара передняя левая", "Решётка радиатора"]
        assert float((await journey.card())["opportunity"]) == 2 * 12500 + 7400

        _html, config = await journey.open_tab("card")
        numbers = {line["name"]: line["position"] for line in config["lines"]}
        assert numbers == {"Фара передняя левая": 1, "Бампер передний": 2, "Решётка радиатора": 3}


class TestSmsOncePerDeal:
    """PRODUCT §3.8: a client gets each SMS text at most once per deal."""

    async def test_a_card_re_entering_the_warehouse_sends_no_second_sms_or_comment(
        self, journey: Journey
    ) -> None:
        await journey.create_deal()
        await journey.move_deal("SEARCH")
        await find_everything(journey)
        await journey.move_deal("BUYOUT")
        for stage in ("BOUGHT", "AT_WAREHOUSE", "BOUGHT", "AT_WAREHOUSE"):
            await journey.move_card(stage)
        assert [text for _phone, text, *_ in sms_log(journey.stack)] == [
            "Ваш товар выкуплен и принят на склад"
        ]
        timeline = await journey.stack.ctl(
            "GET", "/timeline", params={"entity_type": "deal", "entity_id": journey.deal_id}
        )
        assert sum("выкуплен" in str(entry) for entry in timeline["comments"]) == 1
