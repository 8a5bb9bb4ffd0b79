"""The tab's words in Russian (the default) and English, and how numbers read in each.

One dict per language; ``t`` falls back to Russian for an unknown language and to the
key itself for an unknown key, so a missing translation shows up as a visible key
instead of a crash. ``js_strings`` is the subset the page's script needs.
"""

from decimal import Decimal

from automations.procurement.model import CardStage, DealStage

DEFAULT_LANG = "ru"

RU: dict[str, str] = {
    "page_title": "Поиск",
    "progress": "{found} из {active} найдено",
    "col_position": "№",
    "col_name": "Товар",
    "col_quantity": "Кол-во",
    "col_status": "Статус",
    "col_supplier": "Поставщик",
    "col_supplier_url": "Ссылка",
    "col_price": "Цена за ед.",
    "col_moq": "Мин. партия",
    "col_lead_time": "Срок, дн.",
    "col_photo": "Фото",
    "col_comment": "Комментарий",
    "col_replacement": "Замена",
    "col_batch": "Партия / срок",
    "moq_value": "мин. {n}",
    "lead_value": "{n} дн.",
    "status_pending": "ожидает поиска",
    "status_found": "найден",
    "status_not_found": "не найден",
    "status_replacement": "замена",
    "status_cancelled_by_client": "отменён клиентом",
    "field_status": "Статус",
    "field_supplier": "Поставщик",
    "field_supplier_url": "Ссылка на товар",
    "field_unit_price": "Цена за ед.",
    "field_currency": "Валюта",
    "field_moq": "Мин. партия (MOQ)",
    "field_lead_time_days": "Срок изготовления, дн.",
    "field_photo_url": "Ссылка на фото",
    "field_comment": "Комментарий",
    "field_replacement_note": "Чем заменили",
    "save": "Сохранить",
    "cancel": "Отмена",
    "saving": "Сохраняем…",
    "no_lines": "В сделке пока нет товаров для поиска.",
    "edit_hint": "Нажмите на строку, чтобы заполнить данные поставщика.",
    "cancelled_hint": "Клиент отказался от этой позиции — её не нужно искать.",
    "action_expand_kits": "Развернуть комплекты",
    "action_apply_discount": "Применить скидку",
    "action_clear_products": "Удалить все товары",
    "discount_amount": "Сумма скидки на сделку",
    "discount_apply": "Применить",
    "discount_invalid": "Сумма скидки: введите число больше нуля, например 1500 или 1500,50.",
    "discount_too_precise": "Сумма скидки: не больше двух знаков после запятой, например 1500,50.",
    "discount_too_large": "Сумма скидки: не больше 999 999 999 999 999,99.",
    "clear_confirm": "Удалить все товары из сделки? Данные поиска останутся в истории.",
    "clear_yes": "Да, удалить",
    "action_running": "Выполняем…",
    "network_error": "Не удалось связаться с сервером. Проверьте соединение и попробуйте ещё раз.",
    "server_error": "Сервер не смог сохранить изменения. Попробуйте ещё раз.",
    "stage_moved": "Сделка переведена на стадию «{stage}».",
    "action_still_running": "Действие ещё выполняется. Обновите вкладку позже, чтобы увидеть результат.",
    "title_deal": "Поиск по сделке №{deal_id}",
    "title_card": "Закупка №{card_id} по сделке №{deal_id}",
    "title_card_unlinked": "Закупка №{card_id}",
    "hint_deal": "Данные поставщиков заполняет закупщик во вкладке «Поиск» карточки закупки.",
    "hint_locked": "Закупка на стадии «{stage}»: строки только для чтения.",
    "not_passed": "Сделка ещё не передана в поиск.",
    "edit_in_card": "Строки заполняет закупщик во вкладке «Поиск» карточки закупки, не в сделке.",
    "actions_in_deal": "Действия с товарами доступны во вкладке «Поиск» сделки, не в закупке.",
    "lines_locked": "Закупка на стадии «{stage}»: строки больше не редактируются. С какой стадии они только для чтения, задаёт администратор в настройках приложения.",
    "unknown_action": "Такого действия нет: {name}.",
    "card_unlinked": "Эта закупка не связана со сделкой — обновите вкладку.",
    "job_unknown": "Такого задания нет у этой вкладки — обновите вкладку.",
    "link_open": "открыть",
    "clicks_value": "переходов: {n}",
    "action_make_proposal": "Документ",
    "proposal_choose": "КП для клиента:",
    "proposal_new": "новый клиент",
    "proposal_regular": "постоянный клиент",
    "proposal_make": "Сформировать КП",
    "proposal_running": "Формируем КП…",
    "proposal_latest": "КП, версия {version}:",
    "proposal_open": "открыть",
    "proposal_pdf": "скачать PDF",
    "error_title": "Вкладка «Поиск» недоступна",
    "error_hint": "Закройте карточку и откройте её снова. Если не поможет — напишите администратору портала.",
    "installed": "Приложение установлено",
    "installed_hint": "Вкладка «Поиск» появится в карточках сделок и закупок.",
    "install_failed": "Установка не завершена",
    "install_refused_domain_not_allowed": "Адрес портала «{domain}» — не домен Bitrix24 и не указан в настройке B24_ALLOWED_DOMAINS приложения. Откройте приложение из своего портала Bitrix24 или добавьте адрес в B24_ALLOWED_DOMAINS.",
    "install_refused_reinstall_token_mismatch": "Приложение уже установлено в этот портал, а ключ приложения (APPLICATION_TOKEN) в запросе другой. Удалите приложение в портале и установите его заново.",
    "install_refused_tokens_refused": "Сервер авторизации {oauth_url} не принял ключи установки (код ошибки: {error_code}). Проверьте, что B24_CLIENT_ID и B24_CLIENT_SECRET совпадают с ключами локального приложения в портале, а B24_OAUTH_URL — адрес сервера авторизации Bitrix24 (https://oauth.bitrix.info).",
    "install_refused_foreign_tokens": "Ключи установки принадлежат другому порталу. Откройте приложение из того портала, в который его устанавливаете.",
    "install_refused": "Портал отклонил установку: {detail}",
}

