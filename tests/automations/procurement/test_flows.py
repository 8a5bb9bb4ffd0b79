"""Whole journeys as sequences of snapshots fed through the rules with the accumulated state.

After every user step the echo of our own writes is fed back and must be a no-op.
"""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from automations.procurement import (
    CardStage,
    DealStage,
    LineStatus,
    Plan,
    RecordStages,
    SearchData,
    SetCardRows,
    UpsertLines,
    plan_search_entry,
    render,
    search_progress,
)
from tests.automations.procurement.world import BUYER, MANAGER, NOW, World, deal, row


def step(world: World) -> Plan:
    """One event: sync, perform, and prove the echo of our own writes does nothing."""
    plan = world.sync()
    assert world.sync() == Plan(), "the echo of our own writes must be a no-op"
    return plan


def buyer_enters(world: World, number: int, status: LineStatus, note: str = "") -> Plan:
    line = next(line for line in world.lines if line.position == number and line.is_active)
    plan = plan_search_entry(
        world.state(),
        NOW,
        line_id=line.line_id,
        status=status,
        search=SearchData(
            supplier="Ali", unit_price=Decimal("12.50"), currency="CNY", replacement_note=note
        ),
    )
    assert isinstance(plan, Plan)
    world.perform(plan)
    assert world.sync() == Plan()
    return plan


def assert_every_text_renders(world: World) -> None:
    """Each text the rules asked for renders in both languages from the params they gave."""
    for effect in world.performed.values():
        message_key = getattr(effect, "message_key", None) or getattr(effect, "title_key", None)
        message_key = message_key or getattr(effect, "template_key", None)
        if message_key is None:
            continue
        params = dict(getattr(effect, "params", ()))
        for lang in ("ru", "en"):
            assert render(message_key, lang, **params).strip()


def stages(world: World) -> tuple[DealStage | None, CardStage | None]:
    return world.deal.stage, world.card.stage if world.card else None


