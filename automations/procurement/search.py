"""Rule 2 (the buyer's entry per line) and rule 3's completion test and the tab's progress.

Trigger: the buyer saves a line in the Search tab. Rule: validate and apply the entry to
that line. What each status requires: ``found`` — the supplier, the unit price and its
currency (the sales manager quotes from them); ``replacement`` — the replacement described
(«Чем заменили»); ``not_found`` and ``pending`` — nothing. An entry that lacks what its
status requires is refused with an ``EntryProblem`` (its text in ``messages``), whoever
sends it. Once the card reached the portal's lock stage (``lines_locked``; «Выкуплено» by
default) the lines are read-only. Effect: the new line list, which ``rules.plan_search_entry`` turns into a plan
(an ``UpsertLines`` plus whatever rule 3 then decides). Saving the same entry twice
changes nothing, so the second save yields no effects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from automations.procurement.model import CardStage, Line, LineStatus, SearchData

BUYER_STATUSES = frozenset(
    {LineStatus.PENDING, LineStatus.FOUND, LineStatus.NOT_FOUND, LineStatus.REPLACEMENT}
)


DEFAULT_LOCK_STAGE = CardStage.BOUGHT
NEVER_LOCKED = "NEVER"
_CARD_ORDER = tuple(CardStage)  # the funnel's order; CANCELLED, its end, counts as past all


def lines_locked(card_stage: CardStage | None, locked_from: str = DEFAULT_LOCK_STAGE) -> bool:
    """Whether the card is at ``locked_from`` or later (lines then stay as they are);
    ``locked_from`` is a card stage's name or ``NEVER``; no card yet is never locked."""
    if card_stage is None or locked_from == NEVER_LOCKED:
        return False
    lock = CardStage(locked_from) if locked_from in CardStage.__members__ else DEFAULT_LOCK_STAGE
    return _CARD_ORDER.index(card_stage) >= _CARD_ORDER.index(lock)


class EntryProblem(StrEnum):
    """Why an entry was refused; also the message key shown next to the line."""

    UNKNOWN_LINE = "entry.unknown_line"
    STATUS_NOT_ALLOWED = "entry.status_not_allowed"
    REPLACEMENT_NOT_DESCRIBED = "entry.replacement_not_described"
    FOUND_NEEDS_SUPPLIER = "entry.found_needs_supplier"
    FOUND_NEEDS_PRICE = "entry.found_needs_price"
    FOUND_NEEDS_CURRENCY = "entry.found_needs_currency"


@dataclass(frozen=True)
class EntryRejected:
    line_id: int
    problem: EntryProblem


def search_progress(lines: Sequence[Line]) -> tuple[int, int]:
    """(found, active) for "7 из 10 найдено": cancelled lines count in neither."""
    active = [line for line in lines if line.is_active]
    found = sum(1 for line in active if line.status is LineStatus.FOUND)
    return found, len(active)


def is_search_complete(lines: Sequence[Line]) -> bool:
    """Every active line has a buyer's status; ``not_found`` and ``replacement`` count.

    Cancelled lines do not block. With no active line at all there is nothing to agree
    with the client, so the search is not complete (the deal stays where it is).
    """
    active = [line for line in lines if line.is_active]
    return bool(active) and all(line.status is not LineStatus.PENDING for line in active)


def apply_search_entry(
    lines: Sequence[Line], line_id: int, status: LineStatus, search: SearchData
) -> tuple[Line, ...] | EntryRejected:
    """Apply the buyer's entry; on a cancelled line the status waits for the row's return."""
    problem = _entry_problem(lines, line_id, status, search)
    if problem is not None:
        return EntryRejected(line_id, problem)
    return tuple(
        _with_entry(line, status, search) if line.line_id == line_id else line for line in lines
    )


def _entry_problem(
    lines: Sequence[Line], line_id: int, status: LineStatus, search: SearchData
) -> EntryProblem | None:
    if not any(line.line_id == line_id for line in lines):
        return EntryProblem.UNKNOWN_LINE
    if status not in BUYER_STATUSES:
        return EntryProblem.STATUS_NOT_ALLOWED
    return _missing_for(status, search)


def _missing_for(status: LineStatus, search: SearchData) -> EntryProblem | None:
    """What the status requires that the entry lacks (the first of them), if anything."""
    if status is LineStatus.REPLACEMENT and not search.replacement_note.strip():
        return EntryProblem.REPLACEMENT_NOT_DESCRIBED
    if status is not LineStatus.FOUND:
        return None
    if not search.supplier.strip():
        return EntryProblem.FOUND_NEEDS_SUPPLIER
    if search.unit_price is None:
        return EntryProblem.FOUND_NEEDS_PRICE
    if not search.currency.strip():
        return EntryProblem.FOUND_NEEDS_CURRENCY
    return None


def _with_entry(line: Line, status: LineStatus, search: SearchData) -> Line:
    if line.is_active:
        return replace(line, status=status, search=search)
    return replace(line, prior_status=status, search=search)
