"""Who does what in the «Поиск» tab, decided from the tab and the card's recorded stage.

The deal tab is the sales manager's: the product actions (kits, discount, clear), the
«Документ» button (the commercial proposal) and the lines to read. The card tab is the buyer's: the lines to fill in, no product actions. The
lines become read-only once the card reached the portal's lock stage (setting
``lines_locked_from``, «Выкуплено» by default, or ``NEVER``) — ``automations.procurement.search.
lines_locked``. The page shows only what the role may do and the API refuses the rest.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.core.errors import Forbidden
from app.core.models import ProcurementLink
from app.web.frame.i18n import stage_label, t
from automations.procurement.model import CardStage, DealStage
from automations.procurement.search import DEFAULT_LOCK_STAGE, lines_locked

DEAL_TAB, CARD_TAB = "deal", "card"
PRODUCT_ACTIONS = ("expand_kits", "apply_discount", "clear_products")
MAKE_PROPOSAL = "make_proposal"  # «Документ»: the deal's commercial proposal (КП)
DEAL_TAB_BUTTONS = (*PRODUCT_ACTIONS, MAKE_PROPOSAL)
LOCK_SETTING = "lines_locked_from"


@dataclass(frozen=True)
class TabAccess:
    """What this tab may do now, and the hint that says so."""

    editable: bool
    actions: tuple[str, ...]
    hint: str
    deal_stage: str  # the semantic stage the link table last recorded, "" if none
    deal_stage_title: str


def _stage(enum: type[DealStage] | type[CardStage], value: str) -> Any:
    return enum(value) if value in enum.__members__ else None


def locked_stage(link: ProcurementLink | None, values: Mapping[str, Any]) -> CardStage | None:
    """The card's stage when it locks the lines, else None."""
    stage = _stage(CardStage, link.card_stage) if link else None
    locked_from = str(values.get(LOCK_SETTING) or DEFAULT_LOCK_STAGE)
    return stage if lines_locked(stage, locked_from) else None


def tab_access(
    kind: str, link: ProcurementLink | None, values: Mapping[str, Any], lang: str
) -> TabAccess:
    deal_stage = _stage(DealStage, link.deal_stage) if link else None
    stage_title = stage_label(deal_stage, lang) if deal_stage else ""
    stage_code = deal_stage.value if deal_stage else ""
    if kind == DEAL_TAB:
        return TabAccess(False, DEAL_TAB_BUTTONS, t("hint_deal", lang), stage_code, stage_title)
    locked = locked_stage(link, values)
    if locked is not None:
        hint = t("hint_locked", lang).format(stage=stage_label(locked, lang))
        return TabAccess(False, (), hint, stage_code, stage_title)
    return TabAccess(link is not None, (), t("edit_hint", lang), stage_code, stage_title)


def require_editing(
    kind: str, link: ProcurementLink | None, values: Mapping[str, Any], lang: str
) -> None:
    """Refuse an edit the tab may not make: from the deal tab, or past the lock stage."""
    if kind != CARD_TAB:
        raise Forbidden(t("edit_in_card", lang))
    locked = locked_stage(link, values)
    if locked is not None:
        raise Forbidden(t("lines_locked", lang).format(stage=stage_label(locked, lang)))


def require_actions(kind: str, lang: str) -> None:
    if kind != DEAL_TAB:
        raise Forbidden(t("actions_in_deal", lang))
