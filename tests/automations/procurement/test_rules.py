"""Rules 1-10 one by one: the happy path, then the echo or duplicate that must do nothing."""

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from automations.procurement import (
    CancelReminder,
    CardStage,
    CreateCard,
    CreateTask,
    DealStage,
    EntryProblem,
    EntryRejected,
    LineStatus,
    MoveCard,
    MoveDeal,
    Notify,
    Plan,
    RecordStages,
    ScheduleReminder,
    SearchData,
    SendSms,
    SetCardRows,
    UpsertLines,
    plan_search_entry,
    plan_sync,
)
from tests.automations.procurement.world import BUYER, MANAGER, NOW, World, row

FOUND = SearchData(
    supplier="Ali",
    supplier_url="https://example.com/item/1",
    unit_price=Decimal("12.50"),
    currency="CNY",
)


def kinds(plan: Plan) -> list[type]:
    return [type(effect) for effect in plan.effects]


def in_search(world: World) -> World:
    world.user_moves_deal(DealStage.SEARCH)
    world.sync()
    assert world.sync() == Plan()
    return world


def searched(world: World, *statuses: LineStatus) -> World:
    """Enter one buyer status per active line, in order, through the tab."""
    active = [line for line in world.lines if line.is_active]
    for line, status in zip(active, statuses, strict=True):
        note = "похожая сумка" if status is LineStatus.REPLACEMENT else ""
        plan = plan_search_entry(
            world.state(),
            NOW,
            line_id=line.line_id,
            status=status,
            search=replace(FOUND, replacement_note=note),
        )
        assert isinstance(plan, Plan)
        world.perform(plan)
    return world


def at_stage(world: World, stage: DealStage) -> World:
    searched(in_search(world), LineStatus.FOUND, LineStatus.FOUND)
    world.user_moves_deal(stage)
    world.sync()
    assert world.sync() == Plan()
    return world


class TestRule1StartSearch:
    def test_entering_search_creates_card_lines_task_and_notification(self, world: World) -> None:
        world.set_rows(
            row(1, 10, "Рюкзак"), row(2, 20, "Сумка"), row(3, 900, "Доставка", is_service=True)
        )
        world.user_moves_deal(DealStage.SEARCH)
        plan = world.sync()
        assert kinds(plan) == [CreateCard, CreateTask, Notify, UpsertLines, RecordStages]
        card = plan.of_type(CreateCard)[0]
        assert (card.assigned_by_id, card.contact_id, card.title_key) == (BUYER, 11, "card.title")
        assert [r.name for r in card.rows] == ["Рюкзак", "Сумка"]
        assert [(line.name, line.status) for line in world.lines] == [
            ("Рюкзак", LineStatus.PENDING),
            ("Сумка", LineStatus.PENDING),
        ]
        assert world.tasks() == [(BUYER, "task.find_goods")]
        assert world.notified() == [(BUYER, "notify.search_started")]
        assert plan.of_type(CreateTask)[0].bind_deal and plan.of_type(CreateTask)[0].bind_card

    def test_echo_of_the_card_creation_does_nothing(self, world: World) -> None:
        world.user_moves_deal(DealStage.SEARCH)
        world.sync()
        assert world.sync() == Plan()
        assert world.duplicates == []

    def test_replaying_the_same_event_before_it_was_recorded_repeats_the_same_keys(
        self, world: World
    ) -> None:
        world.user_moves_deal(DealStage.SEARCH)
        first = plan_sync(world.state(), NOW)
        second = plan_sync(world.state(), NOW + timedelta(minutes=5))
        assert [e.key for e in first.effects] == [e.key for e in second.effects]
        world.perform(first)
        world.perform(second)
        assert len(world.performed_of(CreateCard)) == 1

    def test_a_deal_reentering_search_with_a_card_creates_nothing(self, world: World) -> None:
        at_stage(world, DealStage.PROPOSAL)
        world.user_moves_deal(DealStage.SEARCH)
        plan = world.sync()
        assert plan.of_type(CreateCard) == ()
        assert plan.of_type(CreateTask) == ()

    def test_a_deal_first_seen_in_another_stage_is_adopted_without_effects(
        self, world: World
    ) -> None:
        world.user_moves_deal(DealStage.WON)
        assert kinds(world.sync()) == [RecordStages]
        assert world.sync() == Plan()

    def test_an_unmapped_stage_changes_nothing(self, world: World) -> None:
        in_search(world)
        world.user_moves_deal(None)  # type: ignore[arg-type]
        assert world.sync() == Plan()
        assert world.link.deal_stage is DealStage.SEARCH


