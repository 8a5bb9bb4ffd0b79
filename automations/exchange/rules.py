"""Pure rules: an order document → the deal's fields and product rows.

Products are found by code: the 1C catalog ``Ид`` (kept by Bitrix24 as the product's
``XML_ID``; a characteristic makes it ``<item>#<characteristic>``, so the item part is
tried too) or the article (``CODE``). An unknown product refuses the whole document unless
the node allows it; then the row goes in by name without a catalog product (REST_FACTS
§11.1: a row needs no ``PRODUCT_ID``; creating catalog products is not in our fact sheet).
"""

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from automations.exchange.documents import OrderDocument, OrderRow
from automations.exchange.kit_rows import Line

ORIGINATOR = "b24bridge"
INN_FIELD = "UF_CRM_INN"
EMPLOYEE_CODE_FIELD = "UF_USR_B24B_EMPLOYEE_CODE"  # табельный номер, a user field of users

# Order properties (1C реквизиты by name, JSON-RPC ``properties`` keys) ↔ deal fields.
# A node's ``property_map`` adds to or overrides these.
DEFAULT_PROPERTY_MAP = {
    "Номер бонусной карты": "UF_CRM_B24B_BONUS_CARD",
    "Сумма оплаченная бонусами": "UF_CRM_B24B_BONUS_PAID",
    "Промокод": "UF_CRM_B24B_PROMO_CODE",
    "Юридическое лицо": "UF_CRM_B24B_LEGAL_ENTITY",
    "bonus_card": "UF_CRM_B24B_BONUS_CARD",
    "bonus_paid": "UF_CRM_B24B_BONUS_PAID",
    "promo_code": "UF_CRM_B24B_PROMO_CODE",
    "legal_entity": "UF_CRM_B24B_LEGAL_ENTITY",
}


def property_map(node_map: dict[str, str]) -> dict[str, str]:
    return DEFAULT_PROPERTY_MAP | node_map


def mapped_properties(order: OrderDocument, mapping: dict[str, str]) -> dict[str, str]:
    """Deal fields from the order's properties; unknown properties stay in the archive."""
    return {mapping[name]: value for name, value in order.properties.items() if name in mapping}


def properties_of_deal(fields: dict[str, Any], mapping: dict[str, str]) -> dict[str, str]:
    """The deal's mapped fields under their property names (the first name of each field)."""
    names: dict[str, str] = {}
    for name, field in mapping.items():
        names.setdefault(field, name)
    return {names[f]: str(fields[f]) for f in sorted(names) if fields.get(f) not in (None, "")}


@dataclass(frozen=True)
class Catalog:
    """Product ids the portal answered, by XML_ID and by CODE."""

    by_xml_id: dict[str, int]
    by_code: dict[str, int]

    def find(self, row: OrderRow) -> int | None:
        item = row.code.split("#", 1)[0]
        for found in (self.by_xml_id.get(row.code), self.by_xml_id.get(item)):
            if found is not None:
                return found
        return self.by_code.get(row.article) if row.article else None


def product_keys(order: OrderDocument) -> tuple[list[str], list[str]]:
    """The XML_IDs and the articles to look up, each distinct."""
    xml_ids = {row.code for row in order.rows} | {row.code.split("#", 1)[0] for row in order.rows}
    articles = {row.article for row in order.rows if row.article}
    return sorted(xml_ids), sorted(articles)


def unknown_products(order: OrderDocument, catalog: Catalog) -> list[str]:
    return [row.code for row in order.rows if catalog.find(row) is None]


def refusal_for_unknown(codes: list[str]) -> str:
    listed = ", ".join(codes)
    return (
        f"Товары не найдены в каталоге по коду/артикулу: {listed}. Добавьте их в каталог "
        f"или разрешите узлу создавать товары. / Unknown products: {listed}; add them to the "
        f"catalog or allow the node to create products."
    )


def order_lines(order: OrderDocument, catalog: Catalog) -> list[Line]:
    """The order's rows with the catalog products they were matched to."""
    return [Line(catalog.find(row), row.name, row.price, row.quantity) for row in order.rows]


