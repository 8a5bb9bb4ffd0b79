"""What the tab page shows: plain data handed from the tab service to the renderer."""

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class LinePage:
    id: int
    position: int
    name: str
    quantity: Decimal
    status: str  # pending | found | not_found | replacement | cancelled_by_client
    supplier: str = ""
    supplier_url: str = ""
    unit_price: Decimal | None = None
    currency: str = ""
    moq: int | None = None
    lead_time_days: int | None = None
    photo_url: str = ""
    comment: str = ""
    replacement_note: str = ""

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled_by_client"


@dataclass(frozen=True)
class TabPage:
    entity_kind: str  # "deal" | "card"
    entity_id: int
    deal_id: int
    card_id: int | None
    title: str
    lang: str  # "ru" | "en"
    lines: tuple[LinePage, ...]
    found: int
    active: int
    view_token: str
    api_base: str  # e.g. "/tab/api" — the JS sends X-View-Token to {api_base}/lines/{id}
    portal_origin: str  # e.g. "https://portal.bitrix24.ru" — the only allowed frame ancestor
    notice: str = ""  # e.g. "Сделка ещё не передана в поиск"
    actions: tuple[str, ...] = field(default=("expand_kits", "apply_discount", "clear_products"))
