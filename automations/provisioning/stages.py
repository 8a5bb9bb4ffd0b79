"""The semantic stages and how they map onto a portal's existing stages (pure).

Each semantic stage maps to an existing stage of the same name, or to the funnel's own
start, success or failure stage; the rest are created. Our in-progress stages come in the
documented order, after the funnel's other in-progress stages and before its final ones
(REST_FACTS §10.3: in progress < success < failure by SORT); final stages that sort
level with or before ours are moved after them. Nothing is moved when the order is
right already, so a re-run writes nothing.

In a funnel the app created (the smart process «Закупка» made by provisioning) the
defaults the portal filled it with (REST_FACTS §10.3: ``NEW``, ``PREPARATION``,
``CLIENT``, ``SUCCESS``, ``FAIL``) are not left beside ours: the in-progress ones we do
not use are deleted and the final ones take our titles. In a funnel the admin chose
nothing of theirs is deleted or renamed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from automations.procurement.model import CardStage, DealStage

CARD_TYPE_TITLE = "Закупка"
ETA_FIELD = "ETA"
SORT_STEP = 10
NEW_FUNNEL_DEFAULT_CODES = frozenset({"NEW", "PREPARATION", "CLIENT"})


@dataclass(frozen=True)
class StageRow:
    id: int
    status_id: str
    name: str
    sort: int
    semantics: str  # "" in progress, "S" success, "F" failure

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> StageRow:
        return cls(
            id=int(str(raw.get("ID") or 0)),
            status_id=str(raw.get("STATUS_ID") or ""),
            name=str(raw.get("NAME") or ""),
            sort=int(str(raw.get("SORT") or 0)),
            semantics=str(raw.get("SEMANTICS") or ""),
        )

    @property
    def is_final(self) -> bool:
        return bool(self.semantics)

    @property
    def code(self) -> str:
        """The code without the funnel prefix (``DT128_1:NEW`` → ``NEW``)."""
        return self.status_id.rsplit(":", 1)[-1]


@dataclass(frozen=True)
class StagePlan:
    """Which semantic stages map to existing rows, which rows to create, which existing
    rows to change (``crm.status.update`` fields by row ID) and which to delete."""

    mapped: dict[str, str]
    to_create: tuple[tuple[str, dict[str, Any]], ...]
    to_update: tuple[tuple[int, dict[str, Any]], ...] = ()
    to_delete: tuple[StageRow, ...] = ()


def plan_stages(
    semantics: Sequence[str],
    titles: Mapping[str, str],
    existing: Sequence[StageRow],
    *,
    code_prefix: str,
    owned: bool = False,
) -> StagePlan:
    """The writes that give the funnel our stages, in order, before its final ones."""
    rows = _map_rows(semantics, titles, existing)
    leftovers = _leftovers(existing, rows) if owned else ()
    order = _Order(semantics, rows, [row for row in existing if row not in leftovers])
    sorts, final_moves = order.sorts()
    to_create = tuple(
        (semantic, _new_stage(code_prefix, semantic, titles[semantic], sorts[semantic]))
        for semantic in semantics
        if semantic not in rows
    )
    updates: dict[int, dict[str, Any]] = {row_id: {"SORT": s} for row_id, s in final_moves.items()}
    for semantic, row in rows.items():
        if sorts.get(semantic, row.sort) != row.sort:
            updates.setdefault(row.id, {})["SORT"] = sorts[semantic]
        if owned and row.is_final and row.name != titles[semantic]:
            updates.setdefault(row.id, {})["NAME"] = titles[semantic]
    mapped = {semantic: row.status_id for semantic, row in rows.items()}
    return StagePlan(mapped, to_create, tuple(updates.items()), leftovers)


def _leftovers(existing: Sequence[StageRow], rows: Mapping[str, StageRow]) -> tuple[StageRow, ...]:
    """The new funnel's default in-progress stages that no semantic stage uses."""
    used = {row.id for row in rows.values()}
    return tuple(
        row
        for row in existing
        if row.id not in used and not row.is_final and row.code in NEW_FUNNEL_DEFAULT_CODES
    )


