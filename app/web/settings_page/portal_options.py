"""What the portal offers to choose from, read in one ``batch`` request.

Stages come from ``crm.status.list`` by ``ENTITY_ID`` (``DEAL_STAGE`` for the general
funnel, ``DEAL_STAGE_{cat}`` otherwise, ``DYNAMIC_{etid}_STAGE_{cat}`` for the smart
process; REST_FACTS §10), users from ``user.get``, services from ``crm.product.list``
(``TYPE`` 7, §11.2), deal funnels from ``crm.category.list`` (``entityTypeId`` 2). Each
list reads its first page (50 rows): a portal with more users or services shows the first
50, and a stored id beyond them still validates only if listed.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.core.logs import get_logger
from connectors.bitrix24 import Bitrix24Client, Call, Outcome, Priority

DEAL_ENTITY_TYPE_ID = 2
SERVICE_PRODUCT_TYPE = 7
log = get_logger("b24bridge.settings")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class PortalOptions:
    deal_category_id: int
    categories: tuple[Choice, ...]
    deal_stages: tuple[Choice, ...]
    card_stages: tuple[Choice, ...]
    users: tuple[Choice, ...]
    services: tuple[Choice, ...]
    unreadable: tuple[str, ...] = ()  # lists the portal refused to give (shown as empty)

    def values_of(self, name: str) -> frozenset[str]:
        choices: tuple[Choice, ...] = getattr(self, name)
        return frozenset(choice.value for choice in choices)


def deal_stage_entity(category_id: int) -> str:
    return "DEAL_STAGE" if category_id == 0 else f"DEAL_STAGE_{category_id}"


def card_stage_entity(entity_type_id: int, category_id: int) -> str:
    return f"DYNAMIC_{entity_type_id}_STAGE_{category_id}"


def option_calls(deal_category_id: int, values: Mapping[str, Any]) -> dict[str, Call]:
    calls: dict[str, Call] = {
        "categories": ("crm.category.list", {"entityTypeId": DEAL_ENTITY_TYPE_ID}),
        "deal_stages": (
            "crm.status.list",
            {"filter": {"ENTITY_ID": deal_stage_entity(deal_category_id)}},
        ),
        "users": ("user.get", {"sort": "ID", "order": "ASC"}),
        "services": (
            "crm.product.list",
            {"filter": {"TYPE": SERVICE_PRODUCT_TYPE}, "select": ["ID", "NAME"]},
        ),
    }
    entity_type_id = int(values.get("card_entity_type_id") or 0)
    if entity_type_id:
        reference = card_stage_entity(entity_type_id, int(values.get("card_category_id") or 0))
        calls["card_stages"] = ("crm.status.list", {"filter": {"ENTITY_ID": reference}})
    return calls


def _stages(rows: Any) -> tuple[Choice, ...]:
    ordered = sorted(_rows(rows), key=lambda row: int(str(row.get("SORT") or 0)))
    return tuple(
        Choice(str(row.get("STATUS_ID") or ""), str(row.get("NAME") or "")) for row in ordered
    )


def _categories(result: Any) -> tuple[Choice, ...]:
    rows = result.get("categories", []) if isinstance(result, dict) else []
    return tuple(Choice(str(row.get("id")), str(row.get("name") or "")) for row in _rows(rows))


def _users(rows: Any) -> tuple[Choice, ...]:
    return tuple(
        Choice(str(row.get("ID")), " ".join(filter(None, (row.get("NAME"), row.get("LAST_NAME")))))
        for row in _rows(rows)
    )


def _products(rows: Any) -> tuple[Choice, ...]:
    return tuple(Choice(str(row.get("ID")), str(row.get("NAME") or "")) for row in _rows(rows))


def _rows(rows: Any) -> list[dict[str, Any]]:
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def _readable(outcomes: Mapping[str, Outcome[Any]]) -> tuple[dict[str, Any], tuple[str, ...]]:
    failed = tuple(name for name, outcome in outcomes.items() if not outcome.ok)
    for name in failed:
        error = outcomes[name].error
        log.warning("settings option list unreadable", list=name, code=getattr(error, "code", ""))
    return {name: o.value for name, o in outcomes.items() if o.ok}, failed


async def read_portal_options(
    client: Bitrix24Client, deal_category_id: int, values: Mapping[str, Any]
) -> PortalOptions:
    """Every list the page offers, for the deal funnel ``deal_category_id``."""
    outcomes = await client.batch(
        option_calls(deal_category_id, values), priority=Priority.INTERACTIVE
    )
    results, failed = _readable(outcomes)
    return PortalOptions(
        deal_category_id=deal_category_id,
        categories=_categories(results.get("categories")),
        deal_stages=_stages(results.get("deal_stages")),
        card_stages=_stages(results.get("card_stages")),
        users=_users(results.get("users")),
        services=_products(results.get("services")),
        unreadable=failed,
    )
