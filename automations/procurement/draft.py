"""The plan under construction while the rules run in order over one sync.

Each rule reads the stages *this plan leaves things in* (the observed ones, or what an
earlier rule moved them to) and appends effects; moves are skipped when the entity is
already there ("no diff → no write", RELIABILITY.md DR4). The final link state records
our own moves, so their echo events compare equal and yield nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from automations.procurement.effects import (
    CreateTask,
    Effect,
    MoveCard,
    MoveDeal,
    Notify,
    Plan,
    RecordStages,
    UpsertLines,
)
from automations.procurement.model import (
    CardSnapshot,
    CardStage,
    DealSnapshot,
    DealStage,
    Line,
    LinkState,
    ProcurementSettings,
)


@dataclass(frozen=True)
class SyncInput:
    """Everything the handler loaded for one deal: portal snapshots plus our own rows."""

    deal: DealSnapshot
    card: CardSnapshot | None
    link: LinkState
    lines: tuple[Line, ...]
    settings: ProcurementSettings


@dataclass
class Draft:
    state: SyncInput
    deal_stage: DealStage | None
    card_stage: CardStage | None
    has_card: bool
    lines: tuple[Line, ...]
    baseline: frozenset[Line]
    card_moved: bool = False
    effects: list[Effect] = field(default_factory=list)

    @classmethod
    def start(cls, state: SyncInput, stored: tuple[Line, ...] | None = None) -> Draft:
        """``stored``: the lines as our table holds them, when ``state.lines`` holds an edit."""
        card = state.card
        return cls(
            state=state,
            deal_stage=state.deal.stage or state.link.deal_stage,
            card_stage=(card.stage if card else None) or state.link.card_stage,
            has_card=card is not None or state.link.card_id is not None,
            lines=state.lines,
            baseline=frozenset(state.lines if stored is None else stored),
        )

    @property
    def deal_id(self) -> int:
        return self.state.deal.id

    @property
    def marker(self) -> int:
        """The epoch this plan's decisions are recorded under; ends their idempotency keys."""
        return self.state.link.epoch + 1

    @property
    def buyer_id(self) -> int:
        card = self.state.card
        if card is not None:
            return card.assigned_by_id
        return self.state.link.buyer_id or self.state.settings.buyer_id

    @property
    def deal_params(self) -> tuple[tuple[str, object], ...]:
        return (("deal_id", self.deal_id), ("deal_title", self.state.deal.title))

    def key(self, name: str) -> str:
        return f"{name}:{self.deal_id}:{self.marker}"

    def move_deal(self, stage: DealStage) -> None:
        if self.deal_stage is stage:
            return
        self.effects.append(MoveDeal(self.key(f"move_deal:{stage}"), self.deal_id, stage))
        self.deal_stage = stage

    def move_card(self, stage: CardStage) -> None:
        self.card_moved = True
        if not self.has_card or self.card_stage is stage:
            return
        self.effects.append(MoveCard(self.key(f"move_card:{stage}"), self.deal_id, stage))
        self.card_stage = stage

    def notify(self, user_id: int, message_key: str) -> None:
        key = self.key(f"notify:{message_key}:{user_id}")
        self.effects.append(Notify(key, user_id, message_key, self.deal_params, self.deal_id))

    def task(self, responsible_id: int, title_key: str) -> None:
        key = self.key(f"task:{title_key}:{responsible_id}")
        self.effects.append(CreateTask(key, responsible_id, title_key, self.deal_params))

    def finish(self, eta: date | None) -> None:
        """Append the local writes: changed lines, then the link row under the next epoch.

        The link is recorded whenever the plan does anything, so every decision has its own
        epoch and no key of a later decision can collide with an earlier one.
        """
        changed = tuple(line for line in self.lines if line not in self.baseline)
        if changed:
            self.effects.append(UpsertLines(self.key("lines"), self.deal_id, changed))
        link = self.state.link
        recorded = (link.deal_stage, link.card_stage, link.eta)
        if not self.effects and (self.deal_stage, self.card_stage, eta) == recorded:
            return
        self.effects.append(
            RecordStages(self.key("record"), self.deal_stage, self.card_stage, eta, self.marker)
        )

    def plan(self) -> Plan:
        return Plan(tuple(self.effects))