EN: dict[str, str] = {
    "page_title": "Search",
    "progress": "{found} of {active} found",
    "col_position": "#",
    "col_name": "Item",
    "col_quantity": "Qty",
    "col_status": "Status",
    "col_supplier": "Supplier",
    "col_supplier_url": "Link",
    "col_price": "Unit price",
    "col_moq": "MOQ",
    "col_lead_time": "Lead time, days",
    "col_photo": "Photo",
    "col_comment": "Comment",
    "col_replacement": "Replacement",
    "col_batch": "MOQ / lead time",
    "moq_value": "MOQ {n}",
    "lead_value": "{n} days",
    "status_pending": "awaiting search",
    "status_found": "found",
    "status_not_found": "not found",
    "status_replacement": "replacement",
    "status_cancelled_by_client": "cancelled by client",
    "field_status": "Status",
    "field_supplier": "Supplier",
    "field_supplier_url": "Product link",
    "field_unit_price": "Unit price",
    "field_currency": "Currency",
    "field_moq": "Minimum order (MOQ)",
    "field_lead_time_days": "Lead time, days",
    "field_photo_url": "Photo link",
    "field_comment": "Comment",
    "field_replacement_note": "Replaced with",
    "save": "Save",
    "cancel": "Cancel",
    "saving": "Saving…",
    "no_lines": "The deal has no items to search for yet.",
    "edit_hint": "Click a line to fill in the supplier's details.",
    "cancelled_hint": "The client dropped this item — no search needed.",
    "action_expand_kits": "Expand kits",
    "action_apply_discount": "Apply discount",
    "action_clear_products": "Remove all products",
    "discount_amount": "Discount amount for the deal",
    "discount_apply": "Apply",
    "discount_invalid": "Discount amount: enter a number above zero, e.g. 1500 or 1500.50.",
    "discount_too_precise": "Discount amount: at most two decimal places, e.g. 1500.50.",
    "discount_too_large": "Discount amount: at most 999,999,999,999,999.99.",
    "clear_confirm": "Remove all products from the deal? Search data stays in the history.",
    "clear_yes": "Yes, remove",
    "action_running": "Working…",
    "network_error": "Could not reach the server. Check the connection and try again.",
    "server_error": "The server could not save the changes. Try again.",
    "stage_moved": "The deal moved to the stage «{stage}».",
    "action_still_running": "The action is still running. Reload the tab later to see the result.",
    "title_deal": "Search for deal #{deal_id}",
    "title_card": "Procurement #{card_id} for deal #{deal_id}",
    "title_card_unlinked": "Procurement #{card_id}",
    "hint_deal": "The buyer fills in the suppliers in the procurement card's Search tab.",
    "hint_locked": "The procurement is at the stage «{stage}»: the lines are read-only.",
    "not_passed": "The deal has not been passed to search yet.",
    "edit_in_card": "The buyer fills in the lines in the procurement card's Search tab, not in the deal.",
    "actions_in_deal": "Product actions are in the deal's Search tab, not in the procurement card.",
    "lines_locked": "The procurement is at the stage «{stage}»: the lines can no longer be edited. The administrator sets from which stage they are read-only in the app's settings.",
    "unknown_action": "There is no such action: {name}.",
    "card_unlinked": "This procurement card is not linked to a deal — reload the tab.",
    "job_unknown": "This tab has no such job — reload the tab.",
    "link_open": "open",
    "clicks_value": "{n} clicks",
    "action_make_proposal": "Document",
    "proposal_choose": "Proposal for a",
    "proposal_new": "new client",
    "proposal_regular": "regular client",
    "proposal_make": "Make the proposal",
    "proposal_running": "Making the proposal…",
    "proposal_latest": "Proposal, version {version}:",
    "proposal_open": "open",
    "proposal_pdf": "download PDF",
    "error_title": "The Search tab is unavailable",
    "error_hint": "Close the card and open it again. If that does not help, ask the portal admin.",
    "installed": "The application is installed",
    "installed_hint": "The Search tab will appear in deal and procurement cards.",
    "install_failed": "The installation did not finish",
    "install_refused_domain_not_allowed": "The portal address «{domain}» is not a Bitrix24 domain and is not listed in the app's B24_ALLOWED_DOMAINS setting. Open the app from your Bitrix24 portal or add the address to B24_ALLOWED_DOMAINS.",
    "install_refused_reinstall_token_mismatch": "The app is installed in this portal already and the request carries another application token. Remove the app in the portal and install it again.",
    "install_refused_tokens_refused": "The OAuth server {oauth_url} did not accept the install keys (error code: {error_code}). Check that B24_CLIENT_ID and B24_CLIENT_SECRET match the local application's keys in the portal and that B24_OAUTH_URL is the Bitrix24 OAuth server (https://oauth.bitrix.info).",
    "install_refused_foreign_tokens": "The install keys belong to another portal. Open the app from the portal you are installing it into.",
    "install_refused": "The installation was refused: {detail}",
}

