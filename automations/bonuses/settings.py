"""The bonus rules and money accounts of a portal, read from its settings (``bonus_rules``,
``money_accounts``, ``bonus_service_product_ids``). Malformed entries are refused with a
message naming the entry, so the settings page can show it; nothing is guessed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from automations.bonuses.rules import BonusRules

MAX_PERCENT = Decimal(100)


class BonusSettingsError(ValueError):
    """A malformed bonus setting; the message is Russian, then English."""


def _decimal(value: Any, where: str, *, upper: Decimal | None = None) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number < 0 or (upper is not None and number > upper):
        limit = f" и не больше {upper}" if upper is not None else ""
        raise BonusSettingsError(
            f"{where}: «{value}» — нужно неотрицательное число{limit}. / "
            f"{where}: '{value}' must be a non-negative number."
        )
    return number


def _table(raw: Any, where: str, *, upper: Decimal | None = None) -> dict[int, Decimal]:
    if not raw:
        return {}
    if not isinstance(raw, Mapping):
        raise BonusSettingsError(f"{where}: нужна таблица «ID → значение». / {where}: a map.")
    table = {}
    for key, value in raw.items():
        if not str(key).isdigit():
            raise BonusSettingsError(
                f"{where}: «{key}» — не ID товара или раздела. / {where}: '{key}' is not an ID."
            )
        table[int(key)] = _decimal(value, f"{where} [{key}]", upper=upper)
    return table


def bonus_rules(values: Mapping[str, Any]) -> BonusRules:
    raw = values.get("bonus_rules") or {}
    if not isinstance(raw, Mapping):
        raise BonusSettingsError("bonus_rules: нужен объект настроек. / bonus_rules: an object.")
    return BonusRules(
        default_percent=_decimal(
            raw.get("default_percent", "0"), "Бонус по умолчанию, %", upper=MAX_PERCENT
        ),
        product_percent=_table(raw.get("product_percent"), "Бонус товара, %", upper=MAX_PERCENT),
        section_percent=_table(raw.get("section_percent"), "Бонус раздела, %", upper=MAX_PERCENT),
        product_fixed=_table(raw.get("product_fixed"), "Фикс. бонус товара, ₽/шт"),
        section_fixed=_table(raw.get("section_fixed"), "Фикс. бонус раздела, ₽/шт"),
        include_services=bool(raw.get("include_services", False)),
    )


def service_product_ids(values: Mapping[str, Any]) -> frozenset[int]:
    return frozenset(int(i) for i in values.get("service_product_ids") or [] if str(i).isdigit())


@dataclass(frozen=True)
class Account:
    """A cash desk, terminal or manager's card of an office."""

    code: str
    kind: str  # cash_desk | terminal | card
    office: str
    title: str
    allow_negative: bool = False


ACCOUNT_KINDS = ("cash_desk", "terminal", "card")


def money_accounts(values: Mapping[str, Any]) -> dict[str, Account]:
    accounts = {}
    for raw in values.get("money_accounts") or []:
        if not isinstance(raw, Mapping) or str(raw.get("kind")) not in ACCOUNT_KINDS:
            continue
        code = str(raw.get("code") or "").strip()
        if code:
            accounts[code] = Account(
                code,
                str(raw["kind"]),
                str(raw.get("office") or ""),
                str(raw.get("title") or code),
                bool(raw.get("allow_negative", False)),
            )
    return accounts


def bonuses_enabled(values: Mapping[str, Any]) -> bool:
    """Bonuses run for a portal once an admin has set its rules (``bonus_rules``); until then
    a deal event costs its notices one settings read and no REST call."""
    return bool(values.get("bonus_rules"))


def manager_office(values: Mapping[str, Any], manager_id: int) -> str:
    offices = values.get("manager_offices") or {}
    return str(offices.get(str(manager_id)) or "") if isinstance(offices, Mapping) else ""


CONFIGURABLE_KEYS = frozenset(
    {"bonus_rules", "money_accounts", "manager_offices", "money_allow_negative"}
)


def checked_bonus_settings(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A bonus/money settings change, checked whole: the first problem is refused with its
    reason (``BonusSettingsError``), so nothing is stored unless all of it is valid."""
    unknown = sorted(set(raw) - CONFIGURABLE_KEYS)
    if unknown:
        raise BonusSettingsError(
            f"Неизвестные ключи: {', '.join(unknown)}; допустимы: "
            f"{', '.join(sorted(CONFIGURABLE_KEYS))}. / Unknown keys: {', '.join(unknown)}."
        )
    if "bonus_rules" in raw:
        bonus_rules(raw)
    _check_accounts(raw.get("money_accounts", []))
    offices = raw.get("manager_offices", {})
    if not isinstance(offices, Mapping) or not all(str(k).isdigit() for k in offices):
        raise BonusSettingsError(
            "manager_offices: нужна таблица «ID менеджера → офис». / a map of user id → office."
        )
    if not isinstance(raw.get("money_allow_negative", False), bool):
        raise BonusSettingsError(
            "money_allow_negative: нужно true или false. / money_allow_negative: true or false."
        )
    return dict(raw)


def _check_accounts(raw: Any) -> None:
    if not isinstance(raw, list):
        raise BonusSettingsError("money_accounts: нужен список счетов. / a list of accounts.")
    seen: set[str] = set()
    for number, account in enumerate(raw, start=1):
        code = str(account.get("code") or "").strip() if isinstance(account, Mapping) else ""
        kind = str(account.get("kind") or "") if isinstance(account, Mapping) else ""
        if not code or code in seen or kind not in ACCOUNT_KINDS:
            raise BonusSettingsError(
                f"Счёт №{number}: нужен уникальный «code» и «kind» из "
                f"{', '.join(ACCOUNT_KINDS)} (касса, терминал, карта). / Account {number}: "
                "a unique code and a kind of cash_desk, terminal or card."
            )
        seen.add(code)
