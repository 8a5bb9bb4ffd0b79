"""The effects a procurement decision asks the handler to perform, in order.

Every effect carries a deterministic idempotency ``key`` (unique within one portal; the
handler scopes it by ``member_id``). The handler records the key in its effects table in
the transaction that decides the plan and skips keys it has already performed
(RELIABILITY.md DR3). Stage-triggered keys end in the link's epoch of the stage entry, so
reprocessing the same decision repeats the same key while entering a stage again later
(a reopened deal) or moving an ETA back gets a new one — except SMS keys, which name only
the deal and the text, since a client gets each text at most once per deal (PRODUCT §3.8).
Messages, titles and SMS texts are message keys of ``messages.py`` plus params: the
handler renders them in the portal's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from automations.procurement.model import CardStage, DealStage, Line, RowSnapshot

Params = tuple[tuple[str, Any], ...]
E = TypeVar("E")


@dataclass(frozen=True)
class CreateCard:
    """Create the procurement card, link it to the deal and its client, copy the goods rows."""

    key: str
    deal_id: int
    title_key: str
    params: Params
    assigned_by_id: int
    contact_id: int | None
    rows: tuple[RowSnapshot, ...]


@dataclass(frozen=True)
class MoveDeal:
    key: str
    deal_id: int
    stage: DealStage


@dataclass(frozen=True)
class MoveCard:
    """Move the linked card; for a card created earlier in the same plan, that card."""

    key: str
    deal_id: int
    stage: CardStage


@dataclass(frozen=True)
class SetCardRows:
    """Replace the linked card's product rows with the deal's goods rows: the card's rows
    follow the deal's active goods lines (a cancelled line leaves them, the tab keeps it)."""

    key: str
    deal_id: int
    rows: tuple[RowSnapshot, ...]


@dataclass(frozen=True)
class UpsertLines:
    """Insert lines with ``line_id=None``, update the others. A local write, no portal call."""

    key: str
    deal_id: int
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Notify:
    """A system notification; the handler appends a link to ``deal_id``'s card when set."""

    key: str
    user_id: int
    message_key: str
    params: Params
    deal_id: int | None = None


@dataclass(frozen=True)
class CreateTask:
    key: str
    responsible_id: int
    title_key: str
    params: Params
    bind_deal: bool = True
    bind_card: bool = True


@dataclass(frozen=True)
class SendSms:
    """Send through the SMS connector and log it in the deal's timeline (PRODUCT.md §3.4 rule 8)."""

    key: str
    deal_id: int
    phone: str
    template_key: str


@dataclass(frozen=True)
class ScheduleReminder:
    """Schedule (or replace) the job ``reminder_key``: at ``fire_at`` create this task.

    ``reminder_key`` is the job's ID, one per deal; ``key`` is this decision's idempotency
    key, so a later reschedule to an earlier ETA is a new decision, not a duplicate.
    """

    key: str
    reminder_key: str
    fire_at: datetime
    deal_id: int
    responsible_id: int
    title_key: str
    params: Params


@dataclass(frozen=True)
class CancelReminder:
    key: str
    reminder_key: str


@dataclass(frozen=True)
class RecordStages:
    """Write the link row: the stages now expected (including our own moves), ETA, epoch."""

    key: str
    deal_stage: DealStage | None
    card_stage: CardStage | None
    eta: date | None
    epoch: int


Effect = (
    CreateCard
    | MoveDeal
    | MoveCard
    | SetCardRows
    | UpsertLines
    | Notify
    | CreateTask
    | SendSms
    | ScheduleReminder
    | CancelReminder
    | RecordStages
)


@dataclass(frozen=True)
class Plan:
    effects: tuple[Effect, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.effects)

    def of_type(self, kind: type[E]) -> tuple[E, ...]:
        return tuple(effect for effect in self.effects if isinstance(effect, kind))


def reminder_key(deal_id: int) -> str:
    """The scheduler job ID of the deal's call-the-client reminder (rule 9)."""
    return f"reminder:call_client:{deal_id}"
