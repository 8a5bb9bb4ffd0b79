"""The settings page's words in Russian (the default) and English."""

from app.web.frame.i18n import normalize_lang

RU: dict[str, str] = {
    "page_title": "Настройки b24bridge",
    "deal_funnel": "Воронка сделок",
    "deal_stages": "Стадии сделки",
    "card_stages": "Стадии закупки",
    "buyers": "Закупщики",
    "services": "Услуги (не ищутся)",
    "discount_field": "Поле скидки в сделке",
    "discount_hint": "Например UF_CRM_1700000000. Пусто — скидку из поля не применять.",
    "not_mapped": "— не выбрано —",
    "no_card_type": "Смарт-процесс «Закупка» ещё не создан: нажмите «Создать смарт-процесс и стадии».",
    "provision": "Создать смарт-процесс и стадии",
    "save": "Сохранить",
    "saving": "Сохраняем…",
    "saved": "Сохранено.",
    "provisioning": "Создаём…",
    "created": "Создано: {items}.",
    "nothing_created": "Всё уже создано — ничего нового не понадобилось.",
    "admin_only": "Изменять настройки может только администратор портала.",
    "network_error": "Не удалось связаться с сервером. Попробуйте ещё раз.",
    "error_title": "Настройки недоступны",
    "error_hint": "Закройте приложение и откройте его снова. Если не поможет — напишите администратору портала.",
    "users_none": "Пользователи не найдены.",
    "services_none": "В каталоге нет услуг.",
}

EN: dict[str, str] = {
    "page_title": "b24bridge settings",
    "deal_funnel": "Deal funnel",
    "deal_stages": "Deal stages",
    "card_stages": "Procurement stages",
    "buyers": "Buyers",
    "services": "Services (not searched for)",
    "discount_field": "Deal discount field",
    "discount_hint": "For example UF_CRM_1700000000. Empty: no discount from a field.",
    "not_mapped": "— not set —",
    "no_card_type": "The «Закупка» smart process does not exist yet: press «Create smart process and stages».",
    "provision": "Create smart process and stages",
    "save": "Save",
    "saving": "Saving…",
    "saved": "Saved.",
    "provisioning": "Creating…",
    "created": "Created: {items}.",
    "nothing_created": "Everything already exists — nothing new was needed.",
    "admin_only": "Only a portal administrator can change the settings.",
    "network_error": "Could not reach the server. Try again.",
    "error_title": "Settings are unavailable",
    "error_hint": "Close the application and open it again. If that does not help, ask the portal admin.",
    "users_none": "No users found.",
    "services_none": "The catalog has no services.",
}

CATALOGS = {"ru": RU, "en": EN}
JS_KEYS = (
    "saving",
    "saved",
    "provisioning",
    "created",
    "nothing_created",
    "network_error",
    "not_mapped",
)


def word(key: str, lang: str) -> str:
    return CATALOGS.get(normalize_lang(lang), RU).get(key) or RU.get(key) or key


def js_words(lang: str) -> dict[str, str]:
    """Every text the page's script shows, so it never builds text of its own."""
    return {key: word(key, lang) for key in JS_KEYS}
