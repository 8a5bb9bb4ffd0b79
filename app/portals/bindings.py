"""What the app registers in a portal at install: events, placements and robots.

Bitrix24 removes an app's handlers when it is updated, so they are checked again on
every install, update and provisioning (REST_FACTS §7, event.bind doc). Whether
``placement.bind`` refuses a second binding of the same handler is not documented
(REST_FACTS §9.1), and each extra binding is one more «Поиск» tab, so what is bound is
read first (``event.get``, ``placement.get``, ``bizproc.robot.list``) and only what is
missing is bound; a placement bound more than once is unbound and bound once.
"already bound" answers (a race with another install) stay harmless.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from app.portals.exchange_robots import EXCHANGE_ROBOTS
from app.portals.money_robots import MONEY_ROBOTS
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
ROBOTS += MONEY_ROBOTS + EXCHANGE_ROBOTS
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


BOUND_READS: dict[str, Call] = {
    "events": ("event.get", {}),
    "placements": ("placement.get", {}),
    "robots": ("bizproc.robot.list", {}),
}


@dataclass(frozen=True)
class Bound:
    """What the portal has bound for the app, as its list methods answered."""

    events: frozenset[tuple[str, str, bool]] = frozenset()
    placements: Counter[tuple[str, str]] = field(default_factory=Counter)
    robots: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, events: Any, placements: Any, robots: Any) -> "Bound":
        """The answers of ``BOUND_READS``; a read that failed is ``None`` (nothing known)."""
        return cls(
            events=frozenset(
                (str(e.get("event", "")).upper(), str(e.get("handler") or ""), _offline(e))
                for e in events or []
            ),
            placements=Counter(
                (str(p.get("placement", "")).upper(), str(p.get("handler") or ""))
                for p in placements or []
            ),
            robots=frozenset(str(code) for code in robots or []),
        )


def _offline(event: dict[str, Any]) -> bool:
    return str(event.get("offline", "0")) not in ("0", "", "False", "false")


def missing_calls(calls: list[tuple[str, Call]], bound: Bound) -> list[tuple[str, Call]]:
    """The binding calls still needed, in order; a repeated placement is first unbound."""
    needed: list[tuple[str, Call]] = []
    for name, call in calls:
        method, params = call
        if method == "placement.bind":
            key = (str(params["PLACEMENT"]).upper(), str(params["HANDLER"]))
            if bound.placements[key] == 1:
                continue
            if bound.placements[key] > 1:
                unbind = {"PLACEMENT": params["PLACEMENT"], "HANDLER": params["HANDLER"]}
                needed.append((f"un{name}", ("placement.unbind", unbind)))
        elif _is_bound(method, params, bound):
            continue
        needed.append((name, call))
    return needed


def _is_bound(method: str, params: Any, bound: Bound) -> bool:
    if method == "event.bind":
        offline = params.get("event_type") == "offline"
        handler = "" if offline else str(params.get("handler", ""))
        return (str(params["event"]).upper(), handler, offline) in bound.events
    if method == "bizproc.robot.add":
        return str(params["CODE"]) in bound.robots
    return False
