"""Build the rules' snapshots from what the portal returned and the stage map (pure)."""

from __future__ import annotations

from typing import Any

from automations.procurement.model import (
    CardSnapshot,
    CardStage,
    DealSnapshot,
    DealStage,
    RowSnapshot,
)
from connectors.crm.gateway import DealBundle
from connectors.crm.schemas import ItemRecord


def _reverse(stage_map: dict[str, str]) -> dict[str, str]:
    return {stage_id: semantic for semantic, stage_id in stage_map.items()}


def deal_snapshot(bundle: DealBundle, values: dict[str, Any]) -> DealSnapshot:
    deal = bundle.deal
    assert deal is not None
    semantic = _reverse(values.get("deal_stages", {})).get(deal.stage_id)
    services = set(values.get("service_product_ids", []))
    rows = tuple(
        RowSnapshot(
            row_id=row.id,
            product_id=row.product_id,
            name=row.name,
            quantity=row.quantity,
            price=row.price,
            sort=row.sort,
            is_service=row.product_id in services,
        )
        for row in bundle.rows
    )
    return DealSnapshot(
        id=deal.id,
        stage=DealStage(semantic) if semantic else None,
        title=deal.title,
        responsible_id=deal.assigned_by_id,
        contact_id=deal.contact_id,
        client_phone=bundle.phone,
        rows=rows,
    )


def card_snapshot(card: ItemRecord | None, values: dict[str, Any]) -> CardSnapshot | None:
    if card is None:
        return None
    semantic = _reverse(values.get("card_stages", {})).get(card.stage_id)
    return CardSnapshot(
        id=card.id,
        stage=CardStage(semantic) if semantic else None,
        eta=card.date_field(values.get("card_eta_field", "")),
        assigned_by_id=card.assigned_by_id,
    )


def pick_buyer(values: dict[str, Any], deal_id: int, fallback: int) -> int:
    """Round-robin over the configured buyers, stable per deal."""
    buyers = [int(b) for b in values.get("buyer_ids", []) if str(b).isdigit()]
    return buyers[deal_id % len(buyers)] if buyers else fallback
