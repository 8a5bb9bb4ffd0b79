"""A counterparty document → a company (by INN) or a contact (by phone, then e-mail):
found and updated, or created; one read batch and one write."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import portal_store
from app.core.db import unit_of_work
from app.core.models import ExchangeDocument
from app.core.models.base import utc_now
from automations.exchange import portal as rest
from automations.exchange.documents import CounterpartyDocument, OrderDocument, OrderRow
from automations.exchange.rules import client_fields
from automations.ports import Deps


def _as_order(document: CounterpartyDocument) -> OrderDocument:
    """The client part of the order rules, reused: a placeholder order carrying the party."""
    row = OrderRow(code="-", name="-", price=0, quantity=1)
    return OrderDocument(
        external_id="-", number="-", date="2000-01-01", rows=[row],
        counterparty=document.counterparty,
    )  # fmt: skip


async def apply_counterparty(deps: Deps, member_id: str, document_id: int) -> str:
    async with deps.sessions() as session:
        portal = await portal_store.find_active_portal(session, member_id)
        stored = await session.get(ExchangeDocument, document_id)
    if portal is None or stored is None or stored.status != "pending":
        return "nothing pending"
    order = _as_order(CounterpartyDocument.model_validate(stored.document))
    client = deps.rest.for_portal(portal)
    commands = {
        k: v
        for k, v in rest.read_commands(order, "", known_deal=True).items()
        if k in ("company", "contact")
    }
    found = await rest.read(client, commands) if commands else None
    method, fields = client_fields(order) or ("", {})
    existing = (found.company_id or found.contact_id) if found else None
    if existing:
        verb = method.replace(".add", ".update")
        await client.call(verb, {"id": existing, "fields": fields})
        entity_id = existing
    else:
        entity_id = int(await client.call(method, {"fields": fields}))
    async with unit_of_work(deps.sessions) as session:
        await _close(session, document_id, stored.updated_at, entity_id, method)
    return f"counterparty {document_id}: {entity_id}"


async def _close(
    session: AsyncSession, document_id: int, seen_at: object, entity_id: int, method: str
) -> None:
    document = await session.get(ExchangeDocument, document_id)
    if document is None or document.updated_at != seen_at:
        return
    entity = "company" if "company" in method else "contact"
    document.status = "done"
    document.result = {"message": f"{entity} {entity_id}", f"{entity}_id": entity_id}
    document.updated_at = utc_now()
