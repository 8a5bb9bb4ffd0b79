"""The two REST requests of an order: one read batch (the deal by our op id, products,
the client), one write batch (client, deal, rows — chained with ``$result``)."""

from dataclasses import dataclass
from typing import Any

from automations.exchange.documents import OrderDocument
from automations.exchange.rules import (
    EMPLOYEE_CODE_FIELD,
    INN_FIELD,
    ORIGINATOR,
    Catalog,
    product_keys,
)
from connectors.bitrix24 import Bitrix24Client, Bitrix24Error, Call, Outcome, Priority

PAGE = 50


@dataclass(frozen=True)
class Found:
    deal_id: int | None
    catalog: Catalog
    contact_id: int | None
    company_id: int | None
    user_id: int | None = None


def _chunks(values: list[str]) -> list[list[str]]:
    return [values[i : i + PAGE] for i in range(0, len(values), PAGE)]


def read_commands(order: OrderDocument, origin_id: str, *, known_deal: bool) -> dict[str, Call]:
    commands: dict[str, Call] = {}
    if not known_deal:
        commands["deal"] = (
            "crm.deal.list",
            {"filter": {"ORIGINATOR_ID": ORIGINATOR, "ORIGIN_ID": origin_id}, "select": ["ID"]},
        )
    xml_ids, articles = product_keys(order)
    for index, chunk in enumerate(_chunks(xml_ids)):
        commands[f"px{index}"] = _product_query({"XML_ID": chunk})
    for index, chunk in enumerate(_chunks(articles)):
        commands[f"pc{index}"] = _product_query({"CODE": chunk})
    if order.responsible_code:
        query = {"filter": {EMPLOYEE_CODE_FIELD: order.responsible_code}}
        commands["user"] = ("user.get", query)
    party = order.counterparty
    if party is not None and party.is_company:
        commands["company"] = ("crm.company.list", _client_query({INN_FIELD: party.inn}))
    elif party is not None and party.phone:
        commands["contact"] = ("crm.contact.list", _client_query({"PHONE": party.phone}))
    elif party is not None and party.email:
        commands["contact"] = ("crm.contact.list", _client_query({"EMAIL": party.email}))
    return commands


def _product_query(filters: dict[str, Any]) -> Call:
    return ("crm.product.list", {"filter": filters, "select": ["ID", "XML_ID", "CODE"]})


def _client_query(filters: dict[str, Any]) -> dict[str, Any]:
    return {"filter": filters, "select": ["ID"], "order": {"ID": "ASC"}}


def _first_id(outcome: Outcome[Any] | None) -> int | None:
    if outcome is None:
        return None
    rows = _rows(outcome)
    return int(rows[0]["ID"]) if rows else None


def _rows(outcome: Outcome[Any]) -> list[dict[str, Any]]:
    if outcome.error is not None:
        raise outcome.error
    return list(outcome.value or [])


def parse_found(outcomes: dict[str, Outcome[Any]]) -> Found:
    by_xml: dict[str, int] = {}
    by_code: dict[str, int] = {}
    for name, outcome in outcomes.items():
        for row in _rows(outcome) if name.startswith(("px", "pc")) else []:
            target, key = (by_xml, "XML_ID") if name.startswith("px") else (by_code, "CODE")
            if row.get(key):
                target.setdefault(str(row[key]), int(row["ID"]))
    return Found(
        deal_id=_first_id(outcomes.get("deal")),
        catalog=Catalog(by_xml, by_code),
        contact_id=_first_id(outcomes.get("contact")),
        company_id=_first_id(outcomes.get("company")),
        user_id=_first_id(outcomes.get("user")),
    )


async def read(client: Bitrix24Client, commands: dict[str, Call]) -> Found:
    outcomes = await client.batch(commands, priority=Priority.BULK)
    return parse_found(outcomes)


@dataclass(frozen=True)
class Written:
    deal_id: int | None
    errors: list[str]


async def write(client: Bitrix24Client, commands: dict[str, Call]) -> Written:
    outcomes = await client.batch(commands, halt=True, priority=Priority.BULK)
    errors = [
        f"{name}: {outcome.error}"
        for name, outcome in outcomes.items()
        if isinstance(outcome.error, Bitrix24Error)
    ]
    deal = outcomes.get("deal")
    value = deal.value if deal is not None and deal.ok else None
    deal_id = int(value) if isinstance(value, int | str) and value is not True else None
    return Written(deal_id, errors)
