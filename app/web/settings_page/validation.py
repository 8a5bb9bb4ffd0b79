"""Check a settings change against what the portal offers (pure: no I/O).

Only the keys a person may set are accepted; the smart process's type, funnel and ETA
field are provisioning's to write. Every stage id must be a stage of the right funnel,
each portal stage may stand for one semantic stage only, and every user or product id
must be one the portal listed. The first problem raises ``BadRequest`` with its reason,
so nothing is written unless the whole change is valid.
"""

import re
from collections.abc import Callable, Mapping
from typing import Any

from app.core.errors import BadRequest
from app.web.settings_page.portal_options import PortalOptions
from automations.procurement.model import CardStage, DealStage

DEAL_SEMANTICS = frozenset(stage.value for stage in DealStage)
CARD_SEMANTICS = frozenset(stage.value for stage in CardStage)
# A deal user field's REST name (crm.deal.fields: UF_CRM_<digits or code>), or empty.
DISCOUNT_FIELD = re.compile(r"^(UF_CRM_[A-Z0-9_]{1,50})?$")
MAX_IDS = 200


def check_keys(body: Mapping[str, Any]) -> None:
    unknown = sorted(set(body) - EDITABLE_KEYS)
    if unknown:
        raise BadRequest(f"unknown or read-only setting(s): {', '.join(k[:40] for k in unknown)}")


def requested_category(body: Mapping[str, Any], stored: Mapping[str, Any]) -> int:
    """The deal funnel the change is about: its own ``deal_category_id``, else the stored one."""
    value = body.get("deal_category_id", stored.get("deal_category_id", 0))
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadRequest("deal_category_id must be a whole number ≥ 0")
    return value


def _stage_map(
    value: Any, name: str, semantics: frozenset[str], allowed: frozenset[str]
) -> dict[str, str]:
    if not isinstance(value, dict):
        raise BadRequest(f"{name} must be an object of semantic stage → stage id")
    unknown = sorted(str(key)[:40] for key in set(value) - semantics)
    if unknown:
        raise BadRequest(f"{name}: unknown semantic stage(s) {', '.join(unknown)}")
    chosen = {key: stage for key, stage in value.items() if stage not in (None, "")}
    wrong = sorted(
        key for key, stage in chosen.items() if not isinstance(stage, str) or stage not in allowed
    )
    if wrong:
        raise BadRequest(f"{name}: not a stage of this funnel for {', '.join(wrong)}")
    if len(set(chosen.values())) != len(chosen):
        raise BadRequest(f"{name}: one portal stage is chosen for two semantic stages")
    return dict(sorted(chosen.items()))


def _ids(value: Any, name: str, allowed: frozenset[str]) -> list[int]:
    if not isinstance(value, list) or len(value) > MAX_IDS:
        raise BadRequest(f"{name} must be a list of at most {MAX_IDS} ids")
    if any(isinstance(item, bool) or not isinstance(item, int | str) for item in value):
        raise BadRequest(f"{name} must hold whole-number ids")
    unknown = sorted({str(item)[:20] for item in value} - allowed)
    if unknown:
        raise BadRequest(f"{name}: not offered by the portal: {', '.join(unknown)}")
    return sorted({int(item) for item in value})


def _discount_field(value: Any) -> str:
    if not isinstance(value, str) or not DISCOUNT_FIELD.match(value.strip()):
        raise BadRequest(
            "discount_field must be a deal field name like UF_CRM_1700000000, or empty"
        )
    return value.strip()


def _category(value: Any, options: PortalOptions) -> int:
    if str(value) not in options.values_of("categories"):
        raise BadRequest("deal_category_id: the portal has no such deal funnel")
    return options.deal_category_id


Check = Callable[[Any, PortalOptions], Any]
CHECKS: dict[str, Check] = {
    "deal_category_id": _category,
    "deal_stages": lambda value, options: _stage_map(
        value, "deal_stages", DEAL_SEMANTICS, options.values_of("deal_stages")
    ),
    "card_stages": lambda value, options: _stage_map(
        value, "card_stages", CARD_SEMANTICS, options.values_of("card_stages")
    ),
    "buyer_ids": lambda value, options: _ids(value, "buyer_ids", options.values_of("users")),
    "service_product_ids": lambda value, options: _ids(
        value, "service_product_ids", options.values_of("services")
    ),
    "discount_field": lambda value, _options: _discount_field(value),
}
EDITABLE_KEYS = frozenset(CHECKS)


def validated_changes(
    body: Mapping[str, Any], options: PortalOptions, stored: Mapping[str, Any]
) -> dict[str, Any]:
    """The settings to store, each checked against ``options`` (the requested funnel's)."""
    check_keys(body)
    moved = options.deal_category_id != int(stored.get("deal_category_id") or 0)
    if moved and "deal_stages" not in body:
        raise BadRequest("a new deal_category_id needs the deal_stages of that funnel too")
    return {key: CHECKS[key](value, options) for key, value in body.items()}
