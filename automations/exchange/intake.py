"""Accept documents from a node: validate, archive, store once, arm the work — one
transaction, committed by the door before it answers (RELIABILITY DR1).

Per document the answer is ``accepted`` (stored, a job will apply it), ``unchanged`` (the
same content was already received from this node: nothing happens), ``skipped`` (dated
before the node's cutoff) or ``refused`` (with the field paths that fail).
"""

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import queue
from app.core.models import ExchangeDocument, ExchangeFeed, ExchangeNode, ExchangeOrder
from app.core.models.base import utc_now
from app.core.upsert import insert_for
from automations.exchange.documents import (
    CounterpartyDocument,
    OrderDocument,
    content_hash,
    dedupe_key,
    describe,
    error_paths,
)

ORDER, COUNTERPARTY = "order", "counterparty"
ACCEPTED, UNCHANGED, SKIPPED, REFUSED = "accepted", "unchanged", "skipped", "refused"


@dataclass(frozen=True)
class Received:
    kind: str
    external_id: str
    state: str
    document_id: int | None = None
    message: str = ""
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "external_id": self.external_id}
        out |= {"state": self.state, "document_id": self.document_id}
        if self.message:
            out["message"] = self.message
        if self.errors:
            out["errors"] = self.errors
        return out


async def open_feed(
    session: AsyncSession,
    node: ExchangeNode,
    *,
    door: str,
    operation: str,
    body: bytes,
    content_type: str = "",
    direction: str = "in",
) -> ExchangeFeed:
    feed = ExchangeFeed(
        member_id=node.member_id,
        node_id=node.id or 0,
        direction=direction,
        door=door,
        operation=operation,
        content_type=content_type,
        body=body,
        results=[],
        errors=[],
    )
    session.add(feed)
    await session.flush()
    return feed


def record(feed: ExchangeFeed, received: list[Received], errors: tuple[str, ...] = ()) -> None:
    feed.results = [*feed.results, *(r.as_dict() for r in received)]
    feed.errors = [*feed.errors, *errors]


def _external_id_of(raw: Any) -> str:
    value = raw.get("external_id") if isinstance(raw, dict) else None
    return str(value) if value is not None else ""


def _outbound_only(kind: str, raw: Any) -> Received:
    reason = "узел только получает изменения (direction=out) / the node only receives changes"
    errors = [{"field": "direction", "reason": reason}]
    message = (
        "Документ не принят: узел настроен только на получение изменений (direction=out); "
        "задайте direction=in или both. / Refused: the node's direction is out."
    )
    return Received(kind, _external_id_of(raw), REFUSED, message=message, errors=errors)


def refusal(kind: str, raw: Any, exc: ValidationError) -> Received:
    errors = error_paths(exc)
    return Received(kind, _external_id_of(raw), REFUSED, message=describe(errors), errors=errors)


async def accept_order(
    session: AsyncSession, node: ExchangeNode, feed: ExchangeFeed, raw: Any
) -> Received:
    if node.direction == "out":
        return _outbound_only(ORDER, raw)
    try:
        order = OrderDocument.model_validate(raw)
    except ValidationError as exc:
        return refusal(ORDER, raw, exc)
    if node.cutoff is not None and order.date < node.cutoff:
        message = (
            f"Заказ от {order.date} раньше даты отсечки узла {node.cutoff}: не загружается. / "
            f"Order dated before the node's cutoff {node.cutoff}: skipped."
        )
        return Received(ORDER, order.external_id, SKIPPED, message=message)
    return await store_document(
        session, node, feed, order, kind=ORDER, external_id=order.external_id
    )


async def accept_counterparty(
    session: AsyncSession, node: ExchangeNode, feed: ExchangeFeed, raw: Any
) -> Received:
    if node.direction == "out":
        return _outbound_only(COUNTERPARTY, raw)
    try:
        document = CounterpartyDocument.model_validate({"counterparty": raw})
    except ValidationError as exc:
        return refusal(COUNTERPARTY, raw, exc)
    external_id = document.counterparty.external_id or document.counterparty.identity
    return await store_document(
        session, node, feed, document, kind=COUNTERPARTY, external_id=external_id
    )


async def store_document(
    session: AsyncSession,
    node: ExchangeNode,
    feed: ExchangeFeed,
    document: BaseModel,
    *,
    kind: str,
    external_id: str,
) -> Received:
    digest = content_hash(document)
    stored = await session.scalar(
        select(ExchangeDocument).where(
            ExchangeDocument.node_id == node.id,
            ExchangeDocument.kind == kind,
            ExchangeDocument.external_id == external_id,
        )
    )
    if (
        stored is not None
        and stored.content_hash == digest
        and stored.status in ("done", "pending")
    ):
        return Received(kind, external_id, UNCHANGED, stored.id)
    if stored is None:
        stored = ExchangeDocument(
            member_id=node.member_id, node_id=node.id or 0, kind=kind, external_id=external_id,
            content_hash=digest,
        )  # fmt: skip
        session.add(stored)
    if isinstance(document, OrderDocument) and stored.order_id is None:
        stored.order_id = await _order_id(session, node, document)
    stored.content_hash, stored.feed_id = digest, feed.id
    stored.document = document.model_dump(mode="json")
    stored.status, stored.result, stored.updated_at = "pending", {}, utc_now()
    await session.flush()
    await _arm(session, node.member_id, stored)
    return Received(kind, external_id, ACCEPTED, stored.id)


async def _order_id(session: AsyncSession, node: ExchangeNode, order: OrderDocument) -> int:
    key = dedupe_key(order, rule=node.dedupe_rule, node_id=node.id or 0)
    await session.execute(
        insert_for(session, ExchangeOrder)
        .values(
            member_id=node.member_id,
            dedupe_key=key,
            origin_node_id=node.id,
            applied_hash="",
            snapshot={},
            created_at=utc_now(),
            updated_at=utc_now(),
        )
        .on_conflict_do_nothing(index_elements=["member_id", "dedupe_key"])
    )
    order_id = await session.scalar(
        select(ExchangeOrder.id).where(
            ExchangeOrder.member_id == node.member_id, ExchangeOrder.dedupe_key == key
        )
    )
    assert order_id is not None
    return int(order_id)


async def _arm(session: AsyncSession, member_id: str, document: ExchangeDocument) -> None:
    if document.order_id is not None:
        await queue.arm_exchange(session, member_id, order_id=document.order_id)
    else:
        await queue.arm_exchange(session, member_id, document_id=document.id, kind=document.kind)