class TestRule2SearchEntry:
    def test_an_entry_is_stored_on_its_line(self, world: World) -> None:
        in_search(world)
        line = world.lines[0]
        plan = plan_search_entry(
            world.state(), NOW, line_id=line.line_id, status=LineStatus.FOUND, search=FOUND
        )
        assert isinstance(plan, Plan)
        assert kinds(plan) == [UpsertLines, RecordStages]
        assert plan.effects[0].lines == (replace(line, status=LineStatus.FOUND, search=FOUND),)

    def test_saving_the_same_entry_twice_yields_nothing_the_second_time(self, world: World) -> None:
        in_search(world)
        line_id = world.lines[0].line_id
        world.perform(
            plan_search_entry(
                world.state(), NOW, line_id=line_id, status=LineStatus.FOUND, search=FOUND
            )
        )
        again = plan_search_entry(
            world.state(), NOW, line_id=line_id, status=LineStatus.FOUND, search=FOUND
        )
        assert again == Plan()

    def test_a_replacement_must_be_described(self, world: World) -> None:
        in_search(world)
        line_id = world.lines[0].line_id
        result = plan_search_entry(
            world.state(), NOW, line_id=line_id, status=LineStatus.REPLACEMENT, search=SearchData()
        )
        assert result == EntryRejected(line_id, EntryProblem.REPLACEMENT_NOT_DESCRIBED)

    def test_the_buyer_cannot_cancel_for_the_client_or_edit_an_unknown_line(
        self, world: World
    ) -> None:
        in_search(world)
        state = world.state()
        cancel = plan_search_entry(
            state,
            NOW,
            line_id=world.lines[0].line_id,
            status=LineStatus.CANCELLED_BY_CLIENT,
            search=FOUND,
        )
        unknown = plan_search_entry(state, NOW, line_id=999, status=LineStatus.FOUND, search=FOUND)
        assert (
            isinstance(cancel, EntryRejected) and cancel.problem is EntryProblem.STATUS_NOT_ALLOWED
        )
        assert isinstance(unknown, EntryRejected) and unknown.problem is EntryProblem.UNKNOWN_LINE


class TestRule3SearchCompletion:
    def test_the_last_status_moves_both_cards_and_tells_the_manager(self, world: World) -> None:
        searched(in_search(world), LineStatus.FOUND, LineStatus.NOT_FOUND)
        assert world.deal.stage is DealStage.FOUND
        assert world.card is not None and world.card.stage is CardStage.SEARCH_DONE
        assert world.notified()[-1] == (MANAGER, "notify.search_done")
        assert world.sync() == Plan()

    def test_not_found_and_replacement_complete_the_search(self, world: World) -> None:
        searched(in_search(world), LineStatus.NOT_FOUND, LineStatus.REPLACEMENT)
        assert world.deal.stage is DealStage.FOUND

    def test_a_pending_line_blocks_completion(self, world: World) -> None:
        in_search(world)
        line_id = world.lines[0].line_id
        plan = plan_search_entry(
            world.state(), NOW, line_id=line_id, status=LineStatus.FOUND, search=FOUND
        )
        assert isinstance(plan, Plan) and plan.of_type(MoveDeal) == ()

    def test_the_notification_is_sent_once_for_a_duplicate_event(self, world: World) -> None:
        searched(in_search(world), LineStatus.FOUND, LineStatus.FOUND)
        world.sync()
        world.sync()
        assert world.notified().count((MANAGER, "notify.search_done")) == 1


