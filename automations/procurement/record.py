"""Record a performed plan in our tables: card id, lines, stages, ETA, epoch, reminders."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import schedule
from app.core.models import ProcurementLink
from app.core.models.base import utc_now
from automations.procurement import repository
from automations.procurement.effects import (
    CancelReminder,
    Plan,
    RecordStages,
    ScheduleReminder,
    UpsertLines,
)


async def remember_card(
    session: AsyncSession, member_id: str, deal_id: int, card_id: int | None
) -> ProcurementLink:
    link = await repository.ensure_link(session, member_id, deal_id)
    if card_id and link.card_id != card_id:
        link.card_id = card_id
        link.updated_at = utc_now()
        await session.flush()
    return link


async def record_plan(session: AsyncSession, link: ProcurementLink, plan: Plan) -> None:
    for upsert in plan.of_type(UpsertLines):
        await repository.save_lines(session, link, upsert.lines)
    for cancel in plan.of_type(CancelReminder):
        await schedule.cancel_reminder(session, link.member_id, cancel.reminder_key)
    for reminder in plan.of_type(ScheduleReminder):
        await schedule.schedule_reminder(
            session,
            link.member_id,
            reminder.reminder_key,
            kind="task",
            fire_at=reminder.fire_at,
            payload={
                "deal_id": reminder.deal_id,
                "responsible_id": reminder.responsible_id,
                "title_key": reminder.title_key,
                "params": _plain(dict(reminder.params)),
                "decision": reminder.key,
            },
        )
    for stages in plan.of_type(RecordStages):
        _record_stages(link, stages)
    await session.flush()


def _record_stages(link: ProcurementLink, stages: RecordStages) -> None:
    link.deal_stage = stages.deal_stage.value if stages.deal_stage else ""
    link.card_stage = stages.card_stage.value if stages.card_stage else ""
    link.eta = stages.eta
    link.epoch = stages.epoch
    link.updated_at = utc_now()


def _plain(params: dict[str, object]) -> dict[str, object]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}