CATALOGS: dict[str, dict[str, str]] = {"ru": RU, "en": EN}

STATUSES = ("pending", "found", "not_found", "replacement", "cancelled_by_client")
EDITABLE_STATUSES = ("pending", "found", "not_found", "replacement")

_JS_KEY_PREFIXES = ("status_", "field_", "col_")
_JS_KEYS = (
    "progress",
    "save",
    "cancel",
    "saving",
    "no_lines",
    "cancelled_hint",
    "discount_invalid",
    "discount_too_precise",
    "discount_too_large",
    "action_running",
    "action_still_running",
    "hint_deal",
    "hint_locked",
    "edit_hint",
    "moq_value",
    "lead_value",
    "network_error",
    "server_error",
    "stage_moved",
    "link_open",
    "clicks_value",
    "proposal_running",
    "proposal_latest",
    "proposal_open",
    "proposal_pdf",
)


def normalize_lang(lang: str | None) -> str:
    """The portal sends ``LANG`` such as ``ru``, ``en``, ``ua``; we speak ru and en only."""
    code = (lang or "").strip().lower()[:2]
    return code if code in CATALOGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG) -> str:
    catalog = CATALOGS.get(lang, RU)
    return catalog.get(key) or RU.get(key) or key


def progress_text(found: int, active: int, lang: str) -> str:
    return t("progress", lang).format(found=int(found), active=int(active))


def status_label(status: str, lang: str) -> str:
    return t(f"status_{status}", lang)


def stage_label(stage: DealStage | CardStage, lang: str) -> str:
    """A semantic stage's name: its default Russian title, or its English name on ``en``."""
    return stage.value.replace("_", " ").capitalize() if lang == "en" else stage.default_title


def js_strings(lang: str) -> dict[str, str]:
    """Every string the browser script shows, so it never builds text of its own."""
    catalog = CATALOGS.get(lang, RU)
    keys = [key for key in RU if key.startswith(_JS_KEY_PREFIXES)]
    return {key: catalog.get(key, RU[key]) for key in (*keys, *_JS_KEYS)}


def format_decimal(value: Decimal, lang: str) -> str:
    """Group thousands and pick the decimal mark the reader expects: 1 234,50 / 1,234.50.

    tab-render.js ``formatDecimal`` mirrors this, so a row reads the same after an edit.
    """
    text = format(value, ",f")
    if lang == "ru":
        return text.replace(",", "\u00a0").replace(".", ",")
    return text


def format_money(value: Decimal, lang: str) -> str:
    """Prices show at least kopecks/cents: 12 → 12,00; a finer price keeps its digits."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        value = value.quantize(Decimal("0.01"))
    return format_decimal(value, lang)


def format_quantity(value: Decimal, lang: str) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return format_decimal(Decimal(text), lang)