class TestRule4ClientDropsPositions:
    def test_a_removed_row_cancels_its_line_without_moving_anything(self, world: World) -> None:
        searched(in_search(world), LineStatus.FOUND, LineStatus.FOUND)
        world.set_rows(row(1, 10, "Рюкзак"))
        plan = world.sync()
        assert kinds(plan) == [SetCardRows, UpsertLines, RecordStages]
        assert world.lines[1].status is LineStatus.CANCELLED_BY_CLIENT
        assert world.sync() == Plan()

    def test_the_card_rows_follow_a_removal_and_an_addition(self, world: World) -> None:
        searched(in_search(world), LineStatus.FOUND, LineStatus.FOUND)
        world.set_rows(row(1, 10, "Рюкзак"), row(3, 30, "Зонт", price=250))
        (card_rows,) = world.sync().of_type(SetCardRows)
        assert [(r.name, r.price) for r in card_rows.rows] == [("Рюкзак", 100), ("Зонт", 250)]
        assert world.sync() == Plan()

    def test_services_and_buyer_entries_leave_the_card_rows_alone(self, world: World) -> None:
        in_search(world)
        world.set_rows(*world.deal.rows, row(9, 900, "Доставка", is_service=True))
        assert world.sync().of_type(SetCardRows) == ()
        searched(world, LineStatus.FOUND, LineStatus.NOT_FOUND)
        assert world.performed_of(SetCardRows) == []

    def test_removing_the_last_unsearched_row_completes_the_search(self, world: World) -> None:
        in_search(world)
        line_id = world.lines[0].line_id
        world.perform(
            plan_search_entry(
                world.state(), NOW, line_id=line_id, status=LineStatus.FOUND, search=FOUND
            )
        )
        world.set_rows(row(1, 10, "Рюкзак"))
        plan = world.sync()
        assert kinds(plan) == [SetCardRows, MoveDeal, MoveCard, Notify, UpsertLines, RecordStages]
        assert world.deal.stage is DealStage.FOUND
        assert world.sync() == Plan()

    def test_removing_every_row_does_not_complete_the_search(self, world: World) -> None:
        in_search(world)
        world.set_rows()
        plan = world.sync()
        assert kinds(plan) == [SetCardRows, UpsertLines, RecordStages]
        assert world.deal.stage is DealStage.SEARCH


class TestRule5NewGoodsReturnToSearch:
    def test_a_new_row_in_found_sends_both_cards_back_to_search(self, world: World) -> None:
        searched(in_search(world), LineStatus.FOUND, LineStatus.FOUND)
        world.set_rows(*world.deal.rows, row(3, 30, "Зонт"))
        plan = world.sync()
        assert kinds(plan) == [SetCardRows, MoveDeal, MoveCard, Notify, UpsertLines, RecordStages]
        assert (world.deal.stage, world.card.stage) == (DealStage.SEARCH, CardStage.SEARCH)
        assert world.notified()[-1] == (BUYER, "notify.new_goods")
        assert world.lines[-1].status is LineStatus.PENDING
        assert world.sync() == Plan()

    def test_a_new_row_in_proposal_sends_both_cards_back_to_search(self, world: World) -> None:
        at_stage(world, DealStage.PROPOSAL)
        world.set_rows(*world.deal.rows, row(3, 30, "Зонт"))
        world.sync()
        assert world.deal.stage is DealStage.SEARCH

    def test_a_returning_row_already_found_needs_no_new_search(self, world: World) -> None:
        at_stage(world, DealStage.PROPOSAL)
        rows = world.deal.rows
        world.set_rows(rows[0])
        world.sync()
        world.set_rows(row(41, 10, "Рюкзак"), row(42, 20, "Сумка"))
        plan = world.sync()
        assert kinds(plan) == [SetCardRows, UpsertLines, RecordStages]
        assert world.deal.stage is DealStage.PROPOSAL

    def test_a_new_row_after_buyout_adds_a_line_but_moves_nothing(self, world: World) -> None:
        at_stage(world, DealStage.BUYOUT)
        world.set_rows(*world.deal.rows, row(3, 30, "Зонт"))
        assert kinds(world.sync()) == [SetCardRows, UpsertLines, RecordStages]


