"""What the bonus job reads of a deal: one ``batch`` (the deal, its rows, the user who last
changed it) and, when section rules exist, the rows' catalog sections."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.bitrix24 import Bitrix24Client, Call, NotFoundError, Priority
from connectors.crm.schemas import DealRecord, ProductRowRecord, as_int, as_map, parse_rows


@dataclass(frozen=True)
class DealRead:
    deal: DealRecord | None
    rows: tuple[ProductRowRecord, ...] = ()
    sections: dict[int, int | None] | None = None
    modifier_name: str = ""


async def read_deal(client: Bitrix24Client, deal_id: int, *, with_sections: bool) -> DealRead:
    """crm.deal.get + crm.deal.productrows.get + user.get (modifier) [+ crm.product.list]."""
    commands: dict[str, Call] = {
        "deal": ("crm.deal.get", {"id": deal_id}),
        "rows": ("crm.deal.productrows.get", {"id": deal_id}),
        "user": ("user.get", {"ID": "$result[deal][MODIFY_BY_ID]"}),
    }
    outcomes = await client.batch(commands, priority=Priority.BULK)
    if outcomes["deal"].error is not None:
        error = outcomes["deal"].error
        if isinstance(error, NotFoundError) or "not found" in str(error).lower():
            return DealRead(None)
        raise outcomes["deal"].error
    rows = parse_rows(outcomes["rows"].unwrap())
    sections = await _sections(client, rows) if with_sections else None
    user = outcomes["user"].value if outcomes["user"].ok else None
    return DealRead(DealRecord.parse(outcomes["deal"].value), rows, sections, _name(user))


async def _sections(
    client: Bitrix24Client, rows: tuple[ProductRowRecord, ...]
) -> dict[int, int | None]:
    ids = sorted({row.product_id for row in rows if row.product_id})
    if not ids:
        return {}
    listed = await client.call(
        "crm.product.list",
        {"filter": {"@ID": ids}, "select": ["ID", "SECTION_ID"]},
        priority=Priority.BULK,
    )
    return {as_int(p.get("ID")) or 0: as_int(p.get("SECTION_ID")) for p in listed or [] if p}


def _name(raw: Any) -> str:
    users = raw if isinstance(raw, list) else [raw]
    user = as_map(users[0]) if users else {}
    return " ".join(str(user.get(k) or "") for k in ("NAME", "LAST_NAME")).strip()
