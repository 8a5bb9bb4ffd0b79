"""Per-client SMS on status changes (PRODUCT §3.10): the origin node's template for the
stage a deal enters, sent once per stage entry through the SMS connector.

Key: ``exchange:sms:<deal>:<stage>:<entry no.>`` — the entry number is counted in the
deal's snapshot, in the transaction that notices the stage change, where the effect is
started too; the send happens after the commit and a retry finds the started effect by the
same key (the provider drops a repeat with the same idempotency key)."""

from dataclasses import dataclass
from string import Template
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import effects
from app.core.db import unit_of_work
from app.core.models import ExchangeDocument, ExchangeNode, ExchangeOrder
from automations.exchange.documents import OrderDocument
from automations.ports import Deps

KIND = "exchange_sms"


@dataclass(frozen=True)
class SmsDue:
    key: str
    phone: str
    text: str


async def plan(
    session: AsyncSession, order: ExchangeOrder, deal_id: int, now: dict[str, Any]
) -> SmsDue | None:
    """The SMS the deal's current stage entry calls for, or None."""
    if not order.origin_node_id:
        return None
    node = await session.get(ExchangeNode, order.origin_node_id)
    template = (node.sms_templates if node else {}).get(now["stage"])
    document = await session.scalar(
        select(ExchangeDocument).where(
            ExchangeDocument.order_id == order.id,
            ExchangeDocument.node_id == order.origin_node_id,
        )
    )
    if not template or document is None:
        return None
    parsed = OrderDocument.model_validate(document.document)
    phone = parsed.counterparty.phone if parsed.counterparty else None
    if not phone:
        return None
    number = parsed.site_number or parsed.number
    text = Template(template).safe_substitute(number=number, deal_id=deal_id, stage=now["stage"])
    key = f"exchange:sms:{deal_id}:{now['stage']}:{now.get('stage_entries', 0)}"
    return SmsDue(key, phone, text)


async def send_due(deps: Deps, member_id: str, due: SmsDue | None) -> str:
    if due is None:
        return ""
    async with deps.sessions() as session:
        found = (await effects.statuses(session, member_id, [due.key])).get(due.key)
    if found is None or found.status != effects.STARTED:
        return ""
    if found.result.get("attempted") and not deps.sms.deduplicates:
        async with unit_of_work(deps.sessions) as session:  # R20: surfaced, never resent blind
            await effects.finish(session, member_id, due.key, status=effects.UNKNOWN)
        return "; SMS outcome unknown (a crash mid-send), not resent"
    async with unit_of_work(deps.sessions) as session:
        await effects.finish(session, member_id, due.key, status=effects.STARTED,
                             result={"attempted": True})  # fmt: skip
    sent = await deps.sms.send(due.phone, due.text, idempotency_key=due.key)
    async with unit_of_work(deps.sessions) as session:
        result = {"provider": sent.provider, "message_id": sent.message_id}
        await effects.finish(session, member_id, due.key, result=result)
    return "; SMS sent"
