"""In-memory CRM of one portal: entities (deals, contacts, smart-process items), rows, types,
funnels, stages, catalog and user-field definitions. Deals are entityTypeId 2 for both
``crm.deal.*`` and ``crm.item.*`` (one store, REST_FACTS §10)."""

from dataclasses import dataclass, field
from typing import Any

DEAL = 2
CONTACT = 3
COMPANY = 4
# Clients: no funnels, no stages, no product rows.
CLIENT_TYPES = (CONTACT, COMPANY)
FIRST_SPA_TYPE = 128

DEAL_DEFAULT_STAGES = [
    ("NEW", "Новая", None),
    ("PREPARATION", "Подготовка документов", None),
    ("PREPAYMENT_INVOICE", "Счёт на предоплату", None),
    ("EXECUTING", "В работе", None),
    ("FINAL_INVOICE", "Финальный счёт", None),
    ("WON", "Сделка успешна", "S"),
    ("LOSE", "Сделка провалена", "F"),
]
SPA_DEFAULT_STAGES = [
    ("NEW", "Начало", None),
    ("PREPARATION", "Подготовка", None),
    ("CLIENT", "Согласование с клиентом", None),
    ("SUCCESS", "Успех", "S"),
    ("FAIL", "Провал", "F"),
]


@dataclass
class CrmStore:
    entities: dict[int, dict[int, dict[str, Any]]] = field(default_factory=dict)
    next_ids: dict[int, int] = field(default_factory=dict)
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_row_id: int = 1
    types: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_type_id: int = 1
    categories: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_category_id: int = 1
    statuses: list[dict[str, Any]] = field(default_factory=list)
    next_status_id: int = 1
    products: dict[int, dict[str, Any]] = field(default_factory=dict)
    sections: dict[int, dict[str, Any]] = field(default_factory=dict)
    userfields: list[dict[str, Any]] = field(default_factory=list)

    def table(self, entity_type_id: int) -> dict[int, dict[str, Any]]:
        return self.entities.setdefault(entity_type_id, {})

    def new_id(self, entity_type_id: int) -> int:
        next_id = self.next_ids.get(entity_type_id, 1)
        self.next_ids[entity_type_id] = next_id + 1
        return next_id

    def find(self, entity_type_id: int, entity_id: int) -> dict[str, Any] | None:
        return self.table(entity_type_id).get(entity_id)

    def new_row_id(self) -> int:
        row_id = self.next_row_id
        self.next_row_id += 1
        return row_id

    def rows_of(self, owner_type: str, owner_id: int) -> list[dict[str, Any]]:
        rows = [
            r
            for r in self.rows.values()
            if r["OWNER_TYPE"] == owner_type and r["OWNER_ID"] == owner_id
        ]
        return sorted(rows, key=lambda r: (r["SORT"], r["ID"]))

    def is_known_type(self, entity_type_id: int) -> bool:
        return entity_type_id in (DEAL, CONTACT, COMPANY) or entity_type_id in self.types


def stage_entity_id(entity_type_id: int, category_id: int) -> str:
    """The ``ENTITY_ID`` of a funnel's stage reference (§10.3)."""
    if entity_type_id == DEAL:
        return "DEAL_STAGE" if category_id == 0 else f"DEAL_STAGE_{category_id}"
    return f"DYNAMIC_{entity_type_id}_STAGE_{category_id}"


def stage_prefix(entity_type_id: int, category_id: int) -> str:
    if entity_type_id == DEAL:
        return "" if category_id == 0 else f"C{category_id}:"
    return f"DT{entity_type_id}_{category_id}:"


def owner_type_code(entity_type_id: int) -> str:
    """Short code used as ``ownerType`` (§10.1): D for deals, T + lowercase hex for SPAs."""
    if entity_type_id == DEAL:
        return "D"
    return f"T{entity_type_id:x}"


def entity_type_of_owner(owner_type: str) -> int | None:
    if owner_type == "D":
        return DEAL
    if owner_type.startswith("T") and len(owner_type) > 1:
        try:
            return int(owner_type[1:], 16)
        except ValueError:
            return None
    return None
