"""How new rows go back to a deal in ONE request, keeping row ids where that is possible.

Rows re-priced one-for-one (a money discount that split nothing) are changed in place with
``crm.item.productrow.update`` — ids stay stable for anything that remembers them (the
procurement lines match by row id) — sent together as one batch. A change in the number or
order of rows (a kit expansion, a split) needs ``crm.item.productrow.set`` (REST_FACTS §11.1).
"""

from collections.abc import Sequence

from automations.pricing import ProductRow
from automations.product_actions.row_mapping import to_product_row, to_row_values
from connectors.bitrix24 import Call
from connectors.crm.product_rows import MAX_BATCH, StoredRow, replace_rows_call, update_row_call


def plan_row_writes(
    deal_id: int, old: Sequence[StoredRow], new: Sequence[ProductRow]
) -> list[Call]:
    """The calls that turn ``old`` into ``new``; none when nothing changes."""
    current = [to_product_row(s.row) for s in old]
    if current == list(new):
        return []
    replace = replace_rows_call(deal_id, [to_row_values(row) for row in new])
    if not _same_positions(old, new):
        return [replace]
    updates = [
        update_row_call(s.row_id, to_row_values(row))
        for s, before, row in zip(old, current, new, strict=True)
        if before != row
    ]
    return updates if len(updates) <= MAX_BATCH else [replace]


def _same_positions(old: Sequence[StoredRow], new: Sequence[ProductRow]) -> bool:
    return len(old) == len(new) and all(
        s.row_id > 0 and s.row.product_id == row.product_id for s, row in zip(old, new, strict=True)
    )