def product_rows(lines: list[Line]) -> list[dict[str, Any]]:
    """Legacy ``crm.deal.productrows.set`` rows; exact decimals sent as strings."""
    rows = []
    for sort, line in enumerate(lines, start=1):
        entry: dict[str, Any] = {
            "PRODUCT_NAME": line.name,
            "PRICE": str(line.price),
            "QUANTITY": str(line.quantity),
            "SORT": sort * 10,
        }
        if line.product_id is not None:
            entry["PRODUCT_ID"] = line.product_id
        rows.append(entry)
    return rows


def rows_total(order: OrderDocument) -> Decimal:
    return sum((row.price * row.quantity for row in order.rows), Decimal(0)).quantize(
        Decimal("0.01")
    )


@dataclass(frozen=True)
class Responsible:
    user_id: int | None
    note: str


def responsible(
    order: OrderDocument, found_user: int | None, default_user: int | None
) -> Responsible:
    """The user of the employee code, else the node's default user — and a note saying so."""
    code = order.responsible_code
    if not code:
        return Responsible(default_user, "")
    if found_user is not None:
        return Responsible(found_user, "")
    fallback = f"пользователь {default_user}" if default_user else "автор по умолчанию портала"
    return Responsible(
        default_user,
        f"Табельный номер «{code}» не найден у сотрудников: ответственный — {fallback}. "
        f"Заполните поле {EMPLOYEE_CODE_FIELD} у сотрудника. / Employee code {code!r} not "
        f"found: the default user is responsible.",
    )


def op_id(member_id: str, order_id: int) -> str:
    """Our correlation id on the deal (ORIGIN_ID), the key of the lookup before a create."""
    return hashlib.sha256(f"{member_id}:exchange-order:{order_id}".encode()).hexdigest()[:32]


def deal_title(order: OrderDocument) -> str:
    number = order.site_number or order.number
    return f"Заказ {number} от {order.date.isoformat()}"


@dataclass(frozen=True)
class DealPlace:
    category_id: int | None
    assigned_by_id: int | None
    properties: dict[str, str] | None = None
    my_company_id: int | None = None  # the node's legal entity: the deal's «Моя компания»


def deal_fields(order: OrderDocument, place: DealPlace, *, origin_id: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "TITLE": deal_title(order),
        "CURRENCY_ID": "RUB" if order.currency.lower() in ("руб", "rub", "643") else order.currency,
        "COMMENTS": order.comment,
        "ORIGINATOR_ID": ORIGINATOR,
        "ORIGIN_ID": origin_id,
    }
    if place.category_id is not None:
        fields["CATEGORY_ID"] = place.category_id
    if place.assigned_by_id is not None:
        fields["ASSIGNED_BY_ID"] = place.assigned_by_id
    if place.my_company_id is not None:
        fields["MYCOMPANY_ID"] = place.my_company_id
    return fields | mapped_properties(order, property_map(place.properties or {}))


def client_fields(order: OrderDocument) -> tuple[str, dict[str, Any]] | None:
    """The contact or company to create when none matched: (method, fields)."""
    party = order.counterparty
    if party is None:
        return None
    multi: dict[str, Any] = {}
    if party.phone:
        multi["PHONE"] = [{"VALUE": party.phone, "VALUE_TYPE": "WORK"}]
    if party.email:
        multi["EMAIL"] = [{"VALUE": party.email, "VALUE_TYPE": "WORK"}]
    if party.is_company:
        return "crm.company.add", {"TITLE": party.name, INN_FIELD: party.inn} | multi
    names = {"NAME": party.first_name or party.name, "LAST_NAME": party.last_name or ""}
    return "crm.contact.add", names | multi


def applied_hash(order: OrderDocument) -> str:
    """What the deal is made of, without what differs between nodes for the same order."""
    data = order.model_dump(mode="json", exclude={"external_id", "number"})
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def number_text(value: Decimal) -> str:
    """One spelling per amount (``12500.0`` and ``12500.00`` are the same ``12500``)."""
    return format(value.normalize(), "f")


def rows_snapshot(lines: list[Line]) -> list[list[str]]:
    return [[ln.name, number_text(ln.price), number_text(ln.quantity)] for ln in lines]
