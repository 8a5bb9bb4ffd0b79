"""Match the deal's current goods rows to the procurement lines we keep.

``crm.deal.productrows.set`` and ``crm.item.productrow.set`` replace all rows and give
them new IDs (REST_FACTS §11.1: "never cache row ids across a set"), and users re-save
rows from the Products tab. A buyer's search data lives on our lines, so a line must
follow its product through that churn. Passes, each over what is still unmatched:
row ID → (product, position) → product → name. Unmatched rows become new ``pending``
lines; unmatched lines become ``cancelled_by_client`` and are kept; a cancelled line
whose product returns is re-activated with its search data and status intact. Service
rows (delivery, inspection, insurance, storage) never produce lines.

Known limit: when IDs churn *and* rows are inserted before duplicates of one product,
those duplicates are told apart by position only, so their search data may swap between
them; nothing is lost, and with stable row IDs the first pass keeps them apart.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace

from automations.procurement.model import Line, LineStatus, RowSnapshot

_Key = Callable[[int, RowSnapshot], Hashable | None]
_LineKey = Callable[[Line], Hashable | None]


@dataclass(frozen=True)
class MatchResult:
    """All lines after matching, in position order (cancelled lines last), and what moved."""

    lines: tuple[Line, ...]
    added: tuple[Line, ...]
    reactivated: tuple[Line, ...]
    cancelled: tuple[Line, ...]

    def changed(self, before: Sequence[Line]) -> tuple[Line, ...]:
        """Lines to write: new ones and those that differ from ``before``."""
        old = set(before)
        return tuple(line for line in self.lines if line not in old)


def goods_rows(rows: Sequence[RowSnapshot]) -> tuple[RowSnapshot, ...]:
    """Goods rows in the order the deal shows them; services are not searched for."""
    indexed = sorted(enumerate(rows), key=lambda pair: (pair[1].sort, pair[0]))
    return tuple(row for _, row in indexed if not row.is_service)


def match_lines(rows: Sequence[RowSnapshot], lines: Sequence[Line]) -> MatchResult:
    goods = goods_rows(rows)
    pairs: dict[int, Line] = {}
    free_lines = list(lines)
    for row_key, line_key in _PASSES:
        _run_pass(goods, free_lines, pairs, keys=(row_key, line_key))
    matched = [_follow(line, goods[pos], pos) for pos, line in sorted(pairs.items())]
    added = [_new_line(goods[pos], pos) for pos in range(len(goods)) if pos not in pairs]
    cancelled = [_cancel(line) for line in free_lines if line.is_active]
    kept = [line for line in free_lines if not line.is_active]
    current = sorted([*matched, *added], key=lambda line: line.position)
    return MatchResult(
        lines=(*current, *cancelled, *kept),
        added=tuple(added),
        reactivated=tuple(
            line for line in matched if line.line_id is not None and _was_cancelled(line, lines)
        ),
        cancelled=tuple(cancelled),
    )


def _run_pass(
    goods: Sequence[RowSnapshot],
    free_lines: list[Line],
    pairs: dict[int, Line],
    *,
    keys: tuple[_Key, _LineKey],
) -> None:
    row_key, line_key = keys
    for pos, row in enumerate(goods):
        if pos in pairs:
            continue
        key = row_key(pos, row)
        if key is None:
            continue
        candidates = [line for line in free_lines if line_key(line) == key]
        if candidates:
            best = min(candidates, key=lambda line: _preference(line, pos))
            free_lines.remove(best)
            pairs[pos] = best


def _preference(line: Line, pos: int) -> tuple[bool, int, int]:
    """Prefer live lines, then the nearest position, so duplicates keep their own data."""
    return (not line.is_active, abs(line.position - pos), line.position)


def _product(product_id: int | None) -> int | None:
    # A row without a catalog product carries 0 (REST_FACTS §11.1); it identifies nothing.
    return product_id or None


def _name(name: str) -> str | None:
    return " ".join(name.casefold().split()) or None


def _with_product(key: Hashable | None, product_id: int | None) -> Hashable | None:
    return None if key is None else (key, _product(product_id))


def _placed(product_id: int | None, pos: int) -> Hashable | None:
    return None if _product(product_id) is None else (product_id, pos)


_PASSES: tuple[tuple[_Key, _LineKey], ...] = (
    (lambda _pos, row: row.row_id, lambda line: line.row_id),
    (
        lambda pos, row: _placed(row.product_id, pos),
        lambda line: _placed(line.product_id, line.position),
    ),
    (lambda _pos, row: _product(row.product_id), lambda line: _product(line.product_id)),
    # By name only within the same product: in practice this joins rows without a catalog
    # product, since a different catalog product with the same name is a different good.
    (
        lambda _pos, row: _with_product(_name(row.name), row.product_id),
        lambda line: _with_product(_name(line.name), line.product_id),
    ),
)


def _follow(line: Line, row: RowSnapshot, pos: int) -> Line:
    status = line.status
    prior = line.prior_status
    if not line.is_active:
        status, prior = prior or LineStatus.PENDING, None
    return replace(
        line,
        row_id=row.row_id,
        product_id=row.product_id,
        position=pos,
        name=row.name,
        quantity=row.quantity,
        status=status,
        prior_status=prior,
    )


def _new_line(row: RowSnapshot, pos: int) -> Line:
    return Line(
        line_id=None,
        row_id=row.row_id,
        product_id=row.product_id,
        position=pos,
        name=row.name,
        quantity=row.quantity,
    )


def _cancel(line: Line) -> Line:
    return replace(line, status=LineStatus.CANCELLED_BY_CLIENT, prior_status=line.status)


def _was_cancelled(line: Line, before: Sequence[Line]) -> bool:
    return any(old.line_id == line.line_id and not old.is_active for old in before)
