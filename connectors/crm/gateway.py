"""CRM reads and writes the automations need, each a single ``batch`` request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connectors.bitrix24 import (
    Bitrix24Client,
    Bitrix24Error,
    Call,
    NotFoundError,
    Outcome,
    Priority,
)
from connectors.crm.schemas import (
    DealRecord,
    ItemRecord,
    ProductRowRecord,
    first_phone,
    parse_rows,
)


@dataclass(frozen=True)
class DealBundle:
    """A deal with its rows, its linked procurement card and its client's phone."""

    deal: DealRecord | None
    rows: tuple[ProductRowRecord, ...]
    card: ItemRecord | None
    phone: str | None


@dataclass(frozen=True)
class CardRef:
    entity_type_id: int
    card_id: int


class CrmGateway:
    def __init__(self, client: Bitrix24Client, *, priority: Priority = Priority.BULK) -> None:
        self.client = client
        self.priority = priority

    async def read_deal_bundle(self, deal_id: int, card: CardRef | None) -> DealBundle:
        """crm.deal.get + crm.deal.productrows.get + crm.item.get + crm.contact.get, one batch."""
        commands: dict[str, Call] = {
            "deal": ("crm.deal.get", {"id": deal_id}),
            "rows": ("crm.deal.productrows.get", {"id": deal_id}),
            "contact": ("crm.contact.get", {"id": "$result[deal][CONTACT_ID]"}),
        }
        if card is not None:
            commands["card"] = (
                "crm.item.get",
                {"entityTypeId": card.entity_type_id, "id": card.card_id},
            )
        outcomes = await self.client.batch(commands, priority=self.priority)
        deal = _value(outcomes["deal"], missing_ok=True)
        return DealBundle(
            deal=DealRecord.parse(deal) if deal else None,
            rows=parse_rows(_value(outcomes["rows"], missing_ok=True)) if deal else (),
            card=_card(outcomes.get("card")),
            phone=first_phone(outcomes["contact"].value) if outcomes["contact"].ok else None,
        )

    async def find_item_by_xml_id(self, entity_type_id: int, xml_id: str) -> ItemRecord | None:
        """crm.item.list filtered by our op UUID — the lookup before a repeated create (DR3)."""
        result = await self.client.call(
            "crm.item.list",
            {
                "entityTypeId": entity_type_id,
                "filter": {"=xmlId": xml_id},
                "select": ["id", "stageId", "xmlId"],
            },
            priority=self.priority,
        )
        items = result.get("items", []) if isinstance(result, dict) else []
        return ItemRecord.parse(items[0]) if items else None

    async def find_task_by_xml_id(self, xml_id: str) -> str | None:
        """tasks.task.list by our op id — the lookup before a repeated task create (DR3)."""
        result = await self.client.call(
            "tasks.task.list",
            {"filter": {"XML_ID": xml_id}, "select": ["ID", "XML_ID"]},
            priority=self.priority,
        )
        tasks = result.get("tasks", []) if isinstance(result, dict) else []
        return str(tasks[0].get("id") or tasks[0].get("ID")) if tasks else None

    async def write(self, commands: Mapping[str, Call]) -> dict[str, Outcome[Any]]:
        """Send named write commands (with ``$result`` references) as one batch."""
        if not commands:
            return {}
        return await self.client.batch(commands, priority=self.priority)

    async def call_many(self, calls: Sequence[Call]) -> list[Outcome[Any]]:
        return await self.client.call_many(calls, priority=self.priority)


def _value(outcome: Outcome[Any], *, missing_ok: bool) -> Any:
    if outcome.error is not None:
        if missing_ok and _is_missing(outcome.error):
            return None
        raise outcome.error
    return outcome.value


def _is_missing(error: Bitrix24Error) -> bool:
    text = str(error).lower()
    return isinstance(error, NotFoundError) or "not found" in text


def _card(outcome: Outcome[Any] | None) -> ItemRecord | None:
    if outcome is None:
        return None
    value = _value(outcome, missing_ok=True)
    return ItemRecord.parse(value) if value else None
