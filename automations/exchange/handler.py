"""The ``exchange`` job: apply one order (all its pending documents, from any node) or one
counterparty document to the portal, in one read batch and one write batch.

Idempotency: the deal carries ``ORIGIN_ID`` = our op id and the read batch looks it up
whenever the order has no recorded deal yet, so a crash between the create and its record
never makes a second deal; the effect ``exchange:deal:<order>`` is recorded around the
write. An order whose applied content equals the new document's is not written at all.
"""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import effects, portal_store
from app.core.db import unit_of_work
from app.core.models import ExchangeDocument, ExchangeNode, ExchangeOrder, Job, Portal
from app.core.models.base import utc_now
from automations.exchange import portal as rest
from automations.exchange import rules
from automations.exchange.counterparties import apply_counterparty
from automations.exchange.documents import OrderDocument
from automations.exchange.kit_rows import Line, incoming
from automations.exchange.promo_import import PROMO, apply_promo
from automations.kit_catalog.repository import load_kits
from automations.ports import Deps
from automations.pricing import KitDefinition
from connectors.bitrix24 import Call


@dataclass
class Work:
    portal: Portal
    order: ExchangeOrder
    documents: list[ExchangeDocument]
    node: ExchangeNode
    document: OrderDocument
    copy: bool = False
    kits: dict[int, KitDefinition] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)  # the rows as the portal keeps them


async def run_exchange_job(deps: Deps, job: Job) -> str:
    if job.payload.get("order_id") is not None:
        return await apply_order(deps, job.member_id, int(job.payload["order_id"]))
    if job.payload.get("kind") == PROMO:
        return await apply_promo(deps, job.member_id, int(job.payload["document_id"]))
    return await apply_counterparty(deps, job.member_id, int(job.payload["document_id"]))


async def _load(session: AsyncSession, member_id: str, order_id: int) -> Work | None:
    portal = await portal_store.find_active_portal(session, member_id)
    order = await session.get(ExchangeOrder, order_id)
    if portal is None or order is None or order.member_id != member_id:
        return None
    pending = list(
        await session.scalars(
            select(ExchangeDocument)
            .where(ExchangeDocument.order_id == order_id, ExchangeDocument.status == "pending")
            .order_by(ExchangeDocument.updated_at.desc(), ExchangeDocument.id.desc())
        )
    )
    if not pending:
        return None
    leading = _leading(order, pending)
    node = await session.get(ExchangeNode, leading.node_id)
    assert node is not None
    document = OrderDocument.model_validate(leading.document)
    kits = await load_kits(session, member_id) if node.kits else {}
    return Work(
        portal, order, pending, node, document, copy=leading.node_id != order.origin_node_id,
        kits=kits,
    )  # fmt: skip


def _leading(order: ExchangeOrder, pending: list[ExchangeDocument]) -> ExchangeDocument:
    """The origin node's latest document decides the deal; another node's copy of the same
    order only links to it — unless the origin has not made the deal (then the copy does)."""
    from_origin = [d for d in pending if d.node_id == order.origin_node_id]
    return from_origin[0] if from_origin else pending[0]


async def apply_order(deps: Deps, member_id: str, order_id: int) -> str:
    async with deps.sessions() as session:
        work = await _load(session, member_id, order_id)
    if work is None:
        return "nothing pending"
    digest = rules.applied_hash(work.document)
    if work.order.deal_id is not None and (work.copy or work.order.applied_hash == digest):
        message = _linked(work.order.deal_id) if work.copy else _unchanged(work.order.deal_id)
        await _finish(deps, work, status="done", message=message)
        return f"order {order_id}: unchanged"
    client = deps.rest.for_portal(work.portal)
    origin_id = rules.op_id(member_id, order_id)
    known = work.order.deal_id
    found = await rest.read(
        client, rest.read_commands(work.document, origin_id, known_deal=bool(known))
    )
    unknown = rules.unknown_products(work.document, found.catalog)
    if unknown and not work.node.allow_create_products:
        await _finish(deps, work, status="refused", message=rules.refusal_for_unknown(unknown))
        return f"order {order_id}: refused, unknown products"
    deal_id = known or found.deal_id
    work.lines = incoming(
        rules.order_lines(work.document, found.catalog), work.kits, work.node.kits
    )
    await _mark_started(deps, member_id, order_id)
    written = await rest.write(client, _write_commands(work, found, deal_id, origin_id))
    deal_id = deal_id or written.deal_id
    if written.errors:
        await _remember_deal(deps, work.order.id, deal_id)
        raise PortalWriteFailed("; ".join(written.errors))
    assert deal_id is not None
    note = rules.responsible(work.document, found.user_id, work.node.default_user_id).note
    await _applied(deps, work, deal_id, digest, note)
    return f"order {order_id}: deal {deal_id}"


