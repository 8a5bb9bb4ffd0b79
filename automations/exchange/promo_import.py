"""Promo codes a node uploads (1C ``type=catalog``, see ``webhooks/exchange/catalog``) →
items of the promo-code directory (``promo``).

Trigger: ``mode=import`` of a catalog file stores each code as a document keyed by
(node, ``promo``, code) with its feed row, and arms one ``exchange`` job per document — in
the transaction 1C's answer waits for. Rule: a code needs ``code`` (letters, digits, ``-``
``_``, up to 64), a discount of 0–100 % and, when both dates are given, ``valid_from`` not
after ``valid_to``; a bad one is refused with the field and the reason, the others go
through. Effect: the directory item with that code is updated, or created. Idempotency: the
item is looked up by code before every create, so a crash between the create and its
record makes no second item; an unchanged code from the same node is not stored again.
"""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, ValidationError, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import portal_store
from app.core.db import unit_of_work
from app.core.models import ExchangeDocument, ExchangeFeed, ExchangeNode
from app.core.models.base import utc_now
from automations.exchange import intake
from automations.exchange.documents import Strict
from automations.exchange.promo import TYPE_CODE
from automations.ports import Deps
from connectors.bitrix24 import Bitrix24Client, Priority

PROMO = "promo"
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=6, decimal_places=2)]


class PromoDocument(Strict):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-zА-Яа-яЁё0-9_-]+$")
    discount_percent: Percent
    valid_from: date | None = None
    valid_to: date | None = None

    @model_validator(mode="after")
    def ordered_dates(self) -> "PromoDocument":
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValueError(
                "ДействуетС позже ДействуетПо: исправьте даты / valid_from is after valid_to"
            )
        return self


async def accept_promo(
    session: AsyncSession, node: ExchangeNode, feed: ExchangeFeed, raw: Any
) -> intake.Received:
    try:
        document = PromoDocument.model_validate(raw)
    except ValidationError as exc:
        return intake.refusal(PROMO, {"external_id": raw.get("code", "")}, exc)
    return await intake.store_document(
        session, node, feed, document, kind=PROMO, external_id=document.code
    )


async def apply_promo(deps: Deps, member_id: str, document_id: int) -> str:
    async with deps.sessions() as session:
        portal = await portal_store.find_active_portal(session, member_id)
        stored = await session.get(ExchangeDocument, document_id)
    if portal is None or stored is None or stored.status != "pending":
        return "nothing pending"
    promo = PromoDocument.model_validate(stored.document)
    client = deps.rest.for_portal(portal)
    found = await client.call("crm.type.list", {"filter": {"code": TYPE_CODE}})
    types = (found or {}).get("types", [])
    if not types:
        message = (
            "Справочник промокодов не создан: выполните «b24bridge exchange provision». / "
            "The promo-code directory is missing: run exchange provision."
        )
        await _close(deps, stored, "refused", {"message": message})
        return f"promo {promo.code}: no directory"
    item_id = await _write(client, types[0], promo)
    await _close(deps, stored, "done", {"message": f"Промокод {promo.code} записан.",
                                             "item_id": item_id})  # fmt: skip
    return f"promo {promo.code}: item {item_id}"


async def _write(client: Bitrix24Client, kind: dict[str, Any], promo: PromoDocument) -> int:
    entity_type_id, prefix = int(kind["entityTypeId"]), f"ufCrm{int(kind['id'])}_"
    listed = await client.call(
        "crm.item.list",
        {"entityTypeId": entity_type_id, "filter": {f"{prefix}CODE": promo.code},
         "select": ["id"]},
        priority=Priority.BULK,
    )  # fmt: skip
    items = (listed or {}).get("items", [])
    fields = {
        "title": promo.code, f"{prefix}CODE": promo.code,
        f"{prefix}DISCOUNT": str(promo.discount_percent),
        f"{prefix}VALID_FROM": promo.valid_from.isoformat() if promo.valid_from else "",
        f"{prefix}VALID_TO": promo.valid_to.isoformat() if promo.valid_to else "",
    }  # fmt: skip
    if items:
        item_id = int(items[0]["id"])
        params = {"entityTypeId": entity_type_id, "id": item_id, "fields": fields}
        await client.call("crm.item.update", params, priority=Priority.BULK)
        return item_id
    params = {"entityTypeId": entity_type_id, "fields": fields}
    added = await client.call("crm.item.add", params, priority=Priority.BULK)
    return int(added["item"]["id"])


async def _close(deps: Deps, seen: ExchangeDocument, status: str, result: dict[str, Any]) -> None:
    """Close what this run applied; a newer upload of the code meanwhile stays pending."""
    async with unit_of_work(deps.sessions) as session:
        document = await session.get(ExchangeDocument, seen.id)
        if document is not None and document.updated_at == seen.updated_at:
            document.status, document.result, document.updated_at = status, result, utc_now()
