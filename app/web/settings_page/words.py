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
    "lines_locked_from": "Строки «Поиска» только для чтения со стадии закупки",
    "lines_locked_hint": "С этой стадии закупщик больше не меняет строки; «никогда» — всегда можно.",
    "never": "никогда",
    "keys_rule": "Таких настроек нет или их меняет только приложение: {keys}. Уберите их.",
    "category_rule": "Воронка сделок: номер воронки — целое число от 0.",
    "category_unknown": "Воронка сделок: на портале нет такой воронки — выберите её из списка.",
    "category_needs_stages": "Воронка сделок: при смене воронки выберите и стадии сделки этой воронки.",
    "map_rule": "{field}: ожидается соответствие «стадия приложения → стадия портала».",
    "map_unknown": "{field}: у приложения нет стадий {stages}.",
    "map_foreign": "{field}: для {stages} выбрана стадия не из этой воронки — выберите стадию из списка.",
    "map_twice": "{field}: одна стадия портала выбрана для двух стадий приложения — у каждой должна быть своя.",
    "ids_rule": "{field}: ожидается список не больше чем из {limit} номеров.",
    "ids_whole": "{field}: номера должны быть целыми числами.",
    "ids_unknown": "{field}: портал не предлагает {ids} — выберите из списка.",
    "discount_field_rule": "Поле скидки в сделке: код поля сделки вида UF_CRM_1700000000 или пусто.",
    "lock_rule": "Строки «Поиска» только для чтения: выберите стадию закупки из списка или «никогда».",
    "provision_rule": "Создание смарт-процесса принимает только воронку сделок (deal_category_id).",
    "portal_refused": "Портал не ответил ({code}); ничего не изменено. Попробуйте ещё раз.",
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
    "lines_locked_from": "Search lines are read-only from the procurement stage",
    "lines_locked_hint": "From this stage on the buyer no longer changes the lines; «never» keeps them editable.",
    "never": "never",
    "keys_rule": "No such settings, or only the app sets them: {keys}. Remove them.",
    "category_rule": "Deal funnel: a funnel number is a whole number from 0.",
    "category_unknown": "Deal funnel: the portal has no such funnel — pick one from the list.",
    "category_needs_stages": "Deal funnel: a new funnel needs that funnel's deal stages chosen too.",
    "map_rule": "{field}: expected a map of app stage → portal stage.",
    "map_unknown": "{field}: the app has no stages {stages}.",
    "map_foreign": "{field}: the stage chosen for {stages} is not of this funnel — pick one from the list.",
    "map_twice": "{field}: one portal stage is chosen for two app stages — each needs its own.",
    "ids_rule": "{field}: expected a list of at most {limit} ids.",
    "ids_whole": "{field}: the ids must be whole numbers.",
    "ids_unknown": "{field}: the portal does not offer {ids} — pick from the list.",
    "discount_field_rule": "Deal discount field: a deal field code like UF_CRM_1700000000, or empty.",
    "lock_rule": "Search lines read-only from: pick a procurement stage from the list, or «never».",
    "provision_rule": "Creating the smart process takes only the deal funnel (deal_category_id).",
    "portal_refused": "The portal did not answer ({code}); nothing was changed. Try again.",
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
