"""The promo-code directory nodes read (PRODUCT §3.10): a smart process «Промокоды» with
code, discount (%) and validity dates; created by ``b24bridge exchange provision`` together
with the deal fields the order properties map to.

Reading costs one batch: the type by its code, then its items (``$result`` reference).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from automations.exchange.employee_code import provision_employee_code
from automations.exchange.rules import DEFAULT_PROPERTY_MAP
from connectors.bitrix24 import Bitrix24Client, Call, Priority

TYPE_CODE = "b24b_promo_codes"
TYPE_TITLE = "Промокоды"
FIELDS = {  # suffix → (user type, label)
    "CODE": ("string", "Промокод"),
    "DISCOUNT": ("double", "Скидка, %"),
    "VALID_FROM": ("date", "Действует с"),
    "VALID_TO": ("date", "Действует по"),
}
DEAL_FIELD_LABELS = {
    "UF_CRM_B24B_BONUS_CARD": "Номер бонусной карты",
    "UF_CRM_B24B_BONUS_PAID": "Сумма оплаченная бонусами",
    "UF_CRM_B24B_PROMO_CODE": "Промокод",
    "UF_CRM_B24B_LEGAL_ENTITY": "Юридическое лицо",
}
assert set(DEAL_FIELD_LABELS) == set(DEFAULT_PROPERTY_MAP.values())


@dataclass(frozen=True)
class PromoCode:
    code: str
    discount_percent: Decimal
    valid_from: date | None
    valid_to: date | None

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "discount_percent": format(self.discount_percent.normalize(), "f"),
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
        }


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _percent(value: Any) -> Decimal:
    try:
        return Decimal(str(value or 0))
    except InvalidOperation:
        return Decimal(0)


def parse_item(item: dict[str, Any], type_id: int) -> PromoCode | None:
    prefix = f"ufCrm{type_id}_"
    code = str(item.get(f"{prefix}CODE") or "").strip()
    if not code:
        return None
    return PromoCode(
        code=code,
        discount_percent=_percent(item.get(f"{prefix}DISCOUNT")),
        valid_from=_day(item.get(f"{prefix}VALID_FROM")),
        valid_to=_day(item.get(f"{prefix}VALID_TO")),
    )


async def read_promo_codes(client: Bitrix24Client) -> list[PromoCode]:
    commands: dict[str, Call] = {
        "type": ("crm.type.list", {"filter": {"code": TYPE_CODE}}),
        "items": (
            "crm.item.list",
            {"entityTypeId": "$result[type][types][0][entityTypeId]", "select": ["*", "uf*"]},
        ),
    }
    outcomes = await client.batch(commands, priority=Priority.INTERACTIVE)
    types = (outcomes["type"].unwrap() or {}).get("types", [])
    if not types:
        return []
    type_id = int(types[0]["id"])
    items = (outcomes["items"].unwrap() or {}).get("items", [])
    return [code for item in items if (code := parse_item(item, type_id)) is not None]


async def provision(client: Bitrix24Client) -> list[str]:
    """Create what is missing: the directory's smart process and fields, the deal fields,
    the employee code user field."""
    created: list[str] = []
    found = await client.call("crm.type.list", {"filter": {"code": TYPE_CODE}})
    types = (found or {}).get("types", [])
    if types:
        type_id = int(types[0]["id"])
    else:
        fields = {"title": TYPE_TITLE, "code": TYPE_CODE}
        type_id = int((await client.call("crm.type.add", {"fields": fields}))["type"]["id"])
        created.append(f"smart process {TYPE_TITLE}")
    wanted = {f"UF_CRM_{type_id}_{suffix}": spec for suffix, spec in FIELDS.items()}
    created += await _fields(client, f"CRM_{type_id}", wanted)
    deal = {name: ("string", label) for name, label in DEAL_FIELD_LABELS.items()}
    created += await _fields(client, "CRM_DEAL", deal)
    return created + await provision_employee_code(client)


async def _fields(
    client: Bitrix24Client, entity_id: str, wanted: dict[str, tuple[str, str]]
) -> list[str]:
    listed = await client.call(
        "userfieldconfig.list", {"moduleId": "crm", "filter": {"entityId": entity_id}}
    )
    have = {f.get("fieldName") for f in (listed or {}).get("fields", [])}
    created = []
    for name, (kind, label) in wanted.items():
        if name in have:
            continue
        field = {"entityId": entity_id, "fieldName": name, "userTypeId": kind,
                 "editFormLabel": {"ru": label, "en": label}}  # fmt: skip
        await client.call("userfieldconfig.add", {"moduleId": "crm", "field": field})
        created.append(f"field {name}")
    return created
