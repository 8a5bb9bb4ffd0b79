"""What a proposal needs from the portal, read in one ``batch`` request: the deal, its rows,
the client, the responsible manager and the client's won deals (for the regular template)."""

from dataclasses import dataclass
from typing import Any

from connectors.bitrix24 import Bitrix24Client, Call, Outcome, Priority
from connectors.crm.schemas import DealRecord, ProductRowRecord, parse_rows


@dataclass(frozen=True)
class DealFacts:
    deal: DealRecord
    rows: tuple[ProductRowRecord, ...]
    client_name: str
    manager_name: str
    manager_phone: str
    previous_orders: int


def _commands(deal_id: int) -> dict[str, Call]:
    return {
        "deal": ("crm.deal.get", {"id": deal_id}),
        "rows": ("crm.deal.productrows.get", {"id": deal_id}),
        "contact": ("crm.contact.get", {"id": "$result[deal][CONTACT_ID]"}),
        "manager": ("user.get", {"ID": "$result[deal][ASSIGNED_BY_ID]"}),
        "won": (
            "crm.deal.list",
            {
                "filter": {"CONTACT_ID": "$result[deal][CONTACT_ID]", "STAGE_SEMANTIC_ID": "S"},
                "select": ["ID"],
            },
        ),
    }


async def read_deal_facts(
    client: Bitrix24Client, deal_id: int, *, priority: Priority = Priority.BULK
) -> DealFacts | None:
    """The deal's facts, or None when the deal does not exist (or cannot be read)."""
    outcomes = await client.batch(_commands(deal_id), priority=priority)
    deal = _ok(outcomes.get("deal"))
    if not isinstance(deal, dict) or not deal:
        return None
    record = DealRecord.parse(deal)
    contact = _ok(outcomes.get("contact"))
    manager = _first(_ok(outcomes.get("manager")))
    won = _ok(outcomes.get("won")) if record.contact_id else []
    return DealFacts(
        deal=record,
        rows=parse_rows(_ok(outcomes.get("rows")) or []),
        client_name=_person(contact),
        manager_name=_person(manager),
        manager_phone=_phone(manager),
        previous_orders=len([d for d in won or [] if str(d.get("ID")) != str(record.id)]),
    )


def _ok(outcome: Outcome[Any] | None) -> Any:
    return outcome.value if outcome is not None and outcome.ok else None


def _first(value: Any) -> dict[str, Any]:
    return value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else {}


def _person(data: Any) -> str:
    if not isinstance(data, dict):
        return ""
    names = (data.get("LAST_NAME"), data.get("NAME"), data.get("SECOND_NAME"))
    return " ".join(str(n).strip() for n in names if n and str(n).strip())


def _phone(user: dict[str, Any]) -> str:
    for key in ("WORK_PHONE", "PERSONAL_MOBILE", "PERSONAL_PHONE"):
        if user.get(key):
            return str(user[key])
    return ""
