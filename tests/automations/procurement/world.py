"""A tiny stand-in for the handler: performs plans on in-memory portal state and link rows.

It does what the lead's handler will do with a plan (create the card, move stages, upsert
lines with fresh IDs, record the link, keep an effects table by key) so sequences of
snapshots can be fed through the rules with the accumulated state.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal

from automations.procurement import (
    CancelReminder,
    CardSnapshot,
    CardStage,
    CreateCard,
    CreateTask,
    DealSnapshot,
    DealStage,
    Effect,
    Line,
    LinkState,
    MoveCard,
    MoveDeal,
    Notify,
    Plan,
    ProcurementSettings,
    RecordStages,
    RowSnapshot,
    ScheduleReminder,
    SendSms,
    SetCardRows,
    SyncInput,
    UpsertLines,
    plan_sync,
)

NOW = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
BUYER = 7
MANAGER = 3
SETTINGS = ProcurementSettings(buyer_id=BUYER)


def row(row_id: int, product_id: int | None, name: str, **extra: object) -> RowSnapshot:
    fields: dict[str, object] = {"quantity": Decimal(1), "price": Decimal(100), "sort": 0}
    fields.update(extra)
    return RowSnapshot(row_id=row_id, product_id=product_id, name=name, **fields)  # type: ignore[arg-type]


def deal(
    stage: DealStage | None = DealStage.NEW, *rows: RowSnapshot, **extra: object
) -> DealSnapshot:
    fields: dict[str, object] = {
        "title": "Рюкзаки",
        "responsible_id": MANAGER,
        "contact_id": 11,
        "client_phone": "+79990001122",
    }
    fields.update(extra)
    return DealSnapshot(id=100, stage=stage, rows=tuple(rows), **fields)  # type: ignore[arg-type]


@dataclass
class World:
    deal: DealSnapshot
    card: CardSnapshot | None = None
    link: LinkState = field(default_factory=lambda: LinkState(deal_id=100))
    lines: list[Line] = field(default_factory=list)
    card_rows: tuple[RowSnapshot, ...] = ()
    settings: ProcurementSettings = SETTINGS
    performed: dict[str, Effect] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def state(self) -> SyncInput:
        return SyncInput(self.deal, self.card, self.link, tuple(self.lines), self.settings)

    def sync(self, now: datetime = NOW) -> Plan:
        """Plan on the current state and perform it, as the handler would."""
        plan = plan_sync(self.state(), now)
        self.perform(plan)
        return plan

    def perform(self, plan: Plan) -> None:
        for effect in plan.effects:
            if effect.key in self.performed:
                self.duplicates.append(effect.key)
                continue
            self.performed[effect.key] = effect
            self._apply(effect)

    def _apply(self, effect: Effect) -> None:
        if isinstance(effect, CreateCard):
            self.card = CardSnapshot(
                id=500, stage=CardStage.SEARCH, eta=None, assigned_by_id=effect.assigned_by_id
            )
            self.link = replace(self.link, card_id=500, buyer_id=effect.assigned_by_id)
            self.card_rows = effect.rows
        elif isinstance(effect, SetCardRows):
            self.card_rows = effect.rows
        elif isinstance(effect, MoveDeal):
            self.deal = replace(self.deal, stage=effect.stage)
        elif isinstance(effect, MoveCard):
            assert self.card is not None
            self.card = replace(self.card, stage=effect.stage)
        elif isinstance(effect, UpsertLines):
            self._upsert(effect.lines)
        elif isinstance(effect, RecordStages):
            self.link = replace(
                self.link,
                deal_stage=effect.deal_stage,
                card_stage=effect.card_stage,
                eta=effect.eta,
                epoch=effect.epoch,
            )

    def _upsert(self, lines: tuple[Line, ...]) -> None:
        by_id = {line.line_id: index for index, line in enumerate(self.lines)}
        for line in lines:
            if line.line_id is None:
                self.lines.append(replace(line, line_id=next(self.ids)))
            else:
                self.lines[by_id[line.line_id]] = line

    # What a user does in the portal, between syncs.
    def user_moves_deal(self, stage: DealStage) -> None:
        self.deal = replace(self.deal, stage=stage)

    def buyer_moves_card(self, stage: CardStage, eta: date | None = None) -> None:
        assert self.card is not None
        self.card = replace(self.card, stage=stage, eta=eta if eta is not None else self.card.eta)

    def set_rows(self, *rows: RowSnapshot) -> None:
        self.deal = replace(self.deal, rows=tuple(rows))

    def performed_of(self, kind: type) -> list[Effect]:
        return [effect for effect in self.performed.values() if isinstance(effect, kind)]

    def sms_templates(self) -> list[str]:
        return [effect.template_key for effect in self.performed_of(SendSms)]  # type: ignore[attr-defined]

    def notified(self) -> list[tuple[int, str]]:
        return [(e.user_id, e.message_key) for e in self.performed_of(Notify)]  # type: ignore[attr-defined]

    def tasks(self) -> list[tuple[int, str]]:
        return [(e.responsible_id, e.title_key) for e in self.performed_of(CreateTask)]  # type: ignore[attr-defined]

    def reminders(self) -> tuple[list[ScheduleReminder], list[CancelReminder]]:
        scheduled = [
            e for e in self.performed_of(ScheduleReminder) if isinstance(e, ScheduleReminder)
        ]
        cancelled = [e for e in self.performed_of(CancelReminder) if isinstance(e, CancelReminder)]
        return scheduled, cancelled
