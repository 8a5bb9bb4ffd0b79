"""Product actions on a deal: expand kits, apply a money discount, clear all products.

``PRODUCT_ACTIONS`` maps an action name to its handler
``async (deps, portal, deal_id, params) -> str`` (the tab's buttons, robots); the deal
sync calls ``expand_kits_in_deal`` and ``apply_field_discount`` before the procurement rules.
Each handler reads the deal once and writes its rows back in one request; the arithmetic is
``automations.pricing``'s, the kit definitions ``automations.kit_catalog``'s. ``bulk`` runs
the same decisions over many deals through the batch packer.
"""

from automations.ports import ActionHandler
from automations.product_actions.clearing import clear_products
from automations.product_actions.kit_expansion import expand_kits_action, expand_kits_in_deal
from automations.product_actions.money_discount import apply_discount_action, apply_field_discount

PRODUCT_ACTIONS: dict[str, ActionHandler] = {
    "expand_kits": expand_kits_action,
    "apply_discount": apply_discount_action,
    "clear_products": clear_products,
}

__all__ = ["PRODUCT_ACTIONS", "apply_field_discount", "expand_kits_in_deal"]
