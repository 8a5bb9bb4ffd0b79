"""CRM field names and value types across the two API families.

The store keeps UPPER_CASE names with typed Python values. Legacy ``crm.deal.*`` /
``crm.contact.*`` print every scalar as a string; ``crm.item.*`` prints typed
camelCase (REST_FACTS §1.1). User fields of smart processes come as
``ufCrm{N}_{NAME}`` in crm.item.* (§4).
"""

import re
from datetime import datetime
from typing import Any

from sandbox.envelope import iso

_CAMEL_EXCEPTIONS = {
    "createdBy": "CREATED_BY_ID",
    "updatedBy": "MODIFY_BY_ID",
    "createdTime": "DATE_CREATE",
    "updatedTime": "DATE_MODIFY",
    "movedBy": "MOVED_BY_ID",
    "begindate": "BEGINDATE",
    "closedate": "CLOSEDATE",
}
_UPPER_EXCEPTIONS = {upper: camel for camel, upper in _CAMEL_EXCEPTIONS.items()}
_UF_SPA = re.compile(r"^UF_CRM_(\d+)_(.+)$")
_UF_SPA_CAMEL = re.compile(r"^ufCrm(\d+)_(.+)$")

INT_FIELDS = frozenset(
    {
        "ID",
        "CATEGORY_ID",
        "CONTACT_ID",
        "COMPANY_ID",
        "ASSIGNED_BY_ID",
        "CREATED_BY_ID",
        "MODIFY_BY_ID",
        "MOVED_BY_ID",
        "ENTITY_TYPE_ID",
        "PARENT_ID2",
        "LEAD_ID",
    }
)
MONEY_FIELDS = frozenset({"OPPORTUNITY", "TAX_VALUE"})
DATE_FIELDS = frozenset({"DATE_CREATE", "DATE_MODIFY", "MOVED_TIME", "BEGINDATE", "CLOSEDATE"})


def to_upper(name: str) -> str:
    """camelCase (or already UPPER) -> store name."""
    if name in _CAMEL_EXCEPTIONS:
        return _CAMEL_EXCEPTIONS[name]
    spa = _UF_SPA_CAMEL.match(name)
    if spa:
        return f"UF_CRM_{spa.group(1)}_{spa.group(2).upper()}"
    if name.isupper() or ("_" in name and name.upper() == name):
        return name
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()


def to_camel(name: str) -> str:
    """Store name -> the crm.item.* spelling."""
    if name in _UPPER_EXCEPTIONS:
        return _UPPER_EXCEPTIONS[name]
    spa = _UF_SPA.match(name)
    if spa:
        return f"ufCrm{spa.group(1)}_{spa.group(2)}"
    head, *rest = name.lower().split("_")
    return head + "".join(part.capitalize() for part in rest)


def parse_date(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if value in (None, ""):
        return None
    return datetime.fromisoformat(str(value))


def _converter(name: str) -> Any:
    if name in INT_FIELDS or name.startswith("PARENT_ID"):
        return lambda value: int(float(value))
    if name in MONEY_FIELDS:
        return lambda value: round(float(value), 2)
    if name in DATE_FIELDS:
        return parse_date
    return None


def coerce(name: str, value: Any) -> Any:
    """Typed store value from an input value (form bodies give strings)."""
    convert = _converter(name)
    if convert is None:
        return value
    return None if value is None or value == "" else convert(value)


def legacy_scalar(name: str, value: Any, offset: int) -> Any:
    if value is None or isinstance(value, datetime):
        return typed_scalar(value, offset)
    if isinstance(value, list):
        return [legacy_scalar(name, item, offset) for item in value]
    if isinstance(value, dict):
        return {k: legacy_scalar(k, v, offset) for k, v in value.items()}
    if name in MONEY_FIELDS:
        return f"{float(value):.2f}"
    if isinstance(value, bool):
        return "Y" if value else "N"
    return str(value)


def typed_scalar(value: Any, offset: int) -> Any:
    if isinstance(value, datetime):
        return iso(value, offset)
    if isinstance(value, list):
        return [typed_scalar(item, offset) for item in value]
    return value


def as_legacy(record: dict[str, Any], offset: int) -> dict[str, Any]:
    return {name: legacy_scalar(name, value, offset) for name, value in record.items()}


def as_item(record: dict[str, Any], offset: int) -> dict[str, Any]:
    return {to_camel(name): typed_scalar(value, offset) for name, value in record.items()}


def fields_from_input(fields: dict[str, Any]) -> dict[str, Any]:
    """Input ``fields`` of either family -> store names with typed values."""
    converted: dict[str, Any] = {}
    for name, value in fields.items():
        upper = to_upper(str(name))
        converted[upper] = coerce(upper, value)
    return converted
