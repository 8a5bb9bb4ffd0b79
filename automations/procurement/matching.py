"""Match the deal's current goods rows to the procurement lines we keep.

``crm.deal.productrows.set`` and ``crm.item.productrow.set`` replace all rows and give
them new IDs (REST_FACTS §11.1: "never cache row ids across a set"), and users re-save
rows from the Products tab. A buyer's search data lives on our lines, so a line must
follow its product through that churn. Passes, each over what is still unmatched:
row ID → (product, its occurrence among that product's rows) → product → name.
Unmatched rows become new ``pending`` lines; unmatched lines become ``cancelled_by_client``
and are kept; a cancelled line whose product returns is re-activated with its search
data and status intact. Service rows (delivery, inspection, insurance, storage) never
produce lines.

Line numbers (``Line.position``, the tab's «№») start at 1 and are stable: a line keeps
its number whatever happens to the rows, a new line gets the next free number, and a
cancelled line keeps its own, so no two lines ever share one. Lines stored before this
rule (numbered from 0, or repeating) are renumbered once, in their stored order.

Known limit: when IDs churn *and* duplicates of one product are reordered or inserted
before each other, those duplicates are told apart by their order only, so their rows
may swap between them; no search data is lost or changed, and with stable row IDs the
first pass keeps them apart.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace

from automations.procurement.model import Line, LineStatus, RowSnapshot

_Key = Callable[[int, RowSnapshot], Hashable | None]
_LineKey = Callable[[Line], Hashable | None]


@dataclass(frozen=True)
class MatchResult:
    """All lines after matching: the active ones in row order, then the cancelled ones."""

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
    numbered = numbered_lines(lines)
    matcher = _Matcher(goods, numbered)
    for keys in matcher.passes():
        matcher.run_pass(keys)
    current, added = [], []
    free_number = 1 + max((line.position for line in numbered), default=0)
    for pos, row in enumerate(goods):
        line = matcher.pairs.get(pos)
        if line is None:
            line = _new_line(row, free_number)
            free_number += 1
            added.append(line)
        current.append(_follow(line, row))
    cancelled = [_cancel(line) for line in matcher.free_lines if line.is_active]
    kept = [line for line in matcher.free_lines if not line.is_active]
    return MatchResult(
        lines=(*current, *cancelled, *kept),
        added=tuple(added),
        reactivated=tuple(line for line in current if _was_cancelled(line, lines)),
        cancelled=tuple(cancelled),
    )


def numbered_lines(lines: Sequence[Line]) -> tuple[Line, ...]:
    """The lines with valid numbers: kept when they run from 1 without repeats, else 1..n
    in their stored order (lines kept before numbers were stable)."""
    numbers = [line.position for line in lines]
    if all(number >= 1 for number in numbers) and len(set(numbers)) == len(numbers):
        return tuple(lines)
    return tuple(replace(line, position=index) for index, line in enumerate(lines, start=1))


class _Matcher:
    """Pairs row positions with lines, pass by pass, from what is still unmatched."""

    def __init__(self, goods: Sequence[RowSnapshot], lines: Sequence[Line]) -> None:
        self.goods = goods
        self.free_lines = list(lines)
        self.pairs: dict[int, Line] = {}
        self.row_rank = _occurrences([_product(row.product_id) for row in goods])
        by_rank = sorted(lines, key=lambda line: (not line.is_active, line.position))
        ranks = _occurrences([_product(line.product_id) for line in by_rank])
        self.line_rank = {line: rank for line, rank in zip(by_rank, ranks, strict=True)}

    def passes(self) -> tuple[tuple[_Key, _LineKey], ...]:
        return (
            (lambda _pos, row: row.row_id, lambda line: line.row_id),
            (
                lambda pos, row: _ranked(row.product_id, self.row_rank[pos]),
                lambda line: _ranked(line.product_id, self.line_rank[line]),
            ),
            (lambda _pos, row: _product(row.product_id), lambda line: _product(line.product_id)),
            # By name only within the same product: in practice this joins rows without a
            # catalog product, since a different catalog product with the same name is a
            # different good.
            (
                lambda _pos, row: _with_product(_name(row.name), row.product_id),
                lambda line: _with_product(_name(line.name), line.product_id),
            ),
        )

    def run_pass(self, keys: tuple[_Key, _LineKey]) -> None:
        row_key, line_key = keys
        for pos, row in enumerate(self.goods):
            key = None if pos in self.pairs else row_key(pos, row)
            if key is None:
                continue
            candidates = [line for line in self.free_lines if line_key(line) == key]
            if candidates:
                best = min(candidates, key=lambda line: self._preference(line, pos))
                self.free_lines.remove(best)
                self.pairs[pos] = best

    def _preference(self, line: Line, pos: int) -> tuple[bool, int, int]:
        """Prefer live lines, then the nearest occurrence, so duplicates keep their own data."""
        distance = abs(self.line_rank[line] - self.row_rank[pos])
        return (not line.is_active, distance, line.position)


def _occurrences(products: Sequence[int | None]) -> list[int]:
    """For each item, how many items of the same product came before it."""
    seen: dict[int | None, int] = {}
    ranks = []
    for product in products:
        ranks.append(seen.get(product, 0))
        seen[product] = ranks[-1] + 1
    return ranks


def _product(product_id: int | None) -> int | None:
    # A row without a catalog product carries 0 (REST_FACTS §11.1); it identifies nothing.
    return product_id or None


def _name(name: str) -> str | None:
    return " ".join(name.casefold().split()) or None


def _with_product(key: Hashable | None, product_id: int | None) -> Hashable | None:
    return None if key is None else (key, _product(product_id))


def _ranked(product_id: int | None, rank: int) -> Hashable | None:
    return None if _product(product_id) is None else (product_id, rank)


def _follow(line: Line, row: RowSnapshot) -> Line:
    status = line.status
    prior = line.prior_status
    if not line.is_active:
        status, prior = prior or LineStatus.PENDING, None
    return replace(
        line,
        row_id=row.row_id,
        product_id=row.product_id,
        name=row.name,
        quantity=row.quantity,
        status=status,
        prior_status=prior,
    )


def _new_line(row: RowSnapshot, number: int) -> Line:
    return Line(
        line_id=None,
        row_id=row.row_id,
        product_id=row.product_id,
        position=number,
        name=row.name,
        quantity=row.quantity,
    )


def _cancel(line: Line) -> Line:
    return replace(line, status=LineStatus.CANCELLED_BY_CLIENT, prior_status=line.status)


def _was_cancelled(line: Line, before: Sequence[Line]) -> bool:
    return line.line_id is not None and any(
        old.line_id == line.line_id and not old.is_active for old in before
    )
