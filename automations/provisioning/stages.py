"""The semantic stages and how they map onto a portal's existing stages (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from automations.procurement.model import CardStage, DealStage

CARD_TYPE_TITLE = "Закупка"
ETA_FIELD = "ETA"


@dataclass(frozen=True)
class StageRow:
    status_id: str
    name: str
    sort: int
    semantics: str  # "" in progress, "S" success, "F" failure

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> StageRow:
        return cls(
            status_id=str(raw.get("STATUS_ID") or ""),
            name=str(raw.get("NAME") or ""),
            sort=int(str(raw.get("SORT") or 0)),
            semantics=str(raw.get("SEMANTICS") or ""),
        )


@dataclass(frozen=True)
class StagePlan:
    """Which semantic stages map to existing rows, and which rows to create."""

    mapped: dict[str, str]
    to_create: tuple[tuple[str, dict[str, Any]], ...]


def _special(semantic: str, existing: Sequence[StageRow]) -> StageRow | None:
    """The funnel's own start, success and failure stages stand for NEW, WON/DONE, LOST/CANCELLED."""
    if semantic == "NEW":
        return min(
            (row for row in existing if not row.semantics), key=lambda row: row.sort, default=None
        )
    by_semantics = {"WON": "S", "DONE": "S", "LOST": "F", "CANCELLED": "F"}
    wanted = by_semantics.get(semantic)
    return next((row for row in existing if wanted and row.semantics == wanted), None)


def plan_stages(
    semantics: Sequence[str],
    titles: Mapping[str, str],
    existing: Sequence[StageRow],
    *,
    code_prefix: str,
) -> StagePlan:
    """Map each semantic stage to an existing stage of the same name (or the funnel's
    success/failure stage), else plan a new in-progress stage sorted in workflow order."""
    by_name = {row.name.strip().lower(): row for row in existing}
    in_progress = [row for row in existing if not row.semantics]
    base_sort = max((row.sort for row in in_progress), default=0)
    mapped: dict[str, str] = {}
    to_create: list[tuple[str, dict[str, Any]]] = []
    for index, semantic in enumerate(semantics):
        row = by_name.get(titles[semantic].lower()) or _special(semantic, existing)
        if row is not None:
            mapped[semantic] = row.status_id
            continue
        to_create.append(
            (
                semantic,
                {
                    "STATUS_ID": f"{code_prefix}{semantic}"[:22],
                    "NAME": titles[semantic],
                    "SORT": base_sort + 10 * (index + 1),
                    "SEMANTICS": "",
                },
            )
        )
    return StagePlan(mapped=mapped, to_create=tuple(to_create))


DEAL_SEMANTICS = tuple(stage.value for stage in DealStage)
CARD_SEMANTICS = tuple(stage.value for stage in CardStage)
DEAL_TITLES = {stage.value: stage.default_title for stage in DealStage}
CARD_TITLES = {stage.value: stage.default_title for stage in CardStage}
