"""List semantics shared by every ``*.list`` method (REST_FACTS §4): filter with operator
prefixes (``crm.item.list`` also nested groups with ``logic: OR``), order, fixed pages of
50 with ``total``/``next``, and ``start=-1`` fast mode."""

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import Any

from sandbox.calls import to_int
from sandbox.envelope import Page
from sandbox.fields import parse_date

PAGE_SIZE = 50
_OPERATORS = ("!=%", "!%=", ">=", "<=", "=%", "%=", "!%", "!@", "!=", ">", "<", "@", "%", "=", "!")

Record = dict[str, Any]


def split_operator(key: str) -> tuple[str, str]:
    for operator in _OPERATORS:
        if key.startswith(operator):
            return operator, key[len(operator) :]
    return "", key


def _coerce_like(sample: Any, value: Any) -> Any:
    if isinstance(sample, datetime):
        return parse_date(value)
    if isinstance(sample, bool):
        return value
    if isinstance(sample, int | float):
        try:
            return float(value)
        except (TypeError, ValueError):
            return value
    return "" if value is None else str(value)


def _equal(actual: Any, expected: Any) -> bool:
    if isinstance(expected, list):
        return any(_equal(actual, item) for item in expected)
    if actual is None:
        return expected in (None, "", "0", 0)
    coerced: Any = _coerce_like(actual, expected)
    return bool(coerced == actual)


def _compare(actual: Any, operator: str, expected: Any) -> bool:
    if actual is None:
        return False
    value = _coerce_like(actual, expected)
    try:
        return bool(
            {
                ">": actual > value,
                "<": actual < value,
                ">=": actual >= value,
                "<=": actual <= value,
            }[operator]
        )
    except TypeError:
        return False


def _like(actual: Any, expected: Any) -> bool:
    needle = str(expected).strip("%").lower()
    return needle in ("" if actual is None else str(actual).lower())


def matches(actual: Any, operator: str, expected: Any) -> bool:
    if operator in ("", "=", "@"):
        return _equal(actual, expected)
    if operator in ("!", "!=", "!@"):
        return not _equal(actual, expected)
    if operator in ("%", "=%", "%="):
        return _like(actual, expected)
    if operator in ("!%", "!=%", "!%="):
        return not _like(actual, expected)
    return _compare(actual, operator, expected)


def apply_filter(
    records: Iterable[Record], filters: dict[str, Any], name_of: Callable[[str], str]
) -> list[Record]:
    conditions = []
    for key, expected in filters.items():
        operator, name = split_operator(str(key))
        conditions.append((name_of(name), operator, expected))
    return [
        record
        for record in records
        if all(matches(record.get(name), op, value) for name, op, value in conditions)
    ]


def _as_group(filters: Any) -> dict[str, Any]:
    """A group comes as an object, or as a list when its keys were 0..n (form bodies)."""
    if isinstance(filters, list):
        return {str(i): value for i, value in enumerate(filters)}
    return filters if isinstance(filters, dict) else {}


def _group_matches(record: Record, group: dict[str, Any], name_of: Callable[[str], str]) -> bool:
    """Conditions joined by AND unless the group's ``logic`` is ``OR``; a numeric key holds
    a nested group (crm-item-list.md: "unlimited nesting")."""
    results = []
    for key, expected in group.items():
        if str(key).lower() == "logic":
            continue
        if str(key).isdigit() and isinstance(expected, dict | list):
            results.append(_group_matches(record, _as_group(expected), name_of))
            continue
        operator, name = split_operator(str(key))
        results.append(matches(record.get(name_of(name)), operator, expected))
    if str(group.get("logic", group.get("LOGIC", "AND"))).upper() == "OR":
        return any(results) if results else True
    return all(results)


def apply_filter_groups(
    records: Iterable[Record], filters: Any, name_of: Callable[[str], str]
) -> list[Record]:
    """The ``crm.item.list`` filter: nested groups with ``logic: OR`` (REST_FACTS §4)."""
    group = _as_group(filters)
    return [record for record in records if _group_matches(record, group, name_of)]


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, int | float):
        return (1, value)
    if isinstance(value, datetime):
        return (1, value.timestamp())
    return (2, str(value))


def _field_key(name: str, record: Record) -> tuple[int, Any]:
    return _sort_key(record.get(name))


def apply_order(
    records: list[Record], order: dict[str, Any], name_of: Callable[[str], str]
) -> list[Record]:
    ordered = sorted(records, key=lambda r: _sort_key(r.get("ID")))
    for key, direction in reversed(list(order.items())):
        name = name_of(str(key))
        descending = str(direction).upper() == "DESC"
        ordered.sort(key=partial(_field_key, name), reverse=descending)
    return ordered


def paginate(records: list[Any], start: Any, *, wrap: Callable[[list[Any]], Any] = list) -> Page:
    """Page of 50; ``start=-1`` is the fast mode: no count, ``total`` 0 and no ``next``."""
    offset = to_int(start, 0) or 0
    if offset == -1:
        return Page(wrap(records[:PAGE_SIZE]), 0)
    offset = max(offset, 0)
    chunk = records[offset : offset + PAGE_SIZE]
    following = offset + PAGE_SIZE
    return Page(wrap(chunk), len(records), following if following < len(records) else None)


def select_fields(record: Record, select: Any, name_of: Callable[[str], str]) -> Record:
    if not isinstance(select, list) or not select or "*" in select:
        return record
    wanted = {name_of(str(name)) for name in select} | {"ID"}
    if "UF_*" in select:
        wanted |= {name for name in record if name.startswith("UF_")}
    return {name: value for name, value in record.items() if name in wanted}
