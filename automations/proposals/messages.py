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
        "no_found_lines": "КП не сформировано: в сделке нет найденных товаров. Отметьте в "
        "вкладке «Поиск» хотя бы одну позицию как «найдено» и сформируйте КП снова.",
        "rate_missing": "КП не сформировано: у позиции «{line}» цена в {currency}, а курса "
        "{currency} → RUB нет в настройках КП. Укажите курс в настройках приложения.",
        "template_unknown": "КП не сформировано: шаблона «{template}» нет. Выберите шаблон "
        "new (новый клиент) или regular (постоянный клиент).",
        "template_failed": "КП не сформировано: шаблон «{template}» не отрисовался ({error}). "
        "Исправьте шаблон в настройках КП или верните стандартный.",
        "deal_missing": "КП не сформировано: сделка {deal_id} не найдена на портале.",
        "proposal_made": "КП версии {version} готово: {url}",
        "proposal_queued": "КП формируется, ссылка появится в сделке через несколько секунд.",
        "proposal_unknown": "Такого КП нет. Проверьте адрес или попросите менеджера прислать "
        "ссылку заново.",
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
        "no_found_lines": "No proposal made: the deal has no found goods. Mark at least one "
        "line as found in the «Поиск» tab and make the proposal again.",
        "rate_missing": "No proposal made: the line “{line}” is priced in {currency}, and the "
        "proposal settings have no {currency} → RUB rate. Set the rate in the app's settings.",
        "template_unknown": "No proposal made: there is no template “{template}”. Choose new "
        "(new client) or regular (regular client).",
        "template_failed": "No proposal made: the template “{template}” failed to render "
        "({error}). Fix the template in the proposal settings or restore the standard one.",
        "deal_missing": "No proposal made: deal {deal_id} was not found in the portal.",
        "proposal_made": "Proposal version {version} is ready: {url}",
        "proposal_queued": "The proposal is being made; its link appears in the deal in a few "
        "seconds.",
        "proposal_unknown": "There is no such proposal. Check the address or ask your manager "
        "to send the link again.",
        "link_unknown": "There is no such short link. Check the address or ask your manager "
        "to send the link again.",
    },
}


def message(lang: str, key: str, **params: str) -> str:
    table = MESSAGES.get(lang, MESSAGES["ru"])
    return table[key].format(**params)
