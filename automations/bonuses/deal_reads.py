"""What the bonus job reads of a deal: one ``batch`` (the deal, its rows, the user who last
changed it) and, when section rules exist, the rows' catalog sections."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from connectors.bitrix24 import Bitrix24Client, Call, NotFoundError, Priority
from connectors.crm.schemas import DealRecord, ProductRowRecord, as_int, as_map, parse_rows


@dataclass(frozen=True)
class DealRead:
    deal: DealRecord | None
    rows: tuple[ProductRowRecord, ...] = ()
    sections: dict[int, int | None] | None = None
    modifier_name: str = ""


def _name(raw: Any) -> str:
    users = raw if isinstance(raw, list) else [raw]
    user = as_map(users[0]) if users else {}
    return " ".join(str(user.get(k) or "") for k in ("NAME", "LAST_NAME")).strip()


DEALS_PER_BATCH = 16  # three commands each: 48 of a batch's 50


async def read_deals(
    client: Bitrix24Client, deal_ids: list[int], *, with_sections: bool
) -> dict[int, DealRead]:
    """``read_deal`` for many deals: 16 deals per ``batch`` request, then the rows' catalog
    sections in one paged ``crm.product.list`` when section rules exist."""
    reads: dict[int, DealRead] = {}
    for start in range(0, len(deal_ids), DEALS_PER_BATCH):
        chunk = deal_ids[start : start + DEALS_PER_BATCH]
        commands: dict[str, Call] = {}
        for deal_id in chunk:
            commands |= {
                f"d{deal_id}": ("crm.deal.get", {"id": deal_id}),
                f"r{deal_id}": ("crm.deal.productrows.get", {"id": deal_id}),
                f"u{deal_id}": ("user.get", {"ID": f"$result[d{deal_id}][MODIFY_BY_ID]"}),
            }
        outcomes = await client.batch(commands, priority=Priority.BULK)
        for deal_id in chunk:
            reads[deal_id] = _one(outcomes, deal_id)
    if with_sections:
        sections = await _all_sections(client, reads.values())
        reads = {i: replace(r, sections=sections) for i, r in reads.items()}
    return reads


def _one(outcomes: dict[str, Any], deal_id: int) -> DealRead:
    deal = outcomes[f"d{deal_id}"]
    if deal.error is not None:
        if isinstance(deal.error, NotFoundError) or "not found" in str(deal.error).lower():
            return DealRead(None)
        raise deal.error
    user = outcomes[f"u{deal_id}"]
    return DealRead(
        DealRecord.parse(deal.value),
        parse_rows(outcomes[f"r{deal_id}"].unwrap()),
        None,
        _name(user.value if user.ok else None),
    )


async def _all_sections(client: Bitrix24Client, reads: Iterable[DealRead]) -> dict[int, int | None]:
    ids = sorted({row.product_id for read in reads for row in read.rows if row.product_id})
    sections: dict[int, int | None] = {}
    for start in range(0, len(ids), 50):
        params = {"filter": {"@ID": ids[start : start + 50]}, "select": ["ID", "SECTION_ID"]}
        listed = await client.call("crm.product.list", params, priority=Priority.BULK)
        sections |= {as_int(p.get("ID")) or 0: as_int(p.get("SECTION_ID")) for p in listed or []}
    return sections
