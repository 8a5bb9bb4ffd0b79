from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from automations.procurement import CancelReminder, CardStage, DealStage, ScheduleReminder
from automations.procurement.eta_reminder import ReminderView, plan_reminder
from tests.automations.procurement.world import SETTINGS, deal

NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
DEAL = deal(DealStage.IN_TRANSIT)


def view(eta: date | None, scheduled: date | None = None, **stages: object) -> ReminderView:
    fields: dict[str, object] = {
        "deal_stage": DealStage.IN_TRANSIT,
        "card_stage": CardStage.SHIPPED,
        "card_eta": eta,
        "scheduled_eta": scheduled,
        "marker": 4,
    }
    fields.update(stages)
    return ReminderView(**fields)  # type: ignore[arg-type]


def scheduled(eta: date | None, now: datetime = NOW, **stages: object) -> ScheduleReminder | None:
    effects = plan_reminder(DEAL, view(eta, **stages), SETTINGS, now)
    found = [e for e in effects if isinstance(e, ScheduleReminder)]
    return found[0] if found else None


class TestEtaReminder:
    def test_fires_five_days_before_the_eta_at_the_configured_hour(self) -> None:
        reminder = scheduled(date(2025, 3, 20))
        assert reminder is not None
        assert reminder.fire_at == datetime(2025, 3, 15, 9, 0, tzinfo=UTC)
        assert dict(reminder.params) == {"days": 5, "deal_title": "Рюкзаки", "eta": "2025-03-20"}

    def test_the_hour_is_in_the_timezone_of_now(self) -> None:
        moscow = timezone(timedelta(hours=3))
        reminder = scheduled(date(2025, 3, 20), now=NOW.astimezone(moscow))
        assert reminder is not None and reminder.fire_at == datetime(
            2025, 3, 15, 9, 0, tzinfo=moscow
        )

    def test_an_eta_less_than_five_days_ahead_fires_now_with_the_real_days_left(self) -> None:
        reminder = scheduled(date(2025, 3, 5))
        assert reminder is not None
        assert reminder.fire_at == NOW
        assert (dict(reminder.params)["days"], reminder.title_key) == (2, "task.call_client")

    def test_an_eta_today_fires_now_with_the_today_text(self) -> None:
        reminder = scheduled(date(2025, 3, 3))
        assert reminder is not None and reminder.title_key == "task.call_client_today"

    def test_an_eta_in_the_past_schedules_nothing(self) -> None:
        assert plan_reminder(DEAL, view(date(2025, 3, 1)), SETTINGS, NOW) == ()

    def test_the_same_eta_again_is_a_no_op(self) -> None:
        eta = date(2025, 3, 20)
        assert plan_reminder(DEAL, view(eta, scheduled=eta), SETTINGS, NOW) == ()

    def test_a_closed_or_received_deal_wants_no_call(self) -> None:
        for stage in (DealStage.RECEIVED, DealStage.WON, DealStage.LOST):
            effects = plan_reminder(
                DEAL, view(date(2025, 3, 20), date(2025, 3, 20), deal_stage=stage), SETTINGS, NOW
            )
            assert [type(e) for e in effects] == [CancelReminder]

    def test_only_a_shipped_card_wants_a_call(self) -> None:
        assert scheduled(date(2025, 3, 20), card_stage=CardStage.AT_WAREHOUSE) is None

    def test_a_naive_now_is_refused(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            plan_reminder(DEAL, view(date(2025, 3, 20)), SETTINGS, NOW.replace(tzinfo=None))


class TestMovedEta:
    """A reschedule is one effect: the handler must never cancel the job it just re-armed."""

    def test_a_later_or_earlier_eta_is_one_schedule_and_no_cancel(self) -> None:
        for old, new in (
            (date(2025, 4, 2), date(2025, 3, 8)),
            (date(2025, 3, 8), date(2025, 3, 23)),
        ):
            effects = plan_reminder(DEAL, view(new, scheduled=old), SETTINGS, NOW)
            assert [type(e) for e in effects] == [ScheduleReminder]

    def test_an_eta_moved_within_the_lead_days_fires_now(self) -> None:
        (effect,) = plan_reminder(DEAL, view(date(2025, 3, 8), date(2025, 4, 2)), SETTINGS, NOW)
        assert isinstance(effect, ScheduleReminder) and effect.fire_at == NOW

    def test_a_cleared_eta_cancels(self) -> None:
        effects = plan_reminder(DEAL, view(None, scheduled=date(2025, 3, 20)), SETTINGS, NOW)
        assert [type(e) for e in effects] == [CancelReminder]

    def test_an_eta_moved_into_the_past_cancels(self) -> None:
        effects = plan_reminder(DEAL, view(date(2025, 3, 1), date(2025, 3, 20)), SETTINGS, NOW)
        assert [type(e) for e in effects] == [CancelReminder]
