"""What a person reads about proposals and short links, Russian first, English for ``en``."""

MESSAGES: dict[str, dict[str, str]] = {
    "ru": {
        "link_malformed": "Ссылка «{url}» не похожа на адрес страницы: укажите полный адрес, "
        "начиная с https://.",
        "link_scheme": "Ссылка «{url}» не открывается в браузере: короткие ссылки делаются "
        "только на адреса http:// и https://.",
        "link_own_host": "Ссылка «{url}» ведёт на само приложение: укажите адрес страницы "
        "поставщика.",
        "link_private": "Ссылка «{url}» ведёт во внутреннюю сеть: короткие ссылки делаются "
        "только на общедоступные страницы поставщиков.",
        "link_unknown": "Такой короткой ссылки нет. Проверьте адрес или попросите менеджера "
        "прислать ссылку заново.",
    },
    "en": {
        "link_malformed": "The link “{url}” is not a page address: give the full address "
        "starting with https://.",
        "link_scheme": "The link “{url}” does not open in a browser: short links are made "
        "only for http:// and https:// addresses.",
        "link_own_host": "The link “{url}” points at the app itself: give the supplier's "
        "page address.",
        "link_private": "The link “{url}” points into a private network: short links are made "
        "only for public supplier pages.",
        "link_unknown": "There is no such short link. Check the address or ask your manager "
        "to send the link again.",
    },
}


def message(lang: str, key: str, **params: str) -> str:
    table = MESSAGES.get(lang, MESSAGES["ru"])
    return table[key].format(**params)
