"""Product actions on a deal: expand kits, apply a money discount, clear all products.

``PRODUCT_ACTIONS`` maps an action name to its handler
``async (context, portal, deal_id, params) -> str``.
"""

from typing import Any

PRODUCT_ACTIONS: dict[str, Any] = {}
