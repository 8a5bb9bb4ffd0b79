"""Turn a plan's portal effects into named batch commands (one write request).

A card created earlier in the same batch is referenced as ``$result[card][item][id]``
(REST_FACTS §5), so creating it, copying its rows, moving it, and tasks bound to it
all go out together.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from automations.procurement.effects import (
    CreateCard,
    CreateTask,
    MoveCard,
    MoveDeal,
    Notify,
    SetCardRows,
)
from automations.procurement.messages import render
from automations.procurement.model import RowSnapshot
from connectors.bitrix24 import Call
from connectors.crm.schemas import owner_type_code

CARD_REF = "$result[card][item][id]"


@dataclass(frozen=True)
class PortalContext:
    """The portal facts the commands need: stage map, procurement type, language, links."""

    lang: str
    deal_stages: dict[str, str]
    card_stages: dict[str, str]
    card_entity_type_id: int
    card_category_id: int
    card_id: int | None
    deal_url: str


def op_id(key: str) -> str:
    """The op UUID stored in the card's ``xmlId``: lookup-before-create after a crash."""
    return "b24b-" + hashlib.sha256(key.encode()).hexdigest()[:32]


def card_ref(ctx: PortalContext) -> int | str:
    return ctx.card_id if ctx.card_id is not None else CARD_REF


def create_card(effect: CreateCard, ctx: PortalContext) -> list[tuple[str, Call]]:
    fields = {
        "title": render(effect.title_key, ctx.lang, **dict(effect.params)),
        "assignedById": effect.assigned_by_id,
        "categoryId": ctx.card_category_id,
        "stageId": ctx.card_stages["SEARCH"],
        "parentId2": effect.deal_id,
        "xmlId": op_id(effect.key),
    }
    if effect.contact_id:
        fields["contactId"] = effect.contact_id
    return [
        ("card", ("crm.item.add", {"entityTypeId": ctx.card_entity_type_id, "fields": fields})),
        ("card_rows", _rows_call(effect.rows, ctx, CARD_REF)),
    ]


def set_card_rows(effect: SetCardRows, ctx: PortalContext) -> Call:
    """``crm.item.productrow.set`` replaces all of the card's rows (REST_FACTS §11.1)."""
    return _rows_call(effect.rows, ctx, card_ref(ctx))


def _rows_call(rows: tuple[RowSnapshot, ...], ctx: PortalContext, owner: int | str) -> Call:
    product_rows = [
        {
            "productId": row.product_id or 0,
            "productName": row.name,
            "price": str(row.price),
            "quantity": str(row.quantity),
            "sort": row.sort,
        }
        for row in rows
    ]
    return (
        "crm.item.productrow.set",
        {
            "ownerType": owner_type_code(ctx.card_entity_type_id),
            "ownerId": owner,
            "productRows": product_rows,
        },
    )


def move_deal(effect: MoveDeal, ctx: PortalContext) -> Call:
    return (
        "crm.deal.update",
        {"id": effect.deal_id, "fields": {"STAGE_ID": ctx.deal_stages[effect.stage.value]}},
    )


def move_card(effect: MoveCard, ctx: PortalContext) -> Call:
    return (
        "crm.item.update",
        {
            "entityTypeId": ctx.card_entity_type_id,
            "id": card_ref(ctx),
            "fields": {"stageId": ctx.card_stages[effect.stage.value]},
        },
    )


def notify(effect: Notify, ctx: PortalContext) -> Call:
    message = render(effect.message_key, ctx.lang, **dict(effect.params))
    if effect.deal_id is not None:
        message += f" [URL={ctx.deal_url.format(deal_id=effect.deal_id)}]→[/URL]"
    # TAG makes a repeated notification replace the earlier one: safe to resend.
    return (
        "im.notify.system.add",
        {"USER_ID": effect.user_id, "MESSAGE": message, "TAG": effect.key[:255]},
    )


def task(effect: CreateTask, ctx: PortalContext, deal_id: int) -> Call:
    bindings: list[Any] = []
    if effect.bind_deal:
        bindings.append(f"D_{deal_id}")
    if effect.bind_card:
        bindings.append(f"{owner_type_code(ctx.card_entity_type_id)}_{card_ref(ctx)}")
    return (
        "tasks.task.add",
        {
            "fields": {
                "TITLE": render(effect.title_key, ctx.lang, **dict(effect.params)),
                "RESPONSIBLE_ID": effect.responsible_id,
                "UF_CRM_TASK": bindings,
                "XML_ID": op_id(effect.key),
            }
        },
    )


def timeline_comment(deal_id: int, text: str) -> Call:
    return (
        "crm.timeline.comment.add",
        {"fields": {"ENTITY_ID": deal_id, "ENTITY_TYPE": "deal", "COMMENT": text}},
    )