def _map_rows(
    semantics: Sequence[str], titles: Mapping[str, str], existing: Sequence[StageRow]
) -> dict[str, StageRow]:
    by_name = {row.name.strip().lower(): row for row in existing}
    found = {
        semantic: by_name.get(titles[semantic].lower()) or _special(semantic, existing)
        for semantic in semantics
    }
    return {semantic: row for semantic, row in found.items() if row is not None}


def _special(semantic: str, existing: Sequence[StageRow]) -> StageRow | None:
    """The funnel's own start, success and failure stages stand for NEW, WON/DONE, LOST/CANCELLED."""
    if semantic == "NEW":
        return _start(existing)
    by_semantics = {"WON": "S", "DONE": "S", "LOST": "F", "CANCELLED": "F"}
    wanted = by_semantics.get(semantic)
    return next((row for row in existing if wanted and row.semantics == wanted), None)


def _start(rows: Sequence[StageRow]) -> StageRow | None:
    return min((row for row in rows if not row.is_final), key=lambda row: row.sort, default=None)


def _new_stage(prefix: str, semantic: str, title: str, sort: int) -> dict[str, Any]:
    return {"STATUS_ID": f"{prefix}{semantic}"[:22], "NAME": title, "SORT": sort, "SEMANTICS": ""}


class _Order:
    """Where our in-progress stages go: after the funnel's start stage (when NEW is it) and
    its other in-progress stages, in the documented order, before the final stages."""

    def __init__(
        self, semantics: Sequence[str], rows: Mapping[str, StageRow], kept: Sequence[StageRow]
    ) -> None:
        ours = [s for s in semantics if not (s in rows and rows[s].is_final)]
        start = _start(kept)
        anchored = bool(ours) and start is not None and rows.get(ours[0]) == start
        self.anchor = start if anchored else None
        self.movable = ours[1:] if anchored else ours
        self.rows = rows
        our_ids = {rows[s].id for s in ours if s in rows}
        self.others = [r for r in kept if not r.is_final and r.id not in our_ids]
        finals = [r for r in kept if r.is_final]
        self.finals = sorted(finals, key=lambda r: (r.semantics != "S", r.sort))

    def sorts(self) -> tuple[dict[str, int], dict[int, int]]:
        """SORT of our in-progress stages to create or move, and of the final stages (by
        row ID) that must move after them; both empty when the order is right already."""
        if self._in_order():
            return {}, {}
        floor = [r.sort for r in self.others] + ([self.anchor.sort] if self.anchor else [])
        base = max(floor, default=0)
        sorts = {s: base + SORT_STEP * i for i, s in enumerate(self.movable, start=1)}
        top = max([base, *sorts.values()])
        if not self.finals or min(r.sort for r in self.finals) > top:
            return sorts, {}
        return sorts, {r.id: top + SORT_STEP * i for i, r in enumerate(self.finals, start=1)}

    def _in_order(self) -> bool:
        """All our stages exist, in the documented order, after the anchor, before finals."""
        if any(s not in self.rows for s in self.movable):
            return False
        current = [self.rows[s].sort for s in self.movable]
        floor = self.anchor.sort if self.anchor else None
        ceiling = min((r.sort for r in self.finals), default=None)
        chain = [floor] if floor is not None else []
        chain += current + ([ceiling] if ceiling is not None else [])
        return all(a < b for a, b in pairwise(chain))


DEAL_SEMANTICS = tuple(stage.value for stage in DealStage)
CARD_SEMANTICS = tuple(stage.value for stage in CardStage)
DEAL_TITLES = {stage.value: stage.default_title for stage in DealStage}
CARD_TITLES = {stage.value: stage.default_title for stage in CardStage}