class TestRule6Buyout:
    def test_deal_buyout_moves_the_card_and_tasks_the_buyer(self, world: World) -> None:
        searched(in_search(world), LineStatus.FOUND, LineStatus.FOUND)
        world.user_moves_deal(DealStage.BUYOUT)
        plan = world.sync()
        assert plan.of_type(MoveCard)[0].stage is CardStage.BUYOUT
        assert world.tasks()[-1] == (BUYER, "task.buyout")
        assert world.sync() == Plan()


class TestRule7Bought:
    def test_card_bought_moves_the_deal(self, world: World) -> None:
        at_stage(world, DealStage.BUYOUT)
        world.buyer_moves_card(CardStage.BOUGHT)
        plan = world.sync()
        assert [e.stage for e in plan.of_type(MoveDeal)] == [DealStage.BOUGHT]
        assert world.sync() == Plan()

    def test_a_closed_deal_is_never_moved_back(self, world: World) -> None:
        at_stage(world, DealStage.LOST)
        world.buyer_moves_card(CardStage.BOUGHT)
        assert world.sync().of_type(MoveDeal) == ()

    def test_when_both_moved_the_deal_wins(self, world: World) -> None:
        at_stage(world, DealStage.BUYOUT)
        world.user_moves_deal(DealStage.LOST)
        world.buyer_moves_card(CardStage.BOUGHT)
        plan = world.sync()
        assert [e.stage for e in plan.of_type(MoveCard)] == [CardStage.CANCELLED]
        assert plan.of_type(MoveDeal) == ()
        assert world.sync() == Plan()


class TestRule8AtWarehouse:
    def test_card_at_warehouse_texts_the_client_once(self, world: World) -> None:
        at_stage(world, DealStage.BUYOUT)
        world.buyer_moves_card(CardStage.AT_WAREHOUSE)
        plan = world.sync()
        sms = plan.of_type(SendSms)[0]
        assert (sms.phone, sms.template_key, sms.deal_id) == (
            "+79990001122",
            "sms.at_warehouse",
            100,
        )
        world.sync()
        assert world.sms_templates() == ["sms.at_warehouse"]

    def test_a_card_re_entering_the_warehouse_texts_no_second_time(self, world: World) -> None:
        at_stage(world, DealStage.BUYOUT)
        keys = []
        for stage in (CardStage.AT_WAREHOUSE, CardStage.BOUGHT, CardStage.AT_WAREHOUSE):
            world.buyer_moves_card(stage)
            keys += [sms.key for sms in world.sync().of_type(SendSms)]
        assert keys == ["sms:sms.at_warehouse:100"] * 2  # one key per deal and text
        assert world.sms_templates() == ["sms.at_warehouse"]

    def test_without_a_phone_the_manager_is_told_instead(self, world: World) -> None:
        world.deal = replace(world.deal, client_phone=None)
        at_stage(world, DealStage.BUYOUT)
        world.buyer_moves_card(CardStage.AT_WAREHOUSE)
        plan = world.sync()
        assert plan.of_type(SendSms) == ()
        assert world.notified()[-1] == (MANAGER, "notify.sms_no_phone")


