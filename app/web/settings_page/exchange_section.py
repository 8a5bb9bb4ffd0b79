"""The exchange section of the settings page («Обмен с 1С и B2B-порталами»): its words and
its script's config; the data comes from ``exchange_nodes`` (the section's JSON API)."""

from collections.abc import Iterable
from typing import Any

from app.web.settings_page.portal_options import Choice

API_BASE = "/settings/api/exchange"
WORDS = {
    "title": "Обмен с 1С и B2B-порталами",
    "admin_only": "Узлы обмена видит и меняет только администратор портала.",
    "intro": "Узел — одна база 1С или один B2B-портал со своим логином и паролем. "
    "Заказы узла становятся сделками, изменения сделок уходят обратно.",
    "empty": "Узлов пока нет: добавьте первый ниже.",
    "name": "Имя",
    "kind": "Тип",
    "kind_1c": "1С «Обмен с сайтом»",
    "kind_rpc": "JSON-RPC (B2B-портал, ERP)",
    "direction": "Направление",
    "direction_in": "заказы → Битрикс24",
    "direction_out": "изменения сделок → узел",
    "direction_both": "в обе стороны",
    "category": "Воронка сделок",
    "category_any": "— не задана —",
    "company": "Компания (юрлицо), ID",
    "cutoff": "Дата отсечки (ГГГГ-ММ-ДД)",
    "push_url": "Адрес для отправки изменений (https://…)",
    "enabled": "Включён",
    "yes": "да",
    "no": "нет",
    "last": "Последний обмен",
    "result": "Результат",
    "pending": "Ждут отправки",
    "never": "ещё не было",
    "add_title": "Добавить узел",
    "add": "Добавить узел",
    "rotate": "Сменить пароль",
    "disable": "Отключить",
    "feeds": "Архив обмена",
    "replay": "Повторить",
    "confirm_disable": "Отключить узел «{name}»? Его логин перестанет работать сразу.",
    "confirm_rotate": "Сменить пароль узла «{name}»? Старый перестанет работать сразу.",
    "credentials": "Данные для подключения — показаны один раз",
    "login": "Логин",
    "password": "Пароль",
    "url_1c": "Адрес для 1С «Обмен с сайтом»",
    "url_rpc": "Адрес JSON-RPC",
    "bearer": "Заголовок Authorization: Bearer",
    "added": "Узел «{name}» добавлен. Сохраните пароль сейчас — второй раз его не показать.",
    "rotated": "Пароль сменён. Сохраните новый сейчас — второй раз его не показать.",
    "disabled_done": "Узел «{name}» отключён.",
    "replayed": "Запись {id} повторена: новая запись архива {new}.",
    "feeds_empty": "У этого узла ещё не было обмена.",
    "feed_in": "получено",
    "feed_out": "отправлено",
    "documents": "Документы",
    "loading": "Загрузка…",
    "col_kind_1c": "1С",
    "col_kind_rpc": "JSON-RPC",
    "col_company": "Компания",
    "col_cutoff": "Отсечка",
    "col_push_url": "Push-адрес",
    "col_pending": "Ждут",
    "doc_order": "заказ",
    "doc_counterparty": "контрагент",
    "door_1c": "1С",
    "door_rpc": "JSON-RPC",
    "state_accepted": "принят",
    "state_unchanged": "без изменений",
    "state_skipped": "пропущен (раньше даты отсечки)",
    "state_refused": "отклонён",
    "state_done": "записан",
    "state_pending": "ждёт записи в Битрикс24",
    "network_error": "Не удалось связаться с приложением. Проверьте связь и попробуйте ещё раз.",
}


def category_choices(categories: Iterable[Choice]) -> list[dict[str, str]]:
    return [{"value": "", "label": WORDS["category_any"]}] + [
        {"value": c.value, "label": c.label} for c in categories
    ]


def exchange_section(is_admin: bool, categories: Iterable[Choice]) -> dict[str, Any]:
    return {
        "words": WORDS,
        "is_admin": is_admin,
        "categories": category_choices(categories),
        "config": {"api_base": API_BASE, "strings": WORDS},
    }
