"""The portal's kit definitions: what each kit product is made of and its discount.

Bitrix24 REST has no bundle composition (REST_FACTS §11.4), so the app owns it. Definitions
come from a «Комплекты» smart process in the portal (one item per kit: its catalog product in
a field, its components as the item's product rows, a money or percent discount in fields) or
from a CSV/YAML file an admin loads; either way they are validated by
``automations.pricing.find_kit_problem`` and cached per portal in the ``kits`` table.
Trigger: the ``products kits refresh`` command, the ``refresh_kits`` call on a cache miss, or
``products kits load``. Idempotency: a refresh replaces the portal-sourced rows as a whole.
"""

from automations.kit_catalog.codec import definition_from_json, definition_to_json
from automations.kit_catalog.files import KitFileError, load_kit_file, parse_kit_records
from automations.kit_catalog.portal_source import (
    KITS_TYPE_TITLE,
    KitSourceFields,
    read_portal_kits,
)

__all__ = [
    "KITS_TYPE_TITLE",
    "KitFileError",
    "KitSourceFields",
    "definition_from_json",
    "definition_to_json",
    "load_kit_file",
    "parse_kit_records",
    "read_portal_kits",
]