class PortalWriteFailed(Exception):
    """The write batch failed part-way; the job retries and converges (rows are replaced)."""


def _linked(deal_id: int) -> str:
    return (
        f"Этот заказ уже пришёл от другого узла: связан со сделкой {deal_id}, повторно не "
        f"записан. / The same order came from another node first: linked to deal {deal_id}."
    )


def _unchanged(deal_id: int) -> str:
    return f"Сделка {deal_id} уже в этом состоянии. / Deal {deal_id} already matches."


def _write_commands(
    work: Work, found: rest.Found, deal_id: int | None, origin_id: str
) -> dict[str, Call]:
    commands: dict[str, Call] = {}
    node = work.node
    person = rules.responsible(work.document, found.user_id, node.default_user_id)
    place = rules.DealPlace(
        node.deal_category_id, person.user_id, node.property_map, my_company_id=node.company_id
    )
    fields = rules.deal_fields(work.document, place, origin_id=origin_id)
    client = rules.client_fields(work.document)
    if found.company_id:
        fields["COMPANY_ID"] = found.company_id
    elif found.contact_id:
        fields["CONTACT_ID"] = found.contact_id
    elif client is not None:
        commands["client"] = (client[0], {"fields": client[1]})
        key = "COMPANY_ID" if client[0] == "crm.company.add" else "CONTACT_ID"
        fields[key] = "$result[client]"
    if deal_id is None:
        commands["deal"] = ("crm.deal.add", {"fields": fields})
    else:
        fields.pop("CATEGORY_ID", None)  # a legacy update never moves funnels
        commands["deal"] = ("crm.deal.update", {"id": deal_id, "fields": fields})
    rows = rules.product_rows(work.lines)
    target = deal_id if deal_id is not None else "$result[deal]"
    commands["rows"] = ("crm.deal.productrows.set", {"id": target, "rows": rows})
    return commands


def _effect_key(order_id: int) -> str:
    return f"exchange:deal:{order_id}"


async def _mark_started(deps: Deps, member_id: str, order_id: int) -> None:
    async with unit_of_work(deps.sessions) as session:
        await effects.start(session, member_id, [(_effect_key(order_id), "exchange_deal")])


async def _remember_deal(deps: Deps, order_id: int | None, deal_id: int | None) -> None:
    if deal_id is None or order_id is None:
        return
    async with unit_of_work(deps.sessions) as session:
        order = await session.get(ExchangeOrder, order_id)
        if order is not None and order.deal_id is None:
            order.deal_id = deal_id


async def _applied(deps: Deps, work: Work, deal_id: int, digest: str, note: str) -> None:
    message = f"Сделка {deal_id} записана. / Deal {deal_id} written. {note}".strip()
    async with unit_of_work(deps.sessions) as session:
        order = await session.get(ExchangeOrder, work.order.id)
        assert order is not None
        order.deal_id, order.applied_hash, order.updated_at = deal_id, digest, utc_now()
        written = rules.mapped_properties(work.document, rules.property_map(work.node.property_map))
        order.snapshot = order.snapshot | {
            "properties": rules.properties_of_deal(written, rules.DEFAULT_PROPERTY_MAP),
            "rows": rules.rows_snapshot(work.lines),
            "opportunity": rules.number_text(rules.rows_total(work.document)),
        }
        await effects.finish(
            session, work.portal.member_id, _effect_key(order.id or 0), result={"deal_id": deal_id}
        )
        await _close_documents(session, work, "done", message, deal_id)


async def _finish(deps: Deps, work: Work, *, status: str, message: str) -> None:
    async with unit_of_work(deps.sessions) as session:
        await _close_documents(session, work, status, message, work.order.deal_id)


async def _close_documents(
    session: AsyncSession, work: Work, status: str, message: str, deal_id: int | None
) -> None:
    """Close the documents this run applied; one that arrived meanwhile stays pending."""
    for seen in work.documents:
        document = await session.get(ExchangeDocument, seen.id)
        if document is None or document.updated_at != seen.updated_at:
            continue
        copy = document.node_id != work.node.id and status == "done" and deal_id is not None
        document.status = status
        document.result = {"message": _linked(deal_id) if copy else message, "deal_id": deal_id}
        document.updated_at = utc_now()