class TestWholePath:
    def test_new_to_won(self) -> None:
        world = World(
            deal=deal(DealStage.NEW, row(1, 10, "Рюкзак"), row(2, 20, "Сумка"), row(3, 30, "Зонт"))
        )
        assert [type(e).__name__ for e in step(world).effects] == ["RecordStages"]

        world.user_moves_deal(DealStage.SEARCH)
        step(world)
        assert stages(world) == (DealStage.SEARCH, CardStage.SEARCH)
        assert search_progress(world.lines) == (0, 3)

        buyer_enters(world, 1, LineStatus.FOUND)
        buyer_enters(world, 2, LineStatus.REPLACEMENT, note="сумка побольше")
        assert search_progress(world.lines) == (1, 3)
        assert stages(world) == (DealStage.SEARCH, CardStage.SEARCH)
        buyer_enters(world, 3, LineStatus.NOT_FOUND)
        assert stages(world) == (DealStage.FOUND, CardStage.SEARCH_DONE)

        # The manager adds services and re-saves the rows: every row ID changes.
        world.set_rows(
            row(11, 10, "Рюкзак"),
            row(12, 20, "Сумка"),
            row(13, 30, "Зонт"),
            row(14, 900, "Доставка", is_service=True),
        )
        assert [type(e) for e in step(world).effects] == [SetCardRows, UpsertLines, RecordStages]
        assert [line.row_id for line in world.lines] == [11, 12, 13]
        assert stages(world) == (DealStage.FOUND, CardStage.SEARCH_DONE)
        world.user_moves_deal(DealStage.PROPOSAL)
        step(world)
        world.user_moves_deal(DealStage.BUYOUT)
        step(world)
        assert stages(world) == (DealStage.BUYOUT, CardStage.BUYOUT)

        world.buyer_moves_card(CardStage.BOUGHT)
        step(world)
        assert stages(world) == (DealStage.BOUGHT, CardStage.BOUGHT)
        world.buyer_moves_card(CardStage.AT_WAREHOUSE)
        step(world)
        world.buyer_moves_card(CardStage.SHIPPED, eta=date(2025, 4, 1))
        step(world)
        assert stages(world) == (DealStage.IN_TRANSIT, CardStage.SHIPPED)
        world.user_moves_deal(DealStage.RECEIVED)
        step(world)
        world.user_moves_deal(DealStage.WON)
        step(world)

        assert stages(world) == (DealStage.WON, CardStage.DONE)
        assert world.sms_templates() == ["sms.at_warehouse", "sms.review_request"]
        assert world.tasks() == [(BUYER, "task.find_goods"), (BUYER, "task.buyout")]
        assert world.notified() == [
            (BUYER, "notify.search_started"),
            (MANAGER, "notify.search_done"),
        ]
        scheduled, cancelled = world.reminders()
        assert [r.reminder_key for r in scheduled] == [c.reminder_key for c in cancelled]
        assert [dict(r.params)["eta"] for r in scheduled] == ["2025-04-01"]
        assert [line.search.supplier for line in world.lines] == ["Ali", "Ali", "Ali"]
        assert world.duplicates == []
        assert_every_text_renders(world)

    def test_lost_branch_cancels_the_card_and_the_reminder(self) -> None:
        world = World(deal=deal(DealStage.NEW, row(1, 10, "Рюкзак")))
        world.user_moves_deal(DealStage.SEARCH)
        step(world)
        buyer_enters(world, 1, LineStatus.FOUND)
        world.user_moves_deal(DealStage.BUYOUT)
        step(world)
        world.buyer_moves_card(CardStage.SHIPPED, eta=date(2025, 4, 1))
        step(world)
        world.user_moves_deal(DealStage.LOST)
        step(world)
        assert stages(world) == (DealStage.LOST, CardStage.CANCELLED)
        scheduled, cancelled = world.reminders()
        assert len(scheduled) == len(cancelled) == 1
        assert world.sms_templates() == []

    def test_new_goods_return_the_deal_to_search_and_back(self) -> None:
        world = World(deal=deal(DealStage.NEW, row(1, 10, "Рюкзак"), row(2, 20, "Сумка")))
        world.user_moves_deal(DealStage.SEARCH)
        step(world)
        buyer_enters(world, 1, LineStatus.FOUND)
        buyer_enters(world, 2, LineStatus.FOUND)
        world.user_moves_deal(DealStage.PROPOSAL)
        step(world)

        # The client wants one more product and drops the bag; productrows.set churns IDs.
        world.set_rows(row(21, 10, "Рюкзак"), row(22, 30, "Зонт"))
        step(world)
        assert stages(world) == (DealStage.SEARCH, CardStage.SEARCH)
        assert world.notified()[-1] == (BUYER, "notify.new_goods")
        bag = next(line for line in world.lines if line.name == "Сумка")
        assert (bag.status, bag.prior_status, bag.search.supplier) == (
            LineStatus.CANCELLED_BY_CLIENT,
            LineStatus.FOUND,
            "Ali",
        )
        assert search_progress(world.lines) == (1, 2)

        assert {line.name: line.position for line in world.lines} == {
            "Рюкзак": 1,
            "Сумка": 2,  # the cancelled line keeps its number
            "Зонт": 3,  # the new line takes the next free one
        }
        buyer_enters(world, 3, LineStatus.FOUND)
        assert stages(world) == (DealStage.FOUND, CardStage.SEARCH_DONE)
        assert world.notified().count((MANAGER, "notify.search_done")) == 2
        assert world.duplicates == []

    def test_a_deal_created_directly_in_search_starts_the_search(self) -> None:
        world = World(deal=replace(deal(DealStage.SEARCH, row(1, 10, "Рюкзак"))))
        step(world)
        assert stages(world) == (DealStage.SEARCH, CardStage.SEARCH)
        assert len(world.lines) == 1
