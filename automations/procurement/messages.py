"""The procurement workflow's user-facing texts, Russian and English, keyed by message key.

Effects carry a message key plus params; handlers (notifications, tasks, SMS) and the
Search tab templates render them here, so one text lives in one place. Russian is the
default; English when the portal language is ``en`` (PRODUCT.md §3.5). Texts quoted in
PRODUCT.md §3.4 are kept word for word.
"""

from __future__ import annotations

from typing import Final

RU: Final = "ru"
EN: Final = "en"

CATALOGUE: Final[dict[str, dict[str, str]]] = {
    "card.title": {
        RU: "Закупка по сделке №{deal_id}: {deal_title}",
        EN: "Procurement for deal #{deal_id}: {deal_title}",
    },
    "task.find_goods": {
        RU: "Найти товары по сделке №{deal_id}: {deal_title}",
        EN: "Find the goods for deal #{deal_id}: {deal_title}",
    },
    "notify.search_started": {
        RU: "Новая закупка: найти товары по сделке №{deal_id}: {deal_title}",
        EN: "New procurement: find the goods for deal #{deal_id}: {deal_title}",
    },
    "notify.search_done": {
        RU: "Поиск завершён. Пора согласовать список с клиентом",
        EN: "The search is complete. Time to agree the list with the client",
    },
    "notify.new_goods": {
        RU: "В сделку добавлен новый товар — нужен поиск",
        EN: "A new product was added to the deal — it needs a search",
    },
    "notify.sms_no_phone": {
        RU: "Не удалось отправить SMS клиенту по сделке №{deal_id}: в сделке нет телефона",
        EN: "Could not text the client of deal #{deal_id}: the deal has no phone number",
    },
    "task.buyout": {
        RU: "Выкупить товары по сделке №{deal_id}: {deal_title}",
        EN: "Buy out the goods for deal #{deal_id}: {deal_title}",
    },
    "task.call_client": {
        RU: "Позвонить клиенту: заказ прибывает через {days} {days_word}",
        EN: "Call the client: the order arrives in {days} {days_word}",
    },
    "task.call_client_today": {
        RU: "Позвонить клиенту: заказ прибывает сегодня",
        EN: "Call the client: the order arrives today",
    },
    "sms.at_warehouse": {
        RU: "Ваш товар выкуплен и принят на склад",
        EN: "Your goods have been bought and received at our warehouse",
    },
    "sms.review_request": {
        RU: "Спасибо, что выбрали нас! Пожалуйста, оставьте отзыв о нашей работе",
        EN: "Thank you for choosing us! Please leave a review of our work",
    },
    "tab.progress": {
        RU: "{found} из {total} найдено",
        EN: "{found} of {total} found",
    },
    "status.pending": {RU: "Ожидает поиска", EN: "Pending"},
    "status.found": {RU: "Найден", EN: "Found"},
    "status.not_found": {RU: "Не найден", EN: "Not found"},
    "status.replacement": {RU: "Замена", EN: "Replacement"},
    "status.cancelled_by_client": {RU: "Отменён клиентом", EN: "Cancelled by the client"},
    "entry.unknown_line": {
        RU: "Строка не найдена — обновите вкладку",
        EN: "This line no longer exists — reload the tab",
    },
    "entry.status_not_allowed": {
        RU: "Этот статус ставится только автоматически",
        EN: "This status is set automatically only",
    },
    "entry.replacement_not_described": {
        RU: "Для статуса «замена» заполните поле «Чем заменили»",
        EN: "The status «replacement» needs the «Replaced with» field filled in",
    },
    "entry.found_needs_supplier": {
        RU: "Для статуса «найден» заполните поле «Поставщик»",
        EN: "The status «found» needs the «Supplier» field filled in",
    },
    "entry.found_needs_price": {
        RU: "Для статуса «найден» укажите цену за единицу, например 310,50",
        EN: "The status «found» needs a unit price, e.g. 310.50",
    },
    "entry.found_needs_currency": {
        RU: "Для статуса «найден» укажите валюту цены, например CNY или RUB",
        EN: "The status «found» needs the price's currency, e.g. CNY or RUB",
    },
}


def render(message_key: str, lang: str = RU, **params: object) -> str:
    """The text in ``lang`` (Russian unless ``en``); unknown keys raise ``KeyError``."""
    texts = CATALOGUE[message_key]
    chosen = EN if lang.lower().startswith(EN) else RU
    return texts[chosen].format(**params, **_derived(chosen, params))


def _derived(lang: str, params: dict[str, object]) -> dict[str, str]:
    days = params.get("days")
    if not isinstance(days, int) or "days_word" in params:
        return {}
    return {"days_word": _days_word(lang, days)}


def _days_word(lang: str, days: int) -> str:
    if lang == EN:
        return "day" if days == 1 else "days"
    # Russian plural: 1 день, 2-4 дня, 5-20 дней, 21 день, 22 дня, 25 дней, 111 дней.
    if days % 10 == 1 and days % 100 != 11:
        return "день"
    if days % 10 in (2, 3, 4) and days % 100 not in (12, 13, 14):
        return "дня"
    return "дней"
