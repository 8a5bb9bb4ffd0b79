"""What the tab page shows: plain data handed from the tab service to the renderer; its
lines are the procurement ``Line`` itself (the buyer's entry is declared once, in
``automations.procurement.model.SearchData``)."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from automations.procurement.model import Line


@dataclass(frozen=True)
class ProposalLinks:
    """The deal's latest commercial proposal: its version and where the client reads it."""

    version: int
    url: str
    pdf_url: str


@dataclass(frozen=True)
class TabPage:
    entity_kind: str  # "deal" | "card"
    entity_id: int
    deal_id: int
    card_id: int | None
    title: str
    lang: str  # "ru" | "en"
    lines: tuple[Line, ...]
    found: int
    active: int
    view_token: str
    api_base: str  # e.g. "/tab/api" — the JS sends X-View-Token to {api_base}/lines/{id}
    portal_origin: str  # e.g. "https://portal.bitrix24.ru" — the only allowed frame ancestor
    notice: str = ""  # e.g. "Сделка ещё не передана в поиск"
    actions: tuple[str, ...] = field(default=("expand_kits", "apply_discount", "clear_products"))
    editable: bool = True  # the lines open an editor (the card tab, before the lock stage)
    hint: str = ""  # under the table: what this role can do with the lines
    sync_job_id: int | None = None  # the deal re-read armed by this open; the page follows it
    deal_stage: str = ""  # the semantic deal stage last recorded, so the page sees it move
    clicks: Mapping[int, int] = field(default_factory=dict)  # line id → short-link clicks
    proposal: ProposalLinks | None = None  # the deal tab's latest КП, if one was made
