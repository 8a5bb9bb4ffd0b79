"""The buyer's entry as the tab sends it: validated by ``SearchData`` (declared once), each
refusal told in the portal's language, naming the field and the rule. The editor's input
limits (``input_limits``) are read from the same declaration, and the discount button's
amount is checked here before an action is queued."""

from dataclasses import asdict
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from app.core.errors import BadRequest
from app.web.frame.i18n import t
from automations.procurement.model import CENT, MAX_PRICE, SEARCH_DATA, Line, LineStatus, SearchData

MAX_DISCOUNT = MAX_PRICE
MONEY_GROUP = 3  # digits between the thousands separators a person may type

RULES: dict[str, dict[str, str]] = {
    "ru": {
        "string_too_long": "не больше {max_length} символов",
        "string_type": "должно быть текстом",
        "whole_number": "целое число от 0, например 100",
        "less_than_equal": "не больше {le}",
        "greater_than_equal": "не меньше {ge}",
        "less_than": "меньше {lt}",
        "not_a_number": "число, например 1250 или 1250,50",
        "finite_number": "число, например 1250 или 1250,50",
        "too_many_decimals": "не больше двух знаков после запятой",
        "extra_forbidden": "такого поля нет",
        "unexpected_keyword_argument": "такого поля нет",
        "status": "один из: ожидает поиска, найден, не найден, замена",
    },
    "en": {
        "string_too_long": "at most {max_length} characters",
        "string_type": "must be text",
        "whole_number": "a whole number from 0, e.g. 100",
        "less_than_equal": "at most {le}",
        "greater_than_equal": "at least {ge}",
        "less_than": "less than {lt}",
        "not_a_number": "a number, e.g. 1250 or 1250.50",
        "finite_number": "a number, e.g. 1250 or 1250.50",
        "too_many_decimals": "at most two decimal places",
        "extra_forbidden": "no such field",
        "unexpected_keyword_argument": "no such field",
        "status": "one of: awaiting search, found, not found, replacement",
    },
}


def parse_entry(current: Line, changes: dict[str, Any], lang: str) -> tuple[LineStatus, SearchData]:
    """The line's status and search data after ``changes`` (the fields the buyer sent)."""
    fields = {name: value for name, value in changes.items() if name != "status"}
    try:
        search = SEARCH_DATA.validate_python({**asdict(current.search), **fields})
    except ValidationError as exc:
        raise BadRequest(describe(exc, lang)) from exc
    return _status(changes.get("status", current.status.value), lang), search


def describe(exc: ValidationError, lang: str) -> str:
    """«Поставщик: не больше 255 символов» — one sentence per refused field."""
    rules = RULES["en" if lang == "en" else "ru"]
    parts = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        rule = rules.get(error["type"], error["msg"]).format(**(error.get("ctx") or {}))
        parts.append(f"{_label(name, lang)}: {rule}")
    return "; ".join(parts)


def _label(name: str, lang: str) -> str:
    key = f"field_{name}"
    label = t(key, lang)
    return name if label == key else label


def _status(value: Any, lang: str) -> LineStatus:
    try:
        return LineStatus(str(value))
    except ValueError as exc:
        rules = RULES["en" if lang == "en" else "ru"]
        raise BadRequest(f"{_label('status', lang)}: {rules['status']}") from exc


def input_limits() -> dict[str, int]:
    """The most characters each editor field takes, from ``SearchData``'s constraints: a text's
    ``max_length``; a whole number's digits; an amount's digits, separators and kopecks."""
    limits: dict[str, int] = {}
    for name, schema in SEARCH_DATA.json_schema()["properties"].items():
        limit = _longest(schema)
        if limit:
            limits[name] = limit
    return limits


def _longest(schema: dict[str, Any]) -> int:
    if "maxLength" in schema:
        return int(schema["maxLength"])
    for option in schema.get("anyOf", ()):
        if option.get("type") == "integer" and "maximum" in option:
            return len(str(int(option["maximum"])))
        if option.get("type") == "number" and "exclusiveMaximum" in option:
            digits = len(str(int(option["exclusiveMaximum"]) - 1))
            return digits + (digits - 1) // MONEY_GROUP + 3  # "999 999,99"
    return 0


def parse_discount(params: dict[str, Any], lang: str) -> dict[str, str]:
    """The discount button's parameters: an amount above zero with at most two decimal
    places, as a canonical string ("1500.50"); a refusal names the field and the rule."""
    text = str(params.get("amount", "")).replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise BadRequest(t("discount_invalid", lang)) from exc
    if not amount.is_finite() or amount <= 0:
        raise BadRequest(t("discount_invalid", lang))
    if amount != amount.quantize(CENT):
        raise BadRequest(t("discount_too_precise", lang))
    if amount >= MAX_DISCOUNT:
        raise BadRequest(t("discount_too_large", lang))
    return {"amount": str(amount.quantize(CENT))}