class TestRule9Shipped:
    ETA = date(2025, 3, 20)

    def test_card_shipped_moves_the_deal_in_transit_and_schedules_the_call(
        self, world: World
    ) -> None:
        at_stage(world, DealStage.BUYOUT)
        world.buyer_moves_card(CardStage.SHIPPED, eta=self.ETA)
        plan = world.sync()
        assert [e.stage for e in plan.of_type(MoveDeal)] == [DealStage.IN_TRANSIT]
        reminder = plan.of_type(ScheduleReminder)[0]
        assert reminder.fire_at == datetime(2025, 3, 15, 9, 0, tzinfo=NOW.tzinfo)
        assert (reminder.responsible_id, reminder.title_key) == (MANAGER, "task.call_client")
        assert dict(reminder.params)["days"] == 5
        assert world.sync() == Plan()

    def test_a_changed_eta_reschedules_the_call(self, world: World) -> None:
        at_stage(world, DealStage.BUYOUT)
        world.buyer_moves_card(CardStage.SHIPPED, eta=self.ETA)
        world.sync()
        world.buyer_moves_card(CardStage.SHIPPED, eta=date(2025, 3, 25))
        first = world.reminders()[0][0]
        plan = world.sync()
        assert plan.of_type(CancelReminder) == ()  # a cancel would kill the moved reminder
        (new,) = plan.of_type(ScheduleReminder)
        assert new.fire_at.date() == date(2025, 3, 20)
        assert new.reminder_key == first.reminder_key == "reminder:call_client:100"
        assert new.key != first.key
        assert world.sync() == Plan()

    def test_moving_the_eta_back_schedules_again(self, world: World) -> None:
        at_stage(world, DealStage.BUYOUT)
        for eta in (self.ETA, date(2025, 3, 25), self.ETA):
            world.buyer_moves_card(CardStage.SHIPPED, eta=eta)
            world.sync()
        scheduled, cancelled = world.reminders()
        assert [r.fire_at.date() for r in scheduled] == [
            date(2025, 3, 15),
            date(2025, 3, 20),
            date(2025, 3, 15),
        ]
        assert cancelled == []
        assert world.duplicates == []

    def test_shipped_without_eta_schedules_once_the_eta_is_filled(self, world: World) -> None:
        at_stage(world, DealStage.BUYOUT)
        world.buyer_moves_card(CardStage.SHIPPED)
        assert world.sync().of_type(ScheduleReminder) == ()
        world.buyer_moves_card(CardStage.SHIPPED, eta=self.ETA)
        assert len(world.sync().of_type(ScheduleReminder)) == 1

    def test_the_received_deal_cancels_the_call(self, world: World) -> None:
        at_stage(world, DealStage.BUYOUT)
        world.buyer_moves_card(CardStage.SHIPPED, eta=self.ETA)
        world.sync()
        world.user_moves_deal(DealStage.RECEIVED)
        cancel = world.sync().of_type(CancelReminder)
        assert [e.reminder_key for e in cancel] == ["reminder:call_client:100"]
        assert world.sync() == Plan()


class TestRule10Closing:
    def test_won_asks_for_a_review_and_closes_the_card(self, world: World) -> None:
        at_stage(world, DealStage.RECEIVED)
        world.user_moves_deal(DealStage.WON)
        plan = world.sync()
        assert plan.of_type(SendSms)[0].template_key == "sms.review_request"
        assert [e.stage for e in plan.of_type(MoveCard)] == [CardStage.DONE]
        assert world.sync() == Plan()

    def test_lost_cancels_the_card_without_sms(self, world: World) -> None:
        at_stage(world, DealStage.PROPOSAL)
        world.user_moves_deal(DealStage.LOST)
        plan = world.sync()
        assert plan.of_type(SendSms) == ()
        assert [e.stage for e in plan.of_type(MoveCard)] == [CardStage.CANCELLED]
        assert world.sync() == Plan()

    def test_a_deal_won_again_after_reopening_asks_for_no_second_review(self, world: World) -> None:
        at_stage(world, DealStage.WON)
        world.user_moves_deal(DealStage.RECEIVED)
        world.sync()
        world.user_moves_deal(DealStage.WON)
        world.sync()
        assert world.sms_templates() == ["sms.review_request"]  # each text once per deal
        assert world.duplicates == ["sms:sms.review_request:100"]  # skipped by its key
