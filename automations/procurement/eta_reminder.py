"""Rule 9's reminder: call the client ``reminder_days_before`` days before the shipment's ETA.

Trigger: every sync. Rule: a reminder is wanted while the card is ``SHIPPED`` with an ETA
and the deal is neither received nor closed; the link remembers the ETA it is scheduled
for. Effect: when the wanted ETA differs from the remembered one, one ``ScheduleReminder``
that replaces (moves, or re-arms) the deal's reminder job; a ``CancelReminder`` only when
no reminder is wanted any more (ETA cleared, card or deal moved on) or the new ETA is past.
Never both for one job in one plan. Job ID: ``reminder:call_client:{deal_id}``; effect
keys add the ETA and the link epoch, so the same ETA seen again is a no-op while a move
back to an earlier ETA is a new decision.

Late ETAs (decided here): an ETA fewer than the lead days ahead fires at once (``fire_at
= now``), once, naming the real number of days left; an ETA already in the past schedules
nothing, since the call would announce an arrival that is overdue — the ETA is still
remembered so the decision is not re-made on every sync.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from automations.procurement.effects import CancelReminder, Effect, ScheduleReminder, reminder_key
from automations.procurement.model import (
    CardStage,
    DealSnapshot,
    DealStage,
    ProcurementSettings,
)

_NO_CALL_DEAL_STAGES = frozenset({DealStage.RECEIVED, DealStage.WON, DealStage.LOST})


@dataclass(frozen=True)
class ReminderView:
    """The stages this plan leaves the deal and card in, and the ETA on the card."""

    deal_stage: DealStage | None
    card_stage: CardStage | None
    card_eta: date | None
    scheduled_eta: date | None
    marker: int


def wanted_eta(view: ReminderView) -> date | None:
    if view.card_stage is not CardStage.SHIPPED or view.deal_stage in _NO_CALL_DEAL_STAGES:
        return None
    return view.card_eta


def plan_reminder(
    deal: DealSnapshot, view: ReminderView, settings: ProcurementSettings, now: datetime
) -> tuple[Effect, ...]:
    """The one effect that moves the reminder from ``scheduled_eta`` to the wanted one, if any."""
    target = wanted_eta(view)
    if target == view.scheduled_eta:
        return ()
    job = reminder_key(deal.id)
    scheduled = () if target is None else _schedule(deal, target, settings, now, view.marker)
    if scheduled or view.scheduled_eta is None:
        return scheduled
    return (CancelReminder(f"cancel:{job}:{view.marker}", job),)


def _schedule(
    deal: DealSnapshot, eta: date, settings: ProcurementSettings, now: datetime, marker: int
) -> tuple[ScheduleReminder, ...]:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    today = now.date()
    if eta < today:
        return ()
    fire_at = datetime.combine(
        eta - timedelta(days=settings.reminder_days_before),
        time(settings.reminder_hour),
        tzinfo=now.tzinfo,
    )
    fire_at = max(fire_at, now)
    days_left = (eta - fire_at.date()).days
    title_key = "task.call_client" if days_left > 0 else "task.call_client_today"
    return (
        ScheduleReminder(
            key=f"schedule:{reminder_key(deal.id)}:{eta.isoformat()}:{marker}",
            reminder_key=reminder_key(deal.id),
            fire_at=fire_at,
            deal_id=deal.id,
            responsible_id=deal.responsible_id,
            title_key=title_key,
            params=(("days", days_left), ("deal_title", deal.title), ("eta", eta.isoformat())),
        ),
    )
