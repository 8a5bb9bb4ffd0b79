"""Portal options and stored settings for the settings page tests, some of them hostile."""

from app.web.settings_page.portal_options import Choice, PortalOptions
from tests.app.web.tab.sample_pages import ATTRIBUTE_BREAKOUT, SCRIPT_BREAKOUT, SCRIPT_TAG

PORTAL_ORIGIN = "https://portal.bitrix24.ru"


def options(*, deal_category_id: int = 0) -> PortalOptions:
    prefix = "" if deal_category_id == 0 else f"C{deal_category_id}:"
    return PortalOptions(
        deal_category_id=deal_category_id,
        categories=(Choice("0", "Общая"), Choice("4", SCRIPT_TAG)),
        deal_stages=(
            Choice(f"{prefix}NEW", "Заявка"),
            Choice(f"{prefix}B24B_SEARCH", ATTRIBUTE_BREAKOUT),
            Choice(f"{prefix}PREPARATION", "Подготовка"),
            Choice(f"{prefix}WON", "Сделка успешна"),
            Choice(f"{prefix}LOSE", "Сделка провалена"),
        ),
        card_stages=(Choice("DT183_10:NEW", "Поиск"), Choice("DT183_10:SUCCESS", "Завершена")),
        users=(Choice("1", "Анна Админова"), Choice("3", SCRIPT_BREAKOUT)),
        services=(Choice("17", "Доставка"),),
    )


def stored() -> dict[str, object]:
    return {
        "deal_category_id": 0,
        "deal_stages": {"NEW": "NEW", "SEARCH": "B24B_SEARCH", "WON": "WON", "LOST": "LOSE"},
        "card_entity_type_id": 183,
        "card_category_id": 10,
        "card_stages": {"SEARCH": "DT183_10:NEW", "DONE": "DT183_10:SUCCESS"},
        "buyer_ids": [3],
        "service_product_ids": [17],
        "discount_field": "UF_CRM_DISCOUNT",
    }
