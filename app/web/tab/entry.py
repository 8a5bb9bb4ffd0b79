"""The buyer's entry as the tab sends it: validated by ``SearchData`` (declared once), each
refusal told in the portal's language, naming the field and the rule."""

from dataclasses import asdict
from typing import Any

from pydantic import ValidationError

from app.core.errors import BadRequest
from app.web.frame.i18n import t
from automations.procurement.model import SEARCH_DATA, Line, LineStatus, SearchData

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
