"""Check a settings change against what the portal offers (pure: no I/O).

Only the keys a person may set are accepted; the smart process's type, funnel and ETA
field are provisioning's to write. Every stage id must be a stage of the right funnel,
each portal stage may stand for one semantic stage only, and every user or product id
must be one the portal listed. The first problem raises ``BadRequest`` with its reason in
the page's language (``words``), naming the field and the rule, so nothing is written
unless the whole change is valid.
"""

import re
from collections.abc import Callable, Mapping
from typing import Any

from app.web.frame.i18n import stage_label
from app.web.settings_page.bonus_checks import BONUS_CHECKS
from app.web.settings_page.portal_options import PortalOptions
from app.web.settings_page.proposal_settings import checked_proposal
from app.web.settings_page.words import refuse, word
from automations.procurement.model import CardStage, DealStage
from automations.procurement.search import NEVER_LOCKED

DEAL_SEMANTICS = frozenset(stage.value for stage in DealStage)
CARD_SEMANTICS = frozenset(stage.value for stage in CardStage)
LOCK_CHOICES = frozenset({*CARD_SEMANTICS, NEVER_LOCKED})
# A deal user field's REST name (crm.deal.fields: UF_CRM_<digits or code>), or empty.
DISCOUNT_FIELD = re.compile(r"^(UF_CRM_[A-Z0-9_]{1,50})?$")
MAX_IDS = 200
LABELS = {
    "deal_stages": "deal_stages",
    "card_stages": "card_stages",
    "buyer_ids": "buyers",
    "service_product_ids": "services",
}


def check_keys(body: Mapping[str, Any], lang: str = "ru") -> None:
    unknown = sorted(set(body) - EDITABLE_KEYS)
    if unknown:
        raise refuse("keys_rule", lang, keys=", ".join(k[:40] for k in unknown))


def requested_category(body: Mapping[str, Any], stored: Mapping[str, Any], lang: str = "ru") -> int:
    """The deal funnel the change is about: its own ``deal_category_id``, else the stored one."""
    value = body.get("deal_category_id", stored.get("deal_category_id", 0))
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise refuse("category_rule", lang)
    return value


def _titles(names: list[str], semantics: type[DealStage] | type[CardStage], lang: str) -> str:
    known = {stage.value: stage for stage in semantics}
    return ", ".join(f"«{stage_label(known[n], lang)}»" if n in known else n for n in names)


def _stage_map(value: Any, name: str, allowed: frozenset[str], lang: str) -> dict[str, str]:
    semantics = DealStage if name == "deal_stages" else CardStage
    field = word(LABELS[name], lang)
    if not isinstance(value, dict):
        raise refuse("map_rule", lang, field=field)
    unknown = sorted(str(key)[:40] for key in set(value) - {s.value for s in semantics})
    if unknown:
        raise refuse("map_unknown", lang, field=field, stages=", ".join(unknown))
    chosen = {key: stage for key, stage in value.items() if stage not in (None, "")}
    wrong = sorted(
        key for key, stage in chosen.items() if not isinstance(stage, str) or stage not in allowed
    )
    if wrong:
        raise refuse("map_foreign", lang, field=field, stages=_titles(wrong, semantics, lang))
    if len(set(chosen.values())) != len(chosen):
        raise refuse("map_twice", lang, field=field)
    return dict(sorted(chosen.items()))


def _ids(value: Any, name: str, allowed: frozenset[str], lang: str) -> list[int]:
    field = word(LABELS[name], lang)
    if not isinstance(value, list) or len(value) > MAX_IDS:
        raise refuse("ids_rule", lang, field=field, limit=MAX_IDS)
    if any(isinstance(item, bool) or not isinstance(item, int | str) for item in value):
        raise refuse("ids_whole", lang, field=field)
    unknown = sorted({str(item)[:20] for item in value} - allowed)
    if unknown:
        raise refuse("ids_unknown", lang, field=field, ids=", ".join(unknown))
    return sorted({int(item) for item in value})


def _discount_field(value: Any, lang: str) -> str:
    if not isinstance(value, str) or not DISCOUNT_FIELD.match(value.strip()):
        raise refuse("discount_field_rule", lang)
    return value.strip()


def _lock_stage(value: Any, lang: str) -> str:
    if not isinstance(value, str) or value not in LOCK_CHOICES:
        raise refuse("lock_rule", lang)
    return value


def _category(value: Any, options: PortalOptions, lang: str) -> int:
    if str(value) not in options.values_of("categories"):
        raise refuse("category_unknown", lang)
    return options.deal_category_id


Check = Callable[[Any, PortalOptions, str], Any]
CHECKS: dict[str, Check] = {
    "deal_category_id": _category,
    "deal_stages": lambda value, options, lang: _stage_map(
        value, "deal_stages", options.values_of("deal_stages"), lang
    ),
    "card_stages": lambda value, options, lang: _stage_map(
        value, "card_stages", options.values_of("card_stages"), lang
    ),
    "buyer_ids": lambda value, options, lang: _ids(
        value, "buyer_ids", options.values_of("users"), lang
    ),
    "service_product_ids": lambda value, options, lang: _ids(
        value, "service_product_ids", options.values_of("services"), lang
    ),
    "discount_field": lambda value, _options, lang: _discount_field(value, lang),
    "lines_locked_from": lambda value, _options, lang: _lock_stage(value, lang),
    "proposal": lambda value, _options, lang: checked_proposal(value, lang),
}
CHECKS |= BONUS_CHECKS
EDITABLE_KEYS = frozenset(CHECKS)


def validated_changes(
    body: Mapping[str, Any], options: PortalOptions, stored: Mapping[str, Any], lang: str = "ru"
) -> dict[str, Any]:
    """The settings to store, each checked against ``options`` (the requested funnel's)."""
    check_keys(body, lang)
    moved = options.deal_category_id != int(stored.get("deal_category_id") or 0)
    if moved and "deal_stages" not in body:
        raise refuse("category_needs_stages", lang)
    return {key: CHECKS[key](value, options, lang) for key, value in body.items()}
