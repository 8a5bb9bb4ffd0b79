"""What the app registers in a portal at install: events, placements and robots.

Bitrix24 removes an app's handlers when it is updated, so they are bound again on
every install and update (REST_FACTS §7, event.bind doc); "already bound" answers
are expected and harmless.
"""

from typing import Any

from connectors.bitrix24 import Call

EVENTS = (
    "ONCRMDEALADD",
    "ONCRMDEALUPDATE",
    "ONCRMDEALDELETE",
    "ONCRMDEALMOVETOCATEGORY",
    "ONCRMDYNAMICITEMADD",
    "ONCRMDYNAMICITEMUPDATE",
    "ONCRMDYNAMICITEMDELETE",
    "ONAPPUPDATE",
    "ONAPPUNINSTALL",
)
DEAL_TAB = "CRM_DEAL_DETAIL_TAB"
ALREADY_BOUND_CODES = frozenset(
    {
        "ERROR_HANDLER_ALREADY_EXIST",
        "ERROR_ACTIVITY_ALREADY_INSTALLED",
        "ERROR_PLACEMENT_ALREADY_BOUND",
        "HANDLER_ALREADY_BINDED",
    }
)

ROBOTS: tuple[dict[str, Any], ...] = (
    {
        "CODE": "b24bridge_expand_kits",
        "NAME": {"ru": "Развернуть комплекты", "en": "Expand kits"},
        "action": "expand_kits",
        "PROPERTIES": {},
    },
    {
        "CODE": "b24bridge_apply_discount",
        "NAME": {"ru": "Применить скидку суммой", "en": "Apply money discount"},
        "action": "apply_discount",
        "PROPERTIES": {
            "amount": {
                "Name": {"ru": "Сумма скидки", "en": "Discount amount"},
                "Type": "double",
                "Required": "Y",
            }
        },
    },
    {
        "CODE": "b24bridge_clear_products",
        "NAME": {"ru": "Удалить все товары", "en": "Remove all products"},
        "action": "clear_products",
        "PROPERTIES": {},
    },
    {
        "CODE": "b24bridge_recheck_search",
        "NAME": {"ru": "Проверить статус поиска", "en": "Re-check search status"},
        "action": "recheck_search",
        "PROPERTIES": {},
    },
    {
        "CODE": "b24bridge_make_proposal",
        "NAME": {"ru": "Сформировать КП", "en": "Make a commercial proposal"},
        "action": "make_proposal",
        "PROPERTIES": {
            "template": {
                "Name": {"ru": "Шаблон: new или regular", "en": "Template: new or regular"},
                "Type": "select",
                "Options": {"new": "Новый клиент", "regular": "Постоянный клиент"},
                "Default": "new",
                "Required": "N",
            }
        },
        "RETURN_PROPERTIES": {
            "url": {"Name": {"ru": "Ссылка на КП", "en": "Proposal link"}, "Type": "string"},
            "version": {"Name": {"ru": "Версия КП", "en": "Proposal version"}, "Type": "int"},
        },
    },
)
ROBOT_ACTIONS = {robot["CODE"]: robot["action"] for robot in ROBOTS}
RESULT_PROPERTY = {"result": {"Name": {"ru": "Результат", "en": "Result"}, "Type": "string"}}


def card_tab(entity_type_id: int) -> str:
    return f"CRM_DYNAMIC_{entity_type_id}_DETAIL_TAB"


def binding_calls(
    app_base_url: str, *, card_entity_type_id: int | None, offline_events: bool = False
) -> list[tuple[str, Call]]:
    base = app_base_url.rstrip("/")
    calls: list[tuple[str, Call]] = [
        (f"event_{name.lower()}", ("event.bind", {"event": name, "handler": f"{base}/b24/events"}))
        for name in EVENTS
    ]
    if offline_events:  # kept on the portal until we clear them (REST_FACTS §8.6)
        calls += [
            (f"offline_{name.lower()}", ("event.bind", {"event": name, "event_type": "offline"}))
            for name in EVENTS
            if name.startswith("ONCRM")
        ]
    calls.append(
        (
            "tab_deal",
            (
                "placement.bind",
                {
                    "PLACEMENT": DEAL_TAB,
                    "HANDLER": f"{base}/b24/tab/deal",
                    "TITLE": "Поиск",
                    "LANG_ALL": {"en": {"TITLE": "Search"}, "ru": {"TITLE": "Поиск"}},
                },
            ),
        )
    )
    if card_entity_type_id:
        calls.append(
            (
                "tab_card",
                (
                    "placement.bind",
                    {
                        "PLACEMENT": card_tab(card_entity_type_id),
                        "HANDLER": f"{base}/b24/tab/card",
                        "TITLE": "Поиск",
                        "LANG_ALL": {"en": {"TITLE": "Search"}, "ru": {"TITLE": "Поиск"}},
                    },
                ),
            )
        )
    for robot in ROBOTS:
        calls.append(
            (
                f"robot_{robot['action']}",
                (
                    "bizproc.robot.add",
                    {
                        "CODE": robot["CODE"],
                        "HANDLER": f"{base}/b24/robots",
                        "NAME": robot["NAME"],
                        "USE_SUBSCRIPTION": "Y",
                        "PROPERTIES": robot["PROPERTIES"],
                        "RETURN_PROPERTIES": RESULT_PROPERTY | robot.get("RETURN_PROPERTIES", {}),
                        "DOCUMENT_TYPE": ["crm", "CCrmDocumentDeal", "DEAL"],
                    },
                ),
            )
        )
    return calls
