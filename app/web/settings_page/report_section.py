"""The reports section of the settings page (its words, ru/en, and its script's config);
the data comes from ``app/web/reports``."""

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from app.web.frame.i18n import normalize_lang
from automations.bonuses.settings import CONFIGURABLE_KEYS

API_BASE = "/reports/api"
WORDS = {
    "ru": {
        "title": "Бонусы и деньги: отчёт",
        "month_from": "С месяца",
        "month_to": "По месяц",
        "show": "Показать",
        "export": "Скачать XLSX",
        "managers": "Бонусы и выплаты по менеджерам",
        "offices": "Операции по офисам",
        "balances": "Балансы касс, терминалов и карт",
        "month": "Месяц",
        "manager": "Менеджер (ID)",
        "office": "Офис",
        "accrued": "Начислено",
        "annulled": "Аннулировано",
        "salary": "Выплата ЗП",
        "bonus": "Премия",
        "fine": "Штраф",
        "payment": "Оплаты",
        "change": "Сдача",
        "refund": "Возвраты",
        "collection": "Инкассация",
        "account": "Счёт",
        "balance": "Баланс",
        "empty": "За этот период записей нет.",
        "admin_only": "Отчёт доступен только администраторам портала.",
        "network_error": "Не удалось получить отчёт. Проверьте связь и попробуйте ещё раз.",
        "settings_title": "Бонусы и деньги: настройки",
        "settings_hint": "JSON: bonus_rules (проценты по товарам и разделам, фикс. суммы), "
        "money_accounts (кассы, терминалы, карты по офисам), manager_offices, "
        "money_allow_negative. Формат — в README.",
        "settings_save": "Сохранить настройки бонусов",
        "settings_saved": "Настройки бонусов сохранены.",
        "settings_json_error": "Поле «Настройки бонусов»: это не JSON-объект. Проверьте скобки "
        "и кавычки.",
    },
    "en": {
        "title": "Bonuses and money: report",
        "month_from": "From month",
        "month_to": "To month",
        "show": "Show",
        "export": "Download XLSX",
        "managers": "Bonuses and payouts per manager",
        "offices": "Operations per office",
        "balances": "Balances of cash desks, terminals and cards",
        "month": "Month",
        "manager": "Manager (ID)",
        "office": "Office",
        "accrued": "Accrued",
        "annulled": "Annulled",
        "salary": "Salary",
        "bonus": "Bonus",
        "fine": "Fine",
        "payment": "Payments",
        "change": "Change",
        "refund": "Refunds",
        "collection": "Cash collection",
        "account": "Account",
        "balance": "Balance",
        "empty": "No entries in this period.",
        "admin_only": "Only the portal's administrators can see the report.",
        "network_error": "The report could not be loaded. Check the connection and try again.",
        "settings_title": "Bonuses and money: settings",
        "settings_hint": "JSON: bonus_rules (percents per product and section, fixed amounts), "
        "money_accounts (cash desks, terminals, cards per office), manager_offices, "
        "money_allow_negative. The format is in the README.",
        "settings_save": "Save the bonus settings",
        "settings_saved": "The bonus settings are saved.",
        "settings_json_error": "Bonus settings: this is not a JSON object. Check the brackets "
        "and quotes.",
    },
}


def report_section(
    lang: str, is_admin: bool, stored: Mapping[str, Any], *, now: datetime | None = None
) -> dict[str, Any]:
    words = WORDS[normalize_lang(lang)]
    month = (now or datetime.now(UTC)).strftime("%Y-%m")
    current = {key: stored[key] for key in sorted(CONFIGURABLE_KEYS) if key in stored}
    return {
        "words": words,
        "is_admin": is_admin,
        "month": month,
        "settings_json": json.dumps(current, ensure_ascii=False, indent=2),
        "config": {"api_base": API_BASE, "strings": words, "month": month},
    }
