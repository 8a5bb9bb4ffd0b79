"""Promo codes in a 1C ``type=catalog`` upload (``import.xml`` / ``offers.xml``).

COMMERCEML.md §3 says a catalog upload carries the catalog and offers and that the case
study's promo-code directory is not part of a standard node (a 1C-side module is needed), so
the elements are **our convention**, documented in the README and tested: anywhere under
``КоммерческаяИнформация``, a ``Промокоды`` element holds ``Промокод`` elements, each with
``Код`` (required), ``Скидка`` (percent, 0–100, ``.`` or ``,``), ``ДействуетС`` and
``ДействуетПо`` (YYYY-MM-DD, optional). Everything else in the file (groups, goods, offers)
is left alone: the catalog stays with Bitrix24's own catalog exchange."""

from typing import Any
from xml.etree.ElementTree import Element

from webhooks.exchange.commerceml import child_text, children, commerce_root, local_name

FIELDS = {"Код": "code", "Скидка": "discount_percent", "ДействуетС": "valid_from",
          "ДействуетПо": "valid_to"}  # fmt: skip


def parse_promo_codes(body: bytes) -> list[dict[str, Any]]:
    """Each ``Промокод`` as a raw document for ``promo_import.accept_promo``."""
    root = commerce_root(body)
    return [
        _promo(item)
        for holder in root.iter()
        if local_name(holder.tag) == "Промокоды"
        for item in children(holder, "Промокод")
    ]


def _promo(item: Element) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for element_name, key in FIELDS.items():
        value = child_text(item, element_name)
        if value is not None:
            raw[key] = value.replace(",", ".") if key == "discount_percent" else value
    return raw
