"""The procurement workflow's vocabulary: semantic stages, portal snapshots, link state, lines.

Stages are semantic; the handler maps portal stage IDs to them through the stage map and
passes ``None`` for a stage the map does not know. Snapshots are what the handler read from
the portal just now; ``LinkState`` and ``Line`` are what our own tables remember.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
)
from pydantic.dataclasses import dataclass as pydantic_dataclass
from pydantic_core import PydanticCustomError


class DealStage(StrEnum):
    """Sales deal stages (PRODUCT.md §3.4) with their default Russian titles."""

    NEW = "NEW"
    SEARCH = "SEARCH"
    FOUND = "FOUND"
    PROPOSAL = "PROPOSAL"
    BUYOUT = "BUYOUT"
    BOUGHT = "BOUGHT"
    IN_TRANSIT = "IN_TRANSIT"
    RECEIVED = "RECEIVED"
    WON = "WON"
    LOST = "LOST"

    @property
    def default_title(self) -> str:
        return _DEAL_TITLES[self]


class CardStage(StrEnum):
    """Procurement card ("Закупка" smart process) stages with their default Russian titles."""

    SEARCH = "SEARCH"
    SEARCH_DONE = "SEARCH_DONE"
    BUYOUT = "BUYOUT"
    BOUGHT = "BOUGHT"
    AT_WAREHOUSE = "AT_WAREHOUSE"
    SHIPPED = "SHIPPED"
    DONE = "DONE"
    CANCELLED = "CANCELLED"

    @property
    def default_title(self) -> str:
        return _CARD_TITLES[self]


_DEAL_TITLES: dict[DealStage, str] = {
    DealStage.NEW: "Заявка",
    DealStage.SEARCH: "Передано в поиск",
    DealStage.FOUND: "Товар найден",
    DealStage.PROPOSAL: "КП отправлено",
    DealStage.BUYOUT: "Передано на выкуп",
    DealStage.BOUGHT: "Выкуплено",
    DealStage.IN_TRANSIT: "В пути",
    DealStage.RECEIVED: "Груз получен",
    DealStage.WON: "Сделка завершена",
    DealStage.LOST: "Провалена",
}


_CARD_TITLES: dict[CardStage, str] = {
    CardStage.SEARCH: "Поиск",
    CardStage.SEARCH_DONE: "Поиск завершён",
    CardStage.BUYOUT: "Выкуп",
    CardStage.BOUGHT: "Выкуплено",
    CardStage.AT_WAREHOUSE: "На складе в Китае",
    CardStage.SHIPPED: "Отправлено",
    CardStage.DONE: "Завершена",
    CardStage.CANCELLED: "Отменена",
}


class LineStatus(StrEnum):
    PENDING = "pending"
    FOUND = "found"
    NOT_FOUND = "not_found"
    REPLACEMENT = "replacement"
    CANCELLED_BY_CLIENT = "cancelled_by_client"


@dataclass(frozen=True)
class RowSnapshot:
    """One product row of the deal as read now; ``row_id`` changes on every productrows.set."""

    row_id: int
    product_id: int | None
    name: str
    quantity: Decimal
    price: Decimal
    sort: int = 0
    is_service: bool = False


@dataclass(frozen=True)
class DealSnapshot:
    id: int
    stage: DealStage | None
    title: str
    responsible_id: int
    contact_id: int | None
    client_phone: str | None
    rows: tuple[RowSnapshot, ...] = ()


@dataclass(frozen=True)
class CardSnapshot:
    id: int
    stage: CardStage | None
    eta: date | None
    assigned_by_id: int


@dataclass(frozen=True)
class LinkState:
    """What the link table last recorded for one deal.

    ``deal_stage``/``card_stage`` are the stages we last saw *or set ourselves*, so the
    echo of our own move compares equal and yields nothing (RELIABILITY.md DR4). ``eta``
    is the ETA the call reminder was last planned for (``None``: no reminder). ``epoch``
    counts recorded changes of this row; idempotency keys end in the epoch a decision
    will be recorded under, so reprocessing the same decision after a crash repeats the
    same key while a later, equal-looking decision gets a new one.
    """

    deal_id: int
    card_id: int | None = None
    deal_stage: DealStage | None = None
    card_stage: CardStage | None = None
    eta: date | None = None
    buyer_id: int | None = None
    epoch: int = 0


MAX_PRICE = Decimal(10) ** 15
MAX_COUNT = 10**9


def _blank_is_none(value: Any) -> Any:
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def _whole_number(value: Any) -> Any:
    """Digits only: no sign, no fraction, no ``True`` passing for 1."""
    value = _blank_is_none(value)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise PydanticCustomError("whole_number", "must be a whole number ≥ 0")
    return int(value)


def _amount(value: Any) -> Any:
    """A money amount as typed: ``1 234,5`` is 1234.5; at most two decimal places."""
    value = _blank_is_none(value)
    if value is None or isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except InvalidOperation as exc:
        raise PydanticCustomError("not_a_number", "must be a number") from exc


def _at_most_cents(value: Decimal) -> Decimal:
    if value != value.quantize(CENT):
        raise PydanticCustomError("too_many_decimals", "must have at most two decimal places")
    return value


CENT = Decimal("0.01")
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1024)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, max_length=8)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Count = Annotated[Annotated[int, Field(ge=0, le=MAX_COUNT)] | None, BeforeValidator(_whole_number)]
Amount = Annotated[
    Annotated[
        Decimal,
        Field(ge=0, lt=MAX_PRICE, allow_inf_nan=False),
        AfterValidator(_at_most_cents),
    ]
    | None,
    BeforeValidator(_amount),
]


@pydantic_dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class SearchData:
    """What the buyer entered for one line in the «Поиск» tab (rule 2), declared once: it
    validates the tab's input (``SEARCH_DATA``), maps to the lines table and is what the
    page shows. Texts are stripped; a price has at most two decimal places, as stored."""

    supplier: Name = ""
    supplier_url: Url = ""
    unit_price: Amount = None
    currency: Code = ""
    moq: Count = None
    lead_time_days: Count = None
    photo_url: Url = ""
    comment: Comment = ""
    replacement_note: Note = ""

    @property
    def is_empty(self) -> bool:
        return self == SearchData()


SEARCH_DATA = TypeAdapter(SearchData)


@dataclass(frozen=True)
class Line:
    """A procurement line: one goods row of the deal plus the buyer's search result.

    ``line_id`` is ``None`` until the handler inserts it. ``position`` is the line's number
    in the tab: from 1, kept for the line's life, never shared (``matching.py``).
    ``prior_status`` keeps the buyer's status while the line is cancelled by the client,
    so a row that comes back gets its status back.
    """

    line_id: int | None
    row_id: int | None
    product_id: int | None
    position: int
    name: str
    quantity: Decimal
    status: LineStatus = LineStatus.PENDING
    search: SearchData = field(default_factory=SearchData)
    prior_status: LineStatus | None = None

    @property
    def is_active(self) -> bool:
        return self.status is not LineStatus.CANCELLED_BY_CLIENT

    @property
    def has_search_data(self) -> bool:
        buyer_status = self.prior_status if not self.is_active else self.status
        return not self.search.is_empty or buyer_status not in (None, LineStatus.PENDING)


@dataclass(frozen=True)
class ProcurementSettings:
    """Per-portal settings the rules need; the handler resolves round-robin to ``buyer_id``."""

    buyer_id: int
    reminder_days_before: int = 5
    reminder_hour: int = 9
